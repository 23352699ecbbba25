package audience_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// fakeSource is a store of users whose email is "u<seq>@<domain>": the
// engine's policy, apart from any real store.
type fakeSource struct {
	mu      sync.Mutex
	gen     string
	users   map[uint32]string // seq → domain
	changed []uint32          // since base
	base    string            // the generation changes are listed since
	full    int               // ReadColumns calls
	partial int               // ReadChanges calls that succeeded
	fail    error
}

func (f *fakeSource) columns(only []uint32) *audience.Columns {
	rows := 0
	for s := range f.users {
		rows = max(rows, int(s)+1)
	}
	ub := audience.NewUserBuilder(rows)
	for s := uint32(0); int(s) < rows; s++ {
		d, ok := f.users[s]
		if !ok {
			continue
		}
		if only != nil && !contains(only, s) {
			continue
		}
		ub.Add(s)
		ub.String(audience.UserEmail, s, fmt.Sprintf("u%d@%s", s, d))
	}
	c, err := audience.NewColumns(ub, audience.NewAttrBuilder(), audience.NewCompanyBuilder(rows))
	if err != nil {
		panic(err)
	}
	return c
}

func contains(s []uint32, x uint32) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func (f *fakeSource) Generation(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen, f.fail
}

func (f *fakeSource) ReadColumns(context.Context) (*audience.Columns, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, "", f.fail
	}
	f.full++
	return f.columns(nil), f.gen, nil
}

func (f *fakeSource) ReadChanges(_ context.Context, since string) (*audience.Columns, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if since != f.base {
		return nil, "", audience.ErrChangesUnknown
	}
	f.partial++
	return f.columns(append([]uint32{}, f.changed...)), f.gen, nil
}

func (f *fakeSource) Summaries(_ context.Context, seqs []uint32) ([]portal.UserSummary, error) {
	out := make([]portal.UserSummary, len(seqs))
	for i, s := range seqs {
		out[i] = portal.UserSummary{ID: fmt.Sprint("u", s)}
	}
	return out, nil
}

func (f *fakeSource) CompanyReach(context.Context, string, string) (audience.Reach, error) {
	return audience.Reach{}, nil
}

// write changes the domain of users, as an import would.
func (f *fakeSource) write(gen string, domain string, seqs ...uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gen = gen
	for _, s := range seqs {
		f.users[s] = domain
		f.changed = append(f.changed, s)
	}
}

// The engine catches up from the changes while they are few, reads
// everything when they are many or unknown, and answers as the data is
// each time; a store that fails gives an error, never an answer.
func TestEnginePolicyOverAFakeSource(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{gen: "g0", base: "g0", users: map[uint32]string{}}
	for s := uint32(0); s < 10000; s++ {
		src.users[s] = "a.com"
	}
	e := audience.NewEngine(src, audience.Options{})
	defer e.Close()
	count := func(domain string) int {
		t.Helper()
		n, _, err := e.Audience(ctx, portal.Cond("user.email", portal.OpEndsWith, domain), portal.NewSchema(nil), time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("b.com"); n != 0 || src.full != 1 {
		t.Fatalf("first: %d, %d full reads", n, src.full)
	}
	// A few changed users, and one new one: read alone.
	src.write("g1", "b.com", 3, 7, 10000)
	if n := count("b.com"); n != 3 || src.full != 1 || src.partial != 1 || e.Stats().Changed != 3 || e.Stats().Users != 10001 {
		t.Fatalf("after a small write: %d users, %d full, %d partial, %+v", n, src.full, src.partial, e.Stats())
	}
	if n := count("a.com"); n != 9998 {
		t.Fatalf("the others: %d", n)
	}
	// Many changed users (more than 1/8 and than 4096): everything again.
	many := make([]uint32, 5000)
	for i := range many {
		many[i] = uint32(i)
	}
	src.write("g2", "c.com", many...)
	if n := count("c.com"); n != 5000 || src.full != 2 {
		t.Fatalf("after a large write: %d users, %d full reads", n, src.full)
	}
	// Changes that cannot be told: everything again.
	src.base = "elsewhere"
	src.write("g3", "d.com", 1)
	if n := count("d.com"); n != 1 || src.full != 3 {
		t.Fatalf("after an unknown change: %d users, %d full reads", n, src.full)
	}
	// A store that fails: an error, never the old answer.
	src.mu.Lock()
	src.fail = errors.New("disk gone")
	src.mu.Unlock()
	if _, _, err := e.Audience(ctx, portal.Everyone(), portal.NewSchema(nil), time.Time{}, 0); err == nil {
		t.Fatal("a failing store gave an answer")
	}
}
