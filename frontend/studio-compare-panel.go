package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
)

// comparePanel compares the two panes' users: how many tickets both see,
// and, highlighted, the tickets only one of them sees. Clicking one asks
// why the other user does not see it.
type comparePanel struct {
	app.Compo

	compare compareState
	preview previewState
}

func (c *comparePanel) OnMount(ctx app.Context) {
	ctx.ObserveState(stateCompare, &c.compare)
	ctx.ObserveState(statePreview, &c.preview).OnChange(func() {
		// A pane's user changed: compare the new pair.
		a, b := c.preview.Panes[0].User, c.preview.Panes[1].User
		if a != nil && b != nil && (a.ID != c.compare.A || b.ID != c.compare.B) && c.compare.Status != Loading {
			ctx.NewAction(actionCompare)
		}
	})
}

func (c *comparePanel) Render() app.UI {
	s := c.compare
	out := app.Section().Class("card compare").ID("compare")
	head := app.Header().Class("card-head").Body(
		app.H2().Text("Compare"),
		app.P().Class("card-desc").Text("The tickets one user sees and the other does not (every tab, under the draft)."),
	)
	switch {
	case s.Status == NotLoaded:
		return out.Body(head, app.P().Class("hint").Text("Pick two users to compare them."))
	case s.Status == Loading && s.Data == nil:
		return out.Body(head, app.P().Class("hint").Body(spinner(), app.Text(" Comparing…")))
	case s.Status == Failed:
		return out.Body(head, errorText(s.Err.Message))
	}
	d := s.Data
	return out.Body(
		head,
		app.P().Class("compare-summary").ID("compare-summary").Text(
			"Both see "+plural(d.Both, "ticket", "tickets")+"; only "+displayUser(d.A.Name, d.A.Email, d.A.ID)+" sees "+formatInt(d.OnlyACount)+
				"; only "+displayUser(d.B.Name, d.B.Email, d.B.ID)+" sees "+formatInt(d.OnlyBCount)+"."),
		app.Div().Class("compare-sides").Body(
			c.side("only-a", displayUser(d.A.Name, d.A.Email, d.A.ID), d.OnlyA, d.OnlyACount, 1),
			c.side("only-b", displayUser(d.B.Name, d.B.Email, d.B.ID), d.OnlyB, d.OnlyBCount, 0),
		),
		app.If(d.Truncated, func() app.UI {
			return app.P().Class("hint").Text("One of them sees more tickets than are compared; the counts cover the newest.")
		}),
	)
}

// side lists the tickets only one user sees; other is the pane of the
// user who does not see them (clicking explains why not).
func (c *comparePanel) side(cls, who string, ts []wire.TicketView, count, other int) app.UI {
	return app.Div().Class("compare-side "+cls).ID("compare-"+cls).Body(
		app.H3().Text("Only "+who+" ("+formatInt(count)+")"),
		app.Ul().Body(app.Range(ts).Slice(func(i int) app.UI {
			t := ts[i]
			return app.Li().Class("compare-ticket highlight " + cls).Body(
				app.Button().Class("btn btn-link").Title("Why does the other user not see it?").Text("#" + t.TicketID + " " + t.Title).
					OnClick(func(ctx app.Context, e app.Event) {
						ctx.NewActionWithValue(actionExplain, explainAction{Pane: other, Ticket: t.ID})
					}),
			)
		})),
	)
}
