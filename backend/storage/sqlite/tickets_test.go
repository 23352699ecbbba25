package sqlite_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
)

// TestTicketsMatchDomain proves that the paged, index-merged portal lists
// hold exactly the tickets portal.VisibleTickets selects, in its order,
// for every user and both tabs.
func TestTicketsMatchDomain(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	ctx := context.Background()
	for ds := 0; ds < 5; ds++ {
		ws := MustOpen(t)
		var recs []portal.Record
		nc, nu := 1+r.IntN(5), 1+r.IntN(12)
		for i := 0; i < nc; i++ {
			recs = append(recs, portal.Record{Company: &portal.Company{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Co %d", i)}})
		}
		var users []*portal.User
		for i := 0; i < nu; i++ {
			u := &portal.User{ID: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@x.io", i)}
			if r.IntN(2) == 0 {
				u.Name = fmt.Sprintf("User %d", i)
			}
			for j := r.IntN(4); j > 0; j-- {
				u.CompanyIDs = append(u.CompanyIDs, fmt.Sprintf("c%d", r.IntN(nc+1)))
			}
			users = append(users, u)
			recs = append(recs, portal.Record{User: u})
		}
		var tickets []portal.Ticket
		for i := 0; i < 40+r.IntN(80); i++ {
			tk := portal.Ticket{
				ID: fmt.Sprintf("t%03d", i), TicketID: fmt.Sprint(1000 + i), Title: "T",
				Category:  []string{portal.CategoryCustomer, portal.CategoryCustomer, portal.CategoryBackOffice, portal.CategoryTracker}[r.IntN(4)],
				IsShared:  r.IntN(4) > 0,
				CreatedAt: t0,
				// Few distinct times, so ties are broken by id.
				UpdatedAt:     t0.Add(time.Duration(r.IntN(10)) * time.Hour),
				StateCategory: portal.StateCategories[r.IntN(len(portal.StateCategories))],
				TypeID:        []string{"", "ty1", "ty2"}[r.IntN(3)],
			}
			for j := r.IntN(3); j > 0; j-- {
				tk.ContactIDs = append(tk.ContactIDs, fmt.Sprintf("u%d", r.IntN(nu+1)))
			}
			if r.IntN(5) > 0 {
				tk.CompanyID = fmt.Sprintf("c%d", r.IntN(nc+1))
			}
			tickets = append(tickets, tk)
			c := tk
			recs = append(recs, portal.Record{Ticket: &c})
		}
		MustImport(t, ws, recs...)
		for _, u := range users {
			for _, tab := range []string{portal.TabAll, portal.TabMine} {
				d := portal.Decision{Access: true, Tabs: []string{portal.TabAll, portal.TabMine}}
				want := ids(portal.VisibleTickets(d, u, tickets, tab))
				limit := 1 + r.IntN(7)
				got := []string{}
				cursor := ""
				total := -1
				var facets portal.Facets
				for pages := 0; pages < 200; pages++ {
					page, err := ws.Tickets(ctx, portal.TicketQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Cursor: cursor, Limit: limit})
					if err != nil {
						t.Fatal(err)
					}
					total, facets = page.Total, page.Facets
					got = append(got, ids(page.Tickets)...)
					// The creators' names read with the page are UserNames'
					// (a creator who is no user has none).
					var creators []string
					for _, tk := range page.Tickets {
						creators = append(creators, tk.CreatorID())
					}
					names, err := ws.UserNames(ctx, creators)
					if err != nil {
						t.Fatal(err)
					}
					for _, tk := range page.Tickets {
						if c := tk.CreatorID(); page.CreatorNames[c] != names[c] {
							t.Fatalf("seed %d: ticket %s: creator %q named %q with the page, %q by UserNames", seed, tk.ID, c, page.CreatorNames[c], names[c])
						}
					}
					if page.Next == "" {
						break
					}
					cursor = page.Next
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("seed %d: user %s tab %s limit %d (-want +got):\n%s", seed, u.ID, tab, limit, diff)
				}
				if total != len(want) {
					t.Fatalf("seed %d: user %s tab %s: total %d, want %d", seed, u.ID, tab, total, len(want))
				}
				// The facets count the same tickets, each once: those the
				// user created in their companies too.
				wantState, wantTypes := map[string]int{}, map[string]int{}
				for _, s := range portal.StateCategories {
					wantState[s] = 0
				}
				for _, tk := range portal.VisibleTickets(d, u, tickets, tab) {
					wantState[tk.StateCategory]++
					if tk.TypeID != "" {
						wantTypes[tk.TypeID]++
					}
				}
				gotTypes := map[string]int{}
				for _, tc := range facets.Types {
					gotTypes[tc.ID] = tc.Count
				}
				if diff := cmp.Diff(wantState, facets.State); diff != "" {
					t.Fatalf("seed %d: user %s tab %s: states (-want +got):\n%s", seed, u.ID, tab, diff)
				}
				if diff := cmp.Diff(wantTypes, gotTypes); diff != "" {
					t.Fatalf("seed %d: user %s tab %s: types (-want +got):\n%s", seed, u.ID, tab, diff)
				}
			}
		}
	}
}

func ids(ts []portal.Ticket) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestTicketsBadCursor(t *testing.T) {
	ws := MustOpen(t)
	_, err := ws.Tickets(context.Background(), portal.TicketQuery{UserID: "u", Tab: portal.TabMine, Cursor: "not-a-cursor"})
	if portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
}

func TestTicketWithParts(t *testing.T) {
	ws := MustOpen(t)
	tk := &portal.Ticket{ID: "t1", TicketID: "7", Title: "Hello", Category: portal.CategoryCustomer, IsShared: true,
		ContactIDs: []string{"u1", "u2"}, CreatedAt: t0, UpdatedAt: t0,
		Parts: []portal.Part{
			{ID: "p1", PartType: "comment", Body: "<p>hi</p>", AuthorName: "Ann", CreatedAt: t0},
			{ID: "p2", PartType: "note", Body: "secret", AuthorName: "Agent", CreatedAt: t0},
		}}
	MustImport(t, ws, portal.Record{Ticket: tk})
	got, err := ws.Ticket(context.Background(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tk, got); diff != "" {
		t.Fatalf("ticket round trip (-want +got):\n%s", diff)
	}
	if _, err := ws.Ticket(context.Background(), "nope"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("missing ticket: %v, want ENOTFOUND", err)
	}
}

// TestManyStatementTexts runs more distinct statement texts than the
// workspace keeps prepared (lists of 1 to 300 ids): every answer is still
// right once the kept statements run out.
func TestManyStatementTexts(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	var recs []portal.Record
	var ids []string
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("u%03d", i)
		ids = append(ids, id)
		recs = append(recs, portal.Record{User: &portal.User{ID: id, Name: "Name " + id}})
	}
	MustImport(t, ws, recs...)
	for n := 1; n <= len(ids); n++ {
		names, err := ws.UserNames(ctx, ids[:n])
		if err != nil || len(names) != n || names[ids[n-1]] != "Name "+ids[n-1] {
			t.Fatalf("UserNames of %d ids: %d names, %v", n, len(names), err)
		}
	}
}

// A cursor made before lists had sorts ({"u": updated, "i": id}) goes on
// with the default order, and is refused for another.
func TestTicketsCursorFormats(t *testing.T) {
	ws := MustOpen(t)
	ctx := context.Background()
	var recs []portal.Record
	for i := 0; i < 3; i++ {
		recs = append(recs, portal.Record{Ticket: &portal.Ticket{ID: fmt.Sprintf("t%d", i), TicketID: fmt.Sprint(100 + i), Title: "T",
			Category: portal.CategoryCustomer, IsShared: true, ContactIDs: []string{"u"}, CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * time.Hour)}})
	}
	MustImport(t, ws, append(recs, portal.Record{User: &portal.User{ID: "u", Email: "u@x.io"}})...)
	old := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"u":%d,"i":"t2"}`, t0.Add(2*time.Hour).Unix()))
	page, err := ws.Tickets(ctx, portal.TicketQuery{UserID: "u", Tab: portal.TabMine, Cursor: old})
	if err != nil || len(page.Tickets) != 2 || page.Tickets[0].ID != "t1" || page.Tickets[1].ID != "t0" {
		t.Fatalf("an old cursor: %+v, %v", page.Tickets, err)
	}
	for _, f := range []portal.TicketFilter{{Sort: portal.SortCreated}, {Order: portal.OrderAsc}} {
		_, err := ws.Tickets(ctx, portal.TicketQuery{UserID: "u", Tab: portal.TabMine, Cursor: old, TicketFilter: f})
		if portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("an old cursor with %+v: %v, want EINVALID", f, err)
		}
	}
}

// TestTicketListTypeNames: a list's facets name each type of its tickets
// as the workspace last imported it, and a type it does not know "".
func TestTicketListTypeNames(t *testing.T) {
	ws := MustOpen(t)
	ctx := context.Background()
	var recs []portal.Record
	recs = append(recs, portal.Record{User: &portal.User{ID: "u1", Email: "u1@x.io", CompanyIDs: []string{"c1"}}},
		portal.Record{Company: &portal.Company{ID: "c1", Name: "Co"}})
	types := []*portal.TicketType{{ID: "ty1", Name: "Bug", Category: portal.CategoryCustomer}, {ID: "ty2", Name: "Question", Category: portal.CategoryCustomer}, nil}
	for i, typeID := range []string{"ty1", "ty2", "ty9", "ty1"} {
		tk := &portal.Ticket{ID: fmt.Sprintf("t%d", i), TicketID: fmt.Sprint(i), Title: "T", Category: portal.CategoryCustomer, IsShared: true,
			TypeID: typeID, CreatedAt: t0, UpdatedAt: t0, StateCategory: portal.StateSubmitted}
		if i%2 == 0 {
			tk.ContactIDs = []string{"u1"}
		} else {
			tk.CompanyID = "c1"
		}
		recs = append(recs, portal.Record{Ticket: tk, TicketType: types[min(i, 2)]})
	}
	MustImport(t, ws, recs...)
	page, err := ws.Tickets(ctx, portal.TicketQuery{UserID: "u1", CompanyIDs: []string{"c1"}, Tab: portal.TabAll, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []portal.TypeCount{{ID: "ty9", Name: "", Count: 1}, {ID: "ty1", Name: "Bug", Count: 2}, {ID: "ty2", Name: "Question", Count: 1}}
	if d := cmp.Diff(want, page.Facets.Types); d != "" {
		t.Fatalf("the types' facets (-want +got):\n%s", d)
	}
}
