package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// benchResult is one measured hot path.
type benchResult struct {
	Name   string  `json:"name"`
	Goal   string  `json:"goal"`
	Median float64 `json:"median_ms"`
	Min    float64 `json:"min_ms"`
	Runs   int     `json:"runs"`
	Note   string  `json:"note,omitempty"`
}

// benchReport is what `bench` prints.
type benchReport struct {
	Workspace string            `json:"workspace"`
	Dataset   sqlite.Counts     `json:"dataset"`
	BuildSecs float64           `json:"build_seconds,omitempty"`
	OpenMs    float64           `json:"open_to_first_count_ms"`
	Results   []benchResult     `json:"results"`
	HeapMB    float64           `json:"heap_mb"`
	Machine   string            `json:"machine"`
	Date      string            `json:"date"`
	Rules     map[string]string `json:"rules"`
}

// The rules the bench counts with.
var (
	benchTypical = portal.AllOf(
		portal.Cond("user.email", portal.OpContains, "examply"),
		portal.Cond("company.plan", portal.OpEquals, "Pro"),
		portal.Cond("company.custom.seats", portal.OpGreaterThan, 10.0),
	)
	benchHard = portal.AllOf(
		portal.Cond("user.email", portal.OpEndsWith, ".com"),
		portal.Cond("company.plan", portal.OpNotEquals, "Starter"),
		portal.AnyOf(
			portal.Cond("company.custom.region", portal.OpEquals, "EMEA"),
			portal.Cond("user.custom.seats", portal.OpGreaterThan, 5.0),
		),
		portal.Cond("user.last_seen_at", portal.OpLessThanDaysAgo, 90.0),
		portal.Cond("user.name", portal.OpNotContains, "test"),
	)
)

func runBench(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("bench", env)
	users := f.Int("users", 1_000_000, "users of the bench workspace")
	companies := f.Int("companies", 100_000, "companies of the bench workspace")
	tickets := f.Int("tickets", 2_000_000, "tickets of the bench workspace")
	runs := f.Int("runs", 15, "runs of each hot path")
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	if *f.workspace == "" {
		return usagef("bench: --workspace FILE is required (it is built once, then reused)")
	}
	rep := benchReport{Workspace: *f.workspace, Machine: fmt.Sprintf("%s/%s, %d cores", runtime.GOOS, runtime.GOARCH, runtime.NumCPU()),
		Date: time.Now().UTC().Format("2006-01-02"), Rules: map[string]string{"typical": benchTypical.String(), "hard": benchHard.String()}}
	if _, err := os.Stat(*f.workspace); err != nil {
		fmt.Fprintf(env.Stderr, "bench: building the workspace %s (%d users, %d companies, %d tickets) once…\n", *f.workspace, *users, *companies, *tickets)
		start := time.Now()
		ws, err := sqlite.Open(*f.workspace)
		if err != nil {
			return err
		}
		opt := demo.Options{Users: orNone(*users), Companies: orNone(*companies), Tickets: orNone(*tickets), Seed: 1}
		_, err = runDemoImport(ctx, env, studio.New(ws), opt, *f.json)
		ws.Close()
		if err != nil {
			os.Remove(*f.workspace)
			return err
		}
		rep.BuildSecs = time.Since(start).Seconds()
	}
	start := time.Now()
	ws, err := sqlite.Open(*f.workspace)
	if err != nil {
		return err
	}
	defer ws.Close()
	svc := studio.New(ws)
	schema, err := ws.Schema(ctx)
	if err != nil {
		return err
	}
	now := demo.DefaultNow
	if _, _, err := ws.Audience(ctx, benchTypical, schema, now, 0); err != nil {
		return err
	}
	rep.OpenMs = ms(time.Since(start))
	if rep.Dataset, err = ws.Counts(ctx); err != nil {
		return err
	}
	busy, err := ws.UserWithCompanies(ctx, 5)
	if err != nil {
		return err
	}
	measure := func(name, goal string, fn func() error) error {
		var ds []time.Duration
		for i := 0; i < *runs; i++ {
			t := time.Now()
			if err := fn(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			ds = append(ds, time.Since(t))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		rep.Results = append(rep.Results, benchResult{Name: name, Goal: goal, Median: ms(ds[len(ds)/2]), Min: ms(ds[0]), Runs: *runs})
		return nil
	}
	var count int
	steps := []struct {
		name, goal string
		fn         func() error
	}{
		{"count, typical 3-condition rule", "< 500 ms", func() (err error) {
			count, _, err = ws.Audience(ctx, benchTypical, schema, now, 0)
			return err
		}},
		{"count, hard 5-condition rule", "", func() error { _, _, err := ws.Audience(ctx, benchHard, schema, now, 0); return err }},
		{"first 50 matching users (typical rule)", "< 50 ms", func() error { _, _, err := ws.Audience(ctx, benchTypical, schema, now, 50); return err }},
		{"preview, user with 5 companies, All tab", "< 20 ms", func() error {
			_, err := svc.Preview(ctx, studio.PreviewRequest{User: busy, Tab: portal.TabAll, Settings: studio.Live, Now: now})
			return err
		}},
		{"preview, Created by me tab", "", func() error {
			_, err := svc.Preview(ctx, studio.PreviewRequest{User: busy, Tab: portal.TabMine, Settings: studio.Live, Now: now})
			return err
		}},
	}
	// Search words by how many of the shared Customer tickets hold them.
	for _, w := range []struct{ word, goal string }{
		{"montréal", "< 30 ms"}, {"account", "< 150 ms"}, {"thanks", "< 150 ms"}, {"the", "< 150 ms"},
	} {
		w := w
		n, err := ws.TicketsMatching(ctx, w.word)
		if err != nil {
			return err
		}
		steps = append(steps, struct {
			name, goal string
			fn         func() error
		}{fmt.Sprintf("search %q (%.0f%% of portal tickets)", w.word, 100*float64(n)/float64(max(rep.Dataset.PortalTickets, 1))), w.goal, func() error {
			_, err := svc.Preview(ctx, studio.PreviewRequest{User: busy, Tab: portal.TabAll, Search: w.word, Settings: studio.Live, Now: now})
			return err
		}})
	}
	// Preview and search read the live settings with everyone let in, so
	// the measured user has both tabs whatever the draft says.
	live, err := ws.Live(ctx)
	if err != nil {
		return err
	}
	benchLive := live.Clone()
	benchLive.Portal.Enabled = true
	benchLive.Access.Rule = portal.Everyone()
	benchLive.Visibility.RestrictToOwn = false
	if err := ws.SetLive(ctx, benchLive); err != nil {
		return err
	}
	defer ws.SetLive(context.Background(), live)
	for _, s := range steps {
		if err := measure(s.name, s.goal, s.fn); err != nil {
			return err
		}
	}
	rep.Results[0].Note = fmt.Sprintf("%d users match", count)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rep.HeapMB = float64(m.HeapInuse) / (1 << 20)
	if *f.json {
		return printJSON(env.Stdout, rep)
	}
	w := env.Stdout
	fmt.Fprintf(w, "Workspace %s: %d users, %d companies, %d tickets (%s, %s)\n", rep.Workspace, rep.Dataset.Users, rep.Dataset.Companies, rep.Dataset.Tickets, rep.Machine, rep.Date)
	if rep.BuildSecs > 0 {
		fmt.Fprintf(w, "Built in %.1f s\n", rep.BuildSecs)
	}
	fmt.Fprintf(w, "Open to first count: %.1f ms\n", rep.OpenMs)
	fmt.Fprintf(w, "%-48s %10s %10s  %s\n", "hot path", "median ms", "min ms", "goal")
	fmt.Fprintln(w, strings.Repeat("-", 84))
	for _, r := range rep.Results {
		fmt.Fprintf(w, "%-48s %10.2f %10.2f  %s %s\n", r.Name, r.Median, r.Min, r.Goal, r.Note)
	}
	fmt.Fprintf(w, "Go heap in use: %.1f MB\n", rep.HeapMB)
	fmt.Fprintf(w, "Typical rule: %s\nHard rule: %s\n", rep.Rules["typical"], rep.Rules["hard"])
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
