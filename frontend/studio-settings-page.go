package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// settingsPage is Settings > Helpdesk > Tickets > Tickets Portal, laid out
// like the help desk's own guide.
type settingsPage struct {
	app.Compo
}

// OnMount takes the edits the cards post: see handleEdit.
func (c *settingsPage) OnMount(ctx app.Context) {
	ctx.Handle(actionEdit, handleEdit)
}

func (c *settingsPage) OnNav(ctx app.Context) {
	ctx.Page().SetTitle("Tickets Portal · Portal Studio")
}

func (c *settingsPage) Render() app.UI {
	return layout("settings",
		pageHeader("Settings › Helpdesk › Tickets", "Tickets Portal",
			"Draft the customer portal offline: every change is saved to the local draft at once, and previewed against the workspace's users.",
			&draftStatus{}),
		&diffView{},
		&impactPanel{},
		&goLiveCard{},
		&syncCard{},
		&settingsCards{},
		&checksCard{},
	)
}
