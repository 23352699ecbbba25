package frontend

import (
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
	var rows app.UI
	if len(r.Tickets) == 0 {
		msg := "No tickets yet."
		if searching {
			msg = "No tickets match “" + r.Search + "”."
		}
		rows = app.P().Class("portal-empty").Text(msg)
	} else {
		rows = app.Table().Class("tickets").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Class("col-ticket").Text("Ticket"),
				app.If(searching && hasPreview(r.Tickets), func() app.UI { return app.Th().Class("col-preview").Text("Preview") }),
				app.Th().Class("col-state").Text("Status"),
				app.Th().Class("col-updated").Text("Updated"),
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
					app.Td().Class("col-updated").Body(
						app.Time().DateTime(t.UpdatedAt.UTC().Format(time.RFC3339)).Title("Updated "+longDate(t.UpdatedAt)).Text(portal.Ago(t.UpdatedAt, now(p.Now))),
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
