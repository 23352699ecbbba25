package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// helpCenterPage is the Help Center homepage, /portal/<slug>/help: the
// live settings' visible sections in their saved order, with the
// Customer portal card (linking to the portal URL) when the portal is
// enabled and that section is visible. The server decides which sections
// show.
type helpCenterPage struct {
	customerPage
}

func (c *helpCenterPage) Render() app.UI {
	var body app.UI
	hc := c.site.HelpCenter
	switch {
	case c.site.Status == Failed && c.site.Err != nil:
		body = errorText(c.site.Err.Message)
	case hc == nil:
		body = app.P().Class("portal-loading").Body(spinner(), app.Text(" Loading…"))
	case len(hc.Sections) == 0:
		body = app.P().Class("hint").Text("Nothing here yet.")
	default:
		body = app.Div().Class("hc-sections").ID("hc-sections").Body(app.Range(hc.Sections).Slice(func(i int) app.UI {
			return helpSectionCard(hc.Sections[i])
		}))
	}
	return customerLayout(c.base, "help", c.who(), app.Div().Class("hc-page").Body(
		app.Div().Class("hc-hero").Body(
			app.H1().Text("How can we help?"),
			app.P().Text("Guides, answers and your support tickets."),
		),
		body,
	))
}

// helpSectionCard renders one section of the homepage. The Customer
// portal card links to the portal.
func helpSectionCard(s HelpSection) app.UI {
	if s.Kind == portal.SectionCustomerPortal {
		return app.A().Class("hc-section hc-portal-card").ID("hc-portal-card").DataSet("id", s.ID).DataSet("kind", s.Kind).Href(s.URL).Body(
			app.H2().Text(s.Title),
			app.P().Text("See and follow your support tickets, and those of your company."),
			app.Span().Class("hc-go").Text("Open the customer portal →"),
		)
	}
	return app.Section().Class("hc-section").DataSet("id", s.ID).DataSet("kind", s.Kind).Body(
		app.H2().Text(s.Title),
		app.If(sectionBlurb(s.Kind) != "", func() app.UI { return app.P().Class("hint").Text(sectionBlurb(s.Kind)) }),
	)
}

// sectionBlurb says in the customer's words what a kind of section holds
// (the studio's names of kinds, "Collection", "Article list", are the
// admin's, not theirs); "" for a kind it has no words for.
func sectionBlurb(kind string) string {
	switch kind {
	case portal.SectionCollection:
		return "Guides and answers, gathered by topic."
	case portal.SectionArticleList:
		return "Articles picked for you by our team."
	case portal.SectionContact:
		return "Talk to our support team."
	}
	return ""
}
