package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// sidebar is the navigation and the open workspace.
type sidebar struct {
	app.Compo
	IActive string

	overview overviewState
}

func (c *sidebar) OnMount(ctx app.Context) {
	ctx.ObserveState(stateOverview, &c.overview)
	markTransport()
	ctx.NewAction(actionLoad)
}

func (c *sidebar) Render() app.UI {
	item := func(id, href, label, icon string) app.UI {
		cls := "nav-item"
		if c.IActive == id {
			cls += " active"
		}
		return app.A().Class(cls).ID("nav-"+id).Href(href).Body(
			app.Span().Class("nav-icon").Text(icon),
			app.Span().Text(label),
		)
	}
	return app.Aside().Class("sidebar").Body(
		app.Div().Class("brand").Body(
			app.Img().Src("/web/icon.svg").Alt("").Class("brand-logo"),
			app.Div().Body(
				app.Span().Class("brand-name").Text("Portal Studio"),
				app.Span().Class("brand-sub").Text("Customer portal settings"),
			),
		),
		app.Nav().Class("nav").Body(
			app.P().Class("nav-group").Text("Settings"),
			item("settings", "/", "Tickets Portal", "⚙"),
			item("preview", "/preview", "Preview", "◧"),
			item("data", "/data", "Data", "⛁"),
		),
		c.workspace(),
	)
}

func (c *sidebar) workspace() app.UI {
	o := c.overview.Data
	if o == nil {
		return app.Div().Class("workspace").Body(app.Span().Class("hint").Text("Opening the workspace…"))
	}
	return app.Div().Class("workspace").Title(o.Path).Body(
		app.Span().Class("workspace-label").Text("Workspace"),
		app.Span().Class("workspace-name").Text(o.Name),
		app.Span().Class("workspace-counts").Text(plural(o.Counts.Users, "user", "users")+" · "+plural(o.Counts.Companies, "company", "companies")+" · "+plural(o.Counts.Tickets, "ticket", "tickets")),
	)
}
