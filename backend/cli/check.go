package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// runCheck runs the portal tests (no subcommand, or "run"), or edits
// them: add, remove, list, import.
func runCheck(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("check", env)
	which := f.String("settings", studio.Draft, "with run: check the draft or the live settings")
	nowFlag := f.String("now", "", "the time rules are evaluated at, RFC 3339 (default: now)")
	pos, err := parse(f.FlagSet, args, -1)
	if err != nil {
		return err
	}
	sub := "run"
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	switch sub {
	case "run", "add", "remove", "list", "import":
	default:
		return usagef("check: unknown subcommand %q; use run, add, remove, list or import", sub)
	}
	if err := oneOf("check", "settings", *which, studio.Draft, studio.Live); err != nil {
		return err
	}
	now, err := nowOf("check", *nowFlag)
	if err != nil {
		return err
	}
	switch {
	case (sub == "run" || sub == "list") && len(pos) > 0:
		return usagef("check %s: unexpected argument %q", sub, pos[0])
	case (sub == "add" || sub == "remove") && len(pos) == 0:
		if sub == "add" {
			return usagef("check add: give each portal test as one argument, e.g. 'alice@examply.com can access'")
		}
		return usagef("check remove: give the ids of the tests to remove (check list shows them)")
	case sub == "import" && len(pos) != 1:
		return usagef("check import: give one FILE (- for stdin)")
	}
	var ids []int
	if sub == "remove" {
		for _, p := range pos {
			id, err := strconv.Atoi(strings.TrimPrefix(p, "#"))
			if err != nil || id <= 0 {
				return usagef("check remove: %q is not a test id (check list shows them)", p)
			}
			ids = append(ids, id)
		}
	}
	var doc []byte
	if sub == "import" {
		if pos[0] == "-" {
			doc, err = io.ReadAll(env.Stdin)
		} else {
			doc, err = os.ReadFile(pos[0])
		}
		if err != nil {
			return portal.Errorf(portal.ENOTFOUND, "cannot read %s: %v", pos[0], errReason(err))
		}
	}
	svc, done, err := f.existing()
	if err != nil {
		return err
	}
	defer done()
	var list *wire.CheckList
	switch sub {
	case "run":
		return runChecks(ctx, env, svc, *which, *f.json, now)
	case "add":
		list, err = svc.AddChecks(ctx, pos)
	case "remove":
		list, err = svc.RemoveChecks(ctx, ids)
	case "list":
		list, err = svc.Checks(ctx)
	case "import":
		list, err = svc.ImportChecks(ctx, doc)
	}
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, list)
	}
	if len(list.Checks) == 0 {
		fmt.Fprintln(env.Stdout, "No portal tests yet; add one with portalstudio check add 'alice@examply.com can access'.")
		return nil
	}
	for _, c := range list.Checks {
		fmt.Fprintf(env.Stdout, "%4d  %s\n", c.ID, c.Text)
	}
	return nil
}

func runChecks(ctx context.Context, env *Env, svc *studio.Service, which string, jsonOut bool, now time.Time) error {
	st, err := svc.Settings(ctx, which)
	if err != nil {
		return err
	}
	rep, err := svc.CheckSettings(ctx, st, which, now)
	if err != nil {
		return err
	}
	if jsonOut {
		if err := printJSON(env.Stdout, rep); err != nil {
			return err
		}
	} else {
		printCheckReport(env.Stdout, rep)
	}
	if rep.Failed > 0 {
		return portal.Errorf(portal.EPRECONDITION, "%d of %d portal tests fail against the %s settings", rep.Failed, len(rep.Results), rep.Settings)
	}
	return nil
}

func printCheckReport(w io.Writer, rep *wire.CheckReport) {
	if len(rep.Results) == 0 {
		fmt.Fprintln(w, "No portal tests yet; add one with portalstudio check add 'alice@examply.com can access'.")
		return
	}
	for _, o := range rep.Results {
		mark := "PASS"
		if !o.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s  %4d  %s\n            %s\n", mark, o.ID, o.Text, o.Message)
	}
	fmt.Fprintf(w, "%d passed, %d failed (%s settings).\n", rep.Passed, rep.Failed, rep.Settings)
}
