package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// conditionRow edits one condition: attribute, operator, value.
type conditionRow struct {
	app.Compo
	IScope      string
	IPath       []int
	ICond       portal.Condition
	IAttributes []portal.Attribute
	IProblem    string
}

// opLabels are the operators as the rule builder reads them.
var opLabels = map[portal.Operator]string{
	portal.OpEquals:          "is",
	portal.OpNotEquals:       "is not",
	portal.OpContains:        "contains",
	portal.OpNotContains:     "does not contain",
	portal.OpStartsWith:      "starts with",
	portal.OpEndsWith:        "ends with",
	portal.OpIsSet:           "has any value",
	portal.OpIsNotSet:        "is unknown",
	portal.OpGreaterThan:     "is greater than",
	portal.OpLessThan:        "is less than",
	portal.OpMoreThanDaysAgo: "more than",
	portal.OpLessThanDaysAgo: "less than",
}

func (c *conditionRow) Render() app.UI {
	ref := ruleRef{Scope: c.IScope, Path: c.IPath}
	attr, known := portal.Attribute{}, false
	for _, a := range c.IAttributes {
		if a.Name == c.ICond.Attribute {
			attr, known = a, true
		}
	}
	cls := "condition"
	if c.IProblem != "" {
		cls += " has-error"
	}
	var ops []app.UI
	for _, op := range portal.OperatorsFor(attr.Kind) {
		ops = append(ops, app.Option().Value(string(op)).Selected(op == c.ICond.Operator).Text(opLabels[op]))
	}
	if !known {
		ops = append(ops, app.Option().Value(string(c.ICond.Operator)).Selected(true).Text(string(c.ICond.Operator)))
	}
	return app.Div().Class(cls).DataSet("path", c.IScope+":"+pathKey(c.IPath)).DataSet("attribute", c.ICond.Attribute).Body(
		app.Div().Class("condition-fields").Body(
			app.Span().Class("scope-badge "+string(attr.Scope)).Text(scopeLabel(attr.Scope)),
			attributeSelect("", c.ICond.Attribute, c.IAttributes, !known, func(ctx app.Context, a portal.Attribute) {
				old := attr
				ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { changeAttribute(st, ref, a, old) }})
			}),
			app.Select().Class("cond-op").Aria("label", "operator").OnChange(func(ctx app.Context, e app.Event) {
				op := portal.Operator(ctx.JSSrc().Get("value").String())
				kind := attr.Kind
				ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { changeOperator(st, ref, kind, op) }})
			}).Body(ops...),
			&valueInput{IScope: c.IScope, IPath: c.IPath, IAttr: attr, IOp: c.ICond.Operator, IValue: c.ICond.Value},
			app.Button().Class("icon-btn cond-remove").Title("Remove this condition").Aria("label", "Remove this condition").Text("×").OnClick(func(ctx app.Context, e app.Event) {
				ctx.NewActionWithValue(actionEdit, edit{immediate: true, apply: func(st *portal.Settings) { removeNode(st, ref) }})
			}),
		),
		errorText(c.IProblem),
	)
}

func scopeLabel(s portal.Scope) string {
	if s == portal.ScopeCompany {
		return "Company"
	}
	if s == portal.ScopeUser {
		return "Person"
	}
	return "Unknown"
}
