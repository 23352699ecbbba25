package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

var vocab = []string{"invoice", "invoices", "export", "café", "Cafe", "résumé", "naïve", "SSO", "login", "loop", "<script>", "error", "502", "seat", "seats", "plan",
	// More than prefixMax terms begin with "expo": a prefix query then.
	"exports", "exported", "exporter", "exporters", "exporting", "exportable", "exportation", "exposé", "exposure", "expose"}

func randText(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = vocab[r.IntN(len(vocab))]
	}
	return strings.Join(w, " ")
}

// TestSearchMatchesDomain proves that the FTS5 search with visibility
// tokens returns exactly the tickets the user sees on the tab whose
// searchable text holds every term (notes and unshared tickets never).
func TestSearchMatchesDomain(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 13))
	ctx := context.Background()
	queries := 0
	for ds := 0; ds < 4; ds++ {
		ws := MustOpen(t)
		var recs []portal.Record
		nu, nc := 2+r.IntN(6), 1+r.IntN(3)
		var users []*portal.User
		for i := 0; i < nu; i++ {
			u := &portal.User{ID: fmt.Sprintf("u-%d", i)}
			for j := r.IntN(3); j > 0; j-- {
				u.CompanyIDs = append(u.CompanyIDs, fmt.Sprintf("c-%d", r.IntN(nc)))
			}
			users = append(users, u)
			recs = append(recs, portal.Record{User: u})
		}
		var tickets []portal.Ticket
		for i := 0; i < 60; i++ {
			tk := portal.Ticket{ID: fmt.Sprintf("t%02d", i), TicketID: fmt.Sprint(i + 1), Title: randText(r, 1+r.IntN(3)),
				Description: "<p>" + randText(r, r.IntN(4)) + "</p>",
				Category:    []string{portal.CategoryCustomer, portal.CategoryCustomer, portal.CategoryTracker}[r.IntN(3)],
				IsShared:    r.IntN(4) > 0, ContactIDs: []string{fmt.Sprintf("u-%d", r.IntN(nu))},
				CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(r.IntN(50)) * time.Minute)}
			if r.IntN(4) > 0 {
				tk.CompanyID = fmt.Sprintf("c-%d", r.IntN(nc))
			}
			for j := r.IntN(4); j > 0; j-- {
				typ := []string{"comment", "comment", "note"}[r.IntN(3)]
				tk.Parts = append(tk.Parts, portal.Part{ID: fmt.Sprintf("p%d-%d", i, j), PartType: typ, Body: "<p>" + randText(r, 1+r.IntN(5)) + "</p>", AuthorName: "A", CreatedAt: t0})
			}
			tickets = append(tickets, tk)
			c := tk
			recs = append(recs, portal.Record{Ticket: &c})
		}
		if ds%2 == 1 {
			// A bulk load (Replace), whose search index is built on a
			// connection of its own and copied in (searchbuild.go); one
			// ticket comes twice in it, first with other words, which the
			// build takes out again.
			first := tickets[r.IntN(len(tickets))]
			first.Title, first.IsShared, first.Category = randText(r, 3), true, portal.CategoryCustomer
			recs = append([]portal.Record{{Ticket: &first}}, recs...)
			MustImportWith(t, ws, portal.ImportOptions{Replace: true}, recs...)
			if err := ws.CheckSearchIndex(ctx); err != nil {
				t.Fatalf("seed %d: the search index of a bulk load: %v", seed, err)
			}
		} else {
			MustImport(t, ws, recs...)
		}
		// Re-import some tickets changed, to prove the index follows upserts.
		for i := 0; i < 10; i++ {
			k := r.IntN(len(tickets))
			tickets[k].Title = randText(r, 2)
			tickets[k].IsShared = !tickets[k].IsShared
			c := tickets[k]
			MustImport(t, ws, portal.Record{Ticket: &c})
		}
		d := portal.Decision{Access: true, Tabs: []string{portal.TabAll, portal.TabMine}}
		for _, u := range users {
			for _, tab := range []string{portal.TabAll, portal.TabMine} {
				for k := 0; k < 15; k++ {
					q := randText(r, 1+r.IntN(2))
					if r.IntN(3) == 0 {
						q = q[:1+r.IntN(len(q))] // a prefix of the last word
					}
					terms := portal.SearchTerms(q)
					want := []string{}
					for i := range tickets {
						if portal.CanSee(d, u.ID, u.CompanyIDs, &tickets[i], tab) && portal.MatchesSearch(&tickets[i], terms) {
							want = append(want, tickets[i].ID)
						}
					}
					got := []string{}
					cursor := ""
					for {
						page, err := ws.Search(ctx, portal.SearchQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Terms: terms, Cursor: cursor, Limit: 1 + r.IntN(5)})
						if err != nil {
							t.Fatalf("seed %d: %q: %v", seed, q, err)
						}
						if page.Total != len(want) {
							t.Fatalf("seed %d: user %s tab %s %q: total %d, want %d", seed, u.ID, tab, q, page.Total, len(want))
						}
						got = append(got, page.IDs...)
						if page.Next == "" {
							break
						}
						cursor = page.Next
					}
					sort.Strings(got)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("seed %d: user %s tab %s query %q (-want +got):\n%s", seed, u.ID, tab, q, diff)
					}
					queries++
				}
			}
		}
	}
	t.Logf("%d searches agreed", queries)
}

func TestSearchHostileQueries(t *testing.T) {
	ws := MustOpen(t)
	tk := &portal.Ticket{ID: "t1", TicketID: "1", Title: `Quote " and star * and NEAR(a b)`, Category: portal.CategoryCustomer, IsShared: true, ContactIDs: []string{"u1"}}
	MustImport(t, ws, portal.Record{Ticket: tk})
	for _, q := range []string{`"`, `*`, `NEAR(`, `a OR`, `AND`, `{vis}: x`, `-`, `" OR 1=1 --`, strings.Repeat("x", 5000), "c" + strings.Repeat("0", 10)} {
		terms := portal.SearchTerms(q)
		if _, err := ws.Search(context.Background(), portal.SearchQuery{UserID: "u1", Tab: portal.TabMine, Terms: terms}); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
	page, err := ws.Search(context.Background(), portal.SearchQuery{UserID: "u1", Tab: portal.TabMine, Terms: portal.SearchTerms(`NEAR(a`)})
	if err != nil || page.Total != 1 {
		t.Fatalf("NEAR( as plain words: %+v, %v", page, err)
	}
}

// TestSearchIndexUpgrade opens a workspace made before migration 006 (its
// search index without prefix indexes, here also emptied): the index is
// made again and filled from the tickets in the migration's transaction,
// and every search answers as before.
func TestSearchIndexUpgrade(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	path := filepath.Join(t.TempDir(), "ws.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	u := &portal.User{ID: "u1", CompanyIDs: []string{"c1"}}
	recs := []portal.Record{{User: u}}
	for i := 0; i < 80; i++ {
		tk := &portal.Ticket{ID: fmt.Sprintf("t%02d", i), TicketID: fmt.Sprint(i + 1), Title: randText(r, 2), Description: randText(r, 3),
			Category: portal.CategoryCustomer, IsShared: i%5 != 0, ContactIDs: []string{[]string{"u1", "u2"}[i%2]}, CompanyID: []string{"c1", "c2", ""}[i%3],
			CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * time.Minute)}
		for j := 0; j < i%4; j++ {
			tk.Parts = append(tk.Parts, portal.Part{ID: fmt.Sprintf("p%d-%d", i, j), PartType: []string{"comment", "note"}[j%2], Body: "<p>" + randText(r, 4) + "</p>", CreatedAt: t0})
		}
		recs = append(recs, portal.Record{Ticket: tk})
	}
	MustImport(t, ws, recs...)
	queries := []string{"i", "in", "inv", "invoice", "ex", "expo", "export", "caf", "café", "se", "seat", "lo", "login", "error 5", "502", "plan s"}
	search := func(ws *sqlite.Workspace) map[string][]string {
		out := map[string][]string{}
		for _, q := range queries {
			for _, tab := range []string{portal.TabAll, portal.TabMine} {
				page, err := ws.Search(ctx, portal.SearchQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: tab, Terms: portal.SearchTerms(q), Limit: 200})
				if err != nil {
					t.Fatal(err)
				}
				out[tab+" "+q] = page.IDs
			}
		}
		return out
	}
	want := search(ws)
	if len(want["all i"]) == 0 {
		t.Fatal("the dataset matches nothing: the test proves nothing")
	}
	var notices []string
	notice := sqlite.Options{Notice: func(m string) { notices = append(notices, m) }}
	ws = reopenAfter(t, ws, path, notice,
		`DROP TABLE ticket_fts_vocab`, `DROP TABLE ticket_fts`,
		`CREATE VIRTUAL TABLE ticket_fts USING fts5(body, vis, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0')`,
		`CREATE VIRTUAL TABLE ticket_fts_vocab USING fts5vocab(ticket_fts, 'row')`,
		`DELETE FROM migrations WHERE name = 'migrations/006_search_prefix.sql'`)
	if d := cmp.Diff(want, search(ws)); d != "" {
		t.Fatalf("searches after the upgrade differ (-before +after):\n%s", d)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "rebuilding its search index") {
		t.Errorf("the upgrade said %q; want one notice that it rebuilds the search index", notices)
	}
	// Opened again, or new: nothing to say.
	notices = nil
	again, err := sqlite.OpenWith(path, notice)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	fresh, err := sqlite.OpenWith(filepath.Join(t.TempDir(), "new.db"), notice)
	if err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	if len(notices) != 0 {
		t.Errorf("opening an up-to-date or a new workspace said %q", notices)
	}
}
