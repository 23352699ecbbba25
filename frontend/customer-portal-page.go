package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// customerPortalPage is the customer portal as the portal server serves
// it at /portal/<slug>/ (the list) and /portal/<slug>/tickets/<id> (a
// ticket's page), rendered by the same components as the studio's
// preview (portalBody). The data comes from the server's JSON API with
// the session cookie; without a session it shows the sign-in form. An
// identity token in the address (?token=) signs in at once.
type customerPortalPage struct {
	customerPage
}

func (c *customerPortalPage) Render() app.UI {
	st := c.st
	user := ""
	if st.Result != nil && !st.SignedOut {
		user = st.Result.User.Name
		if user == "" {
			user = st.Result.User.Email
		}
	}
	var content app.UI
	switch {
	case st.SignedOut || st.SigningIn:
		content = signInContent(c.base, st)
	case st.TicketID != "" && st.Ticket == nil && st.TicketErr == nil:
		content = app.Div().Class("portal").Body(app.P().Class("portal-loading").Body(spinner(), app.Text(" Loading the ticket…")))
	case st.Result == nil && st.Err != nil:
		content = app.Div().Class("portal").Body(errorText(st.Err.Message))
	case st.Result == nil:
		content = app.Div().Class("portal").Body(app.P().Class("portal-loading").ID("portal-loading").Body(spinner(), app.Text(" Loading your tickets…")))
	default:
		content = portalBody(c.props(st))
	}
	return customerLayout(c.base, "portal", user, c.signOut, app.Div().Class("portal-page").Body(content))
}

// props are the portal view's data and events for the signed-in user.
func (c *customerPortalPage) props(st customerState) portalProps {
	base := c.base
	p := portalProps{
		Result:       st.Result,
		Tab:          st.Tab,
		Search:       st.Search,
		Loading:      st.Status == Loading,
		LoadingMore:  st.More,
		Ticket:       st.Ticket,
		TicketStatus: st.TicketStatus,
		Denied:       st.Denied,
		OnTab: func(tab string) app.EventHandler {
			return func(ctx app.Context, e app.Event) {
				ctx.NewActionWithValue(actionCustomerList, customerAction{Base: base, Tab: tab})
			}
		},
		OnSearch: func(ctx app.Context, text string) {
			ctx.NewActionWithValue(actionCustomerSearch, customerAction{Base: base, Text: text})
		},
		OnOpen: func(id string) app.EventHandler {
			return func(ctx app.Context, e app.Event) { ctx.Navigate(base + "tickets/" + id) }
		},
		OnBack: func(ctx app.Context, e app.Event) { ctx.Navigate(base) },
		OnMore: func(ctx app.Context, e app.Event) {
			ctx.NewActionWithValue(actionCustomerList, customerAction{Base: base, More: true})
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

func (c *customerPortalPage) signOut(ctx app.Context, e app.Event) {
	ctx.NewActionWithValue(actionCustomerSignOut, customerAction{Base: c.base})
}
