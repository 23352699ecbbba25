package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// BenchmarkAttributeValues measures one keystroke of the rule builder's
// value box: the suggestions for what is typed so far, on the bench
// workspace (PORTALSTUDIO_BENCH_WORKSPACE: `make bench` names the
// 1,000,000-user one) or else on a demo workspace of
// PORTALSTUDIO_BENCH_USERS users (20,000 when unset) built for the run,
// whose import (with the refill of the suggested values) it logs. Each
// op types a value letter by letter, so ms/keystroke is the figure to
// hold to the 20 ms goal.
func BenchmarkAttributeValues(b *testing.B) {
	ctx := context.Background()
	ws := attrValuesWorkspace(b)
	for _, c := range []struct{ attr, typed string }{
		{"company.plan", "Pro"},
		{"company.custom.sla_tier", "Premier"},
		{"user.role", "user"},
		{"user.custom.department", "Engineering"},
		{"user.email", "alice"}, // too many values: none listed
	} {
		b.Run(c.attr, func(b *testing.B) {
			keys := 0
			for b.Loop() {
				for i := 0; i <= len(c.typed); i++ {
					if _, err := ws.AttributeValues(ctx, c.attr, c.typed[:i], 20); err != nil {
						b.Fatal(err)
					}
					keys++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(keys)/1e6, "ms/keystroke")
		})
	}
}

// BenchmarkAttributeValuesRefresh measures what every import adds at its
// end: refilling the suggested values of every text attribute from the
// data (on the same workspace as BenchmarkAttributeValues).
func BenchmarkAttributeValuesRefresh(b *testing.B) {
	ws := attrValuesWorkspace(b)
	for b.Loop() {
		if err := ws.RefreshAttributeValues(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func attrValuesWorkspace(b *testing.B) *sqlite.Workspace {
	b.Helper()
	if path := os.Getenv("PORTALSTUDIO_BENCH_WORKSPACE"); path != "" {
		if _, err := os.Stat(path); err != nil {
			b.Fatalf("PORTALSTUDIO_BENCH_WORKSPACE: %v (run `portalstudio bench --workspace %s` first)", err, path)
		}
		ws, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ws.Close() })
		return ws
	}
	users := 20_000
	if s := os.Getenv("PORTALSTUDIO_BENCH_USERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("PORTALSTUDIO_BENCH_USERS=%q: want a number of users", s)
		}
		users = n
	}
	ws, err := sqlite.Open(filepath.Join(b.TempDir(), "values.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ws.Close() })
	start := time.Now()
	if _, err := ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return nil, demo.Generate(demo.Options{Users: users, Companies: users / 10, Tickets: demo.None, Seed: 1}, emit)
	}, portal.ImportOptions{Replace: true}); err != nil {
		b.Fatal(err)
	}
	b.Logf("imported %d users and %d companies in %v (the suggested values refilled in the same transaction)", users, users/10, time.Since(start).Round(time.Millisecond))
	return ws
}
