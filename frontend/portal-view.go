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
				app.Th().Text("Ticket"),
				app.If(searching && hasPreview(r.Tickets), func() app.UI { return app.Th().Class("col-preview").Text("Preview") }),
				app.Th().Text("Status"),
				app.Th().Class("col-updated").Text("Updated"),
			)),
			app.TBody().Body(app.Range(r.Tickets).Slice(func(i int) app.UI {
				t := r.Tickets[i]
				return app.Tr().Class("ticket-row").DataSet("id", t.ID).TabIndex(0).OnClick(func(ctx app.Context, e app.Event) {
					p.OnOpen(ctx.JSSrc().Get("dataset").Get("id").String())(ctx, e)
				}).Body(
					app.Td().Body(
						app.Span().Class("ticket-title").Text(t.Title),
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
					app.Td().Body(app.Span().Class("state").Text(t.State)),
					app.Td().Class("col-updated").Text(portal.Ago(t.UpdatedAt, now(p.Now))),
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
			return app.Button().Class("btn btn-ghost more").Disabled(p.LoadingMore).Text(label).OnClick(p.OnMore)
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

// ticketPage renders one ticket: its state, description and the
// customer-visible conversation.
func ticketPage(p portalProps) app.UI {
	t := p.Ticket
	return app.Article().Class("ticket-page").Body(
		app.Button().Class("btn btn-link back").Text("← All tickets").OnClick(p.OnBack),
		app.Header().Class("ticket-head").Body(
			app.H3().Text(t.Title),
			app.Div().Class("ticket-meta").Body(
				app.Span().Class("state").Text(t.State),
				app.Span().Text(" #"+t.TicketID+" · "+t.TypeName+creator(t.CreatedBy)),
			),
		),
		app.If(t.Description != "", func() app.UI { return app.P().Class("ticket-desc").Text(t.Description) }),
		app.Ol().Class("parts").Body(app.Range(t.Parts).Slice(func(i int) app.UI {
			part := t.Parts[i]
			cls := "part"
			if part.AuthorType == "admin" || part.AuthorType == "bot" || part.AuthorType == "team" {
				cls += " from-team"
			}
			return app.Li().Class(cls).Body(
				app.Div().Class("part-head").Body(
					app.Span().Class("part-author").Text(part.Author),
					app.Span().Class("part-ago").Text(part.Ago),
				),
				app.P().Class("part-body").Text(part.Body),
			)
		})),
		app.If(len(t.Parts) == 0, func() app.UI { return app.P().Class("hint").Text("No replies yet.") }),
	)
}
