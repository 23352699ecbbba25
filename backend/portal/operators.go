package portal

import "strings"

// Operator is a comparison of a rule condition.
type Operator string

// Operators.
const (
	OpEquals          Operator = "equals"
	OpNotEquals       Operator = "not_equals"
	OpContains        Operator = "contains"
	OpNotContains     Operator = "not_contains"
	OpStartsWith      Operator = "starts_with"
	OpEndsWith        Operator = "ends_with"
	OpIsSet           Operator = "is_set"
	OpIsNotSet        Operator = "is_not_set"
	OpGreaterThan     Operator = "greater_than"
	OpLessThan        Operator = "less_than"
	OpMoreThanDaysAgo Operator = "more_than_days_ago"
	OpLessThanDaysAgo Operator = "less_than_days_ago"
)

// ValueShape is what an operator compares an attribute with.
type ValueShape string

// Value shapes.
const (
	ValueNone  ValueShape = "none"  // no value: has any value, is unknown
	ValueTyped ValueShape = "typed" // a value of the attribute's type
	ValueDays  ValueShape = "days"  // a whole number of days
)

// OperatorInfo is one row of the operator table: everything the product
// says about an operator except what it means (that is eval.go and the
// audience engine's scans).
//
// Says and Fails are the condition in words, per attribute type it
// applies to: Says when it holds, Fails when it does not. In them
// {attr} is the attribute's label, {value} the value as people read it
// and {days} the value as a number of days ("30 days", "1 day"). The
// package backend/portal/words renders them.
type OperatorInfo struct {
	Op Operator `json:"op"`
	// Label is the operator in the rule builder's menu and in validation
	// messages: "is", "has any value", "is unknown".
	Label string `json:"label"`
	// Kinds are the attribute types it applies to, in the table's order.
	Kinds []ValueKind `json:"kinds"`
	// Twin is, for a negative operator, the positive one it negates
	// exactly over the same attribute; "" for a positive operator.
	Twin  Operator             `json:"twin,omitempty"`
	Value ValueShape           `json:"value"`
	Says  map[ValueKind]string `json:"says"`
	Fails map[ValueKind]string `json:"fails"`
}

// forKinds gives several attribute types the same sentence.
func forKinds(s string, ks ...ValueKind) map[ValueKind]string {
	m := make(map[ValueKind]string, len(ks))
	for _, k := range ks {
		m[k] = s
	}
	return m
}

var (
	anyKind    = []ValueKind{KindString, KindNumber, KindBoolean, KindDate}
	valueKinds = []ValueKind{KindString, KindNumber, KindBoolean} // compared with a value
)

// operatorTable is every operator, in the order the rule builder offers
// them (each attribute type takes the rows that list it). Adding an
// operator is a row here plus its meaning on each evaluation path.
var operatorTable = []OperatorInfo{
	{Op: OpEquals, Label: "is", Kinds: valueKinds, Value: ValueTyped,
		Says: forKinds("{attr} is {value}", valueKinds...), Fails: forKinds("{attr} is not {value}", valueKinds...)},
	{Op: OpNotEquals, Label: "is not", Kinds: valueKinds, Twin: OpEquals, Value: ValueTyped,
		Says: forKinds("{attr} is not {value}", valueKinds...), Fails: forKinds("{attr} is {value}", valueKinds...)},
	{Op: OpContains, Label: "contains", Kinds: []ValueKind{KindString}, Value: ValueTyped,
		Says: forKinds("{attr} contains {value}", KindString), Fails: forKinds("{attr} does not contain {value}", KindString)},
	{Op: OpNotContains, Label: "does not contain", Kinds: []ValueKind{KindString}, Twin: OpContains, Value: ValueTyped,
		Says: forKinds("{attr} does not contain {value}", KindString), Fails: forKinds("{attr} contains {value}", KindString)},
	{Op: OpStartsWith, Label: "starts with", Kinds: []ValueKind{KindString}, Value: ValueTyped,
		Says: forKinds("{attr} starts with {value}", KindString), Fails: forKinds("{attr} does not start with {value}", KindString)},
	{Op: OpEndsWith, Label: "ends with", Kinds: []ValueKind{KindString}, Value: ValueTyped,
		Says: forKinds("{attr} ends with {value}", KindString), Fails: forKinds("{attr} does not end with {value}", KindString)},
	{Op: OpGreaterThan, Label: "is greater than", Kinds: []ValueKind{KindNumber}, Value: ValueTyped,
		Says: forKinds("{attr} is greater than {value}", KindNumber), Fails: forKinds("{attr} is not greater than {value}", KindNumber)},
	{Op: OpLessThan, Label: "is less than", Kinds: []ValueKind{KindNumber}, Value: ValueTyped,
		Says: forKinds("{attr} is less than {value}", KindNumber), Fails: forKinds("{attr} is not less than {value}", KindNumber)},
	{Op: OpMoreThanDaysAgo, Label: "more than", Kinds: []ValueKind{KindDate}, Value: ValueDays,
		Says: forKinds("{attr} more than {days} ago", KindDate), Fails: forKinds("{attr} not more than {days} ago", KindDate)},
	{Op: OpLessThanDaysAgo, Label: "less than", Kinds: []ValueKind{KindDate}, Value: ValueDays,
		Says: forKinds("{attr} less than {days} ago", KindDate), Fails: forKinds("{attr} not less than {days} ago", KindDate)},
	{Op: OpIsSet, Label: "has any value", Kinds: anyKind, Value: ValueNone,
		Says: forKinds("{attr} has any value", anyKind...), Fails: forKinds("{attr} is unknown", anyKind...)},
	{Op: OpIsNotSet, Label: "is unknown", Kinds: anyKind, Twin: OpIsSet, Value: ValueNone,
		Says: forKinds("{attr} is unknown", anyKind...), Fails: forKinds("{attr} has any value", anyKind...)},
}

// Operators returns the operator table, in the rule builder's order.
func Operators() []OperatorInfo { return append([]OperatorInfo(nil), operatorTable...) }

// LookupOperator returns the table row of op.
func LookupOperator(op Operator) (OperatorInfo, bool) {
	for _, o := range operatorTable {
		if o.Op == op {
			return o, true
		}
	}
	return OperatorInfo{}, false
}

// Label returns the operator as the rule builder's menu names it ("has
// any value"); an unknown operator is its own name.
func (op Operator) Label() string {
	if o, ok := LookupOperator(op); ok {
		return o.Label
	}
	return string(op)
}

// Named is the operator's label and, when it differs, its JSON name:
// "has any value (is_set)", "contains".
func (op Operator) Named() string {
	if l := op.Label(); l != string(op) {
		return l + " (" + string(op) + ")"
	}
	return string(op)
}

// Fits reports whether the operator applies to attributes of type k.
func (o OperatorInfo) Fits(k ValueKind) bool {
	for _, x := range o.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Positive returns the positive twin of a negative operator and true, or op
// and false when op is positive. A negative operator is exactly the
// negation of its twin over the same attribute.
func (op Operator) Positive() (Operator, bool) {
	if o, ok := LookupOperator(op); ok && o.Twin != "" {
		return o.Twin, true
	}
	return op, false
}

// OperatorsFor returns the operators that fit an attribute type, in the
// rule builder's order.
func OperatorsFor(k ValueKind) []Operator {
	var out []Operator
	for _, o := range operatorTable {
		if o.Fits(k) {
			out = append(out, o.Op)
		}
	}
	return out
}

func operatorFits(k ValueKind, op Operator) bool {
	o, ok := LookupOperator(op)
	return ok && o.Fits(k)
}

func knownOperator(op Operator) bool {
	_, ok := LookupOperator(op)
	return ok
}

// opList names the operators of a type for validation messages, with
// their JSON names for those who write the settings document by hand:
// `is (equals), is not (not_equals), … or is unknown (is_not_set)`.
func opList(k ValueKind) string {
	ops := OperatorsFor(k)
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = o.Named()
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
