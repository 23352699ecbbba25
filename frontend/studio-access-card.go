package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// accessCard is "Access permissions": the audience rule of who may open the
// portal, and the live preview of the users it lets in.
type accessCard struct {
	app.Compo

	draft    draftState
	overview overviewState
	audience audienceState
}

func (c *accessCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
	ctx.ObserveState(stateOverview, &c.overview)
	ctx.ObserveState(stateAccess, &c.audience)
}

func (c *accessCard) Render() app.UI {
	st := c.draft.Settings
	if st == nil {
		return app.Div()
	}
	var attrs []portal.Attribute
	if c.overview.Data != nil {
		attrs = c.overview.Data.Attributes
	}
	return card("access-card", "Access permissions",
		"Set audience rules on Person or Company data to define which of your users can access the portal. Only users who match can open it.",
		app.Div().Class("split").Body(
			app.Div().Class("split-main").Body(
				&ruleBuilder{
					IScope:      scopeAccess,
					IRule:       st.Access.Rule,
					IAttributes: attrs,
					IProblems:   c.draft.problemsUnder("access.rule"),
					IAddLabel:   "+ Add new",
					INoRule:     "No rule is set, so no one has access yet. Add a rule, or let everyone in.",
					IEveryone:   "Everyone: every user can open the portal.",
				},
				app.If(st.Access.Rule == nil, func() app.UI {
					return app.Button().Class("btn btn-ghost").ID("access-everyone").Text("Let everyone in").OnClick(func(ctx app.Context, e app.Event) {
						ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { st.Access.Rule = portal.Everyone() }})
					})
				}),
				app.If(st.Access.Rule != nil, func() app.UI {
					return app.Button().Class("btn btn-link").ID("access-none").Text("Remove the rule (no one has access)").OnClick(func(ctx app.Context, e app.Event) {
						ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { st.Access.Rule = nil }})
					})
				}),
			),
			&audiencePanel{
				IID:      "access",
				ITitle:   "Preview",
				IVerb:    "match this audience rule",
				IState:   c.audience,
				IInvalid: len(c.draft.problemsUnder("access.rule")) > 0,
				IOpen:    true,
			},
		),
	)
}
