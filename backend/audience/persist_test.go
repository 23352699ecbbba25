package audience_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// The persisted form: columns saved and read back answer exactly as the
// ones built (and as portal.Eval), in every column form; damaged,
// truncated, stale or foreign data is refused with an error, never a
// panic.

// save returns the persisted form of c at generation gen.
func save(t testing.TB, c *audience.Columns, gen string) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := c.Save(&buf, gen)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("save: %d bytes, %v (wrote %d)", n, err, buf.Len())
	}
	return buf.Bytes()
}

// forms are the column forms the builders choose or are forced into.
var forms = []func() func(){
	func() func() { return func() {} },
	func() func() { return audience.ForceForms(true, 1, false, true) },
	func() func() { return audience.ForceForms(true, 2, true, false) },
	func() func() { return audience.ForceForms(false, 1, true, true) },
	func() func() { return audience.ForceForms(true, 1, true, false) },
	func() func() { return audience.ForceForms(false, 2, false, false) },
	trigramForm,
}

// trigramForm gives every string column an arena and a trigram index
// (of which most trigrams are rare, so that the index answers).
func trigramForm() func() {
	a, b := audience.ForceForms(true, 0, false, false), audience.SetTrigrams(0, 4, 1, 100)
	return func() { b(); a() }
}

func TestPersistRoundTrip(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 23))
	s := schema()
	for iter := 0; iter < 60; iter++ {
		d := randomDataset(r)
		restore := forms[iter%len(forms)]()
		built := fill(t, d, s)
		restore()
		file := save(t, built, "7/abc")
		cols, err := audience.ReadColumns(file, "7/abc")
		if err != nil {
			t.Fatalf("seed %d: read: %v", seed, err)
		}
		// Saved again, the columns read give the same bytes: the same
		// structure, form for form.
		if again := save(t, cols, "7/abc"); !bytes.Equal(again, file) {
			t.Fatalf("seed %d: the columns read save differently (%d bytes, %d)", seed, len(again), len(file))
		}
		subs := subjects(d)
		if cols.Users() != built.Users() || cols.Companies() != built.Companies() || cols.Attributes() != built.Attributes() {
			t.Fatalf("seed %d: read %d/%d/%d, built %d/%d/%d", seed, cols.Users(), cols.Companies(), cols.Attributes(), built.Users(), built.Companies(), built.Attributes())
		}
		for k := 0; k < 20; k++ {
			rule := randomRule(r, s, 3)
			want := evalSet(rule, s, subs)
			got, err := cols.Audience(rule, nil, s, now)
			if err != nil || !got.Equals(want) {
				t.Fatalf("seed %d: %s: read columns %v (%v), portal.Eval %v", seed, rule, got, err, want)
			}
			n := 1 + r.IntN(6)
			first, err := cols.First(rule, nil, s, now, n)
			if err != nil || !slices.Equal(first, audience.Head(want, n)) {
				t.Fatalf("seed %d: %s: first %v (%v), want %v", seed, rule, first, err, audience.Head(want, n))
			}
		}
		checkImpact(t, seed, r, cols, s, subs)
	}
}

// TestPersistChangesCompact: the columns of a few users among a million
// rows (what the Engine's changes file holds after a small import) save
// in a size that follows the users, not the rows, and read back answering
// as portal.Eval does.
func TestPersistChangesCompact(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 29))
	s := schema()
	d := randomDataset(r)
	for len(d.companies) < 2 {
		d = randomDataset(r)
	}
	var users []*portal.User
	for _, u := range d.users {
		if u != nil && len(users) < 10 {
			users = append(users, u)
		}
	}
	d.users = make([]*portal.User, 1<<20)
	for i, u := range users {
		d.users[len(d.users)/2+i*997] = u
	}
	file := save(t, fill(t, d, s), "9/abc")
	if len(file) > 16<<10 {
		t.Fatalf("%d users among %d rows take %d bytes", len(users), len(d.users), len(file))
	}
	cols, err := audience.ReadColumns(file, "9/abc")
	if err != nil {
		t.Fatal(err)
	}
	if cols.Users() != len(users) {
		t.Fatalf("read %d users, want %d", cols.Users(), len(users))
	}
	subs := subjects(d)
	for range 30 {
		rule := randomRule(r, s, 3)
		want := evalSet(rule, s, subs)
		if got, err := cols.Audience(rule, nil, s, now); err != nil || !got.Equals(want) {
			t.Fatalf("seed %d: %s: read columns %v (%v), portal.Eval %v", seed, rule, got, err, want)
		}
	}
}

// sealed returns b with its checksums recomputed, as a forger would.
func sealed(b []byte) []byte { return audience.Reseal(b) }

// sample returns a saved file of a random dataset.
func sample(t testing.TB, r *rand.Rand, gen string) []byte {
	d := randomDataset(r)
	for len(d.users) < 3 {
		d = randomDataset(r)
	}
	if r.IntN(2) == 0 {
		defer trigramForm()()
	}
	return save(t, fill(t, d, schema()), gen)
}

func TestPersistRefusesDamage(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 29))
	for iter := 0; iter < 20; iter++ {
		file := sample(t, r, "12/nonce")
		if _, err := audience.ReadColumns(file, "12/nonce"); err != nil {
			t.Fatalf("seed %d: the intact file: %v", seed, err)
		}
		// Truncated anywhere, the file is refused at once, even by
		// OpenColumns (which checks the index, not the parts).
		for i := 0; i < 20; i++ {
			cut := len(file) * i / 20
			if _, err := audience.ReadColumns(file[:cut], "12/nonce"); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: truncated at %d of %d: %v, want ErrDamaged", seed, cut, len(file), err)
			}
			if _, err := audience.OpenColumns(file[:cut], "12/nonce"); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: truncated at %d of %d, opened: %v, want ErrDamaged", seed, cut, len(file), err)
			}
		}
		// A byte changed anywhere is found: by OpenColumns when it is
		// in the header, the index or the footer, else at the first use
		// of its part (Verify uses them all).
		for i := 0; i < 50; i++ {
			b := slices.Clone(file)
			p := 12 + r.IntN(len(b)-12) // past the magic and the version
			b[p] ^= byte(1 + r.IntN(255))
			if _, err := audience.ReadColumns(b, "12/nonce"); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: byte %d of %d flipped: %v, want ErrDamaged", seed, p, len(b), err)
			}
			cols, err := audience.OpenColumns(b, "12/nonce")
			if err == nil {
				err = cols.Verify()
			}
			if !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: byte %d of %d flipped, opened and verified: %v, want ErrDamaged", seed, p, len(b), err)
			}
		}
		b := slices.Clone(file)
		b[0] ^= 1
		if _, err := audience.ReadColumns(b, "12/nonce"); !errors.Is(err, audience.ErrDamaged) {
			t.Fatalf("seed %d: another magic: %v", seed, err)
		}
		b = slices.Clone(file)
		binary.LittleEndian.PutUint32(b[8:], audience.FormatVersion+1)
		if _, err := audience.ReadColumns(sealed(b), "12/nonce"); !errors.Is(err, audience.ErrVersion) {
			t.Fatalf("seed %d: another version: %v, want ErrVersion", seed, err)
		}
		if _, err := audience.OpenColumns(b, "12/nonce"); !errors.Is(err, audience.ErrVersion) {
			t.Fatalf("seed %d: another version, opened: %v, want ErrVersion", seed, err)
		}
		for _, gen := range []string{"11/nonce", "12/other", "13/nonce", "", "12/nonc"} {
			if _, err := audience.ReadColumns(file, gen); !errors.Is(err, audience.ErrStale) {
				t.Fatalf("seed %d: read at %q: %v, want ErrStale", seed, gen, err)
			}
			if _, err := audience.OpenColumns(file, gen); !errors.Is(err, audience.ErrStale) {
				t.Fatalf("seed %d: opened at %q: %v, want ErrStale", seed, gen, err)
			}
		}
		for _, extra := range [][]byte{append(slices.Clone(file[:len(file)-4]), 0, 0, 0, 0, 0, 0, 0, 0), append(slices.Clone(file), 0)} {
			if _, err := audience.OpenColumns(extra, "12/nonce"); err == nil {
				t.Fatalf("seed %d: extra bytes accepted", seed)
			}
		}
	}
}

// A forger who recomputes the checksum gets, for every changed byte,
// either an error or columns that answer without panicking (the
// structure is checked, not only the checksum).
func TestPersistForgedNeverPanics(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 31))
	accepted := 0
	for iter := 0; iter < 10; iter++ {
		file := sample(t, r, "g")
		for i := 0; i < 300; i++ {
			b := slices.Clone(file)
			for k := 0; k <= r.IntN(3); k++ {
				b[12+r.IntN(len(b)-16)] ^= byte(1 + r.IntN(255))
			}
			if exercise(t, sealed(b), "g") {
				accepted++
			}
		}
	}
	if accepted == 0 {
		t.Fatalf("seed %d: no forged file was accepted: the forger's checksums are wrong, nothing was exercised", seed)
	}
}

// exercise reads b and, when it is accepted, asks the columns questions
// over every attribute: none may panic. Opened lazily, the same
// questions get the same answers, or ErrDamaged exactly when the whole
// file is refused as damaged. It reports whether b was accepted.
func exercise(t *testing.T, b []byte, gen string) bool {
	t.Helper()
	s := schema()
	rules := make([]*portal.Rule, 8)
	r := rand.New(rand.NewPCG(uint64(len(b)), 1))
	for k := range rules {
		rules[k] = randomRule(r, s, 2)
	}
	lazy, lazyErr := audience.OpenColumns(b, gen)
	if lazyErr != nil && !errors.Is(lazyErr, audience.ErrDamaged) && !errors.Is(lazyErr, audience.ErrVersion) && !errors.Is(lazyErr, audience.ErrStale) {
		t.Fatalf("opened: an error of no kind: %v", lazyErr)
	}
	cols, err := audience.ReadColumns(b, gen)
	if err != nil {
		if !errors.Is(err, audience.ErrDamaged) && !errors.Is(err, audience.ErrVersion) && !errors.Is(err, audience.ErrStale) {
			t.Fatalf("an error of no kind: %v", err)
		}
		if lazy != nil {
			for _, rule := range rules {
				if _, err := lazy.Audience(rule, nil, s, now); err != nil && !errors.Is(err, audience.ErrUnsupported) && !errors.Is(err, audience.ErrDamaged) {
					t.Fatalf("%s, opened: %v", rule, err)
				}
				lazy.First(rule, nil, s, now, 3)
			}
			if err := lazy.Verify(); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("refused whole (%v), opened and verified: %v", lazyErr, err)
			}
		}
		return false
	}
	if lazyErr != nil {
		t.Fatalf("accepted whole, refused opened: %v", lazyErr)
	}
	for _, rule := range rules {
		got, err := cols.Audience(rule, nil, s, now)
		if err != nil && !errors.Is(err, audience.ErrUnsupported) {
			t.Fatalf("%s: %v", rule, err)
		}
		if lgot, lerr := lazy.Audience(rule, nil, s, now); (lerr == nil) != (err == nil) || (err == nil && !lgot.Equals(got)) {
			t.Fatalf("%s: opened %v (%v), read whole %v (%v)", rule, lgot, lerr, got, err)
		}
		cols.First(rule, nil, s, now, 3)
	}
	st := &portal.Settings{}
	st.Portal.Enabled = true
	st.Access.Rule = randomRule(r, s, 2)
	audience.SetsOf(st, func(rule *portal.Rule) (*roaring.Bitmap, error) { return cols.Audience(rule, nil, s, now) })
	if _, err := audience.ReadColumns(save(t, cols, gen), gen); err != nil {
		t.Fatalf("accepted columns save to a file refused: %v", err)
	}
	return true
}

func FuzzReadColumns(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	s := schema()
	for i := 0; i < 6; i++ {
		d := randomDataset(r)
		restore := forms[i%len(forms)]()
		c := fill(f, d, s)
		restore()
		f.Add(save(f, c, "g"))
	}
	f.Add([]byte("PSAUDCOL"))
	f.Fuzz(func(t *testing.T, b []byte) {
		exercise(t, b, "g")
		if len(b) > 16 {
			exercise(t, sealed(b), "g")
		}
	})
}

// TestPersistRefusesHugeRows: a forged file whose index claims more user
// rows than there can be is refused as damaged before anything is sized
// by them (a claim of four billion rows once made a reader allocate 16
// GB for the users' first companies).
func TestPersistRefusesHugeRows(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	file := sample(t, r, "g")
	for _, rows := range []uint64{audience.MaxRows + 1, 1 << 31, 1<<32 - 1, 1 << 40} {
		b := audience.WithRows(file, rows)
		if _, err := audience.ReadColumns(b, "g"); !errors.Is(err, audience.ErrDamaged) || !strings.Contains(err.Error(), fmt.Sprintf("%d rows", rows)) {
			t.Errorf("%d rows: %v; want ErrDamaged naming the rows", rows, err)
		}
		if _, err := audience.OpenColumns(b, "g"); !errors.Is(err, audience.ErrDamaged) {
			t.Errorf("%d rows, opened lazily: %v; want ErrDamaged", rows, err)
		}
	}
	// The claim itself is what is refused: the same file resealed with
	// its own rows reads.
	if _, err := audience.ReadColumns(audience.Reseal(file), "g"); err != nil {
		t.Fatalf("the file resealed as it is: %v", err)
	}
}
