package cli

import (
	"context"
	"fmt"
	"strings"

	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

func runExplain(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("explain", env)
	user := f.String("user", "", "the user: email, id or external_id")
	ticket := f.String("ticket", "", "the ticket: its id or its number")
	which := f.String("settings", studio.Draft, "draft or live")
	nowFlag := f.String("now", "", "the time rules are evaluated at, RFC 3339 (default: now)")
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	if *user == "" || *ticket == "" {
		return usagef("explain: --user EMAIL_OR_ID and --ticket ID_OR_NUMBER are required")
	}
	if err := oneOf("explain", "settings", *which, studio.Draft, studio.Live); err != nil {
		return err
	}
	now, err := nowOf("explain", *nowFlag)
	if err != nil {
		return err
	}
	svc, done, err := f.existing()
	if err != nil {
		return err
	}
	defer done()
	res, err := svc.Explain(ctx, wire.ExplainRequest{User: *user, Ticket: *ticket, Settings: *which, Now: now})
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, res)
	}
	w := env.Stdout
	fmt.Fprintln(w, res.Verdict)
	fmt.Fprintf(w, "(%s settings)\n", res.Settings)
	for _, s := range res.Steps {
		mark := "✗"
		if s.OK {
			mark = "✓"
		}
		fmt.Fprintf(w, "  %s %-11s %s\n", mark, s.Step, strings.ReplaceAll(s.Sentence, "\n", " "))
	}
	return nil
}
