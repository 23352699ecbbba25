package studio_test

import (
	"context"
	"path/filepath"
	"portalstudio/internal/testkit"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// newService returns a service over a new workspace holding two
// companies, three users and four tickets, with the draft
//
//	access: everyone; visibility on, restricting user.role equals "lead".
func newService(t *testing.T) *studio.Service {
	t.Helper()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "ws.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	recs := []portal.Record{
		{Company: &portal.Company{ID: "c1", Name: "Examply"}},
		{Company: &portal.Company{ID: "c2", Name: "Globex"}},
		{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann", Role: "user", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u2", Email: "ben@examply.com", Name: "Ben", Role: "lead", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u3", Email: "cat@globex.io", Name: "Cat", Role: "user", CompanyIDs: []string{"c2"}}},
	}
	ticket := func(id, num, creator, company string, shared bool, parts ...portal.Part) portal.Record {
		return portal.Record{Ticket: &portal.Ticket{ID: id, TicketID: num, Title: "Ticket " + num, Category: portal.CategoryCustomer,
			IsShared: shared, ContactIDs: []string{creator}, CompanyID: company, StateLabel: "Submitted", TypeID: "ty",
			CreatedAt: now.Add(-48 * time.Hour), UpdatedAt: now.Add(-time.Hour), Parts: parts},
			TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}}
	}
	recs = append(recs,
		ticket("t1", "101", "u1", "c1", true,
			portal.Part{ID: "p1", PartType: "comment", Body: "<p>Hello</p>", AuthorName: "Ann", CreatedAt: now.Add(-3 * time.Hour)},
			portal.Part{ID: "p2", PartType: "note", Body: "internal", AuthorName: "Agent", CreatedAt: now.Add(-2 * time.Hour)}),
		ticket("t2", "102", "u2", "c1", true),
		ticket("t3", "103", "u3", "c2", true),
		ticket("t4", "104", "u1", "c1", false),
	)
	if _, err := ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, portal.ImportOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	doc := `{"portal": {"enabled": true}, "identity_verification": true,
		"access": {"rule": {"all": []}},
		"visibility": {"restrict_to_own": true, "conditions": {"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}}}`
	if _, err := ws.ApplyDraft(context.Background(), []byte(doc)); err != nil {
		t.Fatal(err)
	}
	svc := testkit.Service(t, ws)
	svc.Now = func() time.Time { return now }
	return svc
}

func TestTicket(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	t.Run("OK", func(t *testing.T) {
		d, err := svc.Ticket(ctx, wire.TicketRequest{User: "ann@examply.com", TicketID: "t1"})
		if err != nil {
			t.Fatal(err)
		}
		if d.TicketID != "101" || d.State != "Submitted" || len(d.Parts) != 1 || d.Parts[0].Body != "Hello" || d.Parts[0].Ago != "3h" {
			t.Fatalf("detail %+v", d)
		}
	})
	t.Run("ByNumber", func(t *testing.T) {
		if d, err := svc.Ticket(ctx, wire.TicketRequest{User: "ann@examply.com", TicketID: "102"}); err != nil || d.ID != "t2" {
			t.Fatalf("%+v, %v", d, err)
		}
	})
	// Ben is restricted: a company ticket he did not create is not found,
	// exactly like a ticket that does not exist; so are another company's
	// tickets and unshared ones, for anyone.
	for _, c := range []struct{ user, ticket string }{
		{"ben@examply.com", "t1"}, {"ann@examply.com", "t3"}, {"ann@examply.com", "t4"}, {"ann@examply.com", "nope"}, {"cat@globex.io", "101"},
	} {
		_, err := svc.Ticket(ctx, wire.TicketRequest{User: c.user, TicketID: c.ticket})
		if portal.ErrorCode(err) != portal.ENOTFOUND || err.Error() != "ticket "+c.ticket+" not found" {
			t.Errorf("%s opening %s: %v, want the same not-found answer as a missing ticket", c.user, c.ticket, err)
		}
	}
}

func TestSampleUsers(t *testing.T) {
	svc := newService(t)
	s, err := svc.SampleUsers(context.Background(), studio.Draft)
	if err != nil {
		t.Fatal(err)
	}
	if s.Restricted == nil || s.Restricted.ID != "u2" || s.Unrestricted == nil || s.Unrestricted.ID != "u1" || s.NoAccess != nil {
		t.Fatalf("samples %+v", s)
	}
}

func TestFindUsers(t *testing.T) {
	svc := newService(t)
	for q, want := range map[string]int{"examply": 2, "EXAMPLY.COM": 2, "ca": 1, "globex": 1, "zzz": 0, "": 0} {
		got, err := svc.FindUsers(context.Background(), q, 10)
		if err != nil || len(got) != want {
			t.Errorf("FindUsers(%q) = %v, %v; want %d users", q, got, err, want)
		}
	}
}

// wsOf returns the SQLite workspace behind a service, for the tests that
// use it beyond the studio's ports.
func wsOf(svc *studio.Service) *sqlite.Workspace { return svc.Store.(*sqlite.Workspace) }
