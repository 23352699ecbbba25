package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
)

// examplesBar sits above the Preview's panes: which example pair they
// show (a restricted user who cannot see some of their company's tickets,
// beside an unrestricted colleague who sees them) and "Next example".
type examplesBar struct {
	app.Compo

	preview previewState
}

func (c *examplesBar) OnMount(ctx app.Context) {
	ctx.ObserveState(statePreview, &c.preview)
}

func (c *examplesBar) Render() app.UI {
	s := c.preview.Samples
	if s == nil {
		return app.Div().Class("examples-bar")
	}
	if len(s.Pairs) == 0 {
		return app.Div().Class("examples-bar").ID("examples-bar").Body(
			app.Span().Class("hint").Text("No restricted user has tickets of their company that they cannot see, so there is no example to compare."),
		)
	}
	i := c.preview.Example % len(s.Pairs)
	pair := s.Pairs[i]
	return app.Div().Class("examples-bar").ID("examples-bar").Body(
		app.Span().Class("example-text").ID("example-text").Body(c.sentence(pair, i, len(s.Pairs), c.showing(pair))...),
		disabledIf(len(s.Pairs) < 2 && c.showing(pair), app.Button().Class("btn btn-small").ID("next-example")).Text("Next example").OnClick(func(ctx app.Context, e app.Event) {
			ctx.NewAction(actionNextExample)
		}),
	)
}

// showing reports whether the panes show the pair, left and right.
func (c *examplesBar) showing(p wire.SamplePair) bool {
	l, r := c.preview.Panes[0].User, c.preview.Panes[1].User
	return l != nil && r != nil && p.Restricted != nil && p.Unrestricted != nil && l.ID == p.Restricted.ID && r.ID == p.Unrestricted.ID
}

// sentence says what the example shows.
func (c *examplesBar) sentence(p wire.SamplePair, i, n int, shown bool) []app.UI {
	head := "Example " + itoa(i+1) + " of " + itoa(n) + ": "
	if !shown {
		head = "Next example (" + itoa(n) + " in all): "
	}
	are := " are"
	if p.Hidden == 1 {
		are = " is"
	}
	return []app.UI{
		app.Text(head),
		app.Strong().Text(userName(p.Restricted.Name, p.Restricted.Email)),
		app.Text(" is restricted to their own tickets, so " + plural(p.Hidden, "ticket", "tickets") + " of their companies" + are + " hidden from them; their colleague "),
		app.Strong().Text(userName(p.Unrestricted.Name, p.Unrestricted.Email)),
		app.Text(" at " + p.Company + " sees the company's tickets."),
	}
}

// userName is a user's name, else their email.
func userName(name, email string) string {
	if name != "" {
		return name
	}
	return email
}
