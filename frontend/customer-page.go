package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/wire"
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

	base    string
	refused string // login?refused=: why a sign-in form post was refused
	st      customerState
	site    siteState
}

// who is the signed-in user the header shows, nil when nobody is.
func (c *customerPage) who() *wire.UserInfo {
	if c.st.Base != c.base || c.st.SignedOut {
		return nil
	}
	return c.st.Who
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
	view := viewOf(u.Query())
	ctx.NewActionWithValue(actionCustomerOpen, customerAction{Base: c.base, Page: c.page, Text: u.Path,
		Token: u.Query().Get("token"), View: &view, Refused: c.refused})
}

func (c *customerPage) arrive(ctx app.Context) {
	u := ctx.Page().URL()
	c.base = portalBase(u.Path)
	c.refused = ""
	if c.page == "login" {
		// Prerendered too: the plain form's refusal shows without the
		// WebAssembly.
		c.refused = u.Query().Get("refused")
	}
	ctx.Page().SetTitle(c.title)
}
