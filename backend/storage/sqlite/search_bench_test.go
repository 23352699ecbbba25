package sqlite_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"portalstudio/backend/portal"
)

// BenchmarkSearch compares, on the bench workspace (see BenchmarkAudience)
// and the bench command's words, one user's first page of search results
// (ranked, before snippets) by the index that holds the visibility tokens
// (Workspace.Search) with the SQL a peer would write: FTS5 MATCH on the
// words, then a join to the tickets filtered by the user's companies and
// their own tickets, ranked by the same bm25. Both must return the same
// page; each reports its time as a multiple of the index's (x-index).
func BenchmarkSearch(b *testing.B) {
	benchWorkspace(b)
	ctx := context.Background()
	ws := benchData.ws
	id, err := ws.UserWithCompanies(ctx, 5)
	if err != nil {
		b.Fatal(err)
	}
	u, err := ws.FindUser(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	for _, word := range []string{"montréal", "account", "thanks"} {
		terms := portal.SearchTerms(word)
		q := portal.SearchQuery{UserID: u.ID, CompanyIDs: u.CompanyIDs, Tab: portal.TabAll, Terms: terms, Limit: 20}
		want, err := ws.Search(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		var nsIndex float64
		b.Run(word+"/index-vis", func(b *testing.B) {
			for b.Loop() {
				if _, err := ws.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(want.Total), "matches")
			nsIndex = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		b.Run(word+"/naive-sql", func(b *testing.B) {
			naive := `SELECT t.id FROM ticket_fts f JOIN tickets t ON t.seq = f.rowid
				WHERE ticket_fts MATCH ? AND t.category = 'Customer' AND t.is_shared = 1
					AND (t.creator_id = ? OR t.company_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(u.CompanyIDs)), ", ") + `))
				ORDER BY bm25(ticket_fts, 1.0, 0.0), t.updated_at DESC, t.id DESC LIMIT 20`
			args := []any{`{body} : "` + strings.Join(terms, `" AND "`) + `"*`, u.ID}
			for _, c := range u.CompanyIDs {
				args = append(args, c)
			}
			var got []string
			for b.Loop() {
				if got, err = ws.StringsSQL(ctx, naive, args...); err != nil {
					b.Fatal(err)
				}
			}
			if !slices.Equal(got, want.IDs) {
				b.Fatalf("%q: the naive SQL's page %v differs from the index's %v", word, got, want.IDs)
			}
			if nsIndex > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/nsIndex, "x-index")
			}
		})
	}
}
