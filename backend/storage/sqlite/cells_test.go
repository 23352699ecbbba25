package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
	"portalstudio/internal/testkit"
)

// The lists' facets add up ticket_cells, which the tickets' triggers keep
// (and a replacing import counts once, its triggers dropped while it
// loads): after random imports the cells are exactly a count of the
// tickets, and the facets without a date filter equal those with a date
// filter that keeps every ticket (counted from the tickets). The
// PostgreSQL store's test compares both stores' facets.
func TestTicketCellsFollowImports(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	churn := testkit.NewTicketChurn(rand.New(rand.NewPCG(11, uint64(time.Now().UnixNano()))), time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	put := func(recs []portal.Record, replace bool) {
		t.Helper()
		if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			for _, r := range recs {
				if err := emit(r); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}, portal.ImportOptions{Strict: true, Replace: replace}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		drift, err := ws.CellsDrift(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if drift != "" {
			t.Fatalf("%s: ticket_cells is not the tickets' count:\n%s", when, drift)
		}
		for u, cs := range churn.Users {
			for _, f := range []portal.TicketFilter{{}, {State: []string{"in_progress", "resolved"}}, {Types: []string{"91"}}} {
				q := portal.TicketQuery{UserID: u, CompanyIDs: cs, Tab: portal.TabAll, TicketFilter: f}
				got, err := ws.Tickets(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				q.CreatedAfter = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
				want, err := ws.Tickets(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(want.Facets, got.Facets); d != "" || got.Total != want.Total {
					t.Fatalf("%s: %s's facets (%+v) from the cells differ from those counted from the tickets (-counted +cells):\n%s", when, u, f, d)
				}
			}
		}
	}
	put(churn.Base(), false)
	for round := range 30 {
		recs := churn.Round(12, 30)
		replace := round%7 == 6
		if replace {
			recs = append(churn.Base(), recs...)
		}
		put(recs, replace)
		check(fmt.Sprintf("round %d (replace %v)", round, replace))
	}
}
