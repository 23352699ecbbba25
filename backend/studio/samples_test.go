package studio_test

import (
	"context"
	"path/filepath"
	"portalstudio/internal/testkit"
	"slices"
	"testing"

	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// On the demo workspace the preview's examples show what restricting
// does: each restricted pick has tickets of their company that they cannot
// see, and their unrestricted colleague of that company sees them.
func TestSampleUsersShowTheDifference(t *testing.T) {
	ctx := context.Background()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	svc := testkit.Service(t, ws)
	if _, err := svc.GenerateDemo(ctx, studio.DemoRequest{Users: 300, Companies: 30, Tickets: 600}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := svc.SampleUsers(ctx, studio.Draft)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pairs) < 2 {
		t.Fatalf("%d example pairs, want several to cycle through", len(s.Pairs))
	}
	if s.Restricted == nil || s.Unrestricted == nil || s.Restricted.ID != s.Pairs[0].Restricted.ID || s.Unrestricted.ID != s.Pairs[0].Unrestricted.ID {
		t.Errorf("the shortcuts %+v / %+v are not the first pair", s.Restricted, s.Unrestricted)
	}
	seen := map[string]bool{}
	for i, p := range s.Pairs {
		if seen[p.Restricted.ID] {
			t.Errorf("pair %d repeats %s", i, p.Restricted.Email)
		}
		seen[p.Restricted.ID] = true
		checkPair(t, svc, p)
	}
}

// checkPair checks one example: the restricted user sees only their own
// tickets; the colleague shares a company, sees its tickets, among them
// one the restricted user did not create and cannot open.
func checkPair(t *testing.T, svc *studio.Service, p wire.SamplePair) {
	t.Helper()
	ctx := context.Background()
	r, err := svc.Store.UserByID(ctx, p.Restricted.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.Store.UserByID(ctx, p.Unrestricted.ID)
	if err != nil {
		t.Fatal(err)
	}
	var shared []string
	for _, co := range r.CompanyIDs {
		if slices.Contains(c.CompanyIDs, co) {
			shared = append(shared, co)
		}
	}
	if len(shared) == 0 {
		t.Fatalf("%s and %s share no company", r.Email, c.Email)
	}
	if p.Hidden <= 0 || p.Company == "" {
		t.Errorf("pair %s: hidden %d, company %q", r.Email, p.Hidden, p.Company)
	}
	mine, err := svc.Preview(ctx, wire.PreviewRequest{User: r.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !mine.Access || !mine.Restricted || !slices.Equal(mine.Tabs, []string{"mine"}) {
		t.Fatalf("%s: access %v, restricted %v, tabs %v; want restricted to Mine", r.Email, mine.Access, mine.Restricted, mine.Tabs)
	}
	all, err := svc.Preview(ctx, wire.PreviewRequest{User: c.ID, Tab: "all", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !all.Access || all.Restricted || all.Tab != "all" {
		t.Fatalf("%s: access %v, restricted %v, tab %q; want the All tab", c.Email, all.Access, all.Restricted, all.Tab)
	}
	visible := map[string]bool{}
	for _, tv := range mine.Tickets {
		visible[tv.ID] = true
	}
	for _, tv := range all.Tickets {
		tk, err := svc.Store.Ticket(ctx, tv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(shared, tk.CompanyID) && !visible[tv.ID] {
			if _, err := svc.Ticket(ctx, wire.TicketRequest{User: r.ID, TicketID: tv.ID}); err == nil {
				t.Errorf("%s opens ticket %s, which is not on their Mine tab", r.Email, tv.ID)
			}
			return // the difference, shown
		}
	}
	t.Errorf("%s (colleague %s, %s) sees no ticket of their shared company that %s cannot see", c.Email, p.Company, shared, r.Email)
}
