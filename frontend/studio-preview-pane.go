package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// previewPane is one side of the Preview page: a user picker, the
// decisions with their reasons, and the portal as that user sees it.
type previewPane struct {
	app.Compo
	IIndex int

	preview previewState
	query   string
	// active is the highlighted suggestion of the user search (↑/↓
	// move it, Enter picks it); -1 when none.
	active int
}

func (c *previewPane) OnMount(ctx app.Context) {
	ctx.ObserveState(statePreview, &c.preview)
	c.active = -1
}

// pickUser previews u in this pane and closes the search.
func (c *previewPane) pickUser(ctx app.Context, u portal.UserSummary) {
	c.query, c.active = "", -1
	// Empty the search box: the live input keeps what was typed (its
	// value did not change from its point of view).
	if in := app.Window().Get("document").Call("querySelector", "#pane-"+itoa(c.IIndex)+" .user-search-input"); in.Truthy() {
		in.Set("value", "")
	}
	c.post(ctx, actionPick, paneAction{User: &u})
	c.post(ctx, actionFindUsers, paneAction{Text: ""})
}

// searchKey moves the highlighted suggestion (↑/↓) and picks it (Enter:
// the highlighted one, else the first). It reads the suggestions when the
// key is pressed: go-app keeps the handler of the first render.
func (c *previewPane) searchKey(ctx app.Context, e app.Event) {
	found := c.preview.Panes[c.IIndex].Found
	if c.query == "" || len(found) == 0 {
		return
	}
	switch e.Get("key").String() {
	case "ArrowDown":
		e.PreventDefault()
		c.active = min(c.active+1, len(found)-1)
	case "ArrowUp":
		e.PreventDefault()
		c.active = max(c.active-1, 0)
	case "Enter":
		e.PreventDefault()
		i := max(min(c.active, len(found)-1), 0)
		// Leave the input, so that it shows the cleared search.
		ctx.JSSrc().Call("blur")
		c.pickUser(ctx, found[i])
	case "Escape":
		c.active = -1
	}
}

// pickFound picks suggestion i as the list shows it now (go-app keeps
// the click handler of the row's first render, with its user).
func (c *previewPane) pickFound(ctx app.Context, i int) {
	if found := c.preview.Panes[c.IIndex].Found; i < len(found) {
		c.pickUser(ctx, found[i])
	}
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
	// An empty placeholder until a user is picked: go-app patches the
	// children by position, so a "who" appearing in front of the search
	// box would rebuild the box and take the focus from the admin typing.
	var who app.UI = app.Div().Class("who who-none")
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
	if c.query == "" || c.active >= len(found) {
		c.active = -1
	}
	listID := "found-" + itoa(c.IIndex)
	activeID := ""
	if c.active >= 0 {
		activeID = listID + "-" + itoa(c.active)
	}
	return app.Div().Class("picker-box").Body(
		who,
		app.Div().Class("user-search").Body(
			&liveInput{IType: "search", IClass: "user-search-input", IPlaceholder: "Find a user by name or email…", ILabel: "Find a user", IValue: c.query, IControls: listID, IActive: activeID, IOnKeyDown: c.searchKey, IOnInput: func(ctx app.Context, text string) {
				c.query, c.active = text, -1
				c.post(ctx, actionFindUsers, paneAction{Text: text})
			}},
			app.If(c.query != "" && found != nil, func() app.UI {
				if len(found) == 0 {
					return app.Div().Class("found").Body(app.P().Class("hint").Text("No user matches."))
				}
				return app.Ul().Class("found").ID(listID).Role("listbox").Body(app.Range(found).Slice(func(i int) app.UI {
					u := found[i]
					cls := "found-user"
					if i == c.active {
						cls += " active"
					}
					return app.Li().ID(listID+"-"+itoa(i)).Role("option").Aria("selected", i == c.active).Body(app.Button().Class(cls).Body(
						app.Span().Class("user-name").Text(u.Name),
						app.Span().Class("user-email").Text(u.Email),
					).OnClick(func(ctx app.Context, e app.Event) { c.pickFound(ctx, i) }))
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
		// The filter bar, as on the portal's page.
		Filter:   ps.Filter,
		IDSuffix: "-" + itoa(c.IIndex),
		OnFilter: func(ctx app.Context, param, value string, toggle bool) {
			c.post(ctx, actionFilter, paneAction{Text: param, Value: value, Toggle: toggle})
		},
	}
	if r != nil && r.Access && r.Facets.State != nil {
		props.Facets = listFacetsOf(r.Facets)
	}
	if ps.TicketErr != nil {
		props.TicketErr = ps.TicketErr.Message
	}
	if ps.Status == Failed && ps.Err != nil {
		props.Err = ps.Err.Message
	}
	return portalFrame(props)
}

// listFacetsOf returns a preview's facets as the portal view shows them.
func listFacetsOf(f wire.Facets) *ListFacets {
	out := &ListFacets{State: f.State, Type: make([]TypeCount, 0, len(f.Type))}
	for _, t := range f.Type {
		out.Type = append(out.Type, TypeCount{ID: t.ID, Name: t.Name, Count: t.Count})
	}
	return out
}
