package frontend

import (
	"net/url"
	"strings"
	"time"

	"portalstudio/backend/wire"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Actions of the customer portal's pages (served by the portal server to
// end users). Their values are customerAction. Every one calls the
// server's JSON API (portalAPI), which decides access and visibility.
const (
	actionCustomerOpen    = "customer/open"    // Base; Page; Text: the path; Token: ?token=
	actionCustomerList    = "customer/list"    // Base; Tab; More: the next page
	actionCustomerSearch  = "customer/search"  // Base; Text: the query (debounced)
	actionCustomerTicket  = "customer/ticket"  // Base; Text: the ticket id
	actionCustomerSignIn  = "customer/signin"  // Base; Text: the identity token
	actionCustomerCheck   = "customer/check"   // Base; Text: the identity token of a sign-in link
	actionCustomerForget  = "customer/forget"  // Base: drop a sign-in link not confirmed
	actionCustomerSignOut = "customer/signout" // Base
	actionCustomerSite    = "customer/site"    // Base; Text: "help" or "messenger"
)

// States of the customer portal's pages.
const (
	stateCustomer = "customer.portal"
	stateSite     = "customer.site"
)

// customerAction is the value of a customer action. Base is the portal's
// path, /portal/<slug>/.
type customerAction struct {
	Base  string
	Page  string // the page arrived at (actionCustomerOpen): see customerPage
	Tab   string
	Text  string
	Token string
	More  bool
}

// customerState is the customer portal as the signed-in user sees it.
type customerState struct {
	Base      string
	Status    Status
	SignedOut bool   // no or an expired session: the sign-in form shows
	SignInErr string // why the last sign-in failed
	SigningIn bool
	// Confirm is whom the sign-in link the page arrived with would sign
	// in, until the customer confirms (the token waits in Pending, never
	// in the address).
	Confirm *wire.UserInfo
	Pending string
	Denied  string // the server's reason for a 403
	Result  *wire.PreviewResult
	Tab     string
	Search  string
	More    bool
	Err     *WireError

	Ticket       *wire.TicketDetail
	TicketID     string
	TicketStatus Status
	TicketErr    *WireError
}

// siteState holds the Help Center homepage and the Messenger page.
type siteState struct {
	Status     Status
	HelpCenter *HelpCenterPage
	Messenger  *MessengerPage
	Err        *WireError
}

const customerPageSize = 20

func init() {
	app.Handle(actionCustomerOpen, handleCustomerOpen)
	app.Handle(actionCustomerList, handleCustomerList)
	app.Handle(actionCustomerSearch, handleCustomerSearch)
	app.Handle(actionCustomerTicket, handleCustomerTicket)
	app.Handle(actionCustomerSignIn, handleCustomerSignIn)
	app.Handle(actionCustomerCheck, handleCustomerCheck)
	app.Handle(actionCustomerForget, handleCustomerForget)
	app.Handle(actionCustomerSignOut, handleCustomerSignOut)
	app.Handle(actionCustomerSite, handleCustomerSite)
}

func customerOf(a app.Action) (customerAction, bool) {
	ca, ok := a.Value.(customerAction)
	return ca, ok && strings.HasPrefix(ca.Base, "/portal/")
}

// refused records an error that ends what the page can show: a missing
// session (the sign-in form) or a refusal (the no-access page).
func refused(c *customerState, err *WireError) bool {
	switch err.Code {
	case "unauthorized":
		c.SignedOut, c.Result, c.Ticket = true, nil, nil
		return true
	case "forbidden":
		c.SignedOut, c.Ticket = false, nil
		c.Result = &wire.PreviewResult{Access: false}
		c.Denied = err.Message
		return true
	}
	return false
}

// handleCustomerOpen loads what the customer page arrived at needs: an
// identity token in the address (?token=) signs in at once; a ticket's
// page loads the ticket; the list loads unless it is there already.
func handleCustomerOpen(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	switch {
	case ca.Token != "" && (ca.Page == "portal" || ca.Page == "login"):
		handleCustomerCheck(ctx, app.Action{Value: customerAction{Base: ca.Base, Text: ca.Token}})
	case ca.Page == "help" || ca.Page == "messenger":
		handleCustomerSite(ctx, app.Action{Value: customerAction{Base: ca.Base, Text: ca.Page}})
	case ca.Page != "portal":
	case strings.HasPrefix(ca.Text, ca.Base+"tickets/") && len(ca.Text) > len(ca.Base+"tickets/"):
		handleCustomerTicket(ctx, app.Action{Value: customerAction{Base: ca.Base, Text: strings.TrimPrefix(ca.Text, ca.Base+"tickets/")}})
	default:
		c := update(ctx, stateCustomer, func(c *customerState) { c.Ticket, c.TicketID, c.TicketStatus, c.TicketErr = nil, "", NotLoaded, nil })
		if c.Base != ca.Base || c.Result == nil || (c.Result.Access && len(c.Result.Tabs) == 0) {
			handleCustomerList(ctx, app.Action{Value: customerAction{Base: ca.Base}})
		}
	}
}

// handleCustomerList loads the tab's first page (or the next one), or the
// search's, from GET <base>api/tickets.
func handleCustomerList(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	n, cctx := startRequest(ctx, "customer-list")
	var prev *wire.PreviewResult
	c := update(ctx, stateCustomer, func(c *customerState) {
		if c.Base != ca.Base {
			*c = customerState{Base: ca.Base}
		}
		if ca.Tab != "" && ca.Tab != c.Tab {
			c.Tab, c.Search = ca.Tab, ""
		}
		if ca.More {
			c.More = true
		} else {
			c.Status = Loading
		}
		prev = c.Result
	})
	q := url.Values{}
	if c.Tab != "" {
		q.Set("tab", c.Tab)
	}
	if c.Search != "" {
		q.Set("q", c.Search)
	}
	q.Set("limit", itoa(customerPageSize))
	if ca.More {
		if prev == nil || prev.Next == "" {
			update(ctx, stateCustomer, func(c *customerState) { c.More = false })
			return
		}
		q.Set("cursor", prev.Next)
	}
	var res wire.PreviewResult
	err := portalAPI(cctx, "GET", ca.Base+"api/tickets?"+q.Encode(), nil, &res)
	updateLatest(ctx, "customer-list", n, stateCustomer, func(c *customerState) {
		c.More = false
		if err != nil {
			we := toWire(err)
			if we.Code == codeCanceled {
				return
			}
			if !refused(c, we) {
				c.Status, c.Err = Failed, we
			} else {
				c.Status = Loaded
			}
			return
		}
		res.Access = true
		if ca.More && prev != nil {
			merged := res
			merged.Tickets = append(append([]wire.TicketView{}, prev.Tickets...), res.Tickets...)
			res = merged
		}
		c.SignedOut, c.Denied = false, ""
		c.Status, c.Err, c.Result, c.Tab = Loaded, nil, &res, res.Tab
	})
}

// handleCustomerSearch searches the current tab once typing pauses.
func handleCustomerSearch(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	n, _ := startRequest(ctx, "customer-search")
	update(ctx, stateCustomer, func(c *customerState) { c.Search = strings.TrimSpace(ca.Text) })
	time.Sleep(debounce)
	if !isLatest(ctx, "customer-search", n) {
		return
	}
	handleCustomerList(ctx, app.Action{Value: customerAction{Base: ca.Base}})
}

// handleCustomerTicket loads a ticket's page from GET <base>api/tickets/{id}.
func handleCustomerTicket(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	n, cctx := startRequest(ctx, "customer-ticket")
	update(ctx, stateCustomer, func(c *customerState) {
		if c.Base != ca.Base {
			*c = customerState{Base: ca.Base}
		}
		c.TicketID, c.TicketStatus, c.TicketErr, c.Ticket = ca.Text, Loading, nil, nil
	})
	var t wire.TicketDetail
	err := portalAPI(cctx, "GET", ca.Base+"api/tickets/"+url.PathEscape(ca.Text), nil, &t)
	updateLatest(ctx, "customer-ticket", n, stateCustomer, func(c *customerState) {
		if err != nil {
			we := toWire(err)
			if we.Code == codeCanceled {
				return
			}
			if !refused(c, we) {
				c.TicketStatus, c.TicketErr = Failed, we
			}
			return
		}
		c.SignedOut = false
		if c.Result == nil {
			// Opened from a link: the page needs a result to render in.
			c.Result = &wire.PreviewResult{Access: true}
		}
		c.TicketStatus, c.Ticket = Loaded, &t
	})
}

// handleCustomerSignIn exchanges an identity token for the session cookie
// (POST <base>session), then opens the portal, which loads the list.
func handleCustomerSignIn(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	update(ctx, stateCustomer, func(c *customerState) {
		*c = customerState{Base: ca.Base, SigningIn: true, Status: Loading}
	})
	var s SessionInfo
	err := portalAPI(ctx, "POST", ca.Base+"session", map[string]string{"token": strings.TrimSpace(ca.Text)}, &s)
	if err != nil {
		update(ctx, stateCustomer, func(c *customerState) {
			c.SigningIn, c.SignedOut, c.Status = false, true, Loaded
			c.SignInErr = toWire(err).Message
		})
		return
	}
	update(ctx, stateCustomer, func(c *customerState) { c.SigningIn = false })
	ctx.Dispatch(func(ctx app.Context) {
		// The token must not stay in the address bar nor in the history.
		app.Window().Get("history").Call("replaceState", nil, "", ca.Base)
		ctx.Navigate(ca.Base)
	})
}

// handleCustomerCheck asks whom a sign-in link's identity token would
// sign in (POST <base>session/check, no session made) and shows it for the
// customer to confirm: a link made by someone else with their own token
// would otherwise sign the visitor into that other account (login CSRF).
// The token leaves the address bar at once and waits in the state.
func handleCustomerCheck(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	tok := strings.TrimSpace(ca.Text)
	update(ctx, stateCustomer, func(c *customerState) {
		*c = customerState{Base: ca.Base, SigningIn: true, Status: Loading}
	})
	ctx.Dispatch(func(ctx app.Context) {
		app.Window().Get("history").Call("replaceState", nil, "", ca.Base+"login")
	})
	var s SessionInfo
	err := portalAPI(ctx, "POST", ca.Base+"session/check", map[string]string{"token": tok}, &s)
	update(ctx, stateCustomer, func(c *customerState) {
		c.SigningIn, c.SignedOut, c.Status = false, true, Loaded
		if err != nil {
			c.SignInErr = toWire(err).Message
			return
		}
		u := s.User
		c.Confirm, c.Pending = &u, tok
	})
}

// handleCustomerForget drops a sign-in link the customer did not confirm.
func handleCustomerForget(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	update(ctx, stateCustomer, func(c *customerState) { *c = customerState{Base: ca.Base, SignedOut: true, Status: Loaded} })
}

// handleCustomerSignOut clears the session cookie (DELETE <base>session).
func handleCustomerSignOut(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	portalAPI(ctx, "DELETE", ca.Base+"session", nil, nil)
	update(ctx, stateCustomer, func(c *customerState) { *c = customerState{Base: ca.Base, SignedOut: true, Status: Loaded} })
	ctx.Dispatch(func(ctx app.Context) { ctx.Navigate(ca.Base) })
}

// handleCustomerSite loads the Help Center homepage or the Messenger page.
func handleCustomerSite(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	setSite := func(fn func(s *siteState)) { update(ctx, stateSite, fn) }
	setSite(func(s *siteState) { s.Status = Loading })
	var err error
	var hc HelpCenterPage
	var m MessengerPage
	if ca.Text == "help" {
		err = portalAPI(ctx, "GET", ca.Base+"api/help-center", nil, &hc)
	} else {
		err = portalAPI(ctx, "GET", ca.Base+"api/messenger", nil, &m)
	}
	setSite(func(s *siteState) {
		if err != nil {
			s.Status, s.Err = Failed, toWire(err)
			return
		}
		s.Status, s.Err = Loaded, nil
		if ca.Text == "help" {
			s.HelpCenter = &hc
		} else {
			s.Messenger = &m
		}
	})
}
