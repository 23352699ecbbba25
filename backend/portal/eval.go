package portal

import (
	"fmt"
	"strings"
	"time"
)

// Subject is what rules are evaluated over: a user and the companies they
// belong to (those present in the workspace).
type Subject struct {
	User      *User
	Companies []*Company
}

// Trace records how a rule node evaluated for one subject: the reason for a
// decision, node by node.
type Trace struct {
	Rule   string `json:"rule"`   // the node in words
	Result bool   `json:"result"` // what it evaluated to
	// Detail says why a condition holds or fails: the user's value, or
	// which company satisfied it.
	Detail   string  `json:"detail,omitempty"`
	Children []Trace `json:"children,omitempty"`
	// Condition is a leaf's condition and Evidence the values that
	// decided it (the user's, or the companies'), so that it can be said
	// in the schema's words (backend/portal/words), which fill Sentence.
	Condition *Condition `json:"condition,omitempty"`
	Evidence  []Evidence `json:"evidence,omitempty"`
	Sentence  string     `json:"sentence,omitempty"`
}

// Evidence is one value a condition was decided on: the user's own, or
// one company's. A company condition that holds has the company that
// satisfied it (or, negated, the one that made it fail); one that fails
// has every company of the user; a user of no company has none.
type Evidence struct {
	// Of names whose value it is: the user (name, else email, else id) or
	// the company (name, else id).
	Of      string `json:"of"`
	Company bool   `json:"company,omitempty"`
	Value   Value  `json:"value"` // unset when the attribute is
}

// Eval evaluates a checked rule for a subject at time now. A nil rule
// matches no one. Conditions naming attributes absent from the schema are
// false (ParseRule keeps them out of saved settings).
func Eval(r *Rule, s *Schema, sub Subject, now time.Time) bool {
	return evalNode(r, s, sub, now, nil)
}

// Explain evaluates like Eval and returns the trace of every node.
func Explain(r *Rule, s *Schema, sub Subject, now time.Time) Trace {
	var t Trace
	if r == nil {
		return Trace{Rule: "no rule", Result: false, Detail: "no rule is set, so no one matches"}
	}
	evalNode(r, s, sub, now, &t)
	return t
}

func evalNode(r *Rule, s *Schema, sub Subject, now time.Time, t *Trace) bool {
	if r == nil {
		return false
	}
	if r.Cond != nil {
		res, detail, ev := evalCond(r.Cond, s, sub, now, t != nil)
		if t != nil {
			c := *r.Cond
			*t = Trace{Rule: r.Cond.String(), Result: res, Detail: detail, Condition: &c, Evidence: ev}
		}
		return res
	}
	kids := r.Children()
	all := r.IsAll()
	res := all
	var traces []Trace
	for _, k := range kids {
		var kt *Trace
		if t != nil {
			traces = append(traces, Trace{})
			kt = &traces[len(traces)-1]
		}
		v := evalNode(k, s, sub, now, kt)
		if all && !v {
			res = false
			if t == nil {
				break
			}
		}
		if !all && v {
			res = true
			if t == nil {
				break
			}
		}
	}
	if t != nil {
		name := "all of"
		if !all {
			name = "any of"
		}
		if r.IsEveryone() {
			name = "everyone"
		}
		*t = Trace{Rule: name, Result: res, Children: traces}
	}
	return res
}

// evalCond evaluates one condition; with explain it also says why and
// on which values.
func evalCond(c *Condition, s *Schema, sub Subject, now time.Time, explain bool) (bool, string, []Evidence) {
	a, ok := s.Lookup(c.Attribute)
	if !ok {
		return false, "unknown attribute " + c.Attribute, nil
	}
	var ev []Evidence
	pos, negated := c.Operator.Positive()
	var held bool
	var detail string
	if a.Scope == ScopeUser {
		v := UserAttr(sub.User, a)
		held = holds(a, pos, v, c.Value, now)
		if explain {
			detail = "the user's " + a.Label + " is " + describeAttr(v, a)
			ev = []Evidence{{Of: userLabel(sub.User), Value: typed(v, a)}}
		}
	} else {
		var which *Company
		for _, co := range sub.Companies {
			if holds(a, pos, CompanyAttr(co, a), c.Value, now) {
				held = true
				which = co
				break
			}
		}
		if explain {
			switch {
			case len(sub.Companies) == 0:
				detail = "the user belongs to no company"
			case held && negated:
				detail = fmt.Sprintf("company %s has %s %s", companyLabel(which), a.Label, describeAttr(CompanyAttr(which, a), a))
				ev = []Evidence{{Of: companyLabel(which), Company: true, Value: typed(CompanyAttr(which, a), a)}}
			case held:
				detail = fmt.Sprintf("company %s satisfies it", companyLabel(which))
				ev = []Evidence{{Of: companyLabel(which), Company: true, Value: typed(CompanyAttr(which, a), a)}}
			default:
				names := make([]string, 0, len(sub.Companies))
				for _, co := range sub.Companies {
					names = append(names, companyLabel(co)+": "+describeAttr(CompanyAttr(co, a), a))
					ev = append(ev, Evidence{Of: companyLabel(co), Company: true, Value: typed(CompanyAttr(co, a), a)})
				}
				detail = "no company of the user satisfies " + string(pos) + " (" + strings.Join(names, "; ") + ")"
			}
		}
	}
	if negated {
		return !held, detail, ev
	}
	return held, detail, ev
}

// typed returns v, or unset when it is not of the attribute's type (such a
// value counts as unset for rules).
func typed(v Value, a Attribute) Value {
	if !v.IsSet() || v.Kind != a.Kind {
		return Value{}
	}
	return v
}

func userLabel(u *User) string {
	switch {
	case u.Name != "":
		return u.Name
	case u.Email != "":
		return u.Email
	}
	return u.ID
}

func companyLabel(c *Company) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

func describeAttr(v Value, a Attribute) string {
	if !v.IsSet() || v.Kind != a.Kind {
		return "not set"
	}
	switch v.Kind {
	case KindString:
		return fmt.Sprintf("%q", v.Str)
	case KindNumber:
		return formatValue(v.Num)
	case KindBoolean:
		return fmt.Sprint(v.Bool)
	case KindDate:
		return v.Time.UTC().Format("2006-01-02 15:04 UTC")
	}
	return "not set"
}

// holds applies a positive operator to one attribute value. A value of
// another type than the attribute's counts as unset; a positive operator
// on an unset value is false.
func holds(a Attribute, op Operator, v Value, want any, now time.Time) bool {
	if !v.IsSet() || v.Kind != a.Kind {
		return false
	}
	if op == OpIsSet {
		return true
	}
	switch v.Kind {
	case KindString:
		w, ok := want.(string)
		if !ok {
			return false
		}
		have, w := Fold(v.Str), Fold(w)
		switch op {
		case OpEquals:
			return have == w
		case OpContains:
			return strings.Contains(have, w)
		case OpStartsWith:
			return strings.HasPrefix(have, w)
		case OpEndsWith:
			return strings.HasSuffix(have, w)
		}
	case KindNumber:
		w, ok := want.(float64)
		if !ok {
			return false
		}
		switch op {
		case OpEquals:
			return v.Num == w
		case OpGreaterThan:
			return v.Num > w
		case OpLessThan:
			return v.Num < w
		}
	case KindBoolean:
		w, ok := want.(bool)
		return ok && op == OpEquals && v.Bool == w
	case KindDate:
		days, ok := want.(float64)
		if !ok {
			return false
		}
		cut := DaysAgo(now, days)
		switch op {
		case OpMoreThanDaysAgo:
			return v.Time.Unix() < cut
		case OpLessThanDaysAgo:
			return v.Time.Unix() > cut
		}
	}
	return false
}

// DaysAgo returns, in Unix seconds, the instant days×24h before now: the
// cut-off of more_than_days_ago (before it) and less_than_days_ago (after
// it). Dates compare at whole seconds on both evaluation paths.
func DaysAgo(now time.Time, days float64) int64 {
	return now.Unix() - int64(days)*86400
}
