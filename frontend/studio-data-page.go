package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// dataPage imports Intercom API files and regenerates demo data.
type dataPage struct {
	app.Compo
}

func (c *dataPage) OnNav(ctx app.Context) {
	ctx.Page().SetTitle("Data · Portal Studio")
}

func (c *dataPage) Render() app.UI {
	return layout("data",
		pageHeader("Workspace", "Data",
			"The users, companies and tickets the rules are evaluated against. Everything stays in the local workspace file."),
		&dataCards{},
	)
}
