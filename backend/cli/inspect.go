package cli

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

func runAudience(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("audience", env)
	of := f.String("of", "access", "access (who may open the portal) or visibility (who is restricted)")
	limit := f.Int("limit", 20, "how many users to list")
	which := f.String("settings", studio.Draft, "draft or live")
	listOnly := f.Bool("list-only", false, "list the first users without counting them all (faster on a large workspace)")
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	if err := oneOf("audience", "of", *of, studio.OfAccess, studio.OfVisibility); err != nil {
		return err
	}
	if err := oneOf("audience", "settings", *which, studio.Draft, studio.Live); err != nil {
		return err
	}
	if *limit < 1 || *limit > 1000 {
		return usagef("audience: --limit must be from 1 to 1000")
	}
	svc, done, err := f.existing()
	if err != nil {
		return err
	}
	defer done()
	res, err := svc.Audience(ctx, wire.AudienceRequest{Of: *of, Settings: *which, Limit: *limit, ListOnly: *listOnly})
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, res)
	}
	what := "match the access rule"
	if res.Of == studio.OfVisibility {
		what = "are restricted to their own tickets"
	}
	if res.Count < 0 {
		fmt.Fprintf(env.Stdout, "The first %d user(s) who %s (not counted).\n", len(res.Users), what)
	} else {
		fmt.Fprintf(env.Stdout, "%d user(s) %s.\n", res.Count, what)
	}
	if res.Note != "" {
		fmt.Fprintln(env.Stdout, res.Note)
	} else {
		fmt.Fprintf(env.Stdout, "Rule: %s\n", res.Sentence)
	}
	for _, u := range res.Users {
		fmt.Fprintf(env.Stdout, "  %-28s %-40s %s\n", u.ID, u.Email, u.Name)
	}
	if res.Count >= 0 && len(res.Users) < res.Count {
		fmt.Fprintf(env.Stdout, "  … and %d more\n", res.Count-len(res.Users))
	}
	return nil
}

func runPreview(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("preview", env)
	user := f.String("user", "", "the user: email, id or external_id")
	tab := f.String("tab", "", "all or mine (default: the user's first tab)")
	search := f.String("search", "", "search the tab's tickets")
	cursor := f.String("cursor", "", "the next page, from a previous answer")
	limit := f.Int("limit", 20, "tickets per page (at most 200)")
	nowFlag := f.String("now", "", "the time of the preview, RFC 3339 (default: now)")
	which := f.String("settings", studio.Draft, "draft or live")
	filterFlags := map[string]*string{}
	for _, fl := range []struct{ name, usage string }{
		{portal.ParamState, "state categories, comma-separated: submitted, in_progress, waiting_on_customer, resolved"},
		{portal.ParamType, "ticket type ids, comma-separated"},
		{portal.ParamCreatedAfter, "tickets created at or after: YYYY-MM-DD (UTC) or RFC 3339"},
		{portal.ParamCreatedBefore, "tickets created before: YYYY-MM-DD (UTC) or RFC 3339"},
		{portal.ParamSort, "updated (default) or created; a search without it is best first"},
		{portal.ParamOrder, "desc (default) or asc"},
	} {
		filterFlags[fl.name] = f.String(strings.ReplaceAll(fl.name, "_", "-"), "", fl.usage)
	}
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	if *user == "" {
		return usagef("preview: --user EMAIL_OR_ID is required")
	}
	// The filters read as the portal API's query parameters: one parser,
	// one set of sentences.
	params := url.Values{}
	for name, v := range filterFlags {
		params.Set(name, *v)
	}
	filter, err := portal.ParseTicketFilter(params)
	if err != nil {
		return err
	}
	if *limit < 1 || *limit > 200 {
		return usagef("preview: --limit must be from 1 to 200")
	}
	if *tab != "" {
		if err := oneOf("preview", "tab", *tab, portal.TabAll, portal.TabMine); err != nil {
			return err
		}
	}
	if err := oneOf("preview", "settings", *which, studio.Draft, studio.Live); err != nil {
		return err
	}
	var now time.Time
	if *nowFlag != "" {
		var err error
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return usagef("preview: --now must be an RFC 3339 time such as 2026-11-25T10:00:00Z")
		}
	}
	svc, done, err := f.existing()
	if err != nil {
		return err
	}
	defer done()
	res, err := svc.Preview(ctx, wire.PreviewRequest{User: *user, Tab: *tab, Search: *search, Cursor: *cursor, Limit: *limit, Settings: *which, Now: now,
		TicketFilter: filter})
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, res)
	}
	printPreview(env, res)
	return nil
}

var tabNames = map[string]string{portal.TabAll: "All", portal.TabMine: "Created by me"}

func printPreview(env *Env, res *wire.PreviewResult) {
	w := env.Stdout
	u := res.User
	fmt.Fprintf(w, "%s <%s> (id %s)\n", u.Name, u.Email, u.ID)
	if len(u.Companies) == 0 {
		fmt.Fprintln(w, "Companies: none")
	} else {
		names := make([]string, len(u.Companies))
		for i, c := range u.Companies {
			names[i] = c.Name
			if names[i] == "" {
				names[i] = c.ID + " (not in the workspace)"
			}
		}
		fmt.Fprintf(w, "Companies: %s\n", strings.Join(names, ", "))
	}
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(w, "Access: %s. %s\n", yes[res.Access], res.AccessSentence)
	if !res.Access {
		fmt.Fprintln(w, "The portal shows this user \"You don't have access\".")
		return
	}
	fmt.Fprintf(w, "Restricted to own tickets: %s. %s\n", yes[res.Restricted], res.RestrictedSentence)
	tabs := make([]string, len(res.Tabs))
	for i, t := range res.Tabs {
		tabs[i] = tabNames[t]
	}
	fmt.Fprintf(w, "Tabs: %s\n\n", strings.Join(tabs, ", "))
	if res.Search != "" {
		fmt.Fprintf(w, "%s, search %q: %d ticket(s)\n", tabNames[res.Tab], res.Search, res.Total)
	} else {
		fmt.Fprintf(w, "%s: %d ticket(s)\n", tabNames[res.Tab], res.Total)
	}
	if v := res.Filter.Values(); len(v) > 0 {
		fmt.Fprintf(w, "Filters: %s\n", filterText(v))
	}
	printFacets(w, res.Facets)
	for _, t := range res.Tickets {
		at := t.UpdatedAt // the date of the sort: last update, or creation
		if res.Filter.Sort == portal.SortCreated {
			at = t.CreatedAt
		}
		fmt.Fprintf(w, "  #%-8s %-60s %-16s %s\n", t.TicketID, clip(t.Title, 60), t.State, at.Format("2006-01-02 15:04"))
		if t.Preview != nil {
			fmt.Fprintf(w, "            %s — %s, %s\n", terminalSnippet(t.Preview.Snippet), t.Preview.Author, t.Preview.Ago)
		}
	}
	if res.Next != "" {
		fmt.Fprintf(w, "More: --cursor %s\n", res.Next)
	}
}

// filterText is a filter as the preview's flags: --state resolved --sort created.
func filterText(v url.Values) string {
	var out []string
	for _, name := range portal.FilterParams {
		if x := v.Get(name); x != "" {
			out = append(out, "--"+strings.ReplaceAll(name, "_", "-")+" "+x)
		}
	}
	return strings.Join(out, " ")
}

// printFacets prints the counts per state and per type, each with the
// other filters applied.
func printFacets(w io.Writer, fc wire.Facets) {
	states := make([]string, 0, len(portal.StateCategories))
	for _, s := range portal.StateCategories {
		states = append(states, fmt.Sprintf("%s %d", s, fc.State[s]))
	}
	fmt.Fprintf(w, "By state: %s\n", strings.Join(states, ", "))
	if len(fc.Type) > 0 {
		types := make([]string, 0, len(fc.Type))
		for _, t := range fc.Type {
			types = append(types, fmt.Sprintf("%s (%s) %d", t.Name, t.ID, t.Count))
		}
		fmt.Fprintf(w, "By type: %s\n", strings.Join(types, ", "))
	}
}

// terminalSnippet renders a snippet's HTML as text: entities decoded and
// the matched words in *stars*.
func terminalSnippet(s string) string {
	s = strings.NewReplacer("<mark>", "*", "</mark>", "*").Replace(s)
	return html.UnescapeString(s)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runDiff(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("diff", env)
	if _, err := parse(f.FlagSet, args, 0); err != nil {
		return err
	}
	svc, done, err := f.existing()
	if err != nil {
		return err
	}
	defer done()
	res, err := svc.Diff(ctx)
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, res)
	}
	if !res.Changed {
		fmt.Fprintf(env.Stdout, "The draft is the same as the live settings (version %d).\n", res.LiveVersion)
		return nil
	}
	// The changes in sentences, then the lines.
	for _, l := range res.Summary {
		fmt.Fprintln(env.Stdout, l)
	}
	if len(res.Summary) > 0 {
		fmt.Fprintln(env.Stdout)
	}
	fmt.Fprint(env.Stdout, res.Unified)
	return nil
}
