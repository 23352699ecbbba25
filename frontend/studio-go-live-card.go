package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// goLiveCard is the one way to go live: the draft goes live when it is
// pushed to the portal server. Connected, it shows what the push changes
// (the impact) and how the portal tests fare, and Go live pushes (the
// Sync card shows what to resolve when the server refuses). Not
// connected, it says to connect a server first and leads to the Sync
// card.
type goLiveCard struct {
	app.Compo

	sync   syncState
	impact impactState
	checks checksState
	draft  draftState
}

func (c *goLiveCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateSync, &c.sync)
	ctx.ObserveState(stateImpact, &c.impact)
	ctx.ObserveState(stateChecks, &c.checks)
	ctx.ObserveState(stateDraft, &c.draft)
}

func (c *goLiveCard) Render() app.UI {
	s := c.sync
	if s.Info == nil {
		return app.Section().Class("card go-live").ID("go-live-card").Body(
			app.P().Class("hint go-live-body").Body(spinner(), app.Text(" Checking the workspace's portal server…")))
	}
	if !s.connected() {
		return app.Section().Class("card go-live").ID("go-live-card").Body(
			app.Div().Class("go-live-body").Body(
				app.Div().Class("go-live-text").Body(
					app.H2().Text("Go live"),
					app.P().Class("note").ID("go-live-note").Text("Connect a server first: your changes are saved to the local draft, and they go live when the draft is pushed to your portal server."),
				),
				app.Button().Class("btn btn-primary").ID("go-live-connect").Text("Connect a server").OnClick(func(ctx app.Context, e app.Event) {
					goToSync()
				}),
			),
		)
	}
	busy := s.Busy != ""
	return app.Section().Class("card go-live").ID("go-live-card").Body(
		app.Div().Class("go-live-body").Body(
			app.Div().Class("go-live-text").Body(
				app.H2().Text("Go live on "+s.Info.Server),
				c.impactLine(),
				c.checksLine(),
				c.note(),
			),
			disabledIf(busy, app.Button().Class("btn btn-primary").ID("go-live")).Text("Go live").OnClick(func(ctx app.Context, e app.Event) {
				ctx.NewAction(actionSetLive)
			}),
		),
	)
}

// impactLine is whom the push changes.
func (c *goLiveCard) impactLine() app.UI {
	d := c.impact.Data
	switch {
	case d == nil && c.impact.Status == Failed:
		return errorText("The impact could not be computed: " + c.impact.Err.Message)
	case d == nil:
		return app.P().Class("hint").Body(spinner(), app.Text(" Computing whom going live changes…"))
	}
	return app.P().Class("impact-summary").ID("go-live-impact").Text(strings.Replace(d.Summary, "This change", "Going live", 1))
}

// checksLine is how the portal tests fare against the draft: a failing
// one stops the push until it is fixed or overridden.
func (c *goLiveCard) checksLine() app.UI {
	rep := c.checks.Report
	switch {
	case rep == nil && c.checks.Status == Failed:
		return errorText("The portal tests could not run: " + c.checks.Err.Message)
	case rep == nil:
		return app.P().Class("hint").Body(spinner(), app.Text(" Running the portal tests…"))
	case len(rep.Results) == 0:
		return app.P().Class("hint").ID("go-live-checks").Text("No portal tests yet: add them below to guard what must stay true.")
	case rep.Failed == 0:
		return app.P().Class("go-live-checks pass").ID("go-live-checks").Body(
			app.Span().Class("check-mark").Aria("hidden", "true").Text("✓"),
			app.Text("All "+plural(len(rep.Results), "portal test passes", "portal tests pass")+"."),
		)
	}
	return app.P().Class("go-live-checks fail").ID("go-live-checks").Body(
		app.Span().Class("check-mark").Aria("hidden", "true").Text("✗"),
		app.Text(itoa(rep.Failed)+" of "+plural(len(rep.Results), "portal test fails", "portal tests fail")+": going live is stopped until you fix the draft or the tests, or push anyway."),
	)
}

// note says what the last push did.
func (c *goLiveCard) note() app.UI {
	s := c.sync
	switch {
	case s.Busy == "push":
		return app.P().Class("note").ID("go-live-state").Body(spinner(), app.Text(" Running the portal tests and pushing the draft…"))
	case s.Busy != "":
		return nil
	case s.Push != nil || s.Err != nil:
		return app.P().Class("note warn-text").ID("go-live-state").Text("Not live yet: see Sync with the portal server below.")
	case s.Done != "" && c.draft.Confirmed:
		return app.P().Class("note ok").ID("go-live-state").Text(s.Done)
	}
	return nil
}

// goToSync scrolls to the Sync card and puts the focus in its first
// field.
func goToSync() {
	if app.IsServer {
		return
	}
	if el := app.Window().GetElementByID("sync-card"); el.Truthy() {
		el.Call("scrollIntoView", map[string]any{"block": "start"})
	}
	if el := app.Window().GetElementByID("sync-server"); el.Truthy() {
		el.Call("focus", map[string]any{"preventScroll": true})
	}
}
