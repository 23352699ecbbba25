package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// previewPage shows the portal exactly as two users see it, side by side.
type previewPage struct {
	app.Compo
}

func (c *previewPage) OnNav(ctx app.Context) {
	ctx.Page().SetTitle("Preview · Portal Studio")
}

func (c *previewPage) OnMount(ctx app.Context) {
	ctx.NewAction(actionPreviewInit)
}

func (c *previewPage) Render() app.UI {
	return layout("preview",
		pageHeader("Tickets Portal", "Preview",
			"The customer portal exactly as each user sees it under the draft settings, with why: pick two users to compare them side by side.", &draftStatus{}),
		&examplesBar{},
		app.Div().Class("panes").Body(
			&previewPane{IIndex: 0},
			&previewPane{IIndex: 1},
		),
		&comparePanel{},
		&explainPanel{},
	)
}
