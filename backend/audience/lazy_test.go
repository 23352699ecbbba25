package audience_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// The parts of a file are checked at their first use: a damaged part
// that a rule does not read leaves its answer exact; the first rule that
// reads it meets ErrDamaged, which the engine never answers from (it
// builds the data again from the store and answers exactly); many
// goroutines reading a part for the first time at once read and check
// it once and all get the same answer.

// datasetSource is a store holding one dataset at one generation.
type datasetSource struct {
	t     testing.TB
	d     dataset
	s     *portal.Schema
	mu    sync.Mutex
	reads int // ReadColumns calls
}

func (f *datasetSource) Generation(context.Context) (string, error) { return "g1", nil }

func (f *datasetSource) ReadColumns(context.Context) (*audience.Columns, string, error) {
	f.mu.Lock()
	f.reads++
	f.mu.Unlock()
	return fill(f.t, f.d, f.s), "g1", nil
}

func (f *datasetSource) ReadChanges(context.Context, string) (*audience.Columns, string, error) {
	return nil, "", audience.ErrChangesUnknown
}

func (f *datasetSource) Summaries(_ context.Context, seqs []uint32) ([]portal.UserSummary, error) {
	out := make([]portal.UserSummary, len(seqs))
	for i, s := range seqs {
		out[i] = portal.UserSummary{ID: fmt.Sprint("u", s)}
	}
	return out, nil
}

func (f *datasetSource) CompanyReach(context.Context, string, string) (audience.Reach, error) {
	return audience.Reach{}, nil
}

func (f *datasetSource) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

// richDataset returns a random dataset with users and companies.
func richDataset(r *rand.Rand) dataset {
	for {
		d := randomDataset(r)
		if len(d.users) >= 20 && len(d.companies) >= 2 {
			return d
		}
	}
}

// readsPart returns a rule that reads the part p (every rule on a
// company attribute also reads the memberships), or nil when the schema
// has no such attribute of p's kind.
func readsPart(s *portal.Schema, p audience.FilePart) *portal.Rule {
	if p.Attr == "" {
		return portal.Cond("company.id", portal.OpIsSet, nil)
	}
	a, ok := s.Lookup(p.Attr)
	if !ok || (p.Kind != "" && string(a.Kind) != p.Kind) {
		return nil
	}
	return portal.Cond(p.Attr, portal.OpIsSet, nil)
}

// avoidsPart returns a rule that does not read p.
func avoidsPart(p audience.FilePart) *portal.Rule {
	if p.Attr == "user.name" {
		return portal.Cond("user.email", portal.OpContains, "a")
	}
	return portal.Cond("user.name", portal.OpContains, "a")
}

// flip returns a copy of b with one byte of [off, off+size) changed.
func flip(r *rand.Rand, b []byte, off, size int) []byte {
	b = slices.Clone(b)
	b[off+r.IntN(size)] ^= byte(1 + r.IntN(255))
	return b
}

func TestLazyDamagedPartColumns(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 61))
	s := schema()
	for iter := 0; iter < 10; iter++ {
		d := richDataset(r)
		subs := subjects(d)
		file := save(t, fill(t, d, s), "g1")
		parts, err := audience.Parts(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			reads := readsPart(s, p)
			if reads == nil {
				continue
			}
			b := flip(r, file, p.Off, p.Size)
			if _, err := audience.ReadColumns(b, "g1"); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: %s damaged, read whole: %v", seed, p.Attr, err)
			}
			cols, err := audience.OpenColumns(b, "g1")
			if err != nil {
				t.Fatalf("seed %d: %s damaged: the index refused: %v", seed, p.Attr, err)
			}
			other := avoidsPart(p)
			if got, err := cols.Audience(other, nil, s, now); err != nil || !got.Equals(evalSet(other, s, subs)) {
				t.Fatalf("seed %d: %s damaged: %s: %v (%v), want %v", seed, p.Attr, other, got, err, evalSet(other, s, subs))
			}
			for range 2 { // the part stays damaged
				if _, err := cols.Audience(reads, nil, s, now); !errors.Is(err, audience.ErrDamaged) {
					t.Fatalf("seed %d: %s damaged: %s: %v, want ErrDamaged", seed, p.Attr, reads, err)
				}
				if _, err := cols.First(reads, nil, s, now, 3); !errors.Is(err, audience.ErrDamaged) {
					t.Fatalf("seed %d: %s damaged: first of %s: %v, want ErrDamaged", seed, p.Attr, reads, err)
				}
			}
			if err := cols.Verify(); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: %s damaged: Verify: %v", seed, p.Attr, err)
			}
			if _, err := cols.Save(&strings.Builder{}, "g1"); !errors.Is(err, audience.ErrDamaged) {
				t.Fatalf("seed %d: %s damaged: saved: %v", seed, p.Attr, err)
			}
		}
	}
}

// TestLazyDamagedPartEngine: a one-shot engine maps a file with one part
// damaged. A rule that does not read the part answers from the file; the
// first rule that reads it makes the engine say so, build the data from
// the store (with the usual notice), write the file whole again, and
// answer exactly what portal.Eval gives, and so do the next ones.
func TestLazyDamagedPartEngine(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 67))
	ctx := context.Background()
	s := schema()
	for iter := 0; iter < 4; iter++ {
		src := &datasetSource{t: t, d: richDataset(r), s: s}
		subs := subjects(src.d)
		path := filepath.Join(t.TempDir(), "ws.audience")
		first := audience.NewEngine(src, audience.Options{Path: path})
		if _, err := first.Set(ctx, portal.Everyone(), nil, s, now); err != nil {
			t.Fatal(err)
		}
		first.Close()
		good, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		parts, err := audience.Parts(good)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			reads := readsPart(s, p)
			if reads == nil {
				continue
			}
			replace(t, path, flip(r, good, p.Off, p.Size))
			builds := src.readCount()
			var notices []string
			var mu sync.Mutex
			e := audience.NewEngine(src, audience.Options{Path: path, Notice: func(m string) {
				mu.Lock()
				notices = append(notices, m)
				mu.Unlock()
			}})
			other := avoidsPart(p)
			if got, err := e.Set(ctx, other, nil, s, now); err != nil || !got.Equals(evalSet(other, s, subs)) {
				t.Fatalf("seed %d: %s damaged: %s: %v (%v)", seed, p.Attr, other, got, err)
			}
			if st := e.Stats(); st.From != "file" || len(notices) != 0 || src.readCount() != builds {
				t.Fatalf("seed %d: %s damaged, a rule not reading it: %+v, notices %q", seed, p.Attr, st, notices)
			}
			// The first rule reading the part, in one of the ways the
			// engine answers.
			var got *roaring.Bitmap
			want := evalSet(reads, s, subs)
			st := &portal.Settings{}
			st.Portal.Enabled = true
			st.Access.Rule = reads
			switch iter % 4 {
			case 0:
				got, err = e.Set(ctx, reads, nil, s, now)
			case 1:
				var seqs []portal.UserSummary
				seqs, err = e.AudienceFirst(ctx, reads, nil, s, now, 1000)
				got = roaring.New()
				for _, u := range seqs {
					var seq uint32
					fmt.Sscanf(u.ID, "u%d", &seq)
					got.Add(seq)
				}
			case 2:
				var sets audience.PortalSets
				sets, err = e.PortalSets(ctx, st, s, now)
				got = sets.Access
			case 3:
				var im *audience.Impact
				if im, err = e.Impact(ctx, &portal.Settings{}, st, s, now); err == nil {
					var seqs []uint32
					seqs, err = im.Page("gain_access", 0, 1<<20)
					got = roaring.BitmapOf(seqs...)
				}
			}
			if err != nil || !got.Equals(want) {
				t.Fatalf("seed %d: %s damaged: %s: %v (%v), want %v", seed, p.Attr, reads, got, err, want)
			}
			if st := e.Stats(); st.From != "store" || src.readCount() != builds+1 {
				t.Fatalf("seed %d: %s damaged: after the rule reading it: %+v", seed, p.Attr, st)
			}
			if len(notices) != 2 || !strings.Contains(notices[0], "cannot be used") || !strings.Contains(notices[0], "damaged") || !strings.Contains(notices[1], "building the audience data") {
				t.Fatalf("seed %d: %s damaged: notices %q", seed, p.Attr, notices)
			}
			if got, err := e.Set(ctx, other, nil, s, now); err != nil || !got.Equals(evalSet(other, s, subs)) {
				t.Fatalf("seed %d: %s damaged, then rebuilt: %s: %v (%v)", seed, p.Attr, other, got, err)
			}
			e.Close()
			if b, err := os.ReadFile(path); err != nil || !slices.Equal(b, good) {
				t.Fatalf("seed %d: %s damaged: the file was not written again whole (%v)", seed, p.Attr, err)
			}
		}
	}
}

// replace puts data at path by a rename, as the engine writes its files
// (a process may have the old one mapped).
func replace(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// TestLazyConcurrentFirstUse: goroutines asking at once, each rule
// reading parts no one has read yet, get the answers portal.Eval gives
// (run with -race); when a part is damaged, every one that reads it gets
// ErrDamaged and the others their exact answers.
func TestLazyConcurrentFirstUse(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 71))
	s := schema()
	for iter := 0; iter < 6; iter++ {
		d := richDataset(r)
		subs := subjects(d)
		file := save(t, fill(t, d, s), "g1")
		parts, err := audience.Parts(file)
		if err != nil {
			t.Fatal(err)
		}
		var rules []*portal.Rule
		for _, p := range parts {
			if rule := readsPart(s, p); rule != nil {
				rules = append(rules, rule)
			}
		}
		for range 6 {
			rules = append(rules, randomRule(r, s, 3))
		}
		damaged := parts[r.IntN(len(parts))]
		for _, b := range [][]byte{file, flip(r, file, damaged.Off, damaged.Size)} {
			whole := &b[0] == &file[0]
			cols, err := audience.OpenColumns(b, "g1")
			if err != nil {
				t.Fatal(err)
			}
			// Which rules read the damaged part: asked of columns that
			// hold it alone damaged, one rule at a time.
			var wg sync.WaitGroup
			errs := make(chan error, 8*len(rules))
			for g := range 8 {
				wg.Go(func() {
					for i := range rules {
						rule := rules[(i+g)%len(rules)]
						got, err := cols.Audience(rule, nil, s, now)
						switch {
						case err == nil && !got.Equals(evalSet(rule, s, subs)):
							errs <- fmt.Errorf("%s: %v, want %v", rule, got, evalSet(rule, s, subs))
						case err != nil && (whole || !errors.Is(err, audience.ErrDamaged)):
							errs <- fmt.Errorf("%s: %v", rule, err)
						case err != nil && !readsDamaged(t, file, damaged, rule, s):
							errs <- fmt.Errorf("%s: %v, though it does not read %q", rule, err, damaged.Attr)
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("seed %d (whole %v, damaged %q): %v", seed, whole, damaged.Attr, err)
			}
		}
	}
}

// readsDamaged reports whether rule reads the part p: whether it fails
// on a file whose part p, and only it, is damaged (rewritten as zeros,
// which no checksum of a part matches here).
func readsDamaged(t *testing.T, file []byte, p audience.FilePart, rule *portal.Rule, s *portal.Schema) bool {
	b := slices.Clone(file)
	clear(b[p.Off : p.Off+p.Size])
	b[p.Off] = 0xff
	cols, err := audience.OpenColumns(b, "g1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cols.Audience(rule, nil, s, now)
	return errors.Is(err, audience.ErrDamaged)
}
