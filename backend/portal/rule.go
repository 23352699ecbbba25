package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Rule is a node of an audience rule: a group (All or Any of its children)
// or a single condition. Exactly one of All, Any and Cond is set; an All
// with no children matches everyone ("Everyone"), an Any with none matches
// no one.
type Rule struct {
	All  []*Rule
	Any  []*Rule
	Cond *Condition
	// group is true for All/Any nodes (an empty All is a group too).
	group string
}

// Condition compares one attribute with a value.
type Condition struct {
	Attribute string   `json:"attribute"`
	Operator  Operator `json:"operator"`
	// Value is a string, float64, bool, or nil (is_set / is_not_set).
	Value any `json:"value,omitempty"`
}

// Everyone returns the rule that matches every user: {"all": []}.
func Everyone() *Rule { return &Rule{group: "all", All: []*Rule{}} }

// AllOf returns an "all" group.
func AllOf(rs ...*Rule) *Rule { return &Rule{group: "all", All: append([]*Rule{}, rs...)} }

// AnyOf returns an "any" group.
func AnyOf(rs ...*Rule) *Rule { return &Rule{group: "any", Any: append([]*Rule{}, rs...)} }

// Cond returns a rule of one condition.
func Cond(attribute string, op Operator, value any) *Rule {
	return &Rule{Cond: &Condition{Attribute: attribute, Operator: op, Value: value}}
}

// IsAll reports whether r is an "all" group.
func (r *Rule) IsAll() bool { return r != nil && r.Cond == nil && !r.IsAny() }

// IsAny reports whether r is an "any" group. A Rule written as a literal
// (no constructor) is an "any" group when only Any is set.
func (r *Rule) IsAny() bool {
	return r != nil && r.Cond == nil && (r.group == "any" || r.group == "" && r.All == nil && r.Any != nil)
}

// Children returns the children of a group.
func (r *Rule) Children() []*Rule {
	if r.IsAny() {
		return r.Any
	}
	return r.All
}

// IsEveryone reports whether r is an empty "all" group.
func (r *Rule) IsEveryone() bool { return r.IsAll() && len(r.All) == 0 }

// IsEmpty reports whether r is nil or an empty group of either kind: as
// visibility conditions, both mean "no conditions".
func (r *Rule) IsEmpty() bool {
	return r == nil || (r.Cond == nil && len(r.Children()) == 0)
}

// MarshalJSON writes the canonical form: {"all": [...]}, {"any": [...]} or
// {"attribute": ..., "operator": ..., "value": ...}.
func (r *Rule) MarshalJSON() ([]byte, error) {
	if r.Cond != nil {
		type cond struct {
			Attribute string   `json:"attribute"`
			Operator  Operator `json:"operator"`
			Value     any      `json:"value,omitempty"`
		}
		c := cond(*r.Cond)
		if f, ok := c.Value.(float64); ok {
			// Whole numbers print as integers: 10, not 1e+01.
			if f == math.Trunc(f) && math.Abs(f) < 1e15 {
				c.Value = json.Number(strconv.FormatInt(int64(f), 10))
			}
		}
		return json.Marshal(c)
	}
	kids := r.Children()
	if kids == nil {
		kids = []*Rule{}
	}
	if r.IsAny() {
		return json.Marshal(map[string][]*Rule{"any": kids})
	}
	return json.Marshal(map[string][]*Rule{"all": kids})
}

// UnmarshalJSON reads a rule without checking it against a schema; use
// ParseRule for the checked form with JSON paths in its errors.
func (r *Rule) UnmarshalJSON(b []byte) error {
	v, err := decodeJSON(b)
	if err != nil {
		return err
	}
	got, ps := ruleFromJSON(v, "rule")
	if len(ps) > 0 {
		return problemsError(ps)
	}
	if got == nil {
		// JSON null: a no-op, as encoding/json expects of Unmarshalers
		// (it passes null to a Rule held by value).
		return nil
	}
	*r = *got
	return nil
}

// String renders the rule in words, for reasons and logs.
func (r *Rule) String() string {
	if r == nil {
		return "no rule"
	}
	if r.Cond != nil {
		return r.Cond.String()
	}
	kids := r.Children()
	if r.IsEveryone() {
		return "everyone"
	}
	if len(kids) == 0 {
		return "no one"
	}
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = k.String()
		if k.Cond == nil {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	sep := " and "
	if r.IsAny() {
		sep = " or "
	}
	return strings.Join(parts, sep)
}

func (c *Condition) String() string {
	switch c.Operator {
	case OpIsSet, OpIsNotSet:
		return fmt.Sprintf("%s %s", c.Attribute, strings.ReplaceAll(string(c.Operator), "_", " "))
	case OpMoreThanDaysAgo:
		return fmt.Sprintf("%s more than %s days ago", c.Attribute, formatValue(c.Value))
	case OpLessThanDaysAgo:
		return fmt.Sprintf("%s less than %s days ago", c.Attribute, formatValue(c.Value))
	}
	return fmt.Sprintf("%s %s %s", c.Attribute, strings.ReplaceAll(string(c.Operator), "_", " "), formatValue(c.Value))
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// decodeJSON decodes b into generic values with numbers as json.Number.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, Errorf(EINVALID, "not valid JSON: %v", err)
	}
	if d.More() {
		return nil, Errorf(EINVALID, "not valid JSON: more than one value")
	}
	return v, nil
}

// maxRuleDepth and maxRuleNodes bound the size of a rule so that a hostile
// document cannot exhaust the evaluator.
const (
	maxRuleDepth = 16
	maxRuleNodes = 500
)

// ruleFromJSON builds a rule from decoded JSON, checking its shape (not the
// attributes). A JSON null gives a nil rule.
func ruleFromJSON(v any, path string) (*Rule, []Problem) {
	n := 0
	return ruleShape(v, path, 0, &n)
}

func ruleShape(v any, path string, depth int, n *int) (*Rule, []Problem) {
	*n++
	if *n > maxRuleNodes {
		return nil, []Problem{{path, fmt.Sprintf("the rule has more than %d conditions and groups; simplify it", maxRuleNodes)}}
	}
	if depth > maxRuleDepth {
		return nil, []Problem{{path, fmt.Sprintf("groups are nested more than %d deep; flatten the rule", maxRuleDepth)}}
	}
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, []Problem{{path, fmt.Sprintf("must be an object like {\"all\": [...]}, {\"any\": [...]} or {\"attribute\": ..., \"operator\": ..., \"value\": ...}, not %s", jsonKind(v))}}
	}
	_, hasAll := obj["all"]
	_, hasAny := obj["any"]
	_, hasAttr := obj["attribute"]
	_, hasOp := obj["operator"]
	switch {
	case hasAll && hasAny:
		return nil, []Problem{{path, "has both \"all\" and \"any\"; nest one inside the other"}}
	case (hasAll || hasAny) && (hasAttr || hasOp):
		return nil, []Problem{{path, "mixes a group (\"all\"/\"any\") with a condition (\"attribute\"/\"operator\"); put the condition inside the group"}}
	case hasAll || hasAny:
		key := "all"
		if hasAny {
			key = "any"
		}
		var ps []Problem
		for k := range obj {
			if k != key {
				ps = append(ps, Problem{path + "." + k, fmt.Sprintf("unknown field %q in a group; a group has only %q", k, key)})
			}
		}
		arr, ok := obj[key].([]any)
		if !ok {
			return nil, append(ps, Problem{path + "." + key, fmt.Sprintf("must be a list of conditions, not %s", jsonKind(obj[key]))})
		}
		r := &Rule{group: key}
		kids := make([]*Rule, 0, len(arr))
		for i, item := range arr {
			p := fmt.Sprintf("%s.%s[%d]", path, key, i)
			if item == nil {
				ps = append(ps, Problem{p, "must be a condition or a group, not null"})
				// A nil placeholder keeps the indices of the later
				// children, so their problems name the right path; a
				// rule with problems is never used.
				kids = append(kids, nil)
				continue
			}
			k, kps := ruleShape(item, p, depth+1, n)
			ps = append(ps, kps...)
			// k is nil only when kps is not empty (see above).
			kids = append(kids, k)
		}
		if key == "all" {
			r.All = kids
		} else {
			r.Any = kids
		}
		sortProblems(ps)
		return r, ps
	case hasAttr || hasOp:
		var ps []Problem
		c := &Condition{}
		for k := range obj {
			switch k {
			case "attribute", "operator", "value":
			default:
				ps = append(ps, Problem{path + "." + k, fmt.Sprintf("unknown field %q in a condition; a condition has \"attribute\", \"operator\" and \"value\"", k)})
			}
		}
		if s, ok := obj["attribute"].(string); ok && s != "" {
			c.Attribute = s
		} else {
			ps = append(ps, Problem{path + ".attribute", "must name an attribute, such as \"user.email\" or \"company.plan\""})
		}
		if s, ok := obj["operator"].(string); ok && s != "" {
			c.Operator = Operator(s)
		} else {
			ps = append(ps, Problem{path + ".operator", "must name an operator, such as \"equals\" or \"contains\""})
		}
		switch x := obj["value"].(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil || math.IsInf(f, 0) {
				ps = append(ps, Problem{path + ".value", fmt.Sprintf("%s is not a number this product can hold", x)})
			}
			c.Value = f
		case string, bool, nil:
			c.Value = x
		default:
			ps = append(ps, Problem{path + ".value", fmt.Sprintf("must be a string, a number or true/false, not %s", jsonKind(x))})
		}
		sortProblems(ps)
		return &Rule{Cond: c}, ps
	}
	if len(obj) == 0 {
		return nil, []Problem{{path, "is an empty object; write {\"all\": []} for everyone or null for no one"}}
	}
	return nil, []Problem{{path, "must have \"all\", \"any\", or \"attribute\" and \"operator\""}}
}

// mergeProblems adds to the shape problems of a document the problems
// found checking what could be read of it, leaving out those at, inside or
// around a path that already has a shape problem (they would only repeat
// it: a missing attribute is also an unknown one).
func mergeProblems(shape, more []Problem) []Problem {
	out := shape
next:
	for _, m := range more {
		for _, p := range shape {
			if m.Path == p.Path || pathUnder(m.Path, p.Path) || pathUnder(p.Path, m.Path) {
				continue next
			}
		}
		out = append(out, m)
	}
	sortProblems(out)
	return out
}

// pathUnder reports whether JSON path p lies inside parent.
func pathUnder(p, parent string) bool {
	return len(p) > len(parent) && strings.HasPrefix(p, parent) && (p[len(parent)] == '.' || p[len(parent)] == '[')
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "true/false"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// ParseRule reads a rule from JSON and validates it against the schema.
// Errors are *Error with code EINVALID naming the JSON path of each problem
// under path ("access.rule").
func ParseRule(b []byte, s *Schema, path string) (*Rule, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	r, ps := ruleFromJSON(v, path)
	// Report the schema problems of the well-formed parts too, so that
	// one answer lists every problem.
	ps = mergeProblems(ps, ValidateRule(r, s, path))
	if len(ps) > 0 {
		return nil, problemsError(ps)
	}
	return r, nil
}

// ValidateRule checks every condition of r against the schema: the
// attribute exists, the operator fits its type, the value has the right
// type. It returns one problem per fault, with its JSON path.
func ValidateRule(r *Rule, s *Schema, path string) []Problem {
	var ps []Problem
	validateRule(r, s, path, &ps)
	return ps
}

func validateRule(r *Rule, s *Schema, path string, ps *[]Problem) {
	if r == nil {
		return
	}
	if r.Cond != nil {
		if p := validateCondition(r.Cond, s, path); p != nil {
			*ps = append(*ps, *p)
		}
		return
	}
	key := "all"
	if r.IsAny() {
		key = "any"
	}
	for i, k := range r.Children() {
		validateRule(k, s, fmt.Sprintf("%s.%s[%d]", path, key, i), ps)
	}
}

func validateCondition(c *Condition, s *Schema, path string) *Problem {
	a, ok := s.Lookup(c.Attribute)
	if !ok {
		return &Problem{path + ".attribute", fmt.Sprintf("unknown attribute %q; %s", c.Attribute, s.suggest(c.Attribute))}
	}
	if !knownOperator(c.Operator) {
		return &Problem{path + ".operator", fmt.Sprintf("unknown operator %q; %s takes %s", c.Operator, a.Named(), opList(a.Kind))}
	}
	if !operatorFits(a.Kind, c.Operator) {
		return &Problem{path + ".operator", fmt.Sprintf("%s holds %s and cannot use %s; use %s", a.Named(), kindHolds(a.Kind), c.Operator.Named(), opList(a.Kind))}
	}
	vp := path + ".value"
	switch c.Operator {
	case OpIsSet, OpIsNotSet:
		if c.Value != nil {
			return &Problem{vp, fmt.Sprintf("%s takes no value; remove it", c.Operator.Named())}
		}
		return nil
	}
	if c.Value == nil {
		if c.Operator == OpMoreThanDaysAgo || c.Operator == OpLessThanDaysAgo {
			return &Problem{vp, fmt.Sprintf("%s %s needs a number of days; enter one", a.Named(), c.Operator.Named())}
		}
		return &Problem{vp, fmt.Sprintf("%s needs a value: %s", a.Named(), valueHint(a.Kind))}
	}
	switch c.Operator {
	case OpMoreThanDaysAgo, OpLessThanDaysAgo:
		f, ok := c.Value.(float64)
		if !ok {
			return &Problem{vp, fmt.Sprintf("%s %s needs a number of days, not %s", a.Named(), c.Operator.Named(), describeValue(c.Value))}
		}
		if f < 0 || f != math.Trunc(f) || f > 100000 {
			return &Problem{vp, fmt.Sprintf("the number of days must be a whole number from 0 to 100000, not %s", formatValue(f))}
		}
		return nil
	}
	switch a.Kind {
	case KindString:
		str, ok := c.Value.(string)
		if !ok {
			return &Problem{vp, fmt.Sprintf("%s must be text (in quotes), not %s", a.Named(), describeValue(c.Value))}
		}
		if strings.TrimSpace(str) == "" {
			return &Problem{vp, "the value is empty; enter some text, or use has any value / is unknown"}
		}
		if len(str) > 1000 {
			return &Problem{vp, "the value is longer than 1000 characters"}
		}
	case KindNumber:
		if _, ok := c.Value.(float64); !ok {
			return &Problem{vp, fmt.Sprintf("%s must be a number (without quotes), not %s", a.Named(), describeValue(c.Value))}
		}
	case KindBoolean:
		if _, ok := c.Value.(bool); !ok {
			return &Problem{vp, fmt.Sprintf("%s must be true or false, not %s", a.Named(), describeValue(c.Value))}
		}
	}
	return nil
}

// kindHolds says what an attribute of a kind holds: "Plan holds text".
func kindHolds(k ValueKind) string {
	switch k {
	case KindBoolean:
		return "true or false"
	case KindNumber:
		return "numbers"
	case KindDate:
		return "dates"
	}
	return "text"
}

func valueHint(k ValueKind) string {
	switch k {
	case KindString:
		return "text in quotes"
	case KindBoolean:
		return "true or false"
	}
	return "a number without quotes"
}

func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return "the string " + strconv.Quote(x)
	case float64:
		return "the number " + formatValue(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return jsonKind(v)
}

// Conditions returns every condition of r, depth first.
func (r *Rule) Conditions() []*Condition {
	var out []*Condition
	var walk func(*Rule)
	walk = func(r *Rule) {
		if r == nil {
			return
		}
		if r.Cond != nil {
			out = append(out, r.Cond)
			return
		}
		for _, k := range r.Children() {
			walk(k)
		}
	}
	walk(r)
	return out
}
