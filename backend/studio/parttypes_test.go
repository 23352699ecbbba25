package studio_test

import (
	"context"
	"path/filepath"
	"portalstudio/internal/testkit"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/wire"
)

// TestTicketPageShowsOnlyCustomerParts: a ticket's page shows the parts
// of the types customers see (compared without case), never notes in any
// case nor parts of types the product does not know.
func TestTicketPageShowsOnlyCustomerParts(t *testing.T) {
	ctx := context.Background()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "ws.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	tk := &portal.Ticket{ID: "t1", TicketID: "101", Title: "Printer", Category: portal.CategoryCustomer, IsShared: true,
		ContactIDs: []string{"u1"}, StateLabel: "Submitted", TypeID: "ty", CreatedAt: now.Add(-48 * time.Hour), UpdatedAt: now.Add(-time.Hour)}
	for _, p := range []struct{ id, typ string }{{"n1", "Note"}, {"n2", "NOTE"}, {"n3", "note"}, {"c1", "comment"}, {"c2", "Comment"},
		{"q1", "quick_reply"}, {"x1", "xyz"}, {"a1", "Assignment"}} {
		tk.Parts = append(tk.Parts, portal.Part{ID: p.id, PartType: p.typ, Body: "<p>body of " + p.id + "</p>", CreatedAt: now.Add(-2 * time.Hour)})
	}
	recs := []portal.Record{{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann"}}, {Ticket: tk, TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}}}
	if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, portal.ImportOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ApplyDraft(ctx, []byte(`{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": []}}}`)); err != nil {
		t.Fatal(err)
	}
	svc := testkit.Service(t, ws)
	svc.Now = func() time.Time { return now }
	d, err := svc.Ticket(ctx, wire.TicketRequest{User: "ann@examply.com", TicketID: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range d.Parts {
		got = append(got, p.ID)
	}
	if want := []string{"c1", "c2", "q1"}; !equalStrings(got, want) {
		t.Errorf("the ticket page shows parts %v, want %v", got, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
