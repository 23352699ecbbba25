package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// groupTitles name the impact groups for people.
var groupTitles = map[string]string{
	portal.GainAccess:         "Gain access",
	portal.LoseAccess:         "Lose access",
	portal.BecomeRestricted:   "Become restricted to their own tickets",
	portal.BecomeUnrestricted: "Become unrestricted (see all company tickets)",
}

func runImpact(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("impact", env)
	limit := f.Int("limit", 20, "how many users to list per group (0 to 1000)")
	offset := f.Int("offset", 0, "skip that many users of each group (paging)")
	group := f.String("group", "", "list the users of this group only: "+strings.Join(portal.ImpactGroups, ", "))
	user := f.String("user", "", "how the draft changes this user's portal (email, id or external_id)")
	tickets := f.Bool("tickets", false, "count each listed user's tickets before and after")
	nowFlag := f.String("now", "", "the time rules are evaluated at, RFC 3339 (default: now)")
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	if *limit < 0 || *limit > 1000 {
		return usagef("impact: --limit must be from 0 to 1000")
	}
	if *offset < 0 {
		return usagef("impact: --offset must not be negative")
	}
	if *group != "" {
		if err := oneOf("impact", "group", *group, portal.ImpactGroups...); err != nil {
			return err
		}
	}
	now, err := nowOf("impact", *nowFlag)
	if err != nil {
		return err
	}
	svc, done, err := f.existing()
	if err != nil {
		return err
	}
	defer done()
	if *user != "" {
		res, err := svc.UserImpact(ctx, wire.UserImpactRequest{User: *user, Now: now})
		if err != nil {
			return err
		}
		if *f.json {
			return printJSON(env.Stdout, res)
		}
		w := env.Stdout
		name := res.User.Email
		if name == "" {
			name = res.User.ID
		}
		fmt.Fprintf(w, "%s: %s under live, %s under the draft", name, stateWords[res.Before], stateWords[res.After])
		if res.Group == "" {
			fmt.Fprintln(w, " (unchanged).")
		} else {
			fmt.Fprintf(w, " (%s).\n", res.Group)
		}
		fmt.Fprintf(w, "Tickets seen: %d under live, %d under the draft (gains %d, loses %d).\n", res.TicketsBefore, res.TicketsAfter, res.Gained, res.Lost)
		return nil
	}
	res, err := svc.Impact(ctx, wire.ImpactRequest{Group: *group, Limit: *limit, Offset: *offset, Tickets: *tickets, Now: now})
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, res)
	}
	printImpact(env, res, *group)
	return nil
}

var stateWords = map[string]string{portal.StateNone: "no access", portal.StateAll: "all company tickets", portal.StateOwn: "own tickets only"}

func printImpact(env *Env, res *wire.ImpactResult, only string) {
	w := env.Stdout
	fmt.Fprintf(w, "Draft against live (version %d), %s users:\n", res.LiveVersion, studio.Thousands(res.Users))
	fmt.Fprintln(w, res.Summary)
	fmt.Fprintf(w, "  live:  %s no access, %s all company tickets, %s own tickets only\n", studio.Thousands(res.Before.None), studio.Thousands(res.Before.All), studio.Thousands(res.Before.Own))
	fmt.Fprintf(w, "  draft: %s no access, %s all company tickets, %s own tickets only\n", studio.Thousands(res.After.None), studio.Thousands(res.After.All), studio.Thousands(res.After.Own))
	for _, g := range portal.ImpactGroups {
		grp := res.Group(g)
		if only != "" && only != g {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s): %s\n", groupTitles[g], g, grp.Sentence)
		for _, u := range grp.Users {
			line := fmt.Sprintf("  %-28s %-40s %s", u.ID, u.Email, u.Name)
			if u.TicketsBefore != nil {
				line += fmt.Sprintf("  tickets %d → %d", *u.TicketsBefore, *u.TicketsAfter)
			}
			if u.Sentence != "" {
				line += "\n      " + u.Sentence
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
		if shown := grp.Offset + len(grp.Users); shown < grp.Count && len(grp.Users) > 0 {
			fmt.Fprintf(w, "  … and %s more (--group %s --offset %d)\n", studio.Thousands(grp.Count-shown), g, shown)
		}
	}
}

// nowOf reads a --now flag (zero when empty).
func nowOf(cmd, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, usagef("%s: --now must be an RFC 3339 time such as 2026-11-25T10:00:00Z", cmd)
	}
	return t, nil
}
