package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// previewPane is one side of the Preview page: a user picker, the
// decisions with their reasons, and the portal as that user sees it.
type previewPane struct {
	app.Compo
	IIndex int

	preview previewState
	query   string
}

func (c *previewPane) OnMount(ctx app.Context) {
	ctx.ObserveState(statePreview, &c.preview)
}

func (c *previewPane) post(ctx app.Context, action string, pa paneAction) {
	pa.Pane = c.IIndex
	ctx.NewActionWithValue(action, pa)
}

func (c *previewPane) Render() app.UI {
	ps := c.preview.Panes[c.IIndex]
	var body app.UI
	switch {
	case ps.User == nil && ps.Err != nil:
		body = errorText(ps.Err.Message)
	case ps.User == nil:
		body = app.P().Class("hint empty-pane").Text("Pick a user to see the portal as they do.")
	case ps.Result == nil && ps.Status == Failed:
		body = errorText(ps.Err.Message)
	case ps.Result == nil:
		body = app.Div().Class("pane-loading").Body(spinner(), app.Text(" Loading the portal…"))
	default:
		body = app.Div().Body(
			&decisionPanel{IResult: ps.Result},
			c.portal(ps),
		)
	}
	return app.Section().Class("pane").ID("pane-"+itoa(c.IIndex)).Body(
		c.picker(ps),
		body,
	)
}

// picker is the user search and the shortcuts.
func (c *previewPane) picker(ps paneState) app.UI {
	var who app.UI
	if ps.User != nil {
		name := ps.User.Name
		if name == "" {
			name = ps.User.Email
		}
		who = app.Div().Class("who").Body(
			app.Span().Class("avatar big").Text(initials(name)),
			app.Div().Body(
				app.Span().Class("who-name").Text(name),
				app.Span().Class("who-email").Text(ps.User.Email),
				app.If(ps.Result != nil && len(ps.Result.User.Companies) > 0, func() app.UI {
					cs := ps.Result.User.Companies
					names := ""
					for i, co := range cs {
						if i > 0 {
							names += ", "
						}
						if co.Name != "" {
							names += co.Name
						} else {
							names += co.ID
						}
					}
					return app.Span().Class("who-companies").Text(names)
				}),
			),
		)
	}
	found := ps.Found
	return app.Div().Class("picker-box").Body(
		who,
		app.Div().Class("user-search").Body(
			&liveInput{IType: "search", IClass: "user-search-input", IPlaceholder: "Find a user by name or email…", ILabel: "Find a user", IValue: c.query, IOnInput: func(ctx app.Context, text string) {
				c.query = text
				c.post(ctx, actionFindUsers, paneAction{Text: text})
			}},
			app.If(c.query != "" && found != nil, func() app.UI {
				if len(found) == 0 {
					return app.Div().Class("found").Body(app.P().Class("hint").Text("No user matches."))
				}
				return app.Ul().Class("found").Body(app.Range(found).Slice(func(i int) app.UI {
					u := found[i]
					return app.Li().Body(app.Button().Class("found-user").Body(
						app.Span().Class("user-name").Text(u.Name),
						app.Span().Class("user-email").Text(u.Email),
					).OnClick(func(ctx app.Context, e app.Event) {
						c.query = ""
						c.post(ctx, actionPick, paneAction{User: &u})
						c.post(ctx, actionFindUsers, paneAction{Text: ""})
					}))
				}))
			}),
		),
		app.Div().Class("shortcuts").Body(
			app.Span().Class("hint").Text("Pick"),
			app.Button().Class("btn btn-small sample-restricted").Text("a restricted user").OnClick(func(ctx app.Context, e app.Event) {
				c.post(ctx, actionSample, paneAction{Text: "restricted"})
			}),
			app.Button().Class("btn btn-small sample-unrestricted").Text("an unrestricted user").OnClick(func(ctx app.Context, e app.Event) {
				c.post(ctx, actionSample, paneAction{Text: "unrestricted"})
			}),
		),
	)
}

// portal renders the customer portal of the pane's user.
func (c *previewPane) portal(ps paneState) app.UI {
	r := ps.Result
	props := portalProps{
		Result:       r,
		Tab:          ps.Tab,
		Search:       ps.Search,
		Loading:      ps.Status == Loading,
		LoadingMore:  ps.More,
		Ticket:       ps.Ticket,
		TicketStatus: ps.TicketStatus,
		OnTab: func(tab string) app.EventHandler {
			return func(ctx app.Context, e app.Event) { c.post(ctx, actionTab, paneAction{Text: tab}) }
		},
		OnSearch: func(ctx app.Context, text string) {
			c.post(ctx, actionSearch, paneAction{Text: text})
		},
		OnOpen: func(id string) app.EventHandler {
			return func(ctx app.Context, e app.Event) { c.post(ctx, actionOpenTicket, paneAction{Text: id}) }
		},
		OnBack: func(ctx app.Context, e app.Event) { c.post(ctx, actionCloseTicket, paneAction{}) },
		OnMore: func(ctx app.Context, e app.Event) { c.post(ctx, actionMore, paneAction{}) },
	}
	if ps.TicketErr != nil {
		props.TicketErr = ps.TicketErr.Message
	}
	if ps.Status == Failed && ps.Err != nil {
		props.Err = ps.Err.Message
	}
	return portalFrame(props)
}
