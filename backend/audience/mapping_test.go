package audience_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// mappingSource is a fakeSource of n users at "a.com" and a long-running
// engine over it keeping its file at path, in a temporary folder.
func mappingSource(t *testing.T, n uint32) (src *fakeSource, e *audience.Engine, path string) {
	t.Helper()
	src = &fakeSource{gen: "g0", base: "g0", users: map[uint32]string{}}
	for s := uint32(0); s < n; s++ {
		src.users[s] = "a.com"
	}
	path = filepath.Join(t.TempDir(), "ws.audience")
	e = audience.NewEngine(src, audience.Options{Path: path, Keep: true})
	t.Cleanup(e.Close)
	return src, e, path
}

// countAt counts the users at domain.
func countAt(ctx context.Context, e *audience.Engine, domain string) (int, error) {
	n, _, err := e.Audience(ctx, portal.Cond("user.email", portal.OpEndsWith, domain), portal.NewSchema(nil), time.Time{}, 0)
	return n, err
}

// TestKeptEngineMapsItsFile: a long-running engine keeps its columns in
// its file's pages, mapped, not in the Go heap: one mapping through a
// small write (the changes beside it) and a large one (everything read
// again, the new file mapped, the old one let go), none once closed.
func TestKeptEngineMapsItsFile(t *testing.T) {
	ctx := context.Background()
	before, heapBefore := audience.KeptMappings(), audience.KeptBytes()
	src, e, path := mappingSource(t, 20000)
	expect := func(step string, domain string, want int, mappings int64) {
		t.Helper()
		// Twice: after a load, then on the data in hand.
		n, err := countAt(ctx, e, domain)
		if err == nil {
			n, err = countAt(ctx, e, domain)
		}
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		st := e.Stats()
		if n != want || audience.KeptMappings()-before != mappings || !st.Mapped {
			t.Fatalf("%s: %d users at %s (want %d), %d files mapped (want %d), %+v", step, n, domain, want, audience.KeptMappings()-before, mappings, st)
		}
	}
	expect("first load", "a.com", 20000, 1)
	if got := audience.KeptBytes() - heapBefore; got != 0 {
		t.Fatalf("the mapped columns counted %d bytes of heap for the collector; want none", got)
	}
	src.write("g1", "b.com", 3, 7)
	expect("a small write", "b.com", 2, 1)
	if st := e.Stats(); st.Changed != 2 || src.full != 1 {
		t.Fatalf("a small write read everything again: %+v, %d full reads", st, src.full)
	}
	many := make([]uint32, 6000)
	for i := range many {
		many[i] = uint32(i)
	}
	src.write("g2", "c.com", many...)
	expect("a large write", "c.com", 6000, 1)
	if src.full != 2 {
		t.Fatalf("a large write: %d full reads, want 2", src.full)
	}
	e.Close()
	if got := audience.KeptMappings() - before; got != 0 {
		t.Fatalf("closed: %d files still mapped", got)
	}
	// A new engine on the same file maps it, reading nothing else.
	e = audience.NewEngine(src, audience.Options{Path: path, Keep: true})
	defer e.Close()
	expect("a new engine", "c.com", 6000, 1)
	if st := e.Stats(); st.From != "file" || src.full != 2 {
		t.Fatalf("a new engine: %+v, %d full reads; want the file alone", st, src.full)
	}
	e.Close()
	if got := audience.KeptMappings() - before; got != 0 {
		t.Fatalf("the second engine closed: %d files still mapped", got)
	}
}

// TestKeptEngineFileUnderLoad: questions on several goroutines while the
// data changes, small writes and large ones alternating (each large one
// reads everything again, maps the new file and unmaps the old once no
// question reads it: a question reading an unmapped file would crash
// the test). Every answer is the count of a generation the data had, and
// once the engine is closed no file is left mapped.
func TestKeptEngineFileUnderLoad(t *testing.T) {
	ctx := context.Background()
	const users = 100000
	before := audience.KeptMappings()
	src, e, _ := mappingSource(t, users)
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	var valid sync.Map // counts of "b.com" some generation had
	valid.Store(0, true)
	var stop atomic.Bool
	var asked atomic.Int64
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				n, err := countAt(ctx, e, "b.com")
				if err != nil {
					errs <- err
					return
				}
				if _, ok := valid.Load(n); !ok {
					errs <- fmt.Errorf("%d users at b.com: no generation had that many", n)
					return
				}
				asked.Add(1)
			}
		}()
	}
	moved := 0
	for w := 1; w <= 16; w++ {
		// A large write moves 5,000 more users to b.com (past 1/8 of
		// them: everything is read again); a small one, 3.
		k := 3
		if w%2 == 0 {
			k = 5000
		}
		seqs := make([]uint32, k)
		for i := range seqs {
			seqs[i] = uint32(moved + i)
		}
		moved += k
		valid.Store(moved, true)
		src.write(fmt.Sprint("g", w), "b.com", seqs...)
		if w%2 == 0 {
			src.mu.Lock()
			src.base, src.changed = fmt.Sprint("g", w), nil // the changes since are listed from here
			src.mu.Unlock()
		}
		if err := e.Load(ctx); err != nil {
			t.Fatal(err)
		}
		// Questions on the data in hand before the next write.
		for n := asked.Load(); asked.Load() < n+20 && len(errs) == 0; {
			time.Sleep(time.Millisecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, err := countAt(ctx, e, "b.com"); err != nil || n != moved {
		t.Fatalf("at the end: %d users at b.com, %v; want %d", n, err, moved)
	}
	if src.full < 8 || asked.Load() == 0 {
		t.Fatalf("%d full reads, %d questions: the test did not reload under questions", src.full, asked.Load())
	}
	e.Close()
	if got := audience.KeptMappings() - before; got != 0 {
		t.Fatalf("closed: %d files still mapped", got)
	}
}
