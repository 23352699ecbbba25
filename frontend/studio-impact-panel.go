package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// impactPanel shows, next to the diff, whom the draft changes against
// live: the sentence ("This change restricts 1,204 users…"), each group's
// count, and its first users with the tickets they see before and after.
type impactPanel struct {
	app.Compo

	impact impactState
	open   string // the group whose users are shown
}

func (c *impactPanel) OnMount(ctx app.Context) {
	ctx.ObserveState(stateImpact, &c.impact)
}

var impactTitles = map[string]string{
	portal.GainAccess:         "Gain access",
	portal.LoseAccess:         "Lose access",
	portal.BecomeRestricted:   "Become restricted",
	portal.BecomeUnrestricted: "Become unrestricted",
}

var stateLabels = map[string]string{portal.StateNone: "no access", portal.StateAll: "all company tickets", portal.StateOwn: "own tickets"}

func (c *impactPanel) Render() app.UI {
	d := c.impact.Data
	var summary app.UI
	switch {
	case d == nil && c.impact.Status == Failed:
		summary = errorText("The impact could not be computed: " + c.impact.Err.Message)
	case d == nil:
		summary = app.P().Class("hint").Body(spinner(), app.Text(" Computing whom the draft changes…"))
	default:
		summary = app.P().Class("impact-summary").ID("impact-summary").Text(d.Summary)
	}
	out := app.Section().Class("impact").ID("impact")
	if d == nil {
		return out.Body(summary)
	}
	return out.Body(
		summary,
		app.Div().Class("impact-groups").Body(app.Range(portal.ImpactGroups).Slice(func(i int) app.UI {
			g := portal.ImpactGroups[i]
			grp := d.Group(g)
			cls := "impact-group btn btn-ghost"
			if c.open == g {
				cls += " open"
			}
			return app.Button().Class(cls).ID("impact-"+g).Disabled(grp.Count == 0).Body(
				app.Span().Class("impact-count").Text(formatInt(grp.Count)),
				app.Span().Class("impact-label").Text(" "+impactTitles[g]),
			).Title(grp.Sentence).OnClick(func(ctx app.Context, e app.Event) {
				if c.open == g {
					c.open = ""
				} else {
					c.open = g
				}
			})
		})),
		app.If(c.open != "", func() app.UI { return c.groupList(d, c.open) }),
	)
}

func (c *impactPanel) groupList(d *wire.ImpactResult, g string) app.UI {
	grp := d.Group(g)
	if grp == nil {
		return nil
	}
	more := grp.Count - len(grp.Users)
	return app.Div().Class("impact-users").ID("impact-users").Body(
		app.Ul().Body(app.Range(grp.Users).Slice(func(i int) app.UI {
			u := grp.Users[i]
			name := u.Name
			if name == "" {
				name = u.Email
			}
			tickets := ""
			if u.TicketsBefore != nil && u.TicketsAfter != nil {
				tickets = " · tickets " + itoa(*u.TicketsBefore) + " → " + itoa(*u.TicketsAfter)
			}
			return app.Li().Class("impact-user").Body(
				app.Span().Class("user-name").Text(name),
				app.Span().Class("user-email").Text(" "+u.Email),
				app.Span().Class("hint").Title(u.Sentence).Text(" "+stateLabels[u.Before]+" → "+stateLabels[u.After]+tickets),
			)
		})),
		app.If(more > 0, func() app.UI {
			return app.P().Class("hint").Text("… and " + formatInt(more) + " more (portalstudio impact --group " + g + " lists them all).")
		}),
	)
}
