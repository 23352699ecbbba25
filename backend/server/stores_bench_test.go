package server_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/internal/loadgen"
	"portalstudio/internal/pgtest"
	"portalstudio/internal/testkit"
	"portalstudio/internal/teststore"
)

// BenchmarkStores puts the PostgreSQL store beside the SQLite workspace on
// one dataset (make bench-postgres): the SQLite demo workspace named by
// PORTALSTUDIO_BENCH_WORKSPACE (its live settings are the load's during
// the run, then put back: give it a copy you may write), else a new demo
// of PORTALSTUDIO_BENCH_DEMO_USERS users (default 20,000; a tenth as many
// companies, twice as many tickets). It
//
//   - imports that dataset (its snapshot, as `sync pull --data --database`
//     does) into a new database of the throwaway PostgreSQL cluster
//     (internal/pgtest), with a progress bar, and checks the counts;
//   - times one user's first page of search (the user of the most
//     companies, All tab) for a rare word, one in about 15% and one in
//     about 50% of the portal's tickets, on both stores (median of 15,
//     after one warm-up), checking both find as many;
//   - loads the portal's ticket-list API (BenchmarkPortalLoad's mix and
//     bounds: PORTALSTUDIO_BENCH_RATE, _SECONDS, _USERS) on the SQLite
//     server, on one PostgreSQL replica, and on two replicas of that
//     database side by side (the requests spread over both);
//
// and prints the figures, with PostgreSQL's as multiples of SQLite's, as
// a Markdown table. Run it with -benchtime 1x and
// PORTALSTUDIO_TEST_STORES=sqlite (it opens both stores itself).
func BenchmarkStores(b *testing.B) {
	ctx := context.Background()
	rate := envInt("PORTALSTUDIO_BENCH_RATE", 2000)
	seconds := envInt("PORTALSTUDIO_BENCH_SECONDS", 10)
	nUsers := envInt("PORTALSTUDIO_BENCH_USERS", 2000)

	path := os.Getenv("PORTALSTUDIO_BENCH_WORKSPACE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "stores.db")
	}
	lite, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	counts, err := lite.Counts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if counts.Users == 0 {
		n := envInt("PORTALSTUDIO_BENCH_DEMO_USERS", 20000)
		fmt.Fprintf(os.Stderr, "making a %d-user demo workspace at %s\n", n, path)
		if _, err := testkit.Service(b, lite).GenerateDemo(ctx, studio.DemoRequest{Users: n, Companies: max(n/10, 1), Tickets: 2 * n}, nil); err != nil {
			b.Fatal(err)
		}
		if counts, err = lite.Counts(ctx); err != nil {
			b.Fatal(err)
		}
	}

	// The import into PostgreSQL.
	url := pgtest.NewDatabase(b)
	pg, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	began := time.Now()
	rep, err := copyDataset(ctx, lite, pg)
	if err != nil {
		b.Fatal(err)
	}
	importTime := time.Since(began)
	pgCounts, err := pg.Counts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if pgCounts.Users != counts.Users || pgCounts.Companies != counts.Companies || pgCounts.Tickets != counts.Tickets || pgCounts.PortalTickets != counts.PortalTickets {
		b.Fatalf("after the import PostgreSQL holds %+v, SQLite %+v", pgCounts, counts)
	}
	records := counts.Users + counts.Companies + counts.Tickets
	fmt.Printf("import into PostgreSQL: %d records (%d users, %d companies, %d tickets, %d parts) in %s, %.0f records/s\n",
		records, counts.Users, counts.Companies, counts.Tickets, rep.Parts, importTime.Round(time.Second), float64(records)/importTime.Seconds())

	searches := compareSearches(b, lite, pg, counts)

	// The list API: SQLite, one replica, two replicas.
	liteRun := portalLoad(b, []teststore.Store{lite}, rate, seconds, nUsers)
	fmt.Printf("SQLite: %s", liteRun)
	pgRun := portalLoad(b, []teststore.Store{pg}, rate, seconds, nUsers)
	fmt.Printf("PostgreSQL, one replica: %s", pgRun)
	pg2, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer pg2.Close()
	twoRun := portalLoad(b, []teststore.Store{pg, pg2}, rate, seconds, nUsers)
	fmt.Printf("PostgreSQL, two replicas: %s", twoRun)

	// The table.
	var t strings.Builder
	fmt.Fprintf(&t, "\n%d users / %d companies / %d tickets (%d parts); %s; load average %s\n\n", counts.Users, counts.Companies, counts.Tickets, rep.Parts, time.Now().UTC().Format("2006-01-02 15:04 MST"), loadAverage())
	fmt.Fprintf(&t, "| measure | SQLite | PostgreSQL | × SQLite | goal |\n| --- | --- | --- | --- | --- |\n")
	fmt.Fprintf(&t, "| import of the dataset (%d records) | | %s (%.0f records/s) | | ≤ 5 min |\n", records, importTime.Round(time.Second), float64(records)/importTime.Seconds())
	goals := map[string]string{"rare": "≤ 10 ms", "15%": "≤ 40 ms", "50%": "≤ 80 ms"}
	for _, s := range searches {
		fmt.Fprintf(&t, "| search, %s word `%s` (%.0f%% of portal tickets, %d hits for the user) | %s | %s | %.1f | %s |\n",
			s.name, s.word, s.share, s.total, msText(s.lite), msText(s.pg), ratio(s.pg, s.lite), goals[s.name])
	}
	load := func(name string, run loadRun, goal string) {
		fmt.Fprintf(&t, "| list API, %s | %.0f req/s, p50 %s, p99 %s | %.0f req/s, p50 %s, p99 %s | %.2f (throughput), %.1f (p99) | %s |\n",
			name, liteRun.throughput(name), msText(liteRun.p50(name)), msText(liteRun.p99(name)),
			run.throughput(name), msText(run.p50(name)), msText(run.p99(name)), run.throughput(name)/liteRun.throughput(name), ratio(run.p99(name), liteRun.p99(name)), goal)
	}
	open, closed := fmt.Sprintf("open loop at %d req/s", rate), "closed loop, 16 in flight"
	load(open, pgRun, "≥ 2,000 req/s, p99 < 10 ms")
	load(closed, pgRun, "")
	fmt.Fprintf(&t, "| list API, two replicas, %s | | %.0f req/s, p50 %s, p99 %s | %.2f, %.1f | |\n", open, twoRun.Open.Throughput, msText(twoRun.Open.P50), msText(twoRun.Open.P99), twoRun.Open.Throughput/liteRun.Open.Throughput, ratio(twoRun.Open.P99, liteRun.Open.P99))
	fmt.Fprintf(&t, "| list API, two replicas, %s | | %.0f req/s, p50 %s, p99 %s | %.2f, %.1f | |\n", closed, twoRun.Closed.Throughput, msText(twoRun.Closed.P50), msText(twoRun.Closed.P99), twoRun.Closed.Throughput/liteRun.Closed.Throughput, ratio(twoRun.Closed.P99, liteRun.Closed.P99))
	fmt.Print(t.String())

	b.ReportMetric(importTime.Seconds(), "import-s")
	b.ReportMetric(pgRun.Open.Throughput, "pg-req/s")
	b.ReportMetric(float64(pgRun.Open.P99)/1e6, "pg-p99-ms")
	b.ReportMetric(float64(liteRun.Open.P99)/1e6, "sqlite-p99-ms")
}

// copyDataset imports the SQLite workspace's snapshot into the
// PostgreSQL store (a Replace, strict, with the snapshot's schema), with a
// progress bar on stderr.
func copyDataset(ctx context.Context, from *sqlite.Workspace, to *postgres.Store) (portal.ImportReport, error) {
	headers := make(chan portal.SnapshotHeader, 1)
	recs := make(chan portal.Record, 4096)
	snapErr := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(recs)
		snapErr <- from.Snapshot(ctx, func(h portal.SnapshotHeader) error {
			headers <- h
			return nil
		}, func(r portal.Record) error {
			select {
			case recs <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(headers)
	}()
	h, ok := <-headers
	if !ok {
		return portal.ImportReport{}, fmt.Errorf("the snapshot of %s: %v", from.Location(), <-snapErr)
	}
	total := h.Counts.Users + h.Counts.Companies + h.Counts.Tickets
	bar := progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("import into PostgreSQL"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("records"), progressbar.OptionThrottle(time.Second))
	rep, err := to.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, <-snapErr
	}, portal.ImportOptions{Replace: true, Strict: true, Attributes: h.Attributes, TicketTypes: h.TicketTypes, Progress: func(n int) { bar.Set(n) }})
	bar.Finish()
	fmt.Fprintln(os.Stderr)
	return rep, err
}

// searchFigures is one word's search time on each store.
type searchFigures struct {
	name, word string
	share      float64
	total      int
	lite, pg   time.Duration
}

// compareSearches times the busy user's first page of search for a rare
// word, one in about 15% and one in about 50% of the portal's tickets, on
// both stores.
func compareSearches(b *testing.B, lite *sqlite.Workspace, pg *postgres.Store, counts portal.Counts) []searchFigures {
	ctx := context.Background()
	var user *portal.User
	for i := 0; i < min(counts.Users, 1000); i++ {
		u, err := pg.UserByID(ctx, demo.UserID(i))
		if err != nil {
			continue
		}
		if user == nil || len(u.CompanyIDs) > len(user.CompanyIDs) {
			user = u
		}
	}
	if user == nil {
		b.Fatal("no demo user among the first thousand")
	}
	type word struct {
		w     string
		share float64
	}
	var words []word
	seen := map[string]bool{}
	page, err := pg.Tickets(ctx, portal.TicketQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Limit: 40})
	if err != nil {
		b.Fatal(err)
	}
	for _, pt := range page.Tickets {
		t, err := pg.Ticket(ctx, pt.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, tok := range portal.Tokens(portal.SearchText(t)) {
			if len(tok) < 4 || seen[tok] {
				continue
			}
			seen[tok] = true
			n, err := pg.TicketsMatching(ctx, tok)
			if err != nil {
				b.Fatal(err)
			}
			words = append(words, word{tok, 100 * float64(n) / float64(max(counts.PortalTickets, 1))})
		}
	}
	if len(words) == 0 {
		b.Fatal("no words in the user's tickets")
	}
	timeIt := func(s portal.TicketSearch, q portal.SearchQuery) (time.Duration, int) {
		first, err := s.Search(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		var ds []time.Duration
		for range 15 {
			start := time.Now()
			if _, err := s.Search(ctx, q); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2], first.Total
	}
	var out []searchFigures
	for _, c := range []struct {
		name   string
		target float64
	}{{"rare", 0}, {"15%", 15}, {"50%", 50}} {
		sort.Slice(words, func(i, j int) bool { return math.Abs(words[i].share-c.target) < math.Abs(words[j].share-c.target) })
		w := words[0]
		q := portal.SearchQuery{UserID: user.ID, CompanyIDs: user.CompanyIDs, Tab: portal.TabAll, Terms: portal.SearchTerms(w.w), Limit: 20}
		tl, nl := timeIt(lite, q)
		tp, np := timeIt(pg, q)
		if nl != np {
			b.Fatalf("search %q: SQLite finds %d, PostgreSQL %d", w.w, nl, np)
		}
		out = append(out, searchFigures{name: c.name, word: w.w, share: w.share, total: np, lite: tl, pg: tp})
		fmt.Printf("search, %s word %q (%.1f%% of portal tickets, %d hits for the user): SQLite %s, PostgreSQL %s\n", c.name, w.w, w.share, np, msText(tl), msText(tp))
	}
	return out
}

func (r loadRun) pick(name string) loadgen.Result {
	if strings.HasPrefix(name, "open") {
		return r.Open
	}
	return r.Closed
}

func (r loadRun) throughput(name string) float64 { return r.pick(name).Throughput }
func (r loadRun) p50(name string) time.Duration  { return r.pick(name).P50 }
func (r loadRun) p99(name string) time.Duration  { return r.pick(name).P99 }

func msText(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(a) / float64(b)
}

// loadAverage is the machine's load average (Linux), for the figures'
// context: this machine is shared.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
