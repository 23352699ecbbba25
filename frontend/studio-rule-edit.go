package frontend

import (
	"fmt"

	"portalstudio/backend/portal"
)

// Pure edits of the settings document, applied by the edit action to a
// clone of the draft. A rule is edited as a group (a bare condition is
// wrapped in an "all" group); a node is named by the indices of the
// children leading to it from that root group.

// Rule scopes: the access rule and the visibility conditions.
const (
	scopeAccess     = "access"
	scopeVisibility = "visibility"
)

// ruleRef names a node of one of the two rules.
type ruleRef struct {
	Scope string
	Path  []int
}

// child returns a ref to the i-th child of the group r names.
func (r ruleRef) child(i int) ruleRef {
	p := append(append([]int(nil), r.Path...), i)
	return ruleRef{Scope: r.Scope, Path: p}
}

// jsonPath returns the JSON path of the node in the settings document, as
// validation problems name it: "access.rule.all[1].any[0]".
func (r ruleRef) jsonPath(root *portal.Rule) string {
	p := rulePath(r.Scope)
	n := groupRoot(root)
	for _, i := range r.Path {
		if n == nil || n.Cond != nil {
			break
		}
		key := "all"
		if n.IsAny() {
			key = "any"
		}
		p += fmt.Sprintf(".%s[%d]", key, i)
		kids := n.Children()
		if i >= len(kids) {
			break
		}
		n = kids[i]
	}
	return p
}

// rulePath is the JSON path of a scope's rule.
func rulePath(scope string) string {
	if scope == scopeVisibility {
		return "visibility.conditions"
	}
	return "access.rule"
}

// ruleOf returns the rule of a scope.
func ruleOf(st *portal.Settings, scope string) *portal.Rule {
	if scope == scopeVisibility {
		return st.Visibility.Conditions
	}
	return st.Access.Rule
}

// setRule replaces the rule of a scope.
func setRule(st *portal.Settings, scope string, r *portal.Rule) {
	if scope == scopeVisibility {
		st.Visibility.Conditions = r
	} else {
		st.Access.Rule = r
	}
}

// groupRoot returns r as a group: a bare condition becomes all[condition].
// A nil rule stays nil.
func groupRoot(r *portal.Rule) *portal.Rule {
	if r != nil && r.Cond != nil {
		return portal.AllOf(r)
	}
	return r
}

// nodeAt returns the node at path under the group root, or nil.
func nodeAt(root *portal.Rule, path []int) *portal.Rule {
	n := groupRoot(root)
	for _, i := range path {
		if n == nil || n.Cond != nil {
			return nil
		}
		kids := n.Children()
		if i < 0 || i >= len(kids) {
			return nil
		}
		n = kids[i]
	}
	return n
}

// setChildren replaces the children of group g in place.
func setChildren(g *portal.Rule, kids []*portal.Rule) {
	if g.IsAny() {
		g.Any = kids
	} else {
		g.All = kids
	}
}

// editRule applies fn to the group root of a scope's rule (created as an
// empty "all" group when there is none) and stores the result.
func editRule(st *portal.Settings, scope string, fn func(root *portal.Rule)) {
	root := groupRoot(ruleOf(st, scope))
	if root == nil {
		root = portal.AllOf()
	}
	fn(root)
	setRule(st, scope, root)
}

// newCondition returns a condition on attribute a with the first operator
// that fits its type and a starting value.
func newCondition(a portal.Attribute) *portal.Rule {
	ops := portal.OperatorsFor(a.Kind)
	op := portal.OpIsSet
	if len(ops) > 0 {
		op = ops[0]
	}
	return portal.Cond(a.Name, op, defaultValue(a.Kind, op))
}

// defaultValue is the value a new or retyped condition starts with.
func defaultValue(k portal.ValueKind, op portal.Operator) any {
	switch op {
	case portal.OpIsSet, portal.OpIsNotSet:
		return nil
	case portal.OpMoreThanDaysAgo, portal.OpLessThanDaysAgo:
		return float64(30)
	}
	switch k {
	case portal.KindBoolean:
		return true
	case portal.KindString:
		return ""
	}
	return nil
}

// addNode appends n to the group at ref.
func addNode(st *portal.Settings, ref ruleRef, n *portal.Rule) {
	editRule(st, ref.Scope, func(root *portal.Rule) {
		g := nodeAt(root, ref.Path)
		if g == nil || g.Cond != nil {
			return
		}
		setChildren(g, append(append([]*portal.Rule{}, g.Children()...), n))
	})
}

// removeNode removes the node at ref; a nested group left empty goes too.
func removeNode(st *portal.Settings, ref ruleRef) {
	editRule(st, ref.Scope, func(root *portal.Rule) {
		path := ref.Path
		for len(path) > 0 {
			g, i := nodeAt(root, path[:len(path)-1]), path[len(path)-1]
			if g == nil || g.Cond != nil || i >= len(g.Children()) {
				return
			}
			kids := append([]*portal.Rule{}, g.Children()[:i]...)
			setChildren(g, append(kids, g.Children()[i+1:]...))
			if len(g.Children()) > 0 {
				return
			}
			path = path[:len(path)-1]
		}
	})
}

// setCondition replaces the condition at ref.
func setCondition(st *portal.Settings, ref ruleRef, c portal.Condition) {
	editRule(st, ref.Scope, func(root *portal.Rule) {
		n := nodeAt(root, ref.Path)
		if n == nil || n.Cond == nil {
			return
		}
		cc := c
		n.Cond = &cc
	})
}

// changeAttribute points the condition at ref to another attribute,
// keeping the operator and value when the type is the same.
func changeAttribute(st *portal.Settings, ref ruleRef, a portal.Attribute, old portal.Attribute) {
	n := nodeAt(ruleOf(st, ref.Scope), ref.Path)
	if n == nil || n.Cond == nil {
		return
	}
	if a.Kind == old.Kind {
		c := *n.Cond
		c.Attribute = a.Name
		setCondition(st, ref, c)
		return
	}
	setCondition(st, ref, *newCondition(a).Cond)
}

// changeOperator sets the operator of the condition at ref, resetting the
// value when the new operator takes another kind of value.
func changeOperator(st *portal.Settings, ref ruleRef, k portal.ValueKind, op portal.Operator) {
	n := nodeAt(ruleOf(st, ref.Scope), ref.Path)
	if n == nil || n.Cond == nil {
		return
	}
	c := *n.Cond
	if valueShape(k, c.Operator) != valueShape(k, op) {
		c.Value = defaultValue(k, op)
	}
	c.Operator = op
	setCondition(st, ref, c)
}

// valueShape names the input an operator needs: none, days or the type.
func valueShape(k portal.ValueKind, op portal.Operator) string {
	switch op {
	case portal.OpIsSet, portal.OpIsNotSet:
		return "none"
	case portal.OpMoreThanDaysAgo, portal.OpLessThanDaysAgo:
		return "days"
	}
	return string(k)
}

// setValue sets the value of the condition at ref.
func setValue(st *portal.Settings, ref ruleRef, v any) {
	n := nodeAt(ruleOf(st, ref.Scope), ref.Path)
	if n == nil || n.Cond == nil {
		return
	}
	c := *n.Cond
	c.Value = v
	setCondition(st, ref, c)
}

// setGroupKind makes the group at ref an "all" or an "any" group.
func setGroupKind(st *portal.Settings, ref ruleRef, any bool) {
	editRule(st, ref.Scope, func(root *portal.Rule) {
		g := nodeAt(root, ref.Path)
		if g == nil || g.Cond != nil || g.IsAny() == any {
			return
		}
		var ng *portal.Rule
		if any {
			ng = portal.AnyOf(g.Children()...)
		} else {
			ng = portal.AllOf(g.Children()...)
		}
		*g = *ng
	})
}

// moveSection moves the Help Center section at from to position to.
func moveSection(st *portal.Settings, from, to int) {
	s := st.HelpCenter.Sections
	if from < 0 || from >= len(s) || to < 0 || to >= len(s) || from == to {
		return
	}
	out := append([]portal.Section{}, s...)
	sec := out[from]
	out = append(out[:from], out[from+1:]...)
	out = append(out[:to], append([]portal.Section{sec}, out[to:]...)...)
	st.HelpCenter.Sections = out
}
