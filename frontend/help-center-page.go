package frontend

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// helpCenterPage is the Help Center homepage, /portal/<slug>/help: the
// live settings' visible sections in their saved order, with the
// Customer portal card (linking to the portal URL) when the portal is
// enabled and that section is visible. The server decides which sections
// show.
type helpCenterPage struct {
	app.Compo

	base string
	site siteState
}

func (c *helpCenterPage) OnPreRender(ctx app.Context) {
	c.base = portalBase(ctx.Page().URL().Path)
	ctx.Page().SetTitle("Help Center")
}

func (c *helpCenterPage) OnMount(ctx app.Context) {
	ctx.ObserveState(stateSite, &c.site)
}

func (c *helpCenterPage) OnNav(ctx app.Context) {
	c.base = portalBase(ctx.Page().URL().Path)
	ctx.Page().SetTitle("Help Center")
	if app.IsServer || c.base == "" {
		return
	}
	ctx.NewActionWithValue(actionCustomerSite, customerAction{Base: c.base, Text: "help"})
}

func (c *helpCenterPage) Render() app.UI {
	var body app.UI
	hc := c.site.HelpCenter
	switch {
	case c.site.Status == Failed && c.site.Err != nil:
		body = errorText(c.site.Err.Message)
	case hc == nil:
		body = app.P().Class("portal-loading").Body(spinner(), app.Text(" Loading…"))
	case len(hc.Sections) == 0:
		body = app.P().Class("hint").Text("Nothing here yet.")
	default:
		body = app.Div().Class("hc-sections").ID("hc-sections").Body(app.Range(hc.Sections).Slice(func(i int) app.UI {
			return helpSectionCard(hc.Sections[i])
		}))
	}
	return customerLayout(c.base, "help", "", nil, app.Div().Class("hc-page").Body(
		app.Div().Class("hc-hero").Body(
			app.H1().Text("How can we help?"),
			app.P().Text("Guides, answers and your support tickets."),
		),
		body,
	))
}

// helpSectionCard renders one section of the homepage. The Customer
// portal card links to the portal.
func helpSectionCard(s HelpSection) app.UI {
	if s.Kind == portal.SectionCustomerPortal {
		return app.A().Class("hc-section hc-portal-card").ID("hc-portal-card").DataSet("id", s.ID).DataSet("kind", s.Kind).Href(s.URL).Body(
			app.H2().Text(s.Title),
			app.P().Text("See and follow your support tickets, and those of your company."),
			app.Span().Class("hc-go").Text("Open the customer portal →"),
		)
	}
	return app.Section().Class("hc-section").DataSet("id", s.ID).DataSet("kind", s.Kind).Body(
		app.H2().Text(s.Title),
		app.P().Class("hint").Text(kindLabel(s.Kind)),
	)
}

// messengerPage is the Messenger's tickets space, /portal/<slug>/messenger:
// when the tickets space is on and the portal enabled, a banner at its
// top links to the portal URL.
type messengerPage struct {
	app.Compo

	base string
	site siteState
}

func (c *messengerPage) OnPreRender(ctx app.Context) {
	c.base = portalBase(ctx.Page().URL().Path)
	ctx.Page().SetTitle("Messenger")
}

func (c *messengerPage) OnMount(ctx app.Context) {
	ctx.ObserveState(stateSite, &c.site)
}

func (c *messengerPage) OnNav(ctx app.Context) {
	c.base = portalBase(ctx.Page().URL().Path)
	ctx.Page().SetTitle("Messenger")
	if app.IsServer || c.base == "" {
		return
	}
	ctx.NewActionWithValue(actionCustomerSite, customerAction{Base: c.base, Text: "messenger"})
}

func (c *messengerPage) Render() app.UI {
	m := c.site.Messenger
	var body app.UI
	switch {
	case c.site.Status == Failed && c.site.Err != nil:
		body = errorText(c.site.Err.Message)
	case m == nil:
		body = app.P().Class("portal-loading").Body(spinner(), app.Text(" Loading…"))
	case !m.TicketsSpace:
		body = app.P().Class("hint").ID("messenger-off").Text("The tickets space is not available in this Messenger.")
	default:
		body = app.Div().Class("messenger-space").ID("messenger-tickets").Body(
			app.If(m.PortalURL != "", func() app.UI {
				return app.A().Class("messenger-banner").ID("messenger-portal-banner").Href(m.PortalURL).Body(
					app.Strong().Text("View all your tickets in the customer portal"),
					app.Span().Text(" →"),
				)
			}),
			messengerTickets(c.base, m),
		)
	}
	return customerLayout(c.base, "messenger", "", nil, app.Div().Class("messenger-page").Body(
		app.Div().Class("messenger").Body(
			app.Header().Class("messenger-head").Body(app.H2().Text("Tickets")),
			body,
		),
	))
}

// messengerTickets lists a signed-in user's own tickets in the tickets
// space (the portal's visibility settings do not apply to the Messenger),
// or asks a visitor to sign in.
func messengerTickets(base string, m *MessengerPage) app.UI {
	switch {
	case !m.SignedIn:
		return app.P().Class("hint").ID("messenger-sign-in").Body(
			app.Text("Your conversations with the support team that became tickets appear here once you "),
			app.A().Href(base+"login").Text("sign in"),
			app.Text("."),
		)
	case len(m.Tickets) == 0:
		return app.P().Class("hint").ID("messenger-empty").Text("You have no tickets yet.")
	}
	return app.Div().Class("messenger-list").Body(
		app.Ul().Class("messenger-tickets").Body(app.Range(m.Tickets).Slice(func(i int) app.UI {
			t := m.Tickets[i]
			return app.Li().Class("messenger-ticket").DataSet("id", t.ID).Body(
				app.Span().Class("ticket-title").Text(t.Title),
				app.Span().Class("ticket-meta").Text("#"+t.TicketID+" · "+portal.Ago(t.UpdatedAt, time.Now())),
				app.Span().Class("state").Text(t.State),
			)
		})),
		app.If(m.Total > len(m.Tickets), func() app.UI {
			return app.P().Class("hint").Text(fmt.Sprintf("The %d most recent of %d tickets.", len(m.Tickets), m.Total))
		}),
	)
}
