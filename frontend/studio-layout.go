package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// layout frames a page: the sidebar with the navigation, and the page.
func layout(active string, content ...app.UI) app.UI {
	return app.Div().Class("shell").Body(
		&sidebar{IActive: active},
		app.Main().Class("main").ID("main").Body(content...),
	)
}

// pageHeader renders a page's title block.
func pageHeader(crumb, title, subtitle string, extra ...app.UI) app.UI {
	return app.Header().Class("page-head").Body(
		app.Div().Class("page-title").Body(
			app.If(crumb != "", func() app.UI { return app.P().Class("crumb").Text(crumb) }),
			app.H1().Text(title),
			app.If(subtitle != "", func() app.UI { return app.P().Class("subtitle").Text(subtitle) }),
		),
		app.Div().Class("page-actions").Body(extra...),
	)
}
