package frontend

import (
	"fmt"
	"strings"

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

func (c *conditionRow) Render() app.UI {
	ref := ruleRef{Scope: c.IScope, Path: c.IPath}
	attr, known := portal.Attribute{}, false
	for _, a := range c.IAttributes {
		if a.Name == c.ICond.Attribute {
			attr, known = a, true
		}
	}
	// A condition whose value has not been typed yet is not an error: it
	// waits for its value (the draft keeps its last valid content).
	waiting := c.IProblem != "" && valueMissing(c.ICond)
	cls := "condition"
	switch {
	case waiting:
		cls += " waiting"
	case c.IProblem != "":
		cls += " has-error"
	}
	var ops []app.UI
	for _, op := range portal.OperatorsFor(attr.Kind) {
		ops = append(ops, selectedIf(op == c.ICond.Operator, app.Option().Value(string(op))).Text(op.Label()))
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
		app.If(waiting, func() app.UI {
			return app.P().Class("hint cond-waiting").Text(waitingHint(attr.Kind, c.ICond.Operator))
		}).Else(func() app.UI { return errorText(c.IProblem) }),
	)
}

// valueMissing reports whether a condition that takes a value has none
// yet: nothing typed, or only spaces.
func valueMissing(c portal.Condition) bool {
	o, ok := portal.LookupOperator(c.Operator)
	if !ok || o.Value == portal.ValueNone {
		return false
	}
	switch v := c.Value.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	}
	return false
}

// waitingHint says what a condition without its value needs, in the
// operator menu's words.
func waitingHint(k portal.ValueKind, op portal.Operator) string {
	if o, ok := portal.LookupOperator(op); ok && o.Value == portal.ValueDays {
		return "Enter a number of days."
	}
	switch k {
	case portal.KindNumber:
		return "Enter a number, or choose " + portal.OpIsSet.Label() + " / " + portal.OpIsNotSet.Label() + "."
	case portal.KindBoolean:
		return "Choose true or false."
	}
	return "Type a value, or choose " + portal.OpIsSet.Label() + " / " + portal.OpIsNotSet.Label() + "."
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

// waitingOnly reports whether every problem of the draft is a condition
// still waiting for its value: the draft is then not wrong, only not
// finished.
func waitingOnly(st *portal.Settings, ps []portal.Problem) bool {
	if st == nil || len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		c := conditionAt(st, strings.TrimSuffix(p.Path, ".value"))
		if c == nil || !strings.HasSuffix(p.Path, ".value") || !valueMissing(*c) {
			return false
		}
	}
	return true
}

// conditionAt returns the condition at a JSON path of the settings
// document ("access.rule.all[1].any[0]"), or nil.
func conditionAt(st *portal.Settings, path string) *portal.Condition {
	var n *portal.Rule
	var rest string
	switch {
	case strings.HasPrefix(path, "access.rule"):
		n, rest = st.Access.Rule, strings.TrimPrefix(path, "access.rule")
	case strings.HasPrefix(path, "visibility.conditions"):
		n, rest = st.Visibility.Conditions, strings.TrimPrefix(path, "visibility.conditions")
	default:
		return nil
	}
	for rest != "" {
		var key string
		var i int
		if _, err := fmt.Sscanf(rest, ".%3s[%d]", &key, &i); err != nil || n == nil || n.Cond != nil {
			return nil
		}
		kids := n.Children()
		if (key == "any") != n.IsAny() || i < 0 || i >= len(kids) {
			return nil
		}
		n = kids[i]
		rest = rest[strings.Index(rest, "]")+1:]
	}
	if n == nil {
		return nil
	}
	return n.Cond
}
