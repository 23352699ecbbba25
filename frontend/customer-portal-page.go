package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
)

// customerPortalPage is the customer portal as the portal server serves
// it at /portal/<slug>/ (the list) and /portal/<slug>/tickets/<number> (a
// ticket's page; the internal id works too), rendered by the same
// components as the studio's preview (portalBody). The data comes from
// the server's JSON API with the session cookie; without a session it
// shows the sign-in form. An identity token in the address (?token=)
// asks the customer to confirm whom it signs in.
type customerPortalPage struct {
	customerPage
}

func (c *customerPortalPage) Render() app.UI {
	st := c.st
	var content app.UI
	switch {
	case st.SignedOut || st.SigningIn:
		content = signInContent(c.base, "", st)
	case st.TicketID != "" && st.Ticket == nil && st.TicketErr == nil:
		content = app.Div().Class("portal").Body(app.P().Class("portal-loading").Body(spinner(), app.Text(" Loading the ticket…")))
	case st.Result == nil && st.Err != nil:
		content = app.Div().Class("portal").Body(errorText(st.Err.Message))
	case st.Result == nil:
		content = app.Div().Class("portal").Body(app.P().Class("portal-loading").ID("portal-loading").Body(spinner(), app.Text(" Loading your tickets…")))
	default:
		content = portalBody(customerProps(c.base, st))
	}
	return customerLayout(c.base, "portal", c.who(), app.Div().Class("portal-page").Body(content))
}

// customerProps are the portal view's data and events for the signed-in
// user. The events read the state when they fire, not values captured
// at render time (go-app keeps an element's first handler).
func customerProps(base string, st customerState) portalProps {
	p := portalProps{
		Result:       st.Result,
		Tab:          st.Tab,
		Search:       st.View.Search,
		Loading:      st.Status == Loading,
		LoadingMore:  st.More,
		Ticket:       st.Ticket,
		TicketStatus: st.TicketStatus,
		Denied:       st.Denied,
		TicketHref:   func(t wire.TicketView) string { return ticketHref(base, t.TicketID) },
		Filter:       st.View.listFilter,
		Facets:       st.Facets,
		OnFilter: func(ctx app.Context, param, value string, toggle bool) {
			ctx.NewActionWithValue(actionCustomerFilter, customerAction{Base: currentBase(ctx), Tab: param, Text: value, More: toggle})
		},
		OnTab: func(tab string) app.EventHandler {
			return func(ctx app.Context, e app.Event) {
				ctx.NewActionWithValue(actionCustomerList, customerAction{Base: currentBase(ctx), Tab: tab})
			}
		},
		OnSearch: func(ctx app.Context, text string) {
			ctx.NewActionWithValue(actionCustomerSearch, customerAction{Base: currentBase(ctx), Text: text})
		},
		OnOpen: func(id string) app.EventHandler {
			return func(ctx app.Context, e app.Event) {
				var st customerState
				ctx.GetState(stateCustomer, &st)
				number := id
				if st.Result != nil {
					for _, t := range st.Result.Tickets {
						if t.ID == id && t.TicketID != "" {
							number = t.TicketID
						}
					}
				}
				ctx.Navigate(ticketHref(st.Base, number))
			}
		},
		OnBack: func(ctx app.Context, e app.Event) {
			var st customerState
			ctx.GetState(stateCustomer, &st)
			ctx.Navigate(st.View.href(st.Base))
		},
		OnMore: func(ctx app.Context, e app.Event) {
			ctx.NewActionWithValue(actionCustomerList, customerAction{Base: currentBase(ctx), More: true})
		},
	}
	if st.TicketErr != nil {
		p.TicketErr = st.TicketErr.Message
	}
	if st.Err != nil {
		p.Err = st.Err.Message
	}
	return p
}

// currentBase is the portal's base of the page shown.
func currentBase(ctx app.Context) string { return portalBase(ctx.Page().URL().Path) }
