package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// visibilityCard is "Ticket visibility": the toggle that restricts users
// to their own tickets, its optional conditions (who is restricted) and
// "Preview users".
type visibilityCard struct {
	app.Compo

	draft      draftState
	overview   overviewState
	restricted audienceState
	showUsers  bool
}

func (c *visibilityCard) OnMount(ctx app.Context) {
	ctx.ObserveState(stateDraft, &c.draft)
	ctx.ObserveState(stateOverview, &c.overview)
	ctx.ObserveState(stateRestricted, &c.restricted)
}

func (c *visibilityCard) Render() app.UI {
	st := c.draft.Settings
	if st == nil {
		return app.Div()
	}
	var attrs []portal.Attribute
	if c.overview.Data != nil {
		attrs = c.overview.Data.Attributes
	}
	on := st.Visibility.RestrictToOwn
	conds := st.Visibility.Conditions
	var explain string
	switch {
	case !on && !conds.IsEmpty():
		explain = "Off: everyone sees all their company's tickets. The conditions below are kept but inactive; turning the toggle back on re-applies them."
	case !on:
		explain = "Off: everyone sees all their company's tickets."
	case conds.IsEmpty():
		explain = "On with no conditions: everyone with access sees only the tickets they created."
	default:
		explain = "On: users matching these conditions see only the tickets they created; everyone else sees all their company's tickets."
	}
	label := "Preview users"
	if c.showUsers {
		label = "Hide users"
	}
	return card("visibility-card", "Ticket visibility",
		"Control whether customers see every ticket linked to their company or only the tickets they created. Conditions define who is restricted, not who has access.",
		toggle("visibility-toggle", "Restrict users to their own tickets", "", on, false, func(ctx app.Context, e app.Event) {
			v := ctx.JSSrc().Get("checked").Bool()
			ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { st.Visibility.RestrictToOwn = v }})
		}),
		app.P().Class("explain").ID("visibility-explain").Text(explain),
		app.Div().Class("split").Body(
			app.Div().Class("split-main").Body(
				app.If(!on && !conds.IsEmpty(), func() app.UI {
					return app.Span().Class("pill pill-muted").ID("visibility-inactive").Text("Inactive — kept until the toggle is back on")
				}),
				&ruleBuilder{
					IScope:      scopeVisibility,
					IRule:       conds,
					IAttributes: attrs,
					IProblems:   c.draft.problemsUnder("visibility.conditions"),
					IAddLabel:   "+ Add condition",
					INoRule:     "No conditions: when the toggle is on, everyone with access is restricted.",
					IEveryone:   "No conditions: when the toggle is on, everyone with access is restricted.",
					IInactive:   !on,
				},
			),
			app.Div().Class("split-side").Body(
				app.Button().Class("btn btn-soft").ID("visibility-preview").Text(label).OnClick(func(ctx app.Context, e app.Event) {
					c.showUsers = !c.showUsers
				}),
				&audiencePanel{
					IID:      "restricted",
					IVerb:    "restricted to their own tickets",
					IState:   c.restricted,
					IInvalid: len(c.draft.problemsUnder("visibility.conditions")) > 0,
					IOpen:    c.showUsers,
				},
			),
		),
		truthTable(on, !conds.IsEmpty()),
	)
}

// truthTable is the guide's table of how the toggle and the conditions
// combine, with the current case highlighted.
func truthTable(on, hasConds bool) app.UI {
	row := func(active bool, toggle, conds, sees string) app.UI {
		cls := ""
		if active {
			cls = "current"
		}
		return app.Tr().Class(cls).Body(app.Td().Text(toggle), app.Td().Text(conds), app.Td().Text(sees))
	}
	return app.Details().Class("truth").Body(
		app.Summary().Text("How the toggle and conditions combine"),
		app.Table().Body(
			app.THead().Body(app.Tr().Body(app.Th().Text("Toggle"), app.Th().Text("Conditions"), app.Th().Text("What customers see"))),
			app.TBody().Body(
				row(!on, "Off", "Any (kept but inactive)", "Everyone sees all company tickets"),
				row(on && !hasConds, "On", "None", "Everyone is restricted to their own tickets"),
				row(on && hasConds, "On", "Conditions set", "Users matching the conditions see only their own tickets; everyone else sees all company tickets"),
			),
		),
	)
}
