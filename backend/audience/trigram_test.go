package audience_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// A string column's trigram index answers a condition from the
// positions of its operand's rarest trigram, testing only their values:
// the answer must be exactly portal.Eval's, in memory, read whole from a
// file and opened by its head (where it checks only the blocks it
// reads).

// trigramRules are conditions the index answers on bigDataset's users
// (e-mails word.i@word), and some it must leave to a scan.
func trigramRules(d dataset) (answered, scanned []*portal.Rule) {
	one := oneUser(d)
	answered = []*portal.Rule{
		portal.Cond("user.email", portal.OpContains, fmt.Sprintf(".%d@", one)),
		portal.Cond("user.email", portal.OpNotContains, "77@"),
		portal.Cond("user.email", portal.OpContains, "qqq"), // a trigram no value holds
		portal.Cond("user.email", portal.OpEquals, "examply.com.4321@globex.io"),
		portal.Cond("user.email", portal.OpNotEquals, "zoe.18@pro"),
		portal.Cond("user.email", portal.OpStartsWith, "muller.199"),
		portal.Cond("user.email", portal.OpEndsWith, "99@ab"),
		portal.Cond("user.external_id", portal.OpContains, "t-1999"),
		portal.AllOf(portal.Cond("user.email", portal.OpContains, "123@"), portal.Cond("company.plan", portal.OpIsSet, nil)),
	}
	scanned = []*portal.Rule{
		portal.Cond("user.email", portal.OpContains, "@"),       // under three bytes
		portal.Cond("user.email", portal.OpContains, "examply"), // every trigram common
		portal.AllOf(portal.Cond("user.email", portal.OpContains, "@examply.com"), portal.Cond("company.plan", portal.OpIsSet, nil)),
	}
	return answered, scanned
}

// oneUser returns the first seq from 1234 holding a user (some hold
// none): the only one whose e-mail holds "." + seq + "@".
func oneUser(d dataset) int {
	one := 1234
	for d.users[one] == nil {
		one++
	}
	return one
}

// indexedDataset returns bigDataset's 20,000 users from seed and their
// columns with trigram indexes (from 1,000 positions; a trigram's
// positions kept when at most one position in 64 holds it).
func indexedDataset(t *testing.T, seed, stream uint64) (*rand.Rand, *portal.Schema, dataset, map[uint32]portal.Subject, *audience.Columns) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, stream))
	s := schema()
	d := bigDataset(r, 20000)
	restore := audience.SetTrigrams(1000, 64, 16, 100)
	defer restore()
	return r, s, d, subjects(d), fill(t, d, s)
}

func TestTrigramIndexExact(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	_, s, d, subs, mem := indexedDataset(t, seed, 41)
	file := save(t, mem, "g1")
	whole, err := audience.ReadColumns(file, "g1")
	if err != nil {
		t.Fatal(err)
	}
	answered, scanned := trigramRules(d)
	for i, rule := range append(slices.Clone(answered), scanned...) {
		want := evalSet(rule, s, subs)
		lazy, err := audience.OpenColumns(file, "g1")
		if err != nil {
			t.Fatal(err)
		}
		for name, cols := range map[string]*audience.Columns{"in memory": mem, "read whole": whole, "opened": lazy} {
			n, err := audience.IndexAnswers(cols, rule, s, now)
			if err != nil {
				t.Fatalf("%s, %s: %v", name, rule, err)
			}
			if n == 0 && i < len(answered) || n > 0 && i >= len(answered) {
				t.Fatalf("%s, %s: the index answered %d conditions", name, rule, n)
			}
			got, err := cols.Audience(rule, nil, s, now)
			if err != nil || !got.Equals(want) {
				t.Fatalf("%s, %s: %d users (%v), portal.Eval %d", name, rule, got.GetCardinality(), err, want.GetCardinality())
			}
			first, err := cols.First(rule, nil, s, now, 20)
			if wantFirst := audience.Head(want, 20); err != nil || !slices.Equal(first, wantFirst) {
				t.Fatalf("%s, %s: first %v (%v), want %v", name, rule, first, err, wantFirst)
			}
		}
		if i == 0 && want.GetCardinality() != 1 {
			t.Fatalf("%s: %d users, want 1: the dataset tests nothing", rule, want.GetCardinality())
		}
	}
}

// TestTrigramOpenedReadsLittle: opened by its head, a column answered by
// its index checks only the blocks of the index's tables, of the
// candidates' positions and of their values: a byte damaged elsewhere in
// the e-mails leaves the answer exact while reading the part whole meets
// ErrDamaged; wherever the damage, the answer is exact or ErrDamaged.
func TestTrigramOpenedReadsLittle(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r, s, d, subs, cols := indexedDataset(t, seed, 43)
	file := save(t, cols, "g1")
	answered, _ := trigramRules(d)
	email := partNamed(t, file, "user.email")
	exact := 0
	for k := range 60 {
		b := slices.Clone(file)
		at := email.Off + r.IntN(email.Size)
		if k%4 == 0 {
			at = 12 + r.IntN(len(b)-12) // anywhere
		}
		b[at] ^= byte(1 + r.IntN(255))
		cols, err := audience.OpenColumns(b, "g1")
		if err != nil {
			if !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: opened: %v", seed, err)
			}
			continue
		}
		rule := answered[r.IntN(len(answered))]
		got, err := cols.Audience(rule, nil, s, now)
		switch want := evalSet(rule, s, subs); {
		case errors.Is(err, audience.ErrDamaged):
		case err != nil || !got.Equals(want):
			t.Fatalf("seed %d: byte %d damaged: %s: %v (%v), want %d users", seed, at, rule, got.GetCardinality(), err, want.GetCardinality())
		case cols.Verify() != nil:
			exact++
		}
	}
	if exact == 0 {
		t.Fatalf("seed %d: never exact from a damaged e-mail part: the index read the part whole", seed)
	}
	// The one candidate's value damaged: ErrDamaged, never an answer.
	rule, one := answered[0], oneUser(d)
	at := bytes.Index(file, []byte(portal.Fold(d.users[one].Email)))
	if want := evalSet(rule, s, subs); at < 0 || want.GetCardinality() != 1 || !want.Contains(uint32(one)) {
		t.Fatalf("seed %d: %s: %v, at byte %d of the file; want user %d alone", seed, rule, want.ToArray(), at, one)
	}
	b := slices.Clone(file)
	b[at+2] ^= 0x20
	cols, err := audience.OpenColumns(b, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := cols.Audience(rule, nil, s, now); !errors.Is(err, audience.ErrDamaged) {
		t.Fatalf("seed %d: %s, its user's e-mail damaged: %v (%v)", seed, rule, got, err)
	}
}

// TestTrigramIndexBuilt: a column gets an index from triMin positions,
// and the rare trigrams' positions only, the rarest first within a budget
// (3 positions of 3,000: none of the operand's).
func TestTrigramIndexBuilt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 47))
	s := schema()
	d := bigDataset(r, 3000)
	rule := portal.Cond("user.email", portal.OpContains, fmt.Sprintf(".%d@", 2999))
	for _, c := range []struct {
		min, div, rare int
		budget         float64
		want           int
	}{{5000, 64, 16, 100, 0}, {1000, 64, 16, 100, 1}, {1000, 1 << 20, 0, 100, 0}, {1000, 64, 16, 0.001, 0}} {
		restore := audience.SetTrigrams(c.min, c.div, c.rare, c.budget)
		cols := fill(t, d, s)
		restore()
		if n, err := audience.IndexAnswers(cols, rule, s, now); err != nil || n != c.want {
			t.Fatalf("index from %d positions, rare under 1/%d or %d, %g per position: answered %d (%v), want %d", c.min, c.div, c.rare, c.budget, n, err, c.want)
		}
	}
}

// TestTrigramFirstReadsItsHead: First tests a trigram index's candidates
// only as far as its walk goes: the value of a candidate past its head
// damaged, First answers exactly while a count meets ErrDamaged.
func TestTrigramFirstReadsItsHead(t *testing.T) {
	_, s, d, subs, cols := indexedDataset(t, 9, 53)
	file := save(t, cols, "g1")
	rule := portal.Cond("user.email", portal.OpContains, "99@")
	want := evalSet(rule, s, subs)
	// A candidate far past the first three, whose value lies in the
	// middle of the e-mails (the blocks at their ends also hold what
	// opening the part reads).
	users := want.ToArray()
	late := users[len(users)*3/4]
	if len(users) < 20 || late < 10000 {
		t.Fatalf("%s: users %v: too few to test a head", rule, users)
	}
	b := slices.Clone(file)
	at := bytes.Index(b, []byte(portal.Fold(d.users[late].Email)))
	if at < 0 {
		t.Fatalf("user %d's e-mail is not in the file", late)
	}
	b[at] ^= 0x20
	cols, err := audience.OpenColumns(b, "g1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := cols.First(rule, nil, s, now, 3)
	if wantFirst := audience.Head(want, 3); err != nil || !slices.Equal(got, wantFirst) {
		t.Fatalf("first 3: %v (%v), want %v", got, err, wantFirst)
	}
	if _, err := cols.Audience(rule, nil, s, now); !errors.Is(err, audience.ErrDamaged) {
		t.Fatalf("a count over the damaged candidate: %v, want ErrDamaged", err)
	}
}
