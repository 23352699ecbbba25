package frontend

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// messengerPage is the Messenger's tickets space, /portal/<slug>/messenger:
// when the tickets space is on and the portal enabled, a banner at its
// top links to the portal URL.
type messengerPage struct {
	customerPage
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
	return customerLayout(c.base, "messenger", c.who(), app.Div().Class("messenger-page").Body(
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
			body := []app.UI{
				app.Span().Class("ticket-title").Text(t.Title),
				app.Span().Class("ticket-meta").Text("#" + t.TicketID + " · " + portal.Ago(t.UpdatedAt, time.Now())),
				app.Span().Class("state").Text(t.State),
			}
			if m.PortalURL == "" {
				// No portal to open it in.
				return app.Li().Class("messenger-ticket").DataSet("id", t.ID).Body(body...)
			}
			return app.Li().DataSet("id", t.ID).Class("messenger-item").Body(
				app.A().Class("messenger-ticket").DataSet("id", t.ID).Href(ticketHref(m.PortalURL, t.TicketID)).Body(body...),
			)
		})),
		app.If(m.Total > len(m.Tickets), func() app.UI {
			return app.P().Class("hint").Text(fmt.Sprintf("The %d most recent of %d tickets.", len(m.Tickets), m.Total))
		}),
	)
}
