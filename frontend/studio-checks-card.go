package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
)

// checksCard is the "Portal tests" card: the workspace's expectations,
// each passing or failing against the draft as it is edited, with add and
// remove. A failing test blocks `sync push` unless overridden.
type checksCard struct {
	app.Compo

	checks checksState
	text   string
}

func (c *checksCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateChecks, &c.checks)
}

func (c *checksCard) Render() app.UI {
	s := c.checks
	var rows app.UI
	switch {
	case s.Report == nil && s.Status == Failed:
		rows = errorText(s.Err.Message)
	case s.Report == nil:
		rows = app.P().Class("hint").Body(spinner(), app.Text(" Running the portal tests…"))
	case len(s.Report.Results) == 0:
		rows = app.P().Class("hint").ID("checks-empty").Text("No portal tests yet. Write what must stay true, e.g. “alice@examply.com can access”.")
	default:
		rep := s.Report
		rows = app.Div().Body(
			app.P().Class("checks-summary").ID("checks-summary").Text(c.summary()),
			app.Ul().Class("checks").Body(app.Range(rep.Results).Slice(func(i int) app.UI {
				o := rep.Results[i]
				cls, mark := "check pass", "✓"
				if !o.Pass {
					cls, mark = "check fail", "✗"
				}
				id := o.ID
				return app.Li().Class(cls).ID("check-"+itoa(id)).Body(
					app.Span().Class("check-mark").Text(mark),
					app.Span().Class("check-text").Text(" "+o.Text),
					app.Button().Class("btn btn-small btn-ghost check-remove").Title("Remove this test").Text("Remove").OnClick(func(ctx app.Context, e app.Event) {
						ctx.NewActionWithValue(actionCheckRemove, id)
					}),
					app.P().Class("hint check-message").Text(o.Message),
				)
			})),
		)
	}
	add := func(ctx app.Context) {
		text := strings.TrimSpace(c.text)
		if text == "" {
			return
		}
		c.text = ""
		ctx.NewActionWithValue(actionCheckAdd, text)
	}
	return card("portal-tests", "Portal tests",
		"Expectations kept with the workspace, checked live against the draft and before every push (a failing test blocks the push unless overridden).",
		rows,
		app.Div().Class("check-add").Body(
			app.Input().Type("text").Class("check-input").ID("check-input").Placeholder("bob@contractor.io is restricted").
				Aria("label", "New portal test").Value(c.text).
				OnInput(func(ctx app.Context, e app.Event) { c.text = ctx.JSSrc().Get("value").String() }).
				OnKeyDown(func(ctx app.Context, e app.Event) {
					if e.Get("key").String() == "Enter" {
						add(ctx)
					}
				}),
			app.Button().Class("btn").ID("check-add").Text("Add test").OnClick(func(ctx app.Context, e app.Event) { add(ctx) }),
		),
		errorText(s.AddErr),
		c.examples(),
	)
}

// examples is the help: one sentence of every kind of test, with what it
// expects; choosing one puts it in the box to adapt.
func (c *checksCard) examples() app.UI {
	return app.Details().Class("check-examples").ID("check-examples").Body(
		app.Summary().Text("What can a test say?"),
		app.P().Class("hint").Text("A test is one sentence like these, with your own users, tickets, companies and numbers. Choose one to start from it."),
		app.Ul().Body(app.Range(wire.CheckExamples).Slice(func(i int) app.UI {
			e := wire.CheckExamples[i]
			return app.Li().Body(
				app.Button().Class("btn-link check-example").Title("Put this sentence in the box").Text(e.Text).OnClick(func(ctx app.Context, ev app.Event) {
					c.text = e.Text
					app.Window().GetElementByID("check-input").Call("focus")
				}),
				app.Span().Class("hint").Text(" — "+e.Says),
			)
		})),
	)
}

func (c *checksCard) summary() string {
	rep := c.checks.Report
	if rep.Failed == 0 {
		return "All " + plural(len(rep.Results), "test passes", "tests pass") + " against the draft."
	}
	return plural(rep.Failed, "test fails", "tests fail") + " against the draft: pushing it is refused until fixed or overridden."
}
