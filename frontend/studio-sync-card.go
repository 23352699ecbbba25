package frontend

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
)

// syncCard is "Sync with the portal server": connect with the server's URL
// and admin token, then Pull; Go live (goLiveCard) pushes. A push the
// server refused shows what to resolve: the three-way difference and the
// conflicts with "Keep my draft" / "Take the server's", or the failing
// portal tests with "Push anyway".
type syncCard struct {
	app.Compo

	sync   syncState
	server string
	token  string
	data   bool
}

func (c *syncCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateSync, &c.sync)
	if app.IsClient {
		ctx.NewAction(actionSyncStatus)
	}
}

func (c *syncCard) Render() app.UI {
	s := c.sync
	busy := s.Busy != ""
	var body []app.UI
	switch {
	case s.Info == nil && s.Status != Failed:
		body = append(body, app.P().Class("hint").Body(spinner(), app.Text(" Checking the workspace's portal server…")))
	case !s.connected():
		body = append(body, c.connectForm(busy))
	default:
		body = append(body, c.connected(busy)...)
	}
	if busy {
		body = append(body, app.P().Class("note sync-busy").ID("sync-busy").Body(spinner(), app.Text(" "+c.busyText())))
	}
	if s.Err != nil {
		body = append(body, errorText(s.Err.Message))
	}
	if s.Done != "" && !busy {
		body = append(body, app.P().Class("note ok").ID("sync-done").Text(s.Done))
	}
	if s.Push != nil && s.Push.Result != nil && !busy {
		body = append(body, c.refused(s.Push))
	}
	return app.Div().Class("sync-wrap").Body(card("sync-card", "Sync with the portal server",
		"Pull the server's live settings; Go live pushes the draft to it. When the server moved on meanwhile, nothing is overwritten: you choose.",
		body...))
}

func (c *syncCard) busyText() string {
	switch c.sync.Busy {
	case "connect":
		return "Connecting and pulling the live settings…"
	case "push":
		return "Running the portal tests and pushing the draft…"
	}
	if p := c.sync.Progress; p.Total > 0 {
		return "Pulling the server's dataset: " + formatInt(int(p.Done)) + " of " + formatInt(int(p.Total)) + " records…"
	}
	return "Pulling from the server…"
}

// connectForm asks for the server's URL and admin token.
func (c *syncCard) connectForm(busy bool) app.UI {
	server := c.server
	if server == "" && c.sync.Info != nil {
		server = c.sync.Info.Server
	}
	return app.Div().Class("sync-connect").ID("sync-connect").Body(
		app.P().Class("hint").Text("This workspace is not connected to a portal server yet. The token is kept in the OS keyring (or a file only you can read), never in the settings."),
		app.Label().Class("sync-field").Body(
			app.Span().Class("field-label").Text("Server URL"),
			disabledIf(busy, app.Input().Type("url").ID("sync-server").Placeholder("http://127.0.0.1:8080").Value(server)).
				OnInput(func(ctx app.Context, e app.Event) { c.server = ctx.JSSrc().Get("value").String() }),
		),
		app.Label().Class("sync-field").Body(
			app.Span().Class("field-label").Text("Admin token"),
			disabledIf(busy, app.Input().Type("password").ID("sync-token").Placeholder("the server's <data folder>/admin-token").Value(c.token)).
				OnInput(func(ctx app.Context, e app.Event) { c.token = ctx.JSSrc().Get("value").String() }),
		),
		disabledIf(busy, app.Button().Class("btn btn-primary").ID("sync-connect-btn")).Text("Connect and pull").OnClick(func(ctx app.Context, e app.Event) {
			server := c.server
			if server == "" && c.sync.Info != nil {
				server = c.sync.Info.Server
			}
			ctx.NewActionWithValue(actionSyncConnect, syncConnect{Server: strings.TrimSpace(server), Token: strings.TrimSpace(c.token)})
			c.token = ""
		}),
	)
}

// connected shows the server and Pull; Go live (goLiveCard) pushes.
func (c *syncCard) connected(busy bool) []app.UI {
	info := c.sync.Info
	v := "not pulled yet"
	if info.LiveVersion > 0 {
		v = "version " + itoa(info.LiveVersion)
	}
	out := []app.UI{
		app.P().Class("sync-server").ID("sync-server-line").Body(
			app.Text("Connected to "), app.Strong().Text(info.Server), app.Text(" · live settings "+v+"."),
		),
	}
	out = append(out, app.Div().Class("sync-actions").Body(
		disabledIf(busy, app.Button().Class("btn").ID("sync-pull")).Text("Pull").OnClick(func(ctx app.Context, e app.Event) {
			ctx.NewActionWithValue(actionSyncPull, c.data)
		}),
		app.Label().Class("sync-data").Title("Also replace the local dataset with the server's, for previewing offline").Body(
			disabledIf(busy, checkedIf(c.data, app.Input().Type("checkbox").ID("sync-with-data"))).OnChange(func(ctx app.Context, e app.Event) {
				c.data = ctx.JSSrc().Get("checked").Bool()
			}),
			app.Text(" with the dataset"),
		),
	))
	return out
}

// refused shows why a push was refused and how to go on.
func (c *syncCard) refused(a *SyncPushAnswer) app.UI {
	r := a.Result
	var parts []app.UI
	code := ""
	if a.Refused != nil {
		code = a.Refused.Code
	}
	if m := r.Merge; m != nil && len(m.Conflicts) > 0 && code == codeConflict {
		parts = append(parts,
			app.P().Class("error").Role("alert").ID("sync-conflict").Text("The live settings changed on the server (version "+itoa(r.LiveVersion)+
				") where your draft changed them too. Nothing was changed, here or there: choose which side to keep."),
			// What each side changed since the draft's base, in sentences
			// (backend/portal/words), then each conflict in words; the line
			// diffs of the documents stay below for the details.
			app.Div().Class("sync-summaries").Body(
				changeList("sync-live-summary", "What changed on the server", m.LiveSummary),
				changeList("sync-draft-summary", "What changed in your draft", m.DraftSummary),
			),
			app.H3().Class("sync-conflicts-title").Text("Changed on both sides"),
			app.Ul().Class("sync-conflicts").ID("sync-conflicts").Body(app.Range(m.Conflicts).Slice(func(i int) app.UI {
				k := m.Conflicts[i]
				return app.Li().Class("sync-conflict-row").DataSet("path", k.Path).Body(
					app.Strong().Class("sync-where").Text(words.Where(k.Path)+": "),
					app.Span().Class("sync-side").Text("the server has "+conflictValue(k.Path, k.Live)),
					app.Span().Class("sync-side").Text("; your draft has "+conflictValue(k.Path, k.Draft)),
					app.Span().Class("hint").Text("; it was "+conflictValue(k.Path, k.Base)+". "),
					app.Code().Class("sync-path hint").Text(k.Path),
				)
			})),
			app.Details().Class("sync-details").Body(
				app.Summary().Text("The settings line by line"),
				app.Div().Class("sync-diffs").Body(
					lineDiff("sync-live-diff", "On the server", m.LiveDiff),
					lineDiff("sync-draft-diff", "In your draft", m.DraftDiff),
				),
			),
			app.Div().Class("sync-actions").Body(
				c.pushButton("sync-keep-draft", "btn btn-primary", "Keep my draft", syncPush{Take: "draft"}),
				c.pushButton("sync-take-live", "btn", "Take the server's", syncPush{Take: "live"}),
				c.pushButton("sync-push-again", "btn btn-ghost", "Push again", syncPush{}),
			),
		)
	}
	if ch := r.Checks; ch != nil && ch.Failed > 0 && !r.ChecksOverridden && code == codePrecondition {
		fails := ch.Failures()
		parts = append(parts,
			app.P().Class("error").Role("alert").ID("sync-checks").Text(itoa(ch.Failed)+" of "+itoa(len(ch.Results))+
				" portal tests fail against the settings to push, so nothing was pushed. Fix the draft or the tests, or push anyway."),
			app.Ul().Class("checks").Body(app.Range(fails).Slice(func(i int) app.UI {
				o := fails[i]
				return app.Li().Class("check fail").Body(
					app.Span().Class("check-mark").Text("✗"),
					app.Span().Class("check-text").Text(" "+o.Text),
					app.P().Class("hint check-message").Text(o.Message),
				)
			})),
			app.Div().Class("sync-actions").Body(
				c.pushButton("sync-push-anyway", "btn btn-danger", "Push anyway", syncPush{Take: c.sync.Take, Override: true}),
			),
		)
	}
	if len(parts) == 0 && a.Refused != nil {
		parts = append(parts, errorText(a.Refused.Message))
	}
	return app.Div().Class("sync-refused").ID("sync-refused").Body(parts...)
}

func (c *syncCard) pushButton(id, class, label string, p syncPush) app.UI {
	return disabledIf(c.sync.Busy != "", app.Button().Class(class).ID(id)).Text(label).OnClick(func(ctx app.Context, e app.Event) {
		ctx.NewActionWithValue(actionSyncPush, p)
	})
}

// lineDiff renders a unified line diff, coloured.
func lineDiff(id, title, diff string) app.UI {
	var lines []string
	if d := strings.TrimSuffix(diff, "\n"); d != "" {
		lines = strings.Split(d, "\n")
	}
	return app.Div().Class("sync-diff").Body(
		app.H3().Text(title),
		app.If(len(lines) == 0, func() app.UI { return app.P().Class("hint").Text("Nothing.") }),
		app.If(len(lines) > 0, func() app.UI {
			return app.Pre().Class("diff-view").ID(id).Body(app.Range(lines).Slice(func(i int) app.UI {
				l := lines[i]
				cls := diffLineClass(l)
				return app.Span().Class(cls).Text(l + "\n")
			}))
		}),
	)
}

// changeList renders a side's change summary: one sentence per change.
func changeList(id, title string, changes []string) app.UI {
	return app.Div().Class("sync-summary").ID(id).Body(
		app.H3().Text(title),
		app.If(len(changes) == 0, func() app.UI { return app.P().Class("hint").Text("Nothing.") }).Else(func() app.UI {
			return app.Ul().Class("changes").Body(app.Range(changes).Slice(func(i int) app.UI {
				return app.Li().Class("change").Text(changes[i])
			}))
		}),
	)
}

// conflictValue says one side's value of a conflicting field: a rule in
// words ("Plan is Pro", "Everyone"), on/off for a switch, the Help
// Center's sections by title, "nothing" when the side has none, else the
// JSON value on one line.
func conflictValue(path string, raw []byte) string {
	v := strings.TrimSpace(string(raw))
	if v == "" || v == "null" {
		switch path {
		case "access.rule":
			return "no rule (no one has access)"
		case "visibility.conditions":
			return "no conditions"
		}
		return "nothing"
	}
	switch {
	case path == "access.rule" || path == "visibility.conditions":
		var r portal.Rule
		if err := json.Unmarshal(raw, &r); err == nil {
			return words.Rule(&r, nil)
		}
	case path == "help_center.sections":
		var secs []portal.Section
		if err := json.Unmarshal(raw, &secs); err == nil {
			titles := make([]string, 0, len(secs))
			for _, sec := range secs {
				t := sec.Title
				if !sec.Visible {
					t += " (hidden)"
				}
				titles = append(titles, t)
			}
			if len(titles) == 0 {
				return "no sections"
			}
			return strings.Join(titles, ", ")
		}
	case v == "true":
		return "on"
	case v == "false":
		return "off"
	}
	return compact(raw)
}

// compact shows a JSON value on one line ("absent" when missing).
func compact(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if s == "" || s == "null" {
		return "absent"
	}
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "…"
	}
	return s
}
