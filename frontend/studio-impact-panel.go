package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
	"portalstudio/backend/wire"
)

// impactPanel shows, next to the diff, whom the draft changes against
// live: the sentence ("This change restricts 1,204 users…"), each group's
// count, and its users, a page at a time, with the tickets they see
// before and after; a user opens in Preview.
type impactPanel struct {
	app.Compo

	impact impactState
	page   impactPageState // the page shown after Next/Previous
	open   string          // the group whose users are shown
}

func (c *impactPanel) OnMount(ctx app.Context) {
	ctx.ObserveState(stateImpact, &c.impact)
	ctx.ObserveState(stateImpactPage, &c.page)
}

var impactTitles = map[string]string{
	portal.GainAccess:         "Gain access",
	portal.LoseAccess:         "Lose access",
	portal.BecomeRestricted:   "Become restricted",
	portal.BecomeUnrestricted: "Become unrestricted",
}

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
			return disabledIf(grp.Count == 0, app.Button().Class(cls).ID("impact-"+g)).Body(
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

// groupList lists one page of a group's users, each opening in Preview,
// with Previous and Next.
func (c *impactPanel) groupList(d *wire.ImpactResult, g string) app.UI {
	grp := d.Group(g)
	if grp == nil {
		return nil
	}
	users, offset, count := c.shown(d, g)
	busy := c.page.Group == g && c.page.Status == Loading
	// go-app keeps an element's first handler: the handlers read the page
	// shown when they run.
	page := func(next bool) app.EventHandler {
		return func(ctx app.Context, e app.Event) {
			d, g := c.impact.Data, c.open
			if d == nil || d.Group(g) == nil {
				return
			}
			users, offset, _ := c.shown(d, g)
			to := max(offset-impactListLimit, 0)
			if next {
				to = offset + len(users)
			}
			ctx.NewActionWithValue(actionImpactPage, impactPageRequest{Group: g, Offset: to})
		}
	}
	open := func(ctx app.Context, e app.Event) {
		id := ctx.JSSrc().Get("dataset").Get("id").String()
		if d := c.impact.Data; d != nil && d.Group(c.open) != nil {
			users, _, _ := c.shown(d, c.open)
			for _, u := range users {
				if u.ID == id {
					ctx.NewActionWithValue(actionImpactOpen, portal.UserSummary{ID: u.ID, Email: u.Email, Name: u.Name})
				}
			}
		}
	}
	cls := "impact-users"
	if busy {
		cls += " busy"
	}
	return app.Div().Class(cls).ID("impact-users").Body(
		app.P().Class("impact-group-sentence").ID("impact-group-sentence").Text(grp.Sentence+"."),
		app.Ul().Body(app.Range(users).Slice(func(i int) app.UI {
			u := users[i]
			name := u.Name
			if name == "" {
				name = u.Email
			}
			// The change in words, with the tickets before and after and
			// why (the condition and whose value decided it), is the
			// row's text, under the user's name and email.
			change := u.Sentence
			if change == "" {
				change = words.Change(u)
			}
			return app.Li().Class("impact-user").Body(
				app.Button().Class("impact-open").DataSet("id", u.ID).Title("Open "+name+" in Preview").OnClick(open).Body(
					app.Span().Class("impact-user-head").Body(
						app.Span().Class("user-name").Text(name),
						app.Span().Class("user-email").Text(u.Email),
					),
					app.Span().Class("impact-change").Text(change),
				),
			)
		})),
		app.If(count > len(users) || offset > 0, func() app.UI {
			return app.Div().Class("pager").Body(
				app.Span().Class("hint").ID("impact-range").Text(formatInt(offset+1)+"–"+formatInt(offset+len(users))+" of "+formatInt(count)),
				disabledIf(offset == 0 || busy, app.Button().Class("btn btn-small").ID("impact-prev")).Text("Previous").OnClick(page(false)),
				disabledIf(offset+len(users) >= count || busy, app.Button().Class("btn btn-small").ID("impact-next")).Text("Next").OnClick(page(true)),
			)
		}),
		app.If(c.page.Group == g && c.page.Err != nil, func() app.UI {
			return errorText("This page of users could not be loaded: " + c.page.Err.Message)
		}),
	)
}

// shown is the page of group g's users shown: the one loaded by Next or
// Previous, else the first, which comes with the impact.
func (c *impactPanel) shown(d *wire.ImpactResult, g string) (users []portal.ImpactUser, offset, count int) {
	// While the next page loads, the page before stays.
	if p := c.page; p.Group == g && (p.Status == Loaded || p.Status == Loading && p.Users != nil) {
		return p.Users, p.Offset, p.Count
	}
	grp := d.Group(g)
	return grp.Users, grp.Offset, grp.Count
}
