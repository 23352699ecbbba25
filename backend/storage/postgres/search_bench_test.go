package postgres_test

import (
	"context"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
)

// BenchmarkSearch measures one user's first page of search results on
// PostgreSQL (the match, the visibility filter and the ranking in one
// statement) for a rare word, a word in about 15% of the portal's tickets
// and one in about 50%. It runs on the database named by
// PORTALSTUDIO_BENCH_DATABASE (a demo imported there), else on a new
// demo of PORTALSTUDIO_BENCH_USERS users (default 2,000) in the throwaway
// cluster. The user belongs to the most companies; each word's share of
// the tickets is reported (share-%) with its matches for the user.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	var s *postgres.Store
	if url := os.Getenv("PORTALSTUDIO_BENCH_DATABASE"); url != "" {
		var err error
		if s, err = postgres.Open(ctx, url, postgres.Options{}); err != nil {
			b.Fatal(err)
		}
		defer s.Close()
	} else {
		s, _ = openPG(b)
		n := 2000
		if v, err := strconv.Atoi(os.Getenv("PORTALSTUDIO_BENCH_USERS")); err == nil && v > 0 {
			n = v
		}
		if _, err := s.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			return nil, demo.Generate(demo.Options{Users: n, Companies: max(n/10, 1), Tickets: 2 * n, Seed: 1}, emit)
		}, portal.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// The user of the most companies among the first thousand.
	var user *portal.User
	for i := 0; i < min(counts.Users, 1000); i++ {
		u, err := s.UserByID(ctx, demo.UserID(i))
		if err != nil {
			continue
		}
		if user == nil || len(u.CompanyIDs) > len(user.CompanyIDs) {
			user = u
		}
	}
	if user == nil {
		b.Fatal("no demo user")
	}
	// Words of the demo's text, by how many portal tickets hold them.
	type word struct {
		w     string
		share float64
	}
	var words []word
	seen := map[string]bool{}
	page, err := s.Tickets(ctx, portal.TicketQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Limit: 40})
	if err != nil {
		b.Fatal(err)
	}
	for _, pt := range page.Tickets {
		t, err := s.Ticket(ctx, pt.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, tok := range portal.Tokens(portal.SearchText(t)) {
			if len(tok) < 4 || seen[tok] {
				continue
			}
			seen[tok] = true
			n, err := s.TicketsMatching(ctx, tok)
			if err != nil {
				b.Fatal(err)
			}
			words = append(words, word{tok, 100 * float64(n) / float64(max(counts.PortalTickets, 1))})
		}
	}
	if len(words) == 0 {
		b.Fatal("no words found in the tickets")
	}
	pick := func(target float64) word {
		sort.Slice(words, func(i, j int) bool { return math.Abs(words[i].share-target) < math.Abs(words[j].share-target) })
		return words[0]
	}
	for _, c := range []struct {
		name   string
		target float64
	}{{"rare", 0}, {"15pct", 15}, {"50pct", 50}} {
		w := pick(c.target)
		q := portal.SearchQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Terms: portal.SearchTerms(w.w), Limit: 20}
		first, err := s.Search(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/"+w.w, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(w.share, "share-%")
			b.ReportMetric(float64(first.Total), "matches")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/search")
		})
	}
}
