package audience

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The column forms must answer exactly as the plain operators do on the
// values, whatever the form: dictionary or arena (offsets or fixed width),
// dense or sparse. Matches must never straddle two values of an arena.

type strCase struct {
	rows []uint32
	vals []string
}

func randStrCase(r *rand.Rand, n int, fixed bool) strCase {
	alphabet := []string{"a", "b", "c", "ab", "bc", ".com", "é", "\x00", ""}
	var c strCase
	for row := 0; row < n; row++ {
		if r.IntN(3) == 0 {
			continue // no value
		}
		var v string
		if fixed {
			v = string(rune('a'+r.IntN(3))) + string(rune('a'+r.IntN(3))) + string(rune('a'+r.IntN(3)))
		} else {
			for k := r.IntN(5); k > 0; k-- {
				v += alphabet[r.IntN(len(alphabet))]
			}
		}
		c.rows = append(c.rows, uint32(row))
		c.vals = append(c.vals, v)
	}
	return c
}

func buildStr(t *testing.T, c strCase, n int, forms colForms) *strColumn {
	t.Helper()
	defer func(old colForms) { colForce = old }(colForce)
	colForce = forms
	var b strBuilder
	for i, r := range c.rows {
		if !b.add(r, c.vals[i]) {
			t.Fatal("add refused rows in order")
		}
	}
	return b.finish(n)
}

func TestStrColumnForms(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	patterns := []string{"a", "b", "ab", "bc", "ca", "abc", "a.com", ".com", "é", "\x00", "\x00a", "zz", "", "aaa", "bbb", "abcab", "c.co"}
	defer func() { colContains = 0 }()
	defer SetSpans(spanMin, spanWays)()
	ops := []byte{'e', 'c', 's', 'x', 'p'}
	for iter := 0; iter < 400; iter++ {
		// Long scans are split over the cores in spans of whole words:
		// here any scan, into 1 to 4 spans.
		spanMin, spanWays = 0, 1+r.IntN(4)
		n := 1 + r.IntN(200)
		fixed := r.IntN(3) == 0
		c := randStrCase(r, n, fixed)
		forms := colForms{arena: r.IntN(4) > 0, layout: r.IntN(3), noFixed: r.IntN(2) == 0}
		col := buildStr(t, c, n, forms)
		colContains = r.IntN(3) // by frequency, the rarest byte, the rarest pair
		if fixed && forms.arena && forms.layout != 0 && !forms.noFixed && len(c.rows) > 0 && col.width == 0 {
			t.Fatalf("seed %d: values of one width did not make a fixed-width arena", seed)
		}
		for _, op := range ops {
			for _, w := range patterns {
				p := strPred{op: op, w: []byte(w)}
				want := newBitset(n)
				for i, row := range c.rows {
					if p.holds([]byte(c.vals[i])) {
						want.set(row)
					}
				}
				got := newBitset(n)
				col.scan(p, got)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d: %+v, form %+v (width %d, dict %v): %c %q: got %v, want %v", seed, c, forms, col.width, col.dict != nil, op, w, got, want)
				}
				for row := 0; row < n; row++ {
					if col.test(uint32(row), p) != want.has(uint32(row)) {
						t.Fatalf("seed %d: test(%d) %c %q disagrees with scan", seed, row, op, w)
					}
				}
			}
		}
	}
}

// A match across the boundary of two values is not a match.
func TestArenaNoStraddle(t *testing.T) {
	for _, forms := range []colForms{{arena: true, layout: 1, noFixed: true}, {arena: true, layout: 2, noFixed: true}, {arena: true, layout: 1}, {arena: true, layout: 2}} {
		c := strCase{rows: []uint32{0, 1, 2, 5}, vals: []string{"ab", "cd", "ef", "bc"}}
		col := buildStr(t, c, 6, forms)
		for _, how := range []int{1, 2} {
			colContains = how
			got := newBitset(6)
			col.scan(strPred{op: 'c', w: []byte("bc")}, got)
			if !slices.Equal(got.rowsOf(), []uint32{5}) {
				t.Errorf("%+v, %d: contains \"bc\" = %v, want only row 5 (not \"ab\"+\"cd\")", forms, how, got.rowsOf())
			}
			colContains = 0
		}
		got := newBitset(6)
		got = newBitset(6)
		col.scan(strPred{op: 'c', w: []byte("d")}, got)
		if !slices.Equal(got.rowsOf(), []uint32{1}) {
			t.Errorf("%+v: contains \"d\" = %v, want row 1", forms, got.rowsOf())
		}
	}
}

func TestAdvance(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 2000; iter++ {
		n := 1 + r.IntN(50)
		off := make([]uint32, n+1)
		for i := 1; i <= n; i++ {
			off[i] = off[i-1] + uint32(r.IntN(3)) // empty values too
		}
		if off[n] == 0 {
			continue
		}
		p := 0
		for x := uint32(0); x < off[n]; x += uint32(1 + r.IntN(3)) {
			want := 0
			for off[want+1] <= x {
				want++
			}
			p = advance(off, p, x)
			if p != want {
				t.Fatalf("off %v: advance to %d = %d, want %d", off, x, p, want)
			}
		}
	}
}

func TestNumColumnForms(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	bases := []float64{0, -3, 1.7e9, -1 << 40, 1 << 52}
	defer SetSpans(spanMin, spanWays)()
	for iter := 0; iter < 400; iter++ {
		spanMin, spanWays = 0, 1+r.IntN(4) // every scan split, 1 to 4 spans
		n := 1 + r.IntN(300)
		base := bases[r.IntN(len(bases))]
		spread := []float64{1, 3, 300, 70000, 5e9}[r.IntN(5)]
		var rows []uint32
		var vals []float64
		for row := 0; row < n; row++ {
			if r.IntN(3) == 0 {
				continue
			}
			v := base + math.Floor(r.Float64()*spread)
			if r.IntN(20) == 0 {
				v += 0.5 // not a whole number: float64 form
			}
			rows, vals = append(rows, uint32(row)), append(vals, v)
		}
		forms := colForms{layout: r.IntN(3), float: r.IntN(4) == 0}
		old := colForce
		colForce = forms
		var b numBuilder
		for i := range rows {
			b.add(rows[i], vals[i])
		}
		col := b.finish(n)
		colForce = old
		ws := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300}
		for k := 0; k < 12; k++ {
			w := base + math.Floor(r.Float64()*spread*1.2) - spread*0.1
			if r.IntN(3) == 0 {
				w += []float64{0.5, -0.25, 1e-9}[r.IntN(3)]
			}
			ws = append(ws, w)
		}
		if len(vals) > 0 {
			ws = append(ws, vals[0], vals[len(vals)-1])
		}
		for _, op := range []byte{'e', 'g', 'l', 'p'} {
			for _, w := range ws {
				p := numPred{op, w}
				want := newBitset(n)
				for i, row := range rows {
					if p.holds(vals[i]) {
						want.set(row)
					}
				}
				got := newBitset(n)
				col.scan(p, got)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d: form %+v (u8 %v u16 %v u32 %v base %d): %c %v over %v: got %v, want %v",
						seed, forms, col.u8 != nil, col.u16 != nil, col.u32 != nil, col.base, op, w, vals, got.rowsOf(), want.rowsOf())
				}
				for row := 0; row < n; row++ {
					if col.test(uint32(row), p) != want.has(uint32(row)) {
						t.Fatalf("seed %d: test(%d) %c %v disagrees with scan", seed, row, op, w)
					}
				}
			}
		}
	}
}
