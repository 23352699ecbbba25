package frontend

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// portalCard is "Enable customer portal": the toggle, its prerequisites
// and the generated portal URL with a Copy button.
type portalCard struct {
	app.Compo

	draft    draftState
	overview overviewState
	copied   string
}

func (c *portalCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
	ctx.ObserveState(stateOverview, &c.overview)
	ctx.ObserveState(stateCopied, &c.copied)
}

func (c *portalCard) Render() app.UI {
	st := c.draft.Settings
	if st == nil {
		return app.Div()
	}
	customerTypes := -1
	if c.overview.Data != nil {
		customerTypes = c.overview.Data.Counts.TicketTypes
	}
	refusal := c.draft.PortalErr
	if msg := c.draft.problemAt("portal.enabled"); msg != "" {
		refusal = msg
	}
	return card("portal-card", "Customer portal",
		"Let your customers log in to see and search their tickets. Turning it on adds a Customer portal section to your Help Center.",
		toggle("portal-enabled", "Enable customer portal", "", st.Portal.Enabled, false, func(ctx app.Context, e app.Event) {
			on := ctx.JSSrc().Get("checked").Bool()
			// Put the box back as it was: the render that follows sets it
			// when the edit is taken. A refused enable changes no state,
			// so no render would otherwise turn the box back off.
			ctx.JSSrc().Set("checked", !on)
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, enabling: on, apply: func(st *portal.Settings) { st.Portal.Enabled = on }})
		}),
		c.refusal(refusal),
		app.Div().Class("prereqs").Body(
			app.P().Class("prereqs-title").Text("Prerequisites"),
			app.Ul().Class("checklist").Body(
				prereq("prereq-help-center", "The Help Center is live", st.HelpCenter.Live, toggleSmall("help-center-live", st.HelpCenter.Live, func(on bool) func(*portal.Settings) {
					return func(st *portal.Settings) { st.HelpCenter.Live = on }
				})),
				prereq("prereq-identity", "End users are authenticated (identity verification)", st.IdentityVerification, toggleSmall("identity-verification", st.IdentityVerification, func(on bool) func(*portal.Settings) {
					return func(st *portal.Settings) { st.IdentityVerification = on }
				})),
				prereq("prereq-ticket-type", "A ticket type of category Customer exists", customerTypes != 0, app.Span().Class("hint").Text(ticketTypesHint(customerTypes))),
			),
		),
		c.url(st),
	)
}

func ticketTypesHint(n int) string {
	switch {
	case n < 0:
		return ""
	case n == 0:
		return "Import tickets of a Customer type"
	}
	return plural(n, "ticket type", "ticket types") + " in the workspace"
}

// refusal renders the refusal to enable, one line per unmet prerequisite.
func (c *portalCard) refusal(msg string) app.UI {
	if msg == "" {
		return nil
	}
	head, list, found := strings.Cut(msg, ": ")
	if !found {
		return app.Div().ID("portal-error").Body(errorText(msg))
	}
	items := strings.Split(list, "; ")
	return app.Div().Class("error-box").ID("portal-error").Role("alert").Body(
		app.P().Text(strings.TrimSuffix(sentence(head), ".")+":"),
		app.Ul().Body(app.Range(items).Slice(func(i int) app.UI { return app.Li().Text(sentence(items[i])) })),
	)
}

func (c *portalCard) url(st *portal.Settings) app.UI {
	if st.Portal.URL == "" {
		return app.Div().Class("url-row muted").Body(
			app.Span().Class("field-label").Text("Customer portal URL"),
			app.Span().Class("hint").ID("portal-url").Text("Generated when you first enable the portal; it then stays the same."),
		)
	}
	url := st.Portal.URL
	return app.Div().Class("url-row").Body(
		app.Span().Class("field-label").Text("Customer portal URL"),
		app.Div().Class("url-box").Body(
			app.Input().Type("text").ReadOnly(true).Class("url-input").ID("portal-url").Value(url).OnFocus(func(ctx app.Context, e app.Event) {
				ctx.JSSrc().Call("select")
			}),
			app.Button().Class("btn").ID("copy-url").Text("Copy").OnClick(func(ctx app.Context, e app.Event) {
				ctx.NewActionWithValue(actionCopyURL, url)
			}),
			app.If(c.copied != "", func() app.UI { return app.Span().Class("copied").Text(c.copied) }),
		),
		app.If(!st.Portal.Enabled, func() app.UI {
			return app.Span().Class("hint").Text("The portal is off; the URL is kept for when you turn it back on.")
		}),
	)
}

func prereq(id, label string, ok bool, control app.UI) app.UI {
	mark, cls := "✓", "ok"
	if !ok {
		mark, cls = "✗", "missing"
	}
	return app.Li().Class("prereq "+cls).ID(id).Body(
		app.Span().Class("mark").Text(mark),
		app.Span().Class("prereq-label").Text(label),
		control,
	)
}

// toggleSmall renders a compact switch whose change posts an immediate
// edit built by set.
func toggleSmall(id string, on bool, set func(on bool) func(*portal.Settings)) app.UI {
	return app.Label().Class("switch small").For(id).Body(
		checkedIf(on, app.Input().Type("checkbox").ID(id).Role("switch")).OnChange(func(ctx app.Context, e app.Event) {
			v := ctx.JSSrc().Get("checked").Bool()
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: set(v)})
		}),
		app.Span().Class("slider"),
	)
}
