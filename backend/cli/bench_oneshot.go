package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/internal/benchrules"
)

// The one-shot column of the bench: each hot path run as the command an
// admin's script would run, a child process of this very binary, which
// opens the workspace and maps the audience engine's file. Process
// start-up (measured the same way with `settings show`, which reads the
// workspace but no audience) is subtracted from each median.

// oneShotStep is one command measured as a child process, with the
// draft and live settings it runs under and the running app's result it
// stands beside.
type oneShotStep struct {
	name, goal  string
	app         string // the name of the running app's result
	draft, live *portal.Settings
	args        []string
}

// measureOneShot measures the one-shot commands and the retired SQL
// path's ratio.
func (b *bench) measureOneShot() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	ws := b.rep.Workspace
	run := func(args []string) func() error {
		return func() error {
			out, err := exec.CommandContext(b.ctx, exe, args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("portalstudio %s: %v: %s", strings.Join(args, " "), err, out)
			}
			return nil
		}
	}
	median := func(args []string) (time.Duration, error) {
		if err := run(args)(); err != nil { // warm: the page cache, the file
			return 0, err
		}
		ds, err := timeRuns(b.runs, run(args))
		if err != nil {
			return 0, err
		}
		return ds[len(ds)/2], nil
	}
	start, err := median([]string{"settings", "show", "--workspace", ws, "--json"})
	if err != nil {
		return err
	}
	b.rep.StartMs = ms(start)
	before, after := benchrules.Change()
	with := func(r *portal.Rule) *portal.Settings {
		st := before.Clone()
		st.Access.Rule = r
		return st
	}
	now := b.now.Format(time.RFC3339)
	steps := []oneShotStep{
		{"count, typical rule", "≤ 20 ms", "count, typical rule (columns)", with(benchrules.Typical()), before, []string{"audience", "--limit", "1"}},
		{"count, hard rule", "≤ 50 ms", "count, hard rule (columns)", with(benchrules.Hard()), before, []string{"audience", "--limit", "1"}},
		{"first 50 matching users, typical", "≤ 5 ms", "first 50 matching users, typical (columns)", with(benchrules.Typical()), before, []string{"audience", "--list-only", "--limit", "50"}},
		{"impact of a typical change", "≤ 50 ms", "impact of a typical change (columns)", after, before, []string{"impact", "--limit", "20", "--now", now}},
	}
	return b.withSettings(func(draft, live *portal.Settings) error {
		for _, s := range steps {
			if err := b.putSettings(s.draft, s.live); err != nil {
				return err
			}
			d, err := median(append(s.args, "--workspace", ws, "--json"))
			if err != nil {
				return err
			}
			r := benchResult{Name: s.name, Goal: s.goal, Median: ms(d - start), Runs: b.runs, GoalMs: goalMs(s.goal), Note: s.app}
			met := r.Median <= r.GoalMs
			r.Met = &met
			b.rep.OneShot = append(b.rep.OneShot, r)
		}
		return nil
	})
}

// withSettings runs fn, then puts the draft and the live settings back.
func (b *bench) withSettings(fn func(draft, live *portal.Settings) error) error {
	draft, err := b.ws.Draft(b.ctx)
	if err != nil {
		return err
	}
	live, err := b.ws.Live(b.ctx)
	if err != nil {
		return err
	}
	err = fn(draft, live)
	if perr := b.putSettings(draft, live); err == nil {
		err = perr
	}
	return err
}

// putSettings makes draft the draft and live the live settings.
func (b *bench) putSettings(draft, live *portal.Settings) error {
	doc, err := json.Marshal(draft)
	if err != nil {
		return err
	}
	if _, err := b.ws.ApplyDraft(b.ctx, doc); err != nil {
		return err
	}
	return b.ws.SetLive(b.ctx, live)
}

// printBenchOneShot prints the one-shot commands beside the running app,
// and the retired SQL path's figure once.
func printBenchOneShot(w io.Writer, rep *benchReport) {
	app := map[string]float64{}
	for _, r := range rep.Results {
		app[r.Name] = r.Median
	}
	fmt.Fprintf(w, "\nOne-shot commands (child processes, above their start-up of %.1f ms) beside the running app\n", rep.StartMs)
	fmt.Fprintf(w, "%-36s %14s %14s  %s\n", "hot path", "one-shot ms", "app ms", "one-shot goal")
	fmt.Fprintln(w, strings.Repeat("-", 84))
	for _, r := range rep.OneShot {
		goal := r.Goal
		if r.Met != nil && !*r.Met {
			goal += " NOT MET"
		}
		fmt.Fprintf(w, "%-36s %14.2f %14.2f  %s\n", r.Name, r.Median, app[r.Note], goal)
	}
	if rep.RetiredSQLMs > 0 {
		fmt.Fprintf(w, "The retired SQL path (what a one-shot count ran before the engine), typical rule, last time: %.2f ms;\n", rep.RetiredSQLMs)
		fmt.Fprintf(w, "  the one-shot engine above start-up: %.2f ms (SQL / engine = %.1f)\n", rep.RetiredSQLMs/max(rep.RetiredRatio, 1e-9), rep.RetiredRatio)
	}
}
