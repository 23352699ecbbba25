package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// customerPage is the lifecycle every customer page shares; a page embeds
// it and only renders. It takes the portal's base (/portal/<slug>/) from
// the address and sets the tab's title, observes the customer states and,
// in the browser, posts actionCustomerOpen with the address: the handler
// decides what the page loads (a sign-in with ?token=, a ticket, the list,
// the Help Center or the Messenger).
type customerPage struct {
	app.Compo

	page  string // what Routes serves: "portal", "login", "help" or "messenger"
	title string // the tab's title

	base string
	st   customerState
	site siteState
}

func (c *customerPage) OnPreRender(ctx app.Context) {
	c.arrive(ctx)
}

func (c *customerPage) OnMount(ctx app.Context) {
	ctx.ObserveState(stateCustomer, &c.st)
	ctx.ObserveState(stateSite, &c.site)
}

func (c *customerPage) OnNav(ctx app.Context) {
	c.arrive(ctx)
	if app.IsServer || c.base == "" {
		return
	}
	u := ctx.Page().URL()
	ctx.NewActionWithValue(actionCustomerOpen, customerAction{Base: c.base, Page: c.page, Text: u.Path, Token: u.Query().Get("token")})
}

func (c *customerPage) arrive(ctx app.Context) {
	c.base = portalBase(ctx.Page().URL().Path)
	ctx.Page().SetTitle(c.title)
}
