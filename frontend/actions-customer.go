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
	actionCustomerWho     = "customer/who"     // Base: whom the session signs in
	actionCustomerFilter  = "customer/filter"  // Base; Tab: the parameter ("" clears them); Text: its value; More: toggle
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
	// View is the list's view of the address arrived at
	// (actionCustomerOpen).
	View *listView
	// Refused is the reason a sign-in form post was refused
	// (login?refused=), to word for the customer.
	Refused string
}

// listView is how the customer looks at the list: the tab and the
// search. It lives in the page's address with the API's own parameter
// names (/portal/<slug>/?tab=mine&q=invoice), so a link or a reload
// reproduces the view.
type listView struct {
	Tab    string
	Search string
	listFilter
}

// listFilter is the list's filters and order, each as its query
// parameter's value: State and Types comma-separated (state categories,
// type ids), After and Before YYYY-MM-DD (created_after inclusive,
// created_before exclusive), Sort (updated, created) and Order (desc,
// asc); "" is unset.
type listFilter struct {
	State, Types, After, Before, Sort, Order string
}

// The list's query parameters, the portal API's names.
var filterParams = []string{"state", "type", "created_after", "created_before", "sort", "order"}

// field returns the filter's value of a query parameter.
func (f *listFilter) field(param string) *string {
	switch param {
	case "state":
		return &f.State
	case "type":
		return &f.Types
	case "created_after":
		return &f.After
	case "created_before":
		return &f.Before
	case "sort":
		return &f.Sort
	case "order":
		return &f.Order
	}
	return nil
}

// narrowed reports whether the filter leaves tickets out (the sort
// leaves none out).
func (f listFilter) narrowed() bool {
	return f.State != "" || f.Types != "" || f.After != "" || f.Before != ""
}

// query is the view as query parameters: only what is set.
func (v listView) query() url.Values {
	q := url.Values{}
	if v.Tab != "" {
		q.Set("tab", v.Tab)
	}
	if v.Search != "" {
		q.Set("q", v.Search)
	}
	for p, vals := range v.listFilter.values() {
		q[p] = vals
	}
	return q
}

// href is the list's address in this view.
func (v listView) href(base string) string {
	if q := v.query().Encode(); q != "" {
		return base + "?" + q
	}
	return base
}

// viewOf reads a view from an address's query.
func viewOf(q url.Values) listView {
	v := listView{Tab: q.Get("tab"), Search: strings.TrimSpace(q.Get("q"))}
	for _, p := range filterParams {
		*v.field(p) = strings.TrimSpace(strings.Join(q[p], ","))
	}
	return v
}

// toggled returns a comma-separated list with value added, or removed
// when it is there.
func toggled(list, value string) string {
	var out []string
	found := false
	for _, v := range strings.Split(list, ",") {
		switch {
		case v == "":
		case v == value:
			found = true
		default:
			out = append(out, v)
		}
	}
	if !found {
		out = append(out, value)
	}
	return strings.Join(out, ",")
}

// handleCustomerFilter changes one filter of the list (Tab: the query
// parameter; Text: its new value, "" to remove it; More: toggle Text in
// a comma-separated list; "sort" takes "sort:order"), or clears them all
// (Tab ""; the order stays), and shows its first page.
func handleCustomerFilter(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	var c customerState
	ctx.GetState(stateCustomer, &c)
	v := c.View
	v.listFilter = v.changed(ca.Tab, ca.Text, ca.More)
	handleCustomerView(ctx, ca.Base, v)
}

// changed returns the filter with one query parameter's value changed
// (value "" removes it; toggle adds or removes value in its
// comma-separated list; "sort" takes "sort:order", both at once), or
// with param "" cleared (the order stays): what the filter bar's events
// ask (portalProps.OnFilter).
func (f listFilter) changed(param, value string, toggle bool) listFilter {
	switch {
	case param == "":
		return listFilter{Sort: f.Sort, Order: f.Order}
	case param == "sort":
		f.Sort, f.Order, _ = strings.Cut(value, ":")
	case f.field(param) != nil:
		if toggle {
			*f.field(param) = toggled(*f.field(param), value)
		} else {
			*f.field(param) = value
		}
	}
	return f
}

// values is the filter as the portal API's query parameters: only what
// is set (portal.ParseTicketFilter reads them).
func (f listFilter) values() url.Values {
	q := url.Values{}
	for _, p := range filterParams {
		if val := *f.field(p); val != "" {
			q.Set(p, val)
		}
	}
	return q
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
	// Who is whom the session signs in (every page shows the name and
	// Sign out); nil: nobody, or not known yet (WhoAsked false).
	Who      *wire.UserInfo
	WhoAsked bool
	Denied   string // the server's reason for a 403
	Result   *wire.PreviewResult
	Facets   *ListFacets
	View     listView // what the list shows: the address's view
	Tab      string   // the tab shown (the server's default when View.Tab is "")
	More     bool
	Err      *WireError

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
	app.Handle(actionCustomerWho, handleCustomerWho)
	app.Handle(actionCustomerFilter, handleCustomerFilter)
}

// refusalText is what the customer reads when the server refused to sign
// them in: its reason worded for them (never the integrator's sentence,
// which speaks of tokens and claims), or the transport's own sentence.
func refusalText(err *WireError) string {
	switch err.Code {
	case "unauthorized", "too_many_requests":
		return wire.SignInRefusal(err.Reason)
	}
	return err.Message
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
		c.SignedOut, c.Result, c.Ticket, c.Who = true, nil, nil, nil
		if err.Reason == wire.RefusedSessionEnded {
			c.SignInErr = wire.SignInRefusal(err.Reason)
		}
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
	if ca.Token == "" {
		// Whom the session signs in, once per page load (a sign-in
		// link asks its own question).
		var c customerState
		ctx.GetState(stateCustomer, &c)
		if c.Base != ca.Base || !c.WhoAsked {
			ctx.Async(func() { handleCustomerWho(ctx, app.Action{Value: customerAction{Base: ca.Base}}) })
		}
	}
	switch {
	case ca.Token != "" && (ca.Page == "portal" || ca.Page == "login"):
		handleCustomerCheck(ctx, app.Action{Value: customerAction{Base: ca.Base, Text: ca.Token}})
	case ca.Page == "login" && ca.Refused != "":
		// A sign-in form posted without the WebAssembly, refused.
		update(ctx, stateCustomer, func(c *customerState) {
			if c.Base != ca.Base {
				*c = customerState{Base: ca.Base}
			}
			c.SignedOut, c.SigningIn, c.SignInErr = true, false, wire.SignInRefusal(ca.Refused)
		})
	case ca.Page == "help" || ca.Page == "messenger":
		handleCustomerSite(ctx, app.Action{Value: customerAction{Base: ca.Base, Text: ca.Page}})
	case ca.Page != "portal":
	case strings.HasPrefix(ca.Text, ca.Base+"tickets/") && len(ca.Text) > len(ca.Base+"tickets/"):
		handleCustomerTicket(ctx, app.Action{Value: customerAction{Base: ca.Base, Text: strings.TrimPrefix(ca.Text, ca.Base+"tickets/")}})
	default:
		view := listView{}
		if ca.View != nil {
			view = *ca.View
		}
		c := update(ctx, stateCustomer, func(c *customerState) { c.Ticket, c.TicketID, c.TicketStatus, c.TicketErr = nil, "", NotLoaded, nil })
		if c.Base != ca.Base || c.Result == nil || c.View != view || (c.Result.Access && len(c.Result.Tabs) == 0) {
			handleCustomerView(ctx, ca.Base, view)
		}
	}
}

// handleCustomerView shows the list in a view (the address's): its first
// page.
func handleCustomerView(ctx app.Context, base string, view listView) {
	update(ctx, stateCustomer, func(c *customerState) {
		if c.Base != base {
			*c = customerState{Base: base}
		}
		c.View = view
	})
	handleCustomerList(ctx, app.Action{Value: customerAction{Base: base}})
}

// showView puts the list's view in the address, without a new history
// entry, while the list is what the page shows.
func showView(ctx app.Context, base string, v listView) {
	ctx.Dispatch(func(ctx app.Context) {
		if app.Window().URL().Path != base {
			return
		}
		u, err := url.Parse(v.href(base))
		if err != nil {
			return
		}
		if cur := app.Window().URL(); cur.Path+"?"+cur.RawQuery == u.Path+"?"+u.RawQuery {
			return
		}
		ctx.Page().ReplaceURL(u)
	})
}

// handleCustomerWho asks whom the session signs in (GET <base>session).
func handleCustomerWho(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	var s SessionInfo
	err := portalAPI(ctx, "GET", ca.Base+"session", nil, &s)
	update(ctx, stateCustomer, func(c *customerState) {
		if c.Base != ca.Base {
			*c = customerState{Base: ca.Base}
		}
		c.WhoAsked = true
		if err != nil {
			c.Who = nil
			return
		}
		u := s.User
		c.Who = &u
	})
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
			// Another tab starts without the search.
			c.View.Tab, c.View.Search = ca.Tab, ""
		}
		if ca.More {
			c.More = true
		} else {
			c.Status = Loading
		}
		prev = c.Result
	})
	if !ca.More {
		showView(ctx, ca.Base, c.View)
	}
	q := c.View.query()
	q.Set("limit", itoa(customerPageSize))
	if ca.More {
		if prev == nil || prev.Next == "" {
			update(ctx, stateCustomer, func(c *customerState) { c.More = false })
			return
		}
		q.Set("cursor", prev.Next)
	}
	var list CustomerList
	err := portalAPI(cctx, "GET", ca.Base+"api/tickets?"+q.Encode(), nil, &list)
	res := list.PreviewResult
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
		c.SignedOut, c.Denied, c.SignInErr = false, "", ""
		c.Status, c.Err, c.Result, c.Tab = Loaded, nil, &res, res.Tab
		if !ca.More {
			c.Facets = list.Facets
		}
		if c.Who == nil {
			u := res.User
			c.Who = &u
		}
	})
}

// handleCustomerSearch searches the current tab once typing pauses.
func handleCustomerSearch(ctx app.Context, a app.Action) {
	ca, ok := customerOf(a)
	if !ok {
		return
	}
	n, _ := startRequest(ctx, "customer-search")
	update(ctx, stateCustomer, func(c *customerState) { c.View.Search = strings.TrimSpace(ca.Text) })
	time.Sleep(debounce)
	if !isLatest(ctx, "customer-search", n) {
		return
	}
	handleCustomerList(ctx, app.Action{Value: customerAction{Base: ca.Base}})
}

// handleCustomerTicket loads a ticket's page from GET
// <base>api/tickets/{id}?by=number: the address names the number
// customers know, so that number's ticket wins over another whose id is
// that number; an old link by id still opens its ticket, and the address
// then shows its number.
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
	err := portalAPI(cctx, "GET", ca.Base+"api/tickets/"+url.PathEscape(ca.Text)+"?by=number", nil, &t)
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
	if err == nil && t.TicketID != "" && t.TicketID != ca.Text {
		// Opened by its internal id (an old link): show the number
		// customers know in the address.
		ctx.Dispatch(func(ctx app.Context) {
			if app.Window().URL().Path != ca.Base+"tickets/"+ca.Text {
				return
			}
			if u, err := url.Parse(ticketHref(ca.Base, t.TicketID)); err == nil {
				ctx.Page().ReplaceURL(u)
			}
		})
	}
}

// ticketHref is a ticket's page: by the number customers know.
func ticketHref(base, number string) string { return base + "tickets/" + url.PathEscape(number) }

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
	err := portalAPI(ctx, "POST", ca.Base+"session", map[string]string{"token": wire.SignInCode(ca.Text)}, &s)
	if err != nil {
		update(ctx, stateCustomer, func(c *customerState) {
			c.SigningIn, c.SignedOut, c.Status = false, true, Loaded
			c.SignInErr = refusalText(toWire(err))
		})
		return
	}
	update(ctx, stateCustomer, func(c *customerState) {
		u := s.User
		c.SigningIn, c.Who, c.WhoAsked = false, &u, true
	})
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
	tok := wire.SignInCode(ca.Text)
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
			c.SignInErr = refusalText(toWire(err))
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
	update(ctx, stateCustomer, func(c *customerState) {
		*c = customerState{Base: ca.Base, SignedOut: true, Status: Loaded, WhoAsked: true}
	})
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
