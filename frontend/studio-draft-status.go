package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
)

// draftStatus is the marker in the page header: whether every change is
// saved to the draft, and whether the draft differs from live.
type draftStatus struct {
	app.Compo

	draft draftState
	diff  diffState
}

func (c *draftStatus) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
	ctx.ObserveState(stateDiff, &c.diff)
}

func (c *draftStatus) Render() app.UI {
	var save app.UI
	d := c.draft
	switch {
	case d.Settings == nil:
		save = app.Span().Class("pill").Text("Loading the draft…")
	case waitingOnly(d.Settings, d.Problems):
		save = app.Span().Class("pill").ID("save-state").Text("Not saved yet: a condition waits for its value")
	case len(d.Problems) > 0:
		save = app.Span().Class("pill pill-error").ID("save-state").Title(problemList(d.Problems)).Text("Not saved: fix the problems below")
	case d.SaveErr != nil:
		save = app.Span().Class("pill pill-error").ID("save-state").Title(d.SaveErr.Message).Text("Not saved")
	case d.Saving || d.Seq != d.Saved:
		save = app.Span().Class("pill").ID("save-state").Body(spinner(), app.Text("Saving…"))
	default:
		save = app.Span().Class("pill pill-ok").ID("save-state").Text("✓ Saved to draft")
	}
	var live app.UI
	if c.diff.Data != nil {
		if c.diff.Data.Changed {
			v := "never synced"
			if c.diff.Data.LiveVersion > 0 {
				v = "version " + itoa(c.diff.Data.LiveVersion)
			}
			live = app.Span().Class("pill pill-warn").ID("draft-marker").Text("Draft differs from live (" + v + ")")
		} else {
			live = app.Span().Class("pill pill-muted").ID("draft-marker").Text("Same as live")
		}
	}
	return app.Div().Class("draft-status").ID("draft-status").Body(save, live)
}

// problemList says each problem where the admin finds it on the page
// ("Access permissions, condition 2.1: …"), one a line.
func problemList(ps []portal.Problem) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = words.Problem(p)
	}
	return strings.Join(lines, "\n")
}
