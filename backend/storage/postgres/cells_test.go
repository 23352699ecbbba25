package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
	"portalstudio/internal/testkit"
)

// The lists' facets without a date filter add up ticket_cells, which
// every import keeps: after random imports (new tickets, tickets moved
// between companies, states, types, categories and sharing, an id twice
// in one import, whole replacements, two imports of the same tickets at
// once) the cells are exactly a count of the tickets, and the facets
// equal those counted from the tickets (a date filter that keeps every
// ticket takes that path) and SQLite's.
func TestTicketCellsFollowImports(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	lite := openSQLite(t)
	churn := testkit.NewTicketChurn(rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano()))), t0)
	base, users := churn.Base(), churn.Users
	importBoth := func(recs []portal.Record, replace bool) {
		t.Helper()
		for _, s := range []store{pg, lite} {
			if _, err := s.Import(ctx, source(recs), portal.ImportOptions{Strict: true, Replace: replace}); err != nil {
				t.Fatalf("import into %T: %v", s, err)
			}
		}
	}
	check := func(when string) {
		t.Helper()
		drift, err := postgres.CellsDrift(ctx, pg)
		if err != nil {
			t.Fatal(err)
		}
		if drift != "" {
			t.Fatalf("%s: ticket_cells is not the tickets' count:\n%s", when, drift)
		}
		for u, cs := range users {
			at := func(h int) time.Time { return t0.Add(-time.Duration(h) * time.Hour) }
			for _, f := range []portal.TicketFilter{{}, {State: []string{"in_progress", "resolved"}}, {Types: []string{"91"}},
				{CreatedAfter: at(300)}, {CreatedBefore: at(500), State: []string{"submitted"}}, {CreatedAfter: at(800), CreatedBefore: at(200)},
				{CreatedAfter: at(100), CreatedBefore: at(400)}} {
				q := portal.TicketQuery{UserID: u, CompanyIDs: cs, Tab: portal.TabAll, TicketFilter: f}
				got, err := pg.Tickets(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				counted := q
				if counted.CreatedAfter.IsZero() {
					counted.CreatedAfter = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
				}
				want, err := pg.Tickets(ctx, counted)
				if err != nil {
					t.Fatal(err)
				}
				lq, err := lite.Tickets(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(want.Facets, got.Facets); d != "" || got.Total != want.Total {
					t.Fatalf("%s: %s's facets (%+v) from the cells differ from those counted from the tickets (-counted +cells):\n%s\ntotals %d, %d", when, u, f, d, want.Total, got.Total)
				}
				if d := cmp.Diff(lq.Facets, got.Facets); d != "" || got.Total != lq.Total {
					t.Fatalf("%s: %s's facets (%+v) differ from SQLite's (-sqlite +postgres):\n%s\ntotals %d, %d", when, u, f, d, lq.Total, got.Total)
				}
			}
		}
	}
	initial := append([]portal.Record{}, base...)
	for i := range 20 {
		initial = append(initial, churn.Ticket(fmt.Sprint("t", i)))
	}
	importBoth(initial, false)
	check("the first import")
	for round := range 25 {
		recs := churn.Round(12, 30) // existing or new; the same id may come twice
		replace := round%9 == 8
		if replace {
			recs = append(append([]portal.Record{}, base...), recs...)
		}
		importBoth(recs, replace)
		check(fmt.Sprintf("round %d (replace %v)", round, replace))
	}
	// Two imports of the same tickets at once, again and again: each
	// counts from the rows the other left.
	for round := range 6 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k := range 2 {
			recs := churn.Round(8, 30)
			wg.Go(func() {
				_, errs[k] = pg.Import(ctx, source(recs), portal.ImportOptions{})
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("concurrent round %d: %v", round, err)
			}
		}
		drift, err := postgres.CellsDrift(ctx, pg)
		if err != nil {
			t.Fatal(err)
		}
		if drift != "" {
			t.Fatalf("concurrent round %d: ticket_cells is not the tickets' count:\n%s", round, drift)
		}
	}
}

// A replacing import that holds an object twice keeps its last record, as
// any import does, on both stores (SQLite's bulk load refused the second
// with a constraint error), numbered where it first came.
func TestReplaceImportRepeatedIDs(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	lite := openSQLite(t)
	recs := []portal.Record{
		{Company: &portal.Company{ID: "c1", Name: "One"}},
		{Company: &portal.Company{ID: "c2", Name: "Two"}},
		{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u2", Email: "bob@examply.com", Name: "Bob"}},
		{Ticket: &portal.Ticket{ID: "t1", TicketID: "1", Title: "First", Category: "Customer", IsShared: true, StateCategory: "submitted",
			StateLabel: "Submitted", TypeID: "9", TypeName: "Bug", ContactIDs: []string{"u1"}, CompanyID: "c1", CreatedAt: t0, UpdatedAt: t0}},
		{User: &portal.User{ID: "u1", Email: "ann@examply.com", Name: "Ann Lima", CompanyIDs: []string{"c2"}}},
		{Ticket: &portal.Ticket{ID: "t1", TicketID: "1", Title: "First, again", Category: "Customer", IsShared: true, StateCategory: "resolved",
			StateLabel: "Resolved", TypeID: "9", TypeName: "Bug", ContactIDs: []string{"u2"}, CompanyID: "c2", CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}},
	}
	var snaps [][]string
	for _, s := range []store{lite, pg} {
		rep, err := s.Import(ctx, source(recs), portal.ImportOptions{Strict: true, Replace: true})
		if err != nil {
			t.Fatalf("%T: %v", s, err)
		}
		if rep.Contacts != 3 || rep.Tickets != 2 {
			t.Fatalf("%T: the report says %d contacts and %d tickets written, want 3 and 2 (each record)", s, rep.Contacts, rep.Tickets)
		}
		u, err := s.UserByID(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Ann Lima" || len(u.CompanyIDs) != 1 || u.CompanyIDs[0] != "c2" {
			t.Fatalf("%T: u1 is %+v, want the last record", s, u)
		}
		first, err := s.Tickets(ctx, portal.TicketQuery{UserID: "u2", Tab: portal.TabMine})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Tickets) != 1 || first.Tickets[0].Title != "First, again" || first.Tickets[0].StateCategory != "resolved" {
			t.Fatalf("%T: u2's tickets are %+v, want the last record of t1", s, first.Tickets)
		}
		snaps = append(snaps, snapshotLines(t, s))
	}
	if d := cmp.Diff(snaps[0], snaps[1]); d != "" {
		t.Fatalf("the stores hold different data (-sqlite +postgres):\n%s", d)
	}
}
