package frontend

import (
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The customer portal as a user sees it: tabs, search with the Preview
// column, the ticket list and a ticket's page. These functions render only
// what the portal's data says (a PreviewResult, a TicketDetail), with the
// events left to the caller, so the portal server can render the same
// components for customers.

// portalProps is what the portal view renders, and its events.
type portalProps struct {
	Result       *wire.PreviewResult
	Tab          string
	Search       string
	Loading      bool
	LoadingMore  bool
	Err          string
	Ticket       *wire.TicketDetail
	TicketStatus Status
	TicketErr    string
	Now          time.Time // for relative times; zero: now
	// Denied is the sentence under "You don't have access" (the server's
	// reason, say); empty: a generic one.
	Denied string

	// TicketHref, when set, is a ticket's page address: the list's
	// titles become links (the portal's pages; the studio's preview
	// opens tickets in place).
	TicketHref func(t wire.TicketView) string

	// The list's filters and order, and its counts per state and type:
	// shown when OnFilter is set (the portal's pages and the studio's
	// preview). OnFilter sets a
	// query parameter's value ("" removes it), or toggles value in its
	// comma-separated list; with param "" it clears the filters. The
	// sort menu sets "sort" to "sort:order", both at once.
	Filter   listFilter
	Facets   *ListFacets
	OnFilter func(ctx app.Context, param, value string, toggle bool)
	// IDSuffix ends the ids of the filter bar's controls and the empty
	// state: "" on the portal's pages, the pane's on the studio's
	// preview, which shows two portals side by side.
	IDSuffix string

	OnTab    func(tab string) app.EventHandler
	OnSearch func(ctx app.Context, text string)
	OnOpen   func(id string) app.EventHandler
	OnBack   app.EventHandler
	OnMore   app.EventHandler
}

var tabLabels = map[string]string{portal.TabAll: "All", portal.TabMine: "Created by me"}

// portalFrame renders the portal inside a browser-like frame: the
// studio's preview.
func portalFrame(p portalProps) app.UI {
	cls := "portal-frame"
	if p.Loading {
		cls += " busy"
	}
	return app.Div().Class(cls).Body(
		app.Div().Class("frame-bar").Body(
			app.Span().Class("dot"), app.Span().Class("dot"), app.Span().Class("dot"),
			app.Span().Class("frame-title").Text("Customer portal"),
		),
		portalBody(p),
	)
}

// portalBody renders what the user sees: the no-access page, a ticket's
// page or the list. The studio's preview frames it; the portal server's
// pages show it as it is.
func portalBody(p portalProps) app.UI {
	r := p.Result
	var body app.UI
	switch {
	case r == nil:
		body = app.Div()
	case !r.Access:
		why := p.Denied
		if why == "" {
			why = "Contact the support team if you think you should."
		}
		body = app.Div().Class("portal-denied").Body(
			app.H3().Text("You don't have access to the customer portal"),
			app.P().Text(why),
		)
	case p.Ticket != nil:
		body = ticketPage(p)
	case p.TicketErr != "":
		body = app.Div().Class("ticket-page").Body(
			app.Button().Class("btn btn-link back").Text("← All tickets").OnClick(p.OnBack),
			app.P().Class("ticket-missing").Text(p.TicketErr),
		)
	default:
		body = ticketList(p)
	}
	return app.Div().Class("portal").Body(body)
}

// ticketList renders the tabs, the search box and the list.
func ticketList(p portalProps) app.UI {
	r := p.Result
	tabs := make([]app.UI, 0, len(r.Tabs))
	for _, t := range r.Tabs {
		cls := "tab"
		if t == r.Tab {
			cls += " active"
		}
		tabs = append(tabs, app.Button().Class(cls).DataSet("tab", t).Role("tab").Aria("selected", t == r.Tab).Text(tabLabels[t]).OnClick(func(ctx app.Context, e app.Event) {
			// Read the tab from the element: go-app keeps the first
			// handler of an element it updates in place, so a captured
			// value could be stale.
			p.OnTab(ctx.JSSrc().Get("dataset").Get("tab").String())(ctx, e)
		}))
	}
	searching := r.Search != ""
	// The date column shows the date the list is sorted by: the
	// creation when sorted so, else the last update.
	dateHead, dateOf := "Updated", func(t wire.TicketView) time.Time { return t.UpdatedAt }
	if r.Filter.Sort == portal.SortCreated {
		dateHead, dateOf = "Opened", func(t wire.TicketView) time.Time { return t.CreatedAt }
	}
	var rows app.UI
	if len(r.Tickets) == 0 {
		msg := "No tickets yet."
		if searching {
			msg = "No tickets match “" + r.Search + "”."
		}
		if p.OnFilter != nil && p.Filter.narrowed() {
			msg = emptyBecause(p.Filter, p.Facets, r.Search)
		}
		rows = app.Div().Class("portal-empty").ID(p.id("portal-empty")).Body(
			app.P().Text(msg),
			app.If(p.OnFilter != nil && p.Filter.narrowed(), func() app.UI {
				return app.Button().Type("button").Class("btn btn-small").ID(p.id("empty-clear-filters")).Text("Clear filters").OnClick(func(ctx app.Context, e app.Event) {
					p.OnFilter(ctx, "", "", false)
				})
			}),
		)
	} else {
		rows = app.Table().Class("tickets").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Class("col-ticket").Text("Ticket"),
				app.If(searching && hasPreview(r.Tickets), func() app.UI { return app.Th().Class("col-preview").Text("Preview") }),
				app.Th().Class("col-state").Text("Status"),
				app.Th().Class("col-date").Text(dateHead),
			)),
			app.TBody().Body(app.Range(r.Tickets).Slice(func(i int) app.UI {
				t := r.Tickets[i]
				var title app.UI = app.Span().Class("ticket-title").Text(t.Title)
				if p.TicketHref != nil {
					title = app.A().Class("ticket-title").Href(p.TicketHref(t)).Text(t.Title)
				}
				return app.Tr().Class("ticket-row").DataSet("id", t.ID).DataSet("number", t.TicketID).TabIndex(0).OnClick(func(ctx app.Context, e app.Event) {
					if e.Get("target").Call("closest", "a").Truthy() {
						return // the link opens it
					}
					p.OnOpen(ctx.JSSrc().Get("dataset").Get("id").String())(ctx, e)
				}).Body(
					app.Td().Class("col-ticket").Body(
						title,
						app.Span().Class("ticket-meta").Text("#"+t.TicketID+creator(t.CreatedBy)),
					),
					app.If(searching && hasPreview(r.Tickets), func() app.UI {
						if t.Preview == nil {
							return app.Td().Class("col-preview")
						}
						return app.Td().Class("col-preview").Body(
							safeSnippet(t.Preview.Snippet),
							app.Span().Class("meta").Text(t.Preview.Author+" · "+t.Preview.Ago),
						)
					}),
					app.Td().Class("col-state").Body(app.Span().Class("state").Text(t.State)),
					app.Td().Class("col-date").Body(
						app.Time().DateTime(dateOf(t).UTC().Format(time.RFC3339)).Title(dateHead+" "+longDate(dateOf(t))).Text(portal.Ago(dateOf(t), now(p.Now))),
					),
				)
			})),
		)
	}
	total := plural(r.Total, "ticket", "tickets")
	if searching {
		total = plural(r.Total, "result", "results")
	}
	return app.Div().Class("portal-list").Body(
		app.Div().Class("portal-head").Body(
			app.H3().Text("Your tickets"),
			app.Div().Class("tabs").Role("tablist").Body(tabs...),
		),
		&liveInput{IType: "search", IClass: "portal-search", IPlaceholder: "Search tickets", ILabel: "Search tickets", IValue: p.Search, IOnInput: p.OnSearch},
		app.If(p.OnFilter != nil, func() app.UI { return filterBar(p) }),
		app.P().Class("portal-total").Text(total),
		rows,
		app.If(r.Next != "", func() app.UI {
			label := "Show more"
			if p.LoadingMore {
				label = "Loading…"
			}
			return disabledIf(p.LoadingMore, app.Button().Class("btn btn-ghost more").Text(label)).OnClick(p.OnMore)
		}),
		app.If(p.Err != "", func() app.UI { return errorText(p.Err) }),
	)
}

// id returns an element's id on this portal view (see IDSuffix).
func (p portalProps) id(name string) string { return name + p.IDSuffix }

func hasPreview(ts []wire.TicketView) bool {
	for _, t := range ts {
		if t.Preview != nil {
			return true
		}
	}
	return false
}

func creator(name string) string {
	if name == "" {
		return ""
	}
	return " · by " + name
}

func now(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// longDate writes a moment for a customer, in the browser's time zone:
// "3 Mar 2026, 14:05".
func longDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2 Jan 2006, 15:04")
}

// ticketPage renders one ticket: its state, number and type, when it was
// opened and by whom, when it was last updated, the description (the
// customer's own first message, with its author and date) and the
// customer-visible conversation.
func ticketPage(p portalProps) app.UI {
	t := p.Ticket
	at := now(p.Now)
	stamp := func(cls, label string, when time.Time) app.UI {
		return app.Span().Class(cls).Body(
			app.Text(label+" "),
			app.Time().DateTime(when.UTC().Format(time.RFC3339)).Title(longDate(when)).Text(longDate(when)),
		)
	}
	author := t.CreatedBy
	if author == "" {
		author = "You"
	}
	return app.Article().Class("ticket-page").Body(
		app.Button().Class("btn btn-link back").Text("← All tickets").OnClick(p.OnBack),
		app.Header().Class("ticket-head").Body(
			app.H3().Text(t.Title),
			app.Div().Class("ticket-meta").Body(
				app.Span().Class("state").Text(t.State),
				app.Span().Class("ticket-number").Text("#"+t.TicketID),
				app.If(t.TypeName != "", func() app.UI { return app.Span().Class("ticket-type").Text(t.TypeName) }),
			),
			app.Div().Class("ticket-dates").Body(
				app.If(!t.CreatedAt.IsZero(), func() app.UI {
					return app.Span().Class("ticket-opened").Body(
						stamp("", "Opened", t.CreatedAt),
						app.If(t.CreatedBy != "", func() app.UI { return app.Text(" by " + t.CreatedBy) }),
					)
				}),
				app.If(!t.UpdatedAt.IsZero(), func() app.UI {
					return app.Span().Class("ticket-updated").Text("Updated " + portal.Ago(t.UpdatedAt, at)).Title(longDate(t.UpdatedAt))
				}),
			),
		),
		app.If(t.Description != "", func() app.UI {
			return app.Section().Class("ticket-desc").Body(
				app.Div().Class("part-head").Body(
					app.Span().Class("part-author").Text(author),
					app.If(!t.CreatedAt.IsZero(), func() app.UI {
						return app.Time().Class("part-ago").DateTime(t.CreatedAt.UTC().Format(time.RFC3339)).Text(longDate(t.CreatedAt))
					}),
				),
				app.P().Class("part-body").Text(t.Description),
			)
		}),
		app.Ol().Class("parts").Body(app.Range(t.Parts).Slice(func(i int) app.UI {
			part := t.Parts[i]
			cls := "part"
			if part.AuthorType == "admin" || part.AuthorType == "bot" || part.AuthorType == "team" {
				cls += " from-team"
			}
			return app.Li().Class(cls).Body(
				app.Div().Class("part-head").Body(
					app.Span().Class("part-author").Text(part.Author),
					app.Time().Class("part-ago").DateTime(part.CreatedAt.UTC().Format(time.RFC3339)).Title(longDate(part.CreatedAt)).Text(part.Ago),
				),
				app.P().Class("part-body").Text(part.Body),
			)
		})),
		app.If(len(t.Parts) == 0, func() app.UI { return app.P().Class("hint").Text("No replies yet.") }),
	)
}

// stateCategoryLabels are the state categories in the customer's words, in the
// order a ticket meets them.
var stateCategoryLabels = []struct{ ID, Label string }{
	{"submitted", "Submitted"},
	{"in_progress", "In progress"},
	{"waiting_on_customer", "Waiting on you"},
	{"resolved", "Resolved"},
}

// sortChoices are the sort menu's entries: sort and order.
var sortChoices = []struct{ Sort, Order, Label string }{
	{"", "", "Recently updated"},
	{"updated", "asc", "Least recently updated"},
	{"created", "desc", "Newest first"},
	{"created", "asc", "Oldest first"},
}

// inList reports whether a comma-separated list holds v.
func inList(list, v string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == v {
			return true
		}
	}
	return false
}

// filterBar renders the list's filters: a chip per state category and
// per type with its count (the facets), the creation date range, the
// sort menu and Clear filters. Each control reads what it sets from its
// element (go-app keeps an element's first handler).
func filterBar(p portalProps) app.UI {
	f := p.Filter
	chip := func(param, value, label string, count int, counted bool) app.UI {
		on := inList(*f.field(param), value)
		cls := "chip"
		if on {
			cls += " on"
		}
		return app.Button().Type("button").Class(cls).DataSet("param", param).DataSet("value", value).Aria("pressed", strconv.FormatBool(on)).
			OnClick(func(ctx app.Context, e app.Event) {
				ds := ctx.JSSrc().Get("dataset")
				p.OnFilter(ctx, ds.Get("param").String(), ds.Get("value").String(), true)
			}).Body(
			app.Span().Class("chip-label").Text(label),
			app.If(counted, func() app.UI { return app.Span().Class("chip-count").Text(itoa(count)) }),
		)
	}
	states := make([]app.UI, 0, len(stateCategoryLabels))
	for _, st := range stateCategoryLabels {
		n, counted := 0, p.Facets != nil
		if counted {
			n = p.Facets.State[st.ID]
		}
		states = append(states, chip("state", st.ID, st.Label, n, counted))
	}
	var types []app.UI
	if p.Facets != nil {
		for _, t := range p.Facets.Type {
			types = append(types, chip("type", t.ID, t.Name, t.Count, true))
		}
	}
	sortValue := f.Sort + ":" + f.Order
	opts := make([]app.UI, 0, len(sortChoices))
	for _, c := range sortChoices {
		v := c.Sort + ":" + c.Order
		o := app.Option().Value(v).Text(c.Label)
		if v == sortValue || (c.Sort == "" && sortValue == "updated:desc") {
			o = o.Selected(true) // never selected="false": that selects it
		}
		opts = append(opts, o)
	}
	date := func(id, param, label, value string) app.UI {
		return app.Label().Class("filter-date").Body(
			app.Span().Text(label),
			app.Input().Type("date").ID(id).DataSet("param", param).Value(value).OnChange(func(ctx app.Context, e app.Event) {
				el := ctx.JSSrc()
				param := el.Get("dataset").Get("param").String()
				v := el.Get("value").String()
				if param == "created_before" && v != "" {
					v = dayAfter(v)
				}
				p.OnFilter(ctx, param, v, false)
			}),
		)
	}
	to := ""
	if f.Before != "" {
		to = dayBefore(f.Before)
	}
	return app.Div().Class("filters").ID(p.id("filters")).Body(
		app.Div().Class("filter-row").Role("group").Aria("label", "Status").Body(states...),
		app.If(len(types) > 0, func() app.UI {
			return app.Div().Class("filter-row").Role("group").Aria("label", "Type").Body(types...)
		}),
		app.Div().Class("filter-row").Body(
			date(p.id("filter-from"), "created_after", "Opened from", f.After),
			date(p.id("filter-to"), "created_before", "to", to),
			app.Label().Class("filter-sort").Body(
				app.Span().Text("Sort"),
				app.Select().ID(p.id("filter-sort")).Body(opts...).OnChange(func(ctx app.Context, e app.Event) {
					// "sort:order", both at once.
					p.OnFilter(ctx, "sort", ctx.JSSrc().Get("value").String(), false)
				}),
			),
			app.If(f.narrowed(), func() app.UI {
				return app.Button().Type("button").Class("btn btn-link").ID(p.id("clear-filters")).Text("Clear filters").OnClick(func(ctx app.Context, e app.Event) {
					p.OnFilter(ctx, "", "", false)
				})
			}),
		),
	)
}

// dayAfter and dayBefore move a YYYY-MM-DD date by a day: the date
// range's "to" is inclusive, created_before exclusive.
func dayAfter(d string) string  { return shiftDay(d, 1) }
func dayBefore(d string) string { return shiftDay(d, -1) }

func shiftDay(d string, n int) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format("2006-01-02")
}

// emptyBecause says which filter hides every ticket of a list that came
// back empty. The facets tell: the state counts ignore the state filter
// and the type counts the type filter, so a state (or type) filter whose
// own counts are 0 while others are not is the one.
func emptyBecause(f listFilter, facets *ListFacets, search string) string {
	if facets != nil && f.State != "" {
		sel, all := 0, 0
		var names []string
		for _, st := range stateCategoryLabels {
			all += facets.State[st.ID]
			if inList(f.State, st.ID) {
				sel += facets.State[st.ID]
				names = append(names, st.Label)
			}
		}
		if sel == 0 && all > 0 {
			return "No tickets are " + strings.Join(names, " or ") + " — " + plural(all, "ticket", "tickets") + " in other states. The status filter hides them all."
		}
	}
	if facets != nil && f.Types != "" {
		sel, all := 0, 0
		var names []string
		for _, t := range facets.Type {
			all += t.Count
			if inList(f.Types, t.ID) {
				sel += t.Count
				names = append(names, t.Name)
			}
		}
		if sel == 0 && all > 0 {
			return "No tickets of type " + strings.Join(names, " or ") + " — " + plural(all, "ticket", "tickets") + " of other types. The type filter hides them all."
		}
	}
	if f.After != "" || f.Before != "" {
		when := ""
		switch {
		case f.After != "" && f.Before != "":
			when = "from " + f.After + " to " + dayBefore(f.Before)
		case f.After != "":
			when = "on or after " + f.After
		default:
			when = "before " + f.Before
		}
		msg := "No tickets were opened " + when
		if search != "" {
			msg += " that match “" + search + "”"
		}
		return msg + ". The date range hides them all."
	}
	if search != "" {
		return "No tickets match “" + search + "” with these filters."
	}
	return "No tickets match these filters."
}
