package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// helpCenterCard is the Help Center's "Layout and sections": show/hide and
// reorder the homepage sections (drag and drop, buttons, or Alt+↑/↓). The
// Customer portal section cannot be edited, only shown/hidden and moved.
// Going live is the Go live card's (goLiveCard).
type helpCenterCard struct {
	app.Compo

	draft    draftState
	dragFrom int
	dragOver int
	// follow is the section moved with Alt+↑/↓: once the draft shows the
	// move, the focus goes to its row, so that the next press moves the
	// same section again.
	follow string
}

func (c *helpCenterCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft).OnChange(func() {
		if c.follow == "" {
			return
		}
		id := c.follow
		c.follow = ""
		// After the update that renders the moved rows.
		ctx.Defer(func(ctx app.Context) { focusSection(id) })
	})
	c.dragFrom, c.dragOver = -1, -1
}

// focusSection gives the keyboard focus to the row of section id.
func focusSection(id string) {
	if el := app.Window().GetElementByID(sectionRowID(id)); el.Truthy() {
		el.Call("focus")
	}
}

// sectionRowID is the element ID of a section's row.
func sectionRowID(id string) string { return "section-" + id }

func move(ctx app.Context, from, to int) {
	ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { moveSection(st, from, to) }})
}

func (c *helpCenterCard) Render() app.UI {
	st := c.draft.Settings
	if st == nil {
		return app.Div()
	}
	secs := st.HelpCenter.Sections
	return card("help-center-card", "Help Center: layout and sections",
		"The sections of your Help Center homepage, in order. Drag a section by its handle, or use the arrows (Alt+↑/↓ on a focused row).",
		app.Ol().Class("sections").ID("sections").Body(
			app.Range(secs).Slice(func(i int) app.UI { return c.row(secs, i) }),
		),
		errorText(firstProblem(c.draft.problemsUnder("help_center"))),
	)
}

func firstProblem(ps []portal.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].String()
}

func (c *helpCenterCard) row(secs []portal.Section, i int) app.UI {
	s := secs[i]
	locked := s.Kind == portal.SectionCustomerPortal
	cls := "section-row"
	if !s.Visible {
		cls += " hidden-section"
	}
	if c.dragOver == i && c.dragFrom >= 0 && c.dragFrom != i {
		cls += " drop-target"
	}
	if c.dragFrom == i {
		cls += " dragging"
	}
	var title app.UI
	if locked {
		title = app.Span().Class("section-title locked").Title("This section cannot be edited, only shown/hidden and moved.").Body(
			app.Text(s.Title),
			app.Span().Class("lock").Text("only show/hide and move"),
		)
	} else {
		title = app.Input().Type("text").Class("section-title-input").Value(s.Title).Aria("label", "section title").OnChange(func(ctx app.Context, e app.Event) {
			v := ctx.JSSrc().Get("value").String()
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) {
				if i < len(st.HelpCenter.Sections) {
					st.HelpCenter.Sections[i].Title = v
				}
			}})
		})
	}
	id := s.ID
	return app.Li().Class(cls).ID(sectionRowID(s.ID)).DataSet("id", s.ID).TabIndex(0).Draggable(true).
		OnDragStart(func(ctx app.Context, e app.Event) {
			c.dragFrom = i
			if dt := e.Get("dataTransfer"); dt.Truthy() {
				dt.Set("effectAllowed", "move")
				dt.Call("setData", "text/plain", id)
			}
		}).
		OnDragOver(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			if c.dragOver != i {
				c.dragOver = i
			} else {
				ctx.PreventUpdate()
			}
		}).
		OnDrop(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			from := c.dragFrom
			c.dragFrom, c.dragOver = -1, -1
			if from >= 0 && from != i {
				move(ctx, from, i)
			}
		}).
		OnDragEnd(func(ctx app.Context, e app.Event) { c.dragFrom, c.dragOver = -1, -1 }).
		OnKeyDown(func(ctx app.Context, e app.Event) {
			if !e.Get("altKey").Bool() {
				return
			}
			// go-app keeps the handler of the first render (same code),
			// so what may have moved since is read now: the row's
			// section from its data-id, the count from the draft.
			moved := ctx.JSSrc().Get("dataset").Get("id").String()
			n := 0
			if c.draft.Settings != nil {
				n = len(c.draft.Settings.HelpCenter.Sections)
			}
			to := i
			switch e.Get("key").String() {
			case "ArrowUp":
				to = i - 1
			case "ArrowDown":
				to = i + 1
			default:
				return
			}
			e.PreventDefault()
			if to >= 0 && to < n {
				c.follow = moved
				move(ctx, i, to)
			}
		}).
		Body(
			app.Span().Class("handle").Title("Drag to reorder").Aria("hidden", "true").Text("⋮⋮"),
			app.Span().Class("section-main").Body(
				title,
				app.Span().Class("kind").Text(kindLabel(s.Kind)),
			),
			app.Span().Class("section-controls").Body(
				disabledIf(i == 0, app.Button().Class("icon-btn move-up").Title("Move up").Aria("label", "Move "+s.Title+" up")).Text("↑").OnClick(func(ctx app.Context, e app.Event) { move(ctx, i, i-1) }),
				disabledIf(i == len(secs)-1, app.Button().Class("icon-btn move-down").Title("Move down").Aria("label", "Move "+s.Title+" down")).Text("↓").OnClick(func(ctx app.Context, e app.Event) { move(ctx, i, i+1) }),
				app.Label().Class("switch small").Title("Show or hide this section").Body(
					checkedIf(s.Visible, app.Input().Type("checkbox").Class("section-visible").Role("switch").Aria("label", "Show "+s.Title)).OnChange(func(ctx app.Context, e app.Event) {
						v := ctx.JSSrc().Get("checked").Bool()
						ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) {
							if i < len(st.HelpCenter.Sections) {
								st.HelpCenter.Sections[i].Visible = v
							}
						}})
					}),
					app.Span().Class("slider"),
				),
			),
		)
}

func kindLabel(k string) string {
	switch k {
	case portal.SectionCollection:
		return "Collection"
	case portal.SectionArticleList:
		return "Article list"
	case portal.SectionCustomerPortal:
		return "Customer portal card"
	case portal.SectionContact:
		return "Contact"
	}
	return k
}
