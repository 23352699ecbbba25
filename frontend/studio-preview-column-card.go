package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// previewColumnCard is the "Preview column" toggle of the portal's search.
type previewColumnCard struct {
	app.Compo

	draft draftState
}

func (c *previewColumnCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
}

func (c *previewColumnCard) Render() app.UI {
	st := c.draft.Settings
	if st == nil {
		return app.Div()
	}
	return card("preview-column-card", "Preview column",
		"When customers search the portal, show the best-matching snippet of each result with the search terms highlighted, its author and how long ago it was written.",
		toggle("preview-column-toggle", "Preview column", "On by default.", st.PreviewColumn, false, func(ctx app.Context, e app.Event) {
			v := ctx.JSSrc().Get("checked").Bool()
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { st.PreviewColumn = v }})
		}),
		app.Div().Class("sample-result").Body(
			app.Span().Class("sample-title").Text("Invoice export fails"),
			app.If(st.PreviewColumn, func() app.UI {
				return app.Span().Class("sample-preview").Body(
					app.Raw(`<span class="snippet">…the monthly <mark>invoice</mark> export stops at 80%…</span>`),
					app.Span().Class("meta").Text("Alice Martin · 3d"),
				)
			}),
		),
	)
}
