package audience_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// First reads the parts of a file by their head: on a file of many users
// (parts of many blocks), it checks only the blocks holding the rows it
// reaches. A part damaged past them leaves First's answer exact while a
// question reading the part whole meets ErrDamaged; damaged within them,
// First meets ErrDamaged. Whatever byte is damaged, First answers
// exactly or ErrDamaged; whatever a forger changes (checksums
// recomputed), First on a file read by its head answers what it answers
// on the file read whole, or, for a file refused whole, never panics.

// bigDataset returns a dataset of n users (unique e-mails, so that the
// e-mail part spans many blocks) among 300 companies.
func bigDataset(r *rand.Rand, n int) dataset {
	var d dataset
	for i := range 300 {
		d.companies = append(d.companies, &portal.Company{
			ID: fmt.Sprintf("c%d", i), CompanyID: fmt.Sprintf("cmp-%d", i), Name: randString(r), Plan: randString(r),
			Size: randNum(r), CreatedAt: randTime(r), Custom: randCustom(r),
		})
	}
	for i := range n {
		if r.IntN(20) == 0 {
			d.users = append(d.users, nil)
			continue
		}
		u := &portal.User{
			ID: fmt.Sprintf("u%d", i), ExternalID: fmt.Sprintf("ext-%d", i),
			Email: fmt.Sprintf("%s.%d@%s", words[r.IntN(len(words))], i, words[r.IntN(len(words))]), Name: randString(r),
			Role: []string{"user", "lead", ""}[r.IntN(3)], CreatedAt: randTime(r), LastSeenAt: randTime(r), Custom: randCustom(r),
		}
		for j := 1 + r.IntN(3); j > 0; j-- {
			u.CompanyIDs = append(u.CompanyIDs, fmt.Sprintf("c%d", r.IntN(300)))
		}
		d.users = append(d.users, u)
	}
	return d
}

// headRules are rules whose first users come early: a user string, a
// company condition (the memberships), a number.
var headRules = []*portal.Rule{
	portal.Cond("user.email", portal.OpContains, "examply"),
	portal.AllOf(portal.Cond("company.plan", portal.OpIsSet, nil), portal.Cond("user.name", portal.OpStartsWith, "e")),
	portal.Cond("user.created_at", portal.OpMoreThanDaysAgo, 5.0),
}

// headOf returns the first n users of the set portal.Eval gives.
func headOf(rule *portal.Rule, s *portal.Schema, subs map[uint32]portal.Subject, n int) []uint32 {
	return audience.Head(evalSet(rule, s, subs), n)
}

func partNamed(t *testing.T, file []byte, attr string) audience.FilePart {
	t.Helper()
	parts, err := audience.Parts(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if p.Attr == attr {
			return p
		}
	}
	t.Fatalf("no part %q", attr)
	return audience.FilePart{}
}

func TestFirstChecksItsHead(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	s := schema()
	d := bigDataset(r, 60000)
	subs := subjects(d)
	file := save(t, fill(t, d, s), "g1")
	cases := []struct {
		attr string
		rule *portal.Rule
		at   func(p audience.FilePart) int // a byte past the head's blocks
	}{
		{"user.email", headRules[0], func(p audience.FilePart) int { return p.Off + p.Size/2 }},
		// The first companies come first in the memberships: the middle
		// of them, not of the part (the users with several follow).
		{"", headRules[1], func(p audience.FilePart) int { return p.Off + 60000*4/2 }},
		// ... and their other companies last.
		{"", headRules[1], func(p audience.FilePart) int { return p.Off + p.Size - 4096 }},
		{"user.created_at", headRules[2], func(p audience.FilePart) int { return p.Off + p.Size*3/4 }},
	}
	for _, c := range cases {
		p := partNamed(t, file, c.attr)
		if p.Size < 3*64<<10 {
			t.Fatalf("%q holds %d bytes: too few blocks to test heads", c.attr, p.Size)
		}
		want := headOf(c.rule, s, subs, 5)
		if len(want) < 5 || want[4] > 4000 {
			t.Fatalf("%s: first users %v: not early enough to test a head", c.rule, want)
		}
		// Damaged past the head: First exact, the whole part damaged.
		b := slices.Clone(file)
		b[c.at(p)] ^= 0x5a
		cols, err := audience.OpenColumns(b, "g1")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := cols.First(c.rule, nil, s, now, 5); err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s, %q damaged past its head: first %v (%v), want %v", c.rule, c.attr, got, err, want)
		}
		if _, err := cols.Audience(c.rule, nil, s, now); !errors.Is(err, audience.ErrDamaged) {
			t.Fatalf("%s, %q damaged past its head: the whole audience %v, want ErrDamaged", c.rule, c.attr, err)
		}
		if _, err := cols.First(c.rule, nil, s, now, 5); !errors.Is(err, audience.ErrDamaged) {
			t.Fatalf("%s, %q found damaged: first again %v, want ErrDamaged", c.rule, c.attr, err)
		}
		// Damaged within the head: First says so.
		b = slices.Clone(file)
		b[p.Off+p.Size/64] ^= 0x5a
		cols, err = audience.OpenColumns(b, "g1")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := cols.First(c.rule, nil, s, now, 5); !errors.Is(err, audience.ErrDamaged) {
			t.Fatalf("%s, %q damaged in its head: first %v (%v), want ErrDamaged", c.rule, c.attr, got, err)
		}
	}
}

// TestFirstHeadDamagedAnywhere: a byte changed anywhere in a file of many
// users, in every column form: First answers exactly or ErrDamaged.
func TestFirstHeadDamagedAnywhere(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 13))
	s := schema()
	d := bigDataset(r, 20000)
	subs := subjects(d)
	rules := slices.Clone(headRules)
	for range 6 {
		rules = append(rules, randomRule(r, s, 2))
	}
	sets := make([]*roaring.Bitmap, len(rules))
	for i, rule := range rules {
		sets[i] = evalSet(rule, s, subs)
	}
	exact := 0
	for fi, form := range forms {
		restore := form()
		file := save(t, fill(t, d, s), "g1")
		restore()
		for range 30 {
			b := slices.Clone(file)
			b[12+r.IntN(len(b)-12)] ^= byte(1 + r.IntN(255))
			cols, err := audience.OpenColumns(b, "g1")
			if err != nil {
				if !errors.Is(err, audience.ErrDamaged) {
					t.Fatalf("seed %d, form %d: opened: %v", seed, fi, err)
				}
				continue
			}
			for i, rule := range rules {
				n := 1 + r.IntN(60)
				got, err := cols.First(rule, nil, s, now, n)
				switch want := audience.Head(sets[i], n); {
				case errors.Is(err, audience.ErrDamaged):
				case err != nil || !slices.Equal(got, want):
					t.Fatalf("seed %d, form %d: %s: first %d: %v (%v), want %v", seed, fi, rule, n, got, err, want)
				case cols.Verify() != nil:
					exact++ // exact from a damaged file: the damage was past the head
				}
			}
		}
	}
	if exact == 0 {
		t.Fatalf("seed %d: First never answered from a damaged file: no head was read", seed)
	}
}

// TestFirstHeadForged: a forger's file (checksums recomputed) read by its
// head gives First's answers on the file read whole, or, refused whole,
// errors or answers without a panic.
func TestFirstHeadForged(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 19))
	s := schema()
	d := bigDataset(r, 10000)
	rules := slices.Clone(headRules)
	for range 4 {
		rules = append(rules, randomRule(r, s, 2))
	}
	accepted := 0
	for fi, form := range forms {
		restore := form()
		file := save(t, fill(t, d, s), "g1")
		restore()
		for range 25 {
			b := slices.Clone(file)
			for k := 0; k <= r.IntN(3); k++ {
				b[12+r.IntN(len(b)-16)] ^= byte(1 + r.IntN(255))
			}
			b = audience.Reseal(b)
			head, err := audience.OpenColumns(b, "g1")
			if err != nil {
				continue
			}
			whole, wholeErr := audience.ReadColumns(b, "g1")
			if wholeErr == nil {
				accepted++
			}
			for _, rule := range rules {
				got, err := head.First(rule, nil, s, now, 20)
				if wholeErr != nil {
					continue // no panic is all that is asked
				}
				want, wantErr := whole.First(rule, nil, s, now, 20)
				if (err == nil) != (wantErr == nil) || !slices.Equal(got, want) {
					t.Fatalf("seed %d, form %d: %s: by its head %v (%v), whole %v (%v)", seed, fi, rule, got, err, want, wantErr)
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatalf("seed %d: no forged file was accepted: nothing was compared", seed)
	}
}

// TestFirstHeadConcurrent: First, whole audiences and Verify at once on
// a file just opened (run with -race) all answer exactly.
func TestFirstHeadConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 29))
	s := schema()
	d := bigDataset(r, 20000)
	subs := subjects(d)
	file := save(t, fill(t, d, s), "g1")
	for range 3 {
		cols, err := audience.OpenColumns(file, "g1")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Go(func() {
				rule := headRules[g%len(headRules)]
				switch g % 4 {
				case 3:
					if err := cols.Verify(); err != nil {
						errs <- err
					}
				case 2:
					if got, err := cols.Audience(rule, nil, s, now); err != nil || !got.Equals(evalSet(rule, s, subs)) {
						errs <- fmt.Errorf("%s: audience %v", rule, err)
					}
				default:
					n := 10 + 40*g
					if got, err := cols.First(rule, nil, s, now, n); err != nil || !slices.Equal(got, headOf(rule, s, subs, n)) {
						errs <- fmt.Errorf("%s: first %d: %v (%v)", rule, n, got, err)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
}

// TestFirstHeadThenWhole: a First reading the parts by their head goes
// on with them when another question reads the same parts whole before
// its walk checks its first rows, or halfway through it (a head not
// checked has no ranks for the users of several companies: taking the
// whole part's place then gave wrong users).
func TestFirstHeadThenWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 37))
	s := schema()
	d := bigDataset(r, 30000)
	subs := subjects(d)
	file := save(t, fill(t, d, s), "g1")
	defer audience.SetFirstScan(1, 1<<30)() // walk as far as it takes
	for _, at := range []int{0, 80} {
		for _, rule := range headRules {
			for _, n := range []int{50, 400, 3000} {
				cols, err := audience.OpenColumns(file, "g1")
				if err != nil {
					t.Fatal(err)
				}
				restore := audience.SetFirstWordHook(func(wi int) {
					if wi == at {
						if err := cols.Verify(); err != nil {
							t.Error(err)
						}
					}
				})
				got, err := cols.First(rule, nil, s, now, n)
				restore()
				if want := headOf(rule, s, subs, n); err != nil || !slices.Equal(got, want) {
					t.Fatalf("%s, first %d, the parts read whole at word %d: %v (%v), want %v", rule, n, at, got, err, want)
				}
			}
		}
	}
}
