package portal_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"portalstudio/backend/portal"
)

// randText returns text of every sort: plain, with characters JSON
// escapes or the encoder escapes (quotes, <, &, control characters),
// multi-byte and invalid UTF-8.
func randText(r *rand.Rand) string {
	pieces := []string{"", "Pro", "EMEA", "é", "Zoë", "日本", "a\"b", "back\\slash", "<b>", "&", "\n", "\x01", "\xff", "\u2028", " ", "Premier tier"}
	s := ""
	for range r.IntN(4) {
		s += pieces[r.IntN(len(pieces))]
	}
	return s
}

func randValue(r *rand.Rand) portal.Value {
	var v portal.Value
	kinds := []portal.ValueKind{portal.KindString, portal.KindNumber, portal.KindBoolean, portal.KindDate, "", "Odd"}
	v.Kind = kinds[r.IntN(len(kinds))]
	if r.IntN(2) == 0 {
		v.Str = randText(r)
	}
	if r.IntN(2) == 0 {
		nums := []float64{0, 1, -1, 25, 0.5, -1e-7, 1e21, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64}
		v.Num = nums[r.IntN(len(nums))]
	}
	v.Bool = r.IntN(2) == 0
	if r.IntN(2) == 0 {
		zones := []*time.Location{time.UTC, time.FixedZone("", 2*3600), time.FixedZone("", -(5*3600 + 30*60))}
		v.Time = time.Unix(r.Int64N(4e9), r.Int64N(2)*r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
	}
	return v
}

// mutate changes a few bytes of b, drops some or adds some: inputs
// json.Unmarshal refuses, or reads otherwise.
func mutate(r *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	alphabet := []byte(`{}[]":,.-+eE0123456789 \ntfnulkindstrnumbooltime"Kx` + "\x00\xff")
	for range 1 + r.IntN(3) {
		if len(b) == 0 {
			break
		}
		i := r.IntN(len(b))
		switch r.IntN(3) {
		case 0:
			b[i] = alphabet[r.IntN(len(alphabet))]
		case 1:
			b = append(b[:i], b[i+1:]...)
		default:
			b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
		}
	}
	return b
}

// TestUnmarshalCustom: on what the stores write, on hand-made forms and
// on damaged JSON, UnmarshalCustom gives exactly what json.Unmarshal
// gives: the same map, or an error where it gives one.
func TestUnmarshalCustom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	var inputs [][]byte
	for range 3000 {
		m := map[string]portal.Value{}
		for range r.IntN(5) {
			m[randText(r)] = randValue(r)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
		for range 3 {
			inputs = append(inputs, mutate(r, b))
		}
	}
	for _, s := range []string{
		`null`, ` null `, `{}`, ` { } `, `{"a":{}}`, `{"a":null}`, `{"a":{"kind":null}}`, `{"a":{"Kind":"string"}}`,
		`{"a":{"kind":"string","other":1}}`, `{"a":{"num":1e400}}`, `{"a":{"num":-0}}`, `{"a":{"num":01}}`, `{"a":{"num":1.}}`,
		`{"a":{"time":"2026-11-02T09:20:34Z"}}`, `{"a":{"time":"2026-11-02"}}`, `{"a":{"time":null}}`, `{"a":{"bool":1}}`,
		`{"a":{"kind":"string"},"a":{"str":"x"}}`, `{"a":{"kind":"a","kind":"b"}}`, `{"a":{}}x`, `{"a":{},}`, `[]`, `"x"`, ``,
		`{"a\u0062":{"str":"\u00e9"}}`, "{\"a\":{\"str\":\"\xff\"}}", "{\"a\":{\"str\":\"tab\there\"}}",
	} {
		inputs = append(inputs, []byte(s))
	}
	compared := 0
	for _, in := range inputs {
		var want, got map[string]portal.Value
		werr := json.Unmarshal(in, &want)
		gerr := portal.UnmarshalCustom(in, &got)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%q: error %v, json.Unmarshal's %v", in, gerr, werr)
		}
		if werr == nil {
			compared++
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: %#v, json.Unmarshal gives %#v", in, got, want)
			}
		}
	}
	// Into a map already holding values, as json.Unmarshal: null empties
	// it, an object adds its keys (replacing those it holds).
	for _, in := range []string{`null`, `{"b":{"kind":"string","str":"new"}}`, `{"c":{}}`} {
		base := func() map[string]portal.Value {
			return map[string]portal.Value{"a": {Kind: portal.KindString, Str: "old"}, "b": {Kind: portal.KindNumber, Num: 1}}
		}
		want, got := base(), base()
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if err := portal.UnmarshalCustom([]byte(in), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s into a map: %#v (%v), want %#v", in, got, err, want)
		}
	}
	// The stores' form takes the fast way (not json.Unmarshal's).
	if _, ok := portal.FastCustom(demoCustom); !ok {
		t.Fatalf("%s: not decoded by the fast way", demoCustom)
	}
	if compared < 3000 {
		t.Fatalf("only %d inputs decoded: too few to compare", compared)
	}
}

// demoCustom is a company's custom attributes as the stores write them.
var demoCustom = []byte(`{"is_partner":{"kind":"boolean","bool":true},"region":{"kind":"string","str":"AMER"},"renewal_at":{"kind":"date","time":"2026-11-03T09:20:34Z"},"seats":{"kind":"number","num":850},"sla_tier":{"kind":"string","str":"Premier"}}`)

func BenchmarkUnmarshalCustom(b *testing.B) {
	b.Run("json.Unmarshal", func(b *testing.B) {
		for b.Loop() {
			var m map[string]portal.Value
			if err := json.Unmarshal(demoCustom, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UnmarshalCustom", func(b *testing.B) {
		for b.Loop() {
			var m map[string]portal.Value
			if err := portal.UnmarshalCustom(demoCustom, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
