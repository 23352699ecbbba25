package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
)

// searchPages returns every hit of a search in the order the pages give
// them, walking the cursor with pages of limit, and the first page's
// total and facets.
func searchPages(t *testing.T, s store, q portal.SearchQuery, limit int) ([]string, int, portal.Facets) {
	t.Helper()
	var out []string
	q.Limit, q.Cursor = limit, ""
	total := -1
	var facets portal.Facets
	for {
		p, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if total < 0 {
			total, facets = p.Total, p.Facets
		} else if p.Total != total {
			t.Fatalf("search %+v: total %d, then %d", q, total, p.Total)
		}
		out = append(out, p.IDs...)
		if p.Next == "" {
			return out, total, facets
		}
		q.Cursor = p.Next
	}
}

// TestSearchOrder: the page is cut in SQL, so the order must be total and
// the same as SQLite's where both define it. A sorted search (by update
// or creation, either way) gives SQLite's sequence hit for hit, with the
// same totals and facets under state, type and date filters; a best-first
// search gives, page by page with small pages, exactly the sequence of
// one large page (no hit twice, none lost), and the numbered ticket first.
func TestSearchOrder(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	lite := openSQLite(t)
	var recs []portal.Record
	demo.Generate(demo.Options{Users: 120, Companies: 12, Tickets: 600, Seed: 5}, func(r portal.Record) error {
		recs = append(recs, r)
		return nil
	})
	for _, s := range []store{lite, pg} {
		if _, err := s.Import(ctx, source(recs), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The user of the most companies, and a ticket of theirs to search by number.
	var user *portal.User
	for i := range 120 {
		u, err := pg.UserByID(ctx, demo.UserID(i))
		if err == nil && (user == nil || len(u.CompanyIDs) > len(user.CompanyIDs)) {
			user = u
		}
	}
	// Tickets alike in everything the order looks at but their ids: only
	// the tie-break on the id orders them.
	var ties []portal.Record
	for i := range 9 {
		ties = append(ties, portal.Record{Ticket: &portal.Ticket{ID: fmt.Sprintf("t-tie-%d", (i*5)%9), TicketID: fmt.Sprint(800000 + i),
			Title: "Tiebreak login", Description: "same", Category: portal.CategoryCustomer, IsShared: true,
			ContactIDs: []string{user.ID}, CompanyID: user.CompanyIDs[i%len(user.CompanyIDs)], StateCategory: "submitted", StateLabel: "Submitted",
			CreatedAt: t0, UpdatedAt: t0, Open: true}})
	}
	for _, s := range []store{lite, pg} {
		if _, err := s.Import(ctx, source(ties), portal.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := pg.Tickets(ctx, portal.TicketQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Limit: 200})
	if err != nil || len(list.Tickets) < 20 {
		t.Fatalf("the user sees %d tickets (%v); the test needs more", len(list.Tickets), err)
	}
	var types []string
	for _, tk := range list.Tickets {
		if tk.TypeID != "" && !slices.Contains(types, tk.TypeID) {
			types = append(types, tk.TypeID)
		}
	}
	mid := list.Tickets[len(list.Tickets)/2].CreatedAt
	filters := []portal.TicketFilter{
		{},
		{State: []string{"submitted", "in_progress"}},
		{Types: types[:1]},
		{CreatedAfter: mid},
		{CreatedBefore: mid.Add(time.Second), State: []string{"resolved"}},
	}
	sorts := []portal.TicketFilter{
		{Sort: portal.SortUpdated},
		{Sort: portal.SortUpdated, Order: portal.OrderAsc},
		{Sort: portal.SortCreated},
		{Sort: portal.SortCreated, Order: portal.OrderAsc},
	}
	// Both plans: the user's tickets first (they see few), and the GIN
	// index first (as for a user who sees many).
	for _, visibleFirst := range []int{5000, -1} {
		restore := postgres.SetVisibleFirst(visibleFirst)
		searchSequences(t, lite, pg, user, filters, sorts)
		restore()
	}
	// The alike tickets, best first: equal rank and time, so by id, the
	// greater first.
	q := portal.SearchQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Terms: portal.SearchTerms("tiebreak")}
	tied, _, _ := searchPages(t, pg, q, 2)
	want := slices.Clone(tied)
	slices.Sort(want)
	slices.Reverse(want)
	if len(tied) != 9 || !slices.Equal(tied, want) {
		t.Fatalf("tied hits best first: %v; want the 9 by id, greater first", tied)
	}
	// A number search: the numbered ticket first, then the word's hits.
	numbered := list.Tickets[len(list.Tickets)-1]
	full, err := pg.Ticket(ctx, numbered.ID)
	if err != nil {
		t.Fatal(err)
	}
	q = portal.SearchQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Terms: portal.SearchTerms("the"), Number: full.TicketID}
	ids, total, _ := searchPages(t, pg, q, 5)
	if len(ids) == 0 || ids[0] != numbered.ID || len(ids) != total {
		t.Fatalf("number search #%s: got %d hits (total %d), first %v; want %s first", full.TicketID, len(ids), total, ids[:min(len(ids), 1)], numbered.ID)
	}
}

// searchSequences compares sorted searches hit for hit between the
// stores, and best-first pages of 3 with one page of 200 on PostgreSQL.
func searchSequences(t *testing.T, lite, pg store, user *portal.User, filters, sorts []portal.TicketFilter) {
	t.Helper()
	for _, word := range []string{"tiebreak", "the", "a", "login", "invoice", "e"} {
		for _, tab := range []string{portal.TabAll, portal.TabMine} {
			for _, base := range filters {
				q := portal.SearchQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: tab, Terms: portal.SearchTerms(word)}
				for _, so := range sorts {
					q.TicketFilter = base
					q.Sort, q.Order = so.Sort, so.Order
					name := fmt.Sprintf("%s/%s/%+v", word, tab, q.TicketFilter)
					a, ta, fa := searchPages(t, lite, q, 7)
					b, tb, fb := searchPages(t, pg, q, 7)
					if diff := cmp.Diff(a, b); diff != "" || ta != tb {
						t.Fatalf("%s: sequences differ (-sqlite +postgres), totals %d / %d:\n%s", name, ta, tb, diff)
					}
					if diff := cmp.Diff(fa, fb); diff != "" {
						t.Fatalf("%s: facets differ (-sqlite +postgres):\n%s", name, diff)
					}
				}
				q.TicketFilter = base
				small, total, _ := searchPages(t, pg, q, 3)
				large, _, _ := searchPages(t, pg, q, 200)
				if diff := cmp.Diff(large, small); diff != "" || len(small) != total {
					t.Fatalf("%s best first: pages of 3 differ from one page (-one +pages), total %d:\n%s", word, total, diff)
				}
			}
		}
	}
}
