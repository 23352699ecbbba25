package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

func runSync(ctx context.Context, env *Env, args []string) error {
	f := newCommandFlags("sync", env)
	serverURL := f.String("server", "", "the portal server's URL (remembered after the first sync)")
	token := f.String("token", "", "the server's admin token; other users of this machine can see it in ps: prefer --token-file or "+remote.TokenEnv+" (the token is remembered for this server after the first sync, in the OS keyring or <workspace>.token)")
	tokenFile := f.String("token-file", "", "read the admin token from this file (the server's <data>/admin-token); without --token and --token-file the token comes from "+remote.TokenEnv+", else the one saved for the server")
	insecure := f.Bool("insecure", false, "allow plain http:// to a server on another machine (the admin token crosses the network unencrypted); without it http:// is for 127.0.0.1, ::1 and localhost only")
	data := f.Bool("data", false, "with pull: also replace the local dataset with the server's")
	take := f.String("take", "", "with push: resolve every conflict with the draft or the live settings (draft or live)")
	override := f.Bool("override-checks", false, "with push: push even when portal tests fail (they run before every push)")
	database := f.String("database", "", "with pull and --server: pull into this PostgreSQL database (a connection string) instead of a workspace file: moves a server's dataset and live settings into the database a `serve --database` serves; with pull and --workspace (no --server): pull from this database into the workspace file: moves a workspace back")
	slug := f.String("slug", "", "with pull --database --workspace: the database's workspace to pull (needed when it holds several)")
	pos, err := parse(f.FlagSet, args, -1)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "pull" && pos[0] != "push") {
		if len(pos) > 1 {
			return usagef("sync: unexpected argument %q", pos[1])
		}
		return usagef("sync: say pull or push")
	}
	sub := pos[0]
	if *take != "" {
		if sub != "push" {
			return usagef("sync pull: --take is for push")
		}
		if err := oneOf("sync push", "take", *take, remote.TakeDraft, remote.TakeLive); err != nil {
			return err
		}
	}
	if *override && sub != "push" {
		return usagef("sync pull: --override-checks is for push")
	}
	if *data && sub != "pull" {
		return usagef("sync push: --data is for pull")
	}
	if *token != "" && *tokenFile != "" {
		return usagef("sync: give --token or --token-file, not both")
	}
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return portal.Errorf(portal.ENOTFOUND, "cannot read %s: %v", *tokenFile, errReason(err))
		}
		*token = strings.TrimSpace(string(b))
	}
	if *token == "" {
		*token = strings.TrimSpace(os.Getenv(remote.TokenEnv))
	}
	if *slug != "" && (*database == "" || *f.workspace == "" || *serverURL != "") {
		return usagef("sync: --slug is for pull --database URL --workspace FILE (moving a workspace back from a database)")
	}
	if *database != "" && *f.workspace != "" && *serverURL == "" {
		return pullFromDatabase(ctx, env, f, sub, *database, *slug, *data)
	}
	if *database != "" {
		return pullIntoDatabase(ctx, env, *f.json, sub, *database, *f.workspace, *serverURL, *token, *insecure, *data)
	}
	ws, err := f.openStore()
	if err != nil {
		return err
	}
	defer ws.Close()
	aud := oneShotAudiences(f.env, ws)
	defer aud.Close()
	svc := studio.New(ws, aud)
	vault := remote.VaultOf(ws)
	saved, err := remote.LoadCredentialsFrom(ctx, ws, vault)
	if err != nil {
		return err
	}
	if *serverURL == "" {
		*serverURL = saved.Server
	}
	if *serverURL == "" {
		return usagef("sync %s: no server: pass --server URL (it is remembered after the first sync)", sub)
	}
	if *token == "" {
		if *token, err = savedToken(sub, saved, *serverURL); err != nil {
			return err
		}
	}
	client, err := remote.NewClientWith(*serverURL, *token, remote.ClientOptions{Insecure: *insecure})
	if err != nil {
		return err
	}
	// remember keeps the server and token after a successful sync and
	// says where the token went ("" when they were remembered already).
	remember := func() (string, error) {
		if saved.Bound && saved.Server == client.URL && saved.TokenServer == client.URL && saved.Token == client.Token {
			return "", nil
		}
		return remote.SaveCredentialsIn(ctx, ws, vault, client.URL, client.Token)
	}
	if sub == "pull" {
		return syncPull(ctx, env, *f.json, ws, client, remember, *data)
	}
	return syncPush(ctx, env, *f.json, svc, ws, client, remember, remote.PushOptions{Take: *take, OverrideChecks: *override})
}

// savedToken returns the token saved for server. A token saved for
// another server is never sent to this one: the command asks for this
// server's token instead.
func savedToken(sub string, saved remote.Credentials, server string) (string, error) {
	if tok := saved.TokenFor(server); tok != "" {
		return tok, nil
	}
	if saved.Token != "" {
		return "", usagef("sync %s: the saved admin token belongs to %s; give the token of %s with --token-file (or %s)", sub, saved.TokenServer, server, remote.TokenEnv)
	}
	return "", usagef("sync %s: no admin token: give it with --token-file or %s (it is remembered for the server after the first sync)", sub, remote.TokenEnv)
}

func syncPull(ctx context.Context, env *Env, jsonOut bool, ws remote.Local, client *remote.Client, remember func() (string, error), data bool) error {
	opt := remote.PullOptions{Data: data}
	var bar *progressbar.ProgressBar
	if data {
		opt.Progress = func(n, total int) {
			if bar == nil {
				if bar = newBar(env, jsonOut, int64(total), "snapshot"); bar == nil {
					return
				}
			}
			bar.Set(n)
		}
	}
	res, err := remote.Pull(ctx, ws, client, opt)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	where, err := remember()
	if err != nil {
		return err
	}
	if jsonOut {
		return printJSON(env.Stdout, syncJSON("pull", res, where))
	}
	w := env.Stdout
	fmt.Fprintf(w, "Pulled the live settings, version %d, from %s (the live copy was version %d).\n", res.LiveVersion, res.Server, res.PreviousVersion)
	if res.DraftFollowed {
		fmt.Fprintln(w, "The draft had no local edits and now equals the live settings.")
	} else {
		fmt.Fprintf(w, "The draft has local edits and was kept as it is; `portalstudio diff` shows it against the new live settings, and `sync push` merges it.\n")
	}
	if res.PortalURL != "" {
		fmt.Fprintf(w, "The server's portal is at %s.\n", res.PortalURL)
	}
	if res.Data != nil {
		fmt.Fprintf(w, "Replaced the dataset with the server's: %d contacts, %d companies, %d tickets (%d parts).\n", res.Data.Contacts, res.Data.Companies, res.Data.Tickets, res.Data.Parts)
	}
	tokenNote(w, where)
	return nil
}

func syncPush(ctx context.Context, env *Env, jsonOut bool, svc *studio.Service, ws remote.Local, client *remote.Client, remember func() (string, error), opt remote.PushOptions) error {
	// Every push runs the portal tests on what it sends, and says whom it
	// affects (against the live copy the draft is compared with).
	opt.Check = func(ctx context.Context, st *portal.Settings) (*wire.CheckReport, error) {
		return svc.CheckSettings(ctx, st, "pushed", time.Time{})
	}
	impact, err := svc.Impact(ctx, wire.ImpactRequest{Limit: 0})
	if err != nil {
		return err
	}
	res, err := remote.Push(ctx, ws, client, opt)
	if err != nil {
		if res != nil && (res.Merge != nil || res.Checks != nil) {
			if jsonOut {
				if perr := printJSON(env.Stdout, map[string]any{"push": res, "impact": impact}); perr != nil {
					return perr
				}
			} else {
				if res.Merge != nil {
					printMerge(env.Stdout, res)
				}
				if res.Checks != nil && res.Checks.Failed > 0 {
					printCheckFailures(env.Stdout, res.Checks)
				}
			}
		}
		return err
	}
	where, err := remember()
	if err != nil {
		return err
	}
	if jsonOut {
		out := syncJSON("push", res, where)
		if !res.NothingToPush {
			out["impact"] = impact
		}
		return printJSON(env.Stdout, out)
	}
	w := env.Stdout
	if !res.NothingToPush {
		fmt.Fprintln(w, strings.Replace(impact.Summary, "This change", "This push", 1))
	}
	if res.Checks != nil && len(res.Checks.Results) > 0 {
		if res.ChecksOverridden {
			printCheckFailures(w, res.Checks)
			fmt.Fprintf(w, "Pushed anyway (--override-checks): %d of %d portal tests fail.\n", res.Checks.Failed, len(res.Checks.Results))
		} else {
			fmt.Fprintf(w, "All %d portal tests pass.\n", len(res.Checks.Results))
		}
	}
	switch {
	case res.NothingToPush:
		fmt.Fprintf(w, "The draft has no edits against the live settings (version %d): nothing to push.\n", res.BaseVersion)
	case res.Merge != nil:
		printMerge(w, res)
		if res.Pushed {
			fmt.Fprintf(w, "Merged the draft with the server's version %d and pushed it: the live settings are now version %d.\n", res.LiveVersion, res.Version)
		} else {
			fmt.Fprintf(w, "Everything the draft changed is live already (version %d).\n", res.Version)
		}
	default:
		fmt.Fprintf(w, "Pushed the draft: the live settings are now version %d (it was based on version %d).\n", res.Version, res.BaseVersion)
	}
	tokenNote(w, where)
	return nil
}

// printCheckFailures lists the failed portal tests, each with why.
func printCheckFailures(w io.Writer, rep *wire.CheckReport) {
	for _, o := range rep.Failures() {
		fmt.Fprintf(w, "FAIL  %4d  %s\n            %s\n", o.ID, o.Text, o.Message)
	}
}

// summaryLines are a change summary's sentences, one a line, then a
// blank line; nothing when it is empty.
func summaryLines(summary []string) string {
	if len(summary) == 0 {
		return ""
	}
	return strings.Join(summary, "\n") + "\n\n"
}

// printMerge shows a push's three-way merge: the two diffs from the
// common base, the changes taken and the conflicts.
func printMerge(w io.Writer, res *wire.PushResult) {
	m := res.Merge
	fmt.Fprintf(w, "The server's live settings moved on from version %d to %d while the draft was edited.\n\n", res.BaseVersion, res.LiveVersion)
	fmt.Fprintf(w, "What changed on the server:\n%s%s\n", summaryLines(m.LiveSummary), orNothing(m.LiveDiff))
	fmt.Fprintf(w, "What changed in the draft:\n%s%s\n", summaryLines(m.DraftSummary), orNothing(m.DraftDiff))
	for _, c := range m.Changes {
		who := "your draft"
		if c.Side == remote.TakeLive {
			who = "the server"
		}
		fmt.Fprintf(w, "merged: %s, as changed by %s: %s\n", c.Path, who, c.To)
	}
	for _, c := range m.Conflicts {
		fmt.Fprintf(w, "conflict: %s: live %s, draft %s (was %s)\n", c.Path, c.Live, c.Draft, c.Base)
	}
}

func orNothing(diff string) string {
	if diff == "" {
		return "(nothing)\n"
	}
	return diff
}

func tokenNote(w io.Writer, where string) {
	switch where {
	case remote.InKeyring:
		fmt.Fprintln(w, "The server and its admin token are remembered for this workspace (the token in the OS keyring).")
	case remote.InFile:
		fmt.Fprintln(w, "The server and its admin token are remembered for this workspace (the token in <workspace>.token, mode 0600).")
	}
}

// syncJSON is the --json answer of a sync: the result under its name and,
// when the token was just saved, where.
func syncJSON(name string, res any, where string) map[string]any {
	out := map[string]any{name: res}
	if where != "" {
		out["token_saved_in"] = where
	}
	return out
}

// pullIntoDatabase pulls a server's live settings (and with data its
// dataset) into a PostgreSQL database: how a workspace moves from one
// server to replicas on PostgreSQL. Nothing is remembered (a database has
// no keyring entry nor token file beside it).
func pullIntoDatabase(ctx context.Context, env *Env, jsonOut bool, sub, database, workspace, serverURL, token string, insecure, data bool) error {
	switch {
	case sub != "pull":
		return usagef("sync push: --database is for pull (a server on the database takes pushes itself)")
	case workspace != "":
		return usagef("sync pull: pull from --server into --database, or from --database into --workspace; not all three")
	case serverURL == "":
		return usagef("sync pull --database: pass --server URL, the server to pull from")
	case token == "":
		return usagef("sync pull --database: give the server's admin token with --token-file or %s", remote.TokenEnv)
	}
	client, err := remote.NewClientWith(serverURL, token, remote.ClientOptions{Insecure: insecure})
	if err != nil {
		return err
	}
	pg, err := postgres.Open(ctx, database, postgres.Options{})
	if err != nil {
		return err
	}
	defer pg.Close()
	return syncPull(ctx, env, jsonOut, pg, client, func() (string, error) { return "", nil }, data)
}

// pullFromDatabase pulls a workspace of a PostgreSQL database (its live
// settings, its address and, with data, its dataset) into a workspace
// file, reading the database itself: how a workspace moves back from
// replicas on PostgreSQL to one file, with or without a server running.
// slug names the workspace; without it the database must hold one.
func pullFromDatabase(ctx context.Context, env *Env, f flags, sub, database, slug string, data bool) error {
	if sub != "pull" {
		return usagef("sync push: --database is for pull (a server on the database takes pushes itself)")
	}
	cat, err := postgres.OpenCatalog(ctx, database, postgres.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	if slug == "" {
		list, err := cat.Workspaces(ctx)
		if err != nil {
			return err
		}
		switch len(list) {
		case 0:
			return portal.Errorf(portal.ENOTFOUND, "%s holds no workspace a server has served; nothing to pull", cat.Location())
		case 1:
			slug = list[0].Slug
		default:
			slugs := make([]string, len(list))
			for i, w := range list {
				slugs[i] = w.Slug
			}
			return usagef("sync pull --database: the database holds %d workspaces (%s); say which with --slug", len(list), strings.Join(slugs, ", "))
		}
	}
	pg, err := cat.Open(ctx, slug, postgres.Options{MaxConns: 4})
	if err != nil {
		return err
	}
	defer pg.Close()
	ws, err := f.openStore()
	if err != nil {
		return err
	}
	defer ws.Close()
	opt := remote.PullOptions{Data: data}
	var bar *progressbar.ProgressBar
	if data {
		opt.Progress = func(n, total int) {
			if bar == nil {
				if bar = newBar(env, *f.json, int64(total), "snapshot"); bar == nil {
					return
				}
			}
			bar.Set(n)
		}
	}
	res, err := remote.PullStore(ctx, ws, pg, opt)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(env.Stdout, syncJSON("pull", res, ""))
	}
	w := env.Stdout
	fmt.Fprintf(w, "Pulled the live settings, version %d, of the workspace %s from %s into %s (its live copy was version %d).\n", res.LiveVersion, slug, res.Server, ws.Location(), res.PreviousVersion)
	if res.DraftKept {
		fmt.Fprintf(w, "The draft has local edits and was kept as it is; `portalstudio diff` shows it against the new live settings.\n")
	}
	if res.Data != nil {
		fmt.Fprintf(w, "Replaced the dataset with the database's: %d contacts, %d companies, %d tickets (%d parts).\n", res.Data.Contacts, res.Data.Companies, res.Data.Tickets, res.Data.Parts)
	}
	return nil
}
