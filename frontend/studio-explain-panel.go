package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// explainPanel answers "why (not)?" on the Preview page: for either
// pane's user and any ticket (opened in the pane, clicked in the
// comparison, or typed by id or number), the verdict and its steps.
type explainPanel struct {
	app.Compo

	explain explainState
	preview previewState
	ticket  string
	pane    int
}

func (c *explainPanel) OnMount(ctx app.Context) {
	ctx.ObserveState(stateExplain, &c.explain)
	ctx.ObserveState(statePreview, &c.preview)
}

func (c *explainPanel) Render() app.UI {
	ask := func(ctx app.Context) {
		t := strings.TrimSpace(c.ticket)
		if t != "" {
			ctx.NewActionWithValue(actionExplain, explainAction{Pane: c.pane, Ticket: t})
		}
	}
	names := [2]string{"the left user", "the right user"}
	for i, ps := range c.preview.Panes {
		if ps.User != nil {
			names[i] = displayUser(ps.User.Name, ps.User.Email, ps.User.ID)
		}
	}
	return app.Section().Class("card explain").ID("explain").Body(
		app.Header().Class("card-head").Body(
			app.H2().Text("Why (not)?"),
			app.P().Class("card-desc").Text("Open a ticket in a pane, click one in the comparison, or enter any ticket id or number: the decision, step by step."),
		),
		app.Div().Class("explain-ask").Body(
			app.Select().Class("explain-pane").ID("explain-pane").Aria("label", "Whose view").OnChange(func(ctx app.Context, e app.Event) {
				if ctx.JSSrc().Get("value").String() == "1" {
					c.pane = 1
				} else {
					c.pane = 0
				}
			}).Body(
				selectedIf(c.pane == 0, app.Option().Value("0")).Text(names[0]),
				selectedIf(c.pane == 1, app.Option().Value("1")).Text(names[1]),
			),
			app.Input().Type("text").ID("explain-ticket").Placeholder("Ticket id or number").Aria("label", "Ticket").Value(c.ticket).
				OnInput(func(ctx app.Context, e app.Event) { c.ticket = ctx.JSSrc().Get("value").String() }).
				OnKeyDown(func(ctx app.Context, e app.Event) {
					if e.Get("key").String() == "Enter" {
						ask(ctx)
					}
				}),
			app.Button().Class("btn").ID("explain-go").Text("Explain").OnClick(func(ctx app.Context, e app.Event) { ask(ctx) }),
		),
		c.answer(),
	)
}

func (c *explainPanel) answer() app.UI {
	e := c.explain
	switch e.Status {
	case NotLoaded:
		return nil
	case Loading:
		return app.P().Class("hint").Body(spinner(), app.Text(" Explaining…"))
	case Failed:
		return errorText(e.Err.Message)
	}
	d := e.Data
	cls := "verdict"
	if d.Visible {
		cls += " visible"
	} else {
		cls += " hidden"
	}
	return app.Div().Class("explain-answer").ID("explain-answer").Body(
		app.P().Class(cls).ID("explain-verdict").Text(d.Verdict),
		app.Ol().Class("explain-steps").Body(app.Range(d.Steps).Slice(func(i int) app.UI {
			s := d.Steps[i]
			mark, scls := "✗", "step no"
			if s.OK {
				mark, scls = "✓", "step yes"
			}
			return app.Li().Class(scls).Body(
				app.Span().Class("step-mark").Text(mark+" "),
				app.Span().Class("step-name").Text(s.Step+": "),
				app.Span().Class("step-text").Text(s.Sentence),
			)
		})),
	)
}

// displayUser names a user: their name, else their email, else their id.
func displayUser(name, email, id string) string {
	if name != "" {
		return name
	}
	if email != "" {
		return email
	}
	return id
}
