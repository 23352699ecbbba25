package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// benchResult is one measured hot path.
type benchResult struct {
	Name   string  `json:"name"`
	Goal   string  `json:"goal"`
	Median float64 `json:"median_ms"`
	Min    float64 `json:"min_ms"`
	Runs   int     `json:"runs"`
	Note   string  `json:"note,omitempty"`
	// GoalMs is the goal as a median in milliseconds (0: none); Met says
	// whether the median reaches it.
	GoalMs float64 `json:"goal_ms,omitempty"`
	Met    *bool   `json:"met,omitempty"`
}

// benchReport is what `bench` prints.
type benchReport struct {
	Workspace string        `json:"workspace"`
	Dataset   portal.Counts `json:"dataset"`
	BuildSecs float64       `json:"build_seconds,omitempty"`
	OpenMs    float64       `json:"open_to_first_count_ms"`
	Results   []benchResult `json:"results"`
	// Columns: the in-memory columns a running app counts with.
	ColumnsLoadMs float64 `json:"columns_load_ms"`
	ColumnsMB     float64 `json:"columns_mb"`
	// ColumnsHeapMB is the Go heap the columns added (after a GC).
	ColumnsHeapMB float64 `json:"columns_heap_mb"`
	HeapMB        float64 `json:"heap_mb"`
	// LiveHeapMB is the Go heap still in use after a GC: the memory the
	// process keeps beyond SQLite's page cache (goal ≤ 150 MB).
	LiveHeapMB float64 `json:"live_heap_mb"`
	// Operators: every operator, one condition each, counted by SQL and
	// by the columns (the goal is for the running app: the columns).
	Operators []benchOp         `json:"operators"`
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

// benchOperators are single conditions over every operator and kind of
// attribute (own and custom, user and company; a two-letter operand that
// no trigram serves): issue 10 wants each under the hard-rule goal.
var benchOperators = []*portal.Rule{
	portal.Cond("user.email", portal.OpEquals, "alice.martin@examply.com"),
	portal.Cond("user.email", portal.OpNotEquals, "alice.martin@examply.com"),
	portal.Cond("user.email", portal.OpContains, "examply"),
	portal.Cond("user.email", portal.OpNotContains, "examply"),
	portal.Cond("user.email", portal.OpStartsWith, "zoe."),
	portal.Cond("user.email", portal.OpEndsWith, ".dev"),
	portal.Cond("user.name", portal.OpContains, "ÉL"),
	portal.Cond("user.name", portal.OpStartsWith, "zo"),
	portal.Cond("user.name", portal.OpEquals, "Zoë Khalil"),
	portal.Cond("user.role", portal.OpEquals, "lead"),
	portal.Cond("user.external_id", portal.OpIsSet, nil),
	portal.Cond("user.last_seen_at", portal.OpMoreThanDaysAgo, 30.0),
	portal.Cond("user.created_at", portal.OpLessThanDaysAgo, 365.0),
	portal.Cond("user.custom.seats", portal.OpGreaterThan, 5.0),
	portal.Cond("user.custom.seats", portal.OpEquals, 25.0),
	portal.Cond("user.custom.department", portal.OpEquals, "Finance"),
	portal.Cond("user.custom.is_admin", portal.OpEquals, true),
	portal.Cond("user.custom.trial_ends_at", portal.OpIsNotSet, nil),
	portal.Cond("company.name", portal.OpContains, "robot"),
	portal.Cond("company.plan", portal.OpEquals, "Pro"),
	portal.Cond("company.plan", portal.OpNotEquals, "Starter"),
	portal.Cond("company.website", portal.OpEndsWith, ".io"),
	portal.Cond("company.size", portal.OpLessThan, 50.0),
	portal.Cond("company.created_at", portal.OpMoreThanDaysAgo, 365.0),
	portal.Cond("company.custom.region", portal.OpEquals, "EMEA"),
	portal.Cond("company.custom.renewal_at", portal.OpIsSet, nil),
}

// benchOp is one condition of the operator sweep on both paths.
type benchOp struct {
	Rule    string  `json:"rule"`
	Matches int     `json:"matches"`
	SQL     float64 `json:"sql_median_ms"`
	Columns float64 `json:"columns_median_ms"`
	GoalMs  float64 `json:"goal_ms"`
	Met     bool    `json:"met"`
}

// benchChange is the typical change whose impact the bench measures: from
// the demo settings (everyone has access, all but company admins are
// restricted) to access for companies not on the Starter plan, with
// Enterprise companies' users no longer restricted.
func benchChange() (before, after *portal.Settings) {
	before = portal.DefaultSettings()
	before.Portal.Enabled = true
	before.IdentityVerification = true
	before.Access.Rule = portal.Everyone()
	before.Visibility.RestrictToOwn = true
	before.Visibility.Conditions = portal.AllOf(portal.Cond("user.custom.is_admin", portal.OpEquals, false))
	after = before.Clone()
	after.Access.Rule = portal.Cond("company.plan", portal.OpNotEquals, "Starter")
	after.Visibility.Conditions = portal.AllOf(
		portal.Cond("user.custom.is_admin", portal.OpEquals, false),
		portal.Cond("company.plan", portal.OpNotEquals, "Enterprise"),
	)
	return before, after
}

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
		opt := demo.Options{Users: orNone(*users), Companies: orNone(*companies), Tickets: orNone(*tickets), Seed: 1}
		if err := sqlite.Create(*f.workspace, func(ws *sqlite.Workspace) error {
			_, err := runDemoImport(ctx, env, studio.New(ws), opt, *f.json)
			return err
		}); err != nil {
			return err
		}
		rep.BuildSecs = time.Since(start).Seconds()
	} else {
		// A workspace made by an older version is brought up to date
		// first (a migration may rebuild an index): the open measured
		// below is an everyday one.
		ws, err := openWorkspace(env, *f.workspace)
		if err != nil {
			return err
		}
		ws.Close()
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
	median := func(runs int, fn func() error) (time.Duration, error) {
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			t := time.Now()
			if err := fn(); err != nil {
				return 0, err
			}
			ds = append(ds, time.Since(t))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2], nil
	}
	// The operator sweep, on one path.
	sweep := func(columns bool) error {
		for i, r := range benchOperators {
			if !columns {
				rep.Operators = append(rep.Operators, benchOp{Rule: r.String(), GoalMs: 50})
			}
			op := &rep.Operators[i]
			var n int
			d, err := median(max(*runs/3, 1), func() error {
				var err error
				n, _, err = ws.Audience(ctx, r, schema, now, 0)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s: %w", r, err)
			}
			if !columns {
				op.Matches, op.SQL = n, ms(d)
				continue
			}
			if n != op.Matches {
				return fmt.Errorf("bench: %s counts %d users by SQL and %d by the columns", r, op.Matches, n)
			}
			op.Columns = ms(d)
			op.Met = op.Columns <= op.GoalMs
		}
		return nil
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
		r := benchResult{Name: name, Goal: goal, Median: ms(ds[len(ds)/2]), Min: ms(ds[0]), Runs: *runs, GoalMs: goalMs(goal)}
		if r.GoalMs > 0 {
			met := r.Median <= r.GoalMs
			r.Met = &met
		}
		rep.Results = append(rep.Results, r)
		return nil
	}
	type step struct {
		name, goal string
		fn         func() error
	}
	counted := map[string]int{}
	firsts := map[string][]portal.UserSummary{}
	countSteps := func(path string) []step {
		return []step{
			{"count, typical rule (" + path + ")", map[string]string{"SQL": "≤ 20 ms", "columns": "≤ 5 ms"}[path], func() error {
				n, _, err := ws.Audience(ctx, benchTypical, schema, now, 0)
				counted["typical "+path] = n
				return err
			}},
			{"count, hard rule (" + path + ")", map[string]string{"columns": "≤ 50 ms"}[path], func() error {
				n, _, err := ws.Audience(ctx, benchHard, schema, now, 0)
				counted["hard "+path] = n
				return err
			}},
			{"first 50 matching users, typical (" + path + ")", "≤ 1 ms", func() error {
				users, err := ws.AudienceFirst(ctx, benchTypical, nil, schema, now, 50)
				firsts[path] = users
				return err
			}},
		}
	}
	impactBefore, impactAfter := benchChange()
	impactStep := func(path string) step {
		return step{"impact of a typical change (" + path + ")", "≤ 200 ms", func() error {
			res, err := svc.ImpactOf(ctx, impactBefore, impactAfter, wire.ImpactRequest{Limit: 20, Now: now})
			if err == nil {
				counted["impact "+path] = res.Changed
			}
			return err
		}}
	}
	// The indexed SQL set path first (what a one-shot command runs), then
	// the in-memory columns (what a running app counts with).
	for _, s := range append(countSteps("SQL"), impactStep("SQL")) {
		if err := measure(s.name, s.goal, s.fn); err != nil {
			return err
		}
	}
	if err := sweep(false); err != nil {
		return err
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := ws.LoadColumns(ctx); err != nil {
		return err
	}
	st := ws.ColumnStats()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	rep.ColumnsLoadMs = ms(st.LoadTime)
	rep.ColumnsMB = float64(st.Bytes) / (1 << 20)
	rep.ColumnsHeapMB = (float64(after.HeapInuse) - float64(before.HeapInuse)) / (1 << 20)
	for _, s := range append(countSteps("columns"), impactStep("columns")) {
		if err := measure(s.name, s.goal, s.fn); err != nil {
			return err
		}
	}
	if err := sweep(true); err != nil {
		return err
	}
	for _, k := range []string{"typical", "hard", "impact"} {
		if counted[k+" SQL"] != counted[k+" columns"] {
			return fmt.Errorf("bench: the %s rule counts %d users by SQL and %d by the columns", k, counted[k+" SQL"], counted[k+" columns"])
		}
	}
	// The first users, without the count, are the head of the whole list.
	_, head, err := ws.Audience(ctx, benchTypical, schema, now, 50)
	if err != nil {
		return err
	}
	for _, path := range []string{"SQL", "columns"} {
		if !slices.Equal(head, firsts[path]) {
			return fmt.Errorf("bench: the first 50 users of the typical rule by %s differ from the head of its whole list", path)
		}
	}
	steps := []step{
		{"preview, user with 5 companies, All tab", "≤ 0.5 ms", func() error {
			_, err := svc.Preview(ctx, wire.PreviewRequest{User: busy, Tab: portal.TabAll, Settings: studio.Live, Now: now})
			return err
		}},
		{"preview, Created by me tab", "≤ 0.5 ms", func() error {
			_, err := svc.Preview(ctx, wire.PreviewRequest{User: busy, Tab: portal.TabMine, Settings: studio.Live, Now: now})
			return err
		}},
	}
	// Explain: the busy user and the newest ticket of one of their
	// companies, and a ticket they created.
	busyTickets, err := ws.Tickets(ctx, portal.TicketQuery{UserID: busy, Tab: portal.TabMine, Limit: 1})
	if err != nil {
		return err
	}
	if len(busyTickets.Tickets) > 0 {
		tid := busyTickets.Tickets[0].TicketID
		steps = append(steps, step{"explain, user and ticket", "≤ 10 ms", func() error {
			_, err := svc.Explain(ctx, wire.ExplainRequest{User: busy, Ticket: tid, Settings: studio.Live, Now: now})
			return err
		}})
	}
	// Search words by how many of the shared Customer tickets hold them.
	for _, w := range []struct{ word, goal string }{
		// Issue 10's goals are for a rare word, one in 15% and one in 50%
		// of the tickets; "the" (nearly all) has none.
		{"montréal", "≤ 5 ms"}, {"account", "≤ 20 ms"}, {"thanks", "≤ 50 ms"}, {"the", ""},
	} {
		w := w
		n, err := ws.TicketsMatching(ctx, w.word)
		if err != nil {
			return err
		}
		steps = append(steps, step{fmt.Sprintf("search %q (%.0f%% of portal tickets)", w.word, 100*float64(n)/float64(max(rep.Dataset.PortalTickets, 1))), w.goal, func() error {
			_, err := svc.Preview(ctx, wire.PreviewRequest{User: busy, Tab: portal.TabAll, Search: w.word, Settings: studio.Live, Now: now})
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
	rep.Results[0].Note = fmt.Sprintf("%d users match", counted["typical SQL"])
	rep.Results[1].Note = fmt.Sprintf("%d users match", counted["hard SQL"])
	for i := range rep.Results {
		if strings.HasPrefix(rep.Results[i].Name, "impact") {
			rep.Results[i].Note = fmt.Sprintf("%d users change", counted["impact SQL"])
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rep.HeapMB = float64(m.HeapInuse) / (1 << 20)
	runtime.GC()
	runtime.ReadMemStats(&m)
	rep.LiveHeapMB = float64(m.HeapInuse) / (1 << 20)
	if *f.json {
		return printJSON(env.Stdout, rep)
	}
	w := env.Stdout
	fmt.Fprintf(w, "Workspace %s: %d users, %d companies, %d tickets (%s, %s)\n", rep.Workspace, rep.Dataset.Users, rep.Dataset.Companies, rep.Dataset.Tickets, rep.Machine, rep.Date)
	if rep.BuildSecs > 0 {
		fmt.Fprintf(w, "Built in %.1f s\n", rep.BuildSecs)
	}
	fmt.Fprintf(w, "Open to first count: %.1f ms (SQL path)\n", rep.OpenMs)
	fmt.Fprintf(w, "In-memory columns: loaded in %.0f ms, %.1f MB (Go heap +%.1f MB)\n", rep.ColumnsLoadMs, rep.ColumnsMB, rep.ColumnsHeapMB)
	fmt.Fprintf(w, "%-48s %10s %10s  %s\n", "hot path", "median ms", "min ms", "goal")
	fmt.Fprintln(w, strings.Repeat("-", 84))
	for _, r := range rep.Results {
		goal := r.Goal
		if r.Met != nil && !*r.Met {
			goal += " NOT MET"
		}
		fmt.Fprintf(w, "%-48s %10.2f %10.2f  %s %s\n", r.Name, r.Median, r.Min, goal, r.Note)
	}
	fmt.Fprintf(w, "\nEvery operator, one condition each (the goal is the running app's: the columns)\n")
	fmt.Fprintf(w, "%-58s %9s %9s %9s  %s\n", "condition", "users", "SQL ms", "cols ms", "goal")
	fmt.Fprintln(w, strings.Repeat("-", 100))
	for _, op := range rep.Operators {
		goal := fmt.Sprintf("≤ %g ms", op.GoalMs)
		if !op.Met {
			goal += " NOT MET"
		}
		fmt.Fprintf(w, "%-58s %9d %9.2f %9.2f  %s\n", op.Rule, op.Matches, op.SQL, op.Columns, goal)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Go heap in use: %.1f MB; live after a GC: %.1f MB (goal ≤ 150 MB beyond SQLite's page cache)\n", rep.HeapMB, rep.LiveHeapMB)
	fmt.Fprintf(w, "Typical rule: %s\nHard rule: %s\n", rep.Rules["typical"], rep.Rules["hard"])
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// goalMs reads a goal such as "≤ 5 ms" or "< 0.5 ms" (0 when there is none).
func goalMs(goal string) float64 {
	var v float64
	g := strings.TrimSpace(strings.TrimLeft(goal, "<≤ "))
	if _, err := fmt.Sscanf(g, "%g ms", &v); err != nil {
		return 0
	}
	return v
}
