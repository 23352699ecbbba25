package portal_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
)

// problem is a wanted problem: its exact path and substrings of its message.
type problem struct {
	path string
	msg  []string
}

// checkProblems asserts that err is an EINVALID *portal.Error listing
// exactly the wanted problems, in order.
func checkProblems(t *testing.T, err error, want []problem) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %d problem(s)", len(want))
	}
	var e *portal.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *portal.Error", err, err)
	}
	if e.Code != portal.EINVALID || portal.ErrorCode(err) != portal.EINVALID {
		t.Errorf("code = %q, want %q", e.Code, portal.EINVALID)
	}
	var gotPaths, wantPaths []string
	for _, p := range e.Problems {
		gotPaths = append(gotPaths, p.Path)
	}
	for _, p := range want {
		wantPaths = append(wantPaths, p.path)
	}
	if diff := cmp.Diff(wantPaths, gotPaths); diff != "" {
		t.Fatalf("problem paths (-want +got):\n%s\nproblems: %v", diff, e.Problems)
	}
	for i, w := range want {
		for _, m := range w.msg {
			if !strings.Contains(e.Problems[i].Message, m) {
				t.Errorf("problem %s: message %q does not mention %q", w.path, e.Problems[i].Message, m)
			}
		}
	}
	// The error's message is the first problem, with its path.
	if !strings.HasPrefix(e.Error(), e.Problems[0].String()) {
		t.Errorf("Error() = %q, want it to start with %q", e.Error(), e.Problems[0].String())
	}
	if len(e.Problems) > 1 && !strings.Contains(e.Error(), fmt.Sprintf("and %d more", len(e.Problems)-1)) {
		t.Errorf("Error() = %q does not count the other problems", e.Error())
	}
}

func TestParseRuleValid(t *testing.T) {
	s := testSchema()
	tests := []struct {
		name string
		in   string
		want string // canonical JSON
	}{
		{"SPEC example", `{"all": [
			{"attribute": "user.email", "operator": "contains", "value": "examply.com"},
			{"any": [
				{"attribute": "company.plan", "operator": "equals", "value": "Pro"},
				{"attribute": "company.custom.seats", "operator": "greater_than", "value": 10}
			]}
		]}`, `{"all":[{"attribute":"user.email","operator":"contains","value":"examply.com"},{"any":[{"attribute":"company.plan","operator":"equals","value":"Pro"},{"attribute":"company.custom.seats","operator":"greater_than","value":10}]}]}`},
		{"everyone", `{"all": []}`, `{"all":[]}`},
		{"no one", `{"any": []}`, `{"any":[]}`},
		{"single condition", `{"attribute": "user.custom.beta", "operator": "equals", "value": false}`, `{"attribute":"user.custom.beta","operator":"equals","value":false}`},
		{"is_set without value", `{"attribute": "user.name", "operator": "is_set"}`, `{"attribute":"user.name","operator":"is_set"}`},
		{"is_not_set with null", `{"attribute": "company.custom.renewed_at", "operator": "is_not_set", "value": null}`, `{"attribute":"company.custom.renewed_at","operator":"is_not_set"}`},
		{"days", `{"attribute": "user.last_seen_at", "operator": "more_than_days_ago", "value": 30}`, `{"attribute":"user.last_seen_at","operator":"more_than_days_ago","value":30}`},
		{"zero days", `{"attribute": "user.created_at", "operator": "less_than_days_ago", "value": 0}`, `{"attribute":"user.created_at","operator":"less_than_days_ago","value":0}`},
		{"whole number written as a float", `{"attribute": "company.size", "operator": "equals", "value": 1.0e1}`, `{"attribute":"company.size","operator":"equals","value":10}`},
		{"fraction", `{"attribute": "company.monthly_spend", "operator": "less_than", "value": 99.5}`, `{"attribute":"company.monthly_spend","operator":"less_than","value":99.5}`},
		{"negative number", `{"attribute": "user.custom.seats", "operator": "greater_than", "value": -3}`, `{"attribute":"user.custom.seats","operator":"greater_than","value":-3}`},
		{"number zero", `{"attribute": "company.size", "operator": "equals", "value": 0}`, `{"attribute":"company.size","operator":"equals","value":0}`},
		{"null rule", `null`, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := portal.ParseRule([]byte(tt.in), s, "access.rule")
			if err != nil {
				t.Fatalf("ParseRule: %v", err)
			}
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("canonical form:\n got %s\nwant %s", b, tt.want)
			}
			// The canonical form reads back to itself.
			r2, err := portal.ParseRule(b, s, "access.rule")
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			b2, _ := json.Marshal(r2)
			if string(b2) != string(b) {
				t.Errorf("round trip changed the rule: %s → %s", b, b2)
			}
		})
	}
}

func nested(depth int, inner string) string {
	return strings.Repeat(`{"all": [`, depth) + inner + strings.Repeat(`]}`, depth)
}

func conditions(n int) string {
	c := make([]string, n)
	for i := range c {
		c[i] = `{"attribute": "user.email", "operator": "is_set"}`
	}
	return `{"any": [` + strings.Join(c, ",") + `]}`
}

func TestParseRuleErrors(t *testing.T) {
	s := testSchema()
	const email = `{"attribute": "user.email", "operator": "contains", "value": "examply.com"}`
	tests := []struct {
		name string
		in   string
		want []problem
	}{
		// Attributes.
		{"unknown attribute", `{"attribute": "user.emial", "operator": "equals", "value": "x"}`,
			[]problem{{"access.rule.attribute", []string{`unknown attribute "user.emial"`}}}},
		{"unknown attribute with a suggestion", `{"attribute": "company.seats", "operator": "equals", "value": 1}`,
			[]problem{{"access.rule.attribute", []string{`unknown attribute "company.seats"`, "did you mean", "company.custom.seats"}}}},
		{"unknown custom attribute", `{"all": [` + email + `, {"attribute": "company.custom.nope", "operator": "is_set"}]}`,
			[]problem{{"access.rule.all[1].attribute", []string{`unknown attribute "company.custom.nope"`}}}},
		{"custom attribute of the other scope", `{"attribute": "user.custom.region", "operator": "is_set"}`,
			[]problem{{"access.rule.attribute", []string{`unknown attribute "user.custom.region"`}}}},
		{"attribute missing", `{"operator": "equals", "value": "x"}`,
			[]problem{{"access.rule.attribute", []string{"must name an attribute"}}}},
		{"attribute not a string", `{"attribute": 5, "operator": "equals", "value": "x"}`,
			[]problem{{"access.rule.attribute", []string{"must name an attribute"}}}},

		// Operators.
		{"contains on a number", `{"attribute": "company.custom.seats", "operator": "contains", "value": "1"}`,
			[]problem{{"access.rule.operator", []string{"Seats (custom) holds numbers", "cannot use contains;", "greater_than"}}}},
		{"greater_than on a string", `{"attribute": "user.email", "operator": "greater_than", "value": 3}`,
			[]problem{{"access.rule.operator", []string{"Email holds text", `cannot use is greater than (greater_than)`, "has any value (is_set) or is unknown (is_not_set)"}}}},
		{"days on a string", `{"attribute": "company.plan", "operator": "more_than_days_ago", "value": 3}`,
			[]problem{{"access.rule.operator", []string{"Plan holds text"}}}},
		{"equals on a date", `{"attribute": "user.created_at", "operator": "equals", "value": "2024-01-01"}`,
			[]problem{{"access.rule.operator", []string{"Created holds dates", "more_than_days_ago"}}}},
		{"contains on a boolean", `{"attribute": "company.custom.vip", "operator": "contains", "value": "t"}`,
			[]problem{{"access.rule.operator", []string{"VIP (custom) holds true or false"}}}},
		{"greater_than on a boolean", `{"attribute": "user.custom.beta", "operator": "greater_than", "value": 1}`,
			[]problem{{"access.rule.operator", []string{"Beta (custom) holds true or false"}}}},
		{"unknown operator", `{"attribute": "user.email", "operator": "like", "value": "x"}`,
			[]problem{{"access.rule.operator", []string{`unknown operator "like"`, "contains"}}}},
		{"operator missing", `{"attribute": "user.email", "value": "x"}`,
			[]problem{{"access.rule.operator", []string{"must name an operator"}}}},

		// Values.
		{"string for a number (SPEC path)", `{"all": [` + email + `, {"any": [
				{"attribute": "company.custom.seats", "operator": "greater_than", "value": "10"},
				{"attribute": "company.plan", "operator": "equals", "value": "Pro"}]}]}`,
			[]problem{{"access.rule.all[1].any[0].value", []string{"Seats (custom) must be a number", `"10"`}}}},
		{"number for a string", `{"attribute": "user.email", "operator": "equals", "value": 5}`,
			[]problem{{"access.rule.value", []string{"Email must be text", "the number 5"}}}},
		{"boolean for a string", `{"attribute": "company.custom.region", "operator": "equals", "value": true}`,
			[]problem{{"access.rule.value", []string{"Region (custom) must be text", "true"}}}},
		{"string for a boolean", `{"attribute": "user.custom.beta", "operator": "equals", "value": "true"}`,
			[]problem{{"access.rule.value", []string{"Beta (custom) must be true or false", `"true"`}}}},
		{"number for a boolean", `{"attribute": "company.custom.vip", "operator": "not_equals", "value": 1}`,
			[]problem{{"access.rule.value", []string{"VIP (custom) must be true or false"}}}},
		{"boolean for a number", `{"attribute": "company.size", "operator": "less_than", "value": false}`,
			[]problem{{"access.rule.value", []string{"Company size must be a number"}}}},
		{"date string for days", `{"attribute": "user.signed_up_at", "operator": "less_than_days_ago", "value": "2024-01-01"}`,
			[]problem{{"access.rule.value", []string{"Signed up less than (less_than_days_ago) needs a number of days", `"2024-01-01"`}}}},
		{"missing value, string", `{"attribute": "user.email", "operator": "equals"}`,
			[]problem{{"access.rule.value", []string{"Email needs a value: text in quotes"}}}},
		{"missing value, number", `{"attribute": "company.size", "operator": "greater_than"}`,
			[]problem{{"access.rule.value", []string{"Company size needs a value: a number without quotes"}}}},
		{"null value, boolean", `{"attribute": "user.custom.beta", "operator": "equals", "value": null}`,
			[]problem{{"access.rule.value", []string{"Beta (custom) needs a value: true or false"}}}},
		{"missing days", `{"attribute": "company.created_at", "operator": "more_than_days_ago"}`,
			[]problem{{"access.rule.value", []string{"needs a number of days"}}}},
		{"empty string", `{"attribute": "user.email", "operator": "contains", "value": ""}`,
			[]problem{{"access.rule.value", []string{"empty", "has any value / is unknown"}}}},
		{"blank string", `{"attribute": "user.email", "operator": "contains", "value": "   "}`,
			[]problem{{"access.rule.value", []string{"empty"}}}},
		{"string too long", `{"attribute": "user.email", "operator": "contains", "value": "` + strings.Repeat("x", 1001) + `"}`,
			[]problem{{"access.rule.value", []string{"longer than 1000"}}}},
		{"value given to is_set", `{"attribute": "user.email", "operator": "is_set", "value": "x"}`,
			[]problem{{"access.rule.value", []string{"has any value (is_set) takes no value"}}}},
		{"value given to is_not_set", `{"attribute": "company.custom.vip", "operator": "is_not_set", "value": false}`,
			[]problem{{"access.rule.value", []string{"is unknown (is_not_set) takes no value"}}}},
		{"negative days", `{"attribute": "user.last_seen_at", "operator": "more_than_days_ago", "value": -1}`,
			[]problem{{"access.rule.value", []string{"whole number", "-1"}}}},
		{"fractional days", `{"attribute": "user.last_seen_at", "operator": "less_than_days_ago", "value": 1.5}`,
			[]problem{{"access.rule.value", []string{"whole number", "1.5"}}}},
		{"too many days", `{"attribute": "user.custom.trial_ends_at", "operator": "less_than_days_ago", "value": 100001}`,
			[]problem{{"access.rule.value", []string{"from 0 to 100000"}}}},
		{"object value", `{"attribute": "user.email", "operator": "equals", "value": {"a": 1}}`,
			[]problem{{"access.rule.value", []string{"must be a string, a number or true/false", "an object"}}}},
		{"list value", `{"attribute": "user.email", "operator": "equals", "value": ["a"]}`,
			[]problem{{"access.rule.value", []string{"a list"}}}},
		{"number out of range", `{"attribute": "company.size", "operator": "equals", "value": 1e400}`,
			[]problem{{"access.rule.value", []string{"1e400", "not a number"}}}},

		// Shape.
		{"mixed group and condition", `{"all": [], "attribute": "user.email", "operator": "is_set"}`,
			[]problem{{"access.rule", []string{"mixes a group"}}}},
		{"both all and any", `{"all": [], "any": []}`,
			[]problem{{"access.rule", []string{`both "all" and "any"`}}}},
		{"unknown field in a group", `{"all": [], "none": []}`,
			[]problem{{"access.rule.none", []string{`unknown field "none"`}}}},
		{"unknown field in a condition", `{"all": [{"attribute": "user.email", "operator": "is_set", "negate": true}]}`,
			[]problem{{"access.rule.all[0].negate", []string{`unknown field "negate"`}}}},
		{"group not a list", `{"any": {"attribute": "user.email", "operator": "is_set"}}`,
			[]problem{{"access.rule.any", []string{"must be a list", "an object"}}}},
		{"null in a group", `{"all": [null]}`,
			[]problem{{"access.rule.all[0]", []string{"not null"}}}},
		{"string in a group", `{"all": ["user.email"]}`,
			[]problem{{"access.rule.all[0]", []string{"must be an object", "a string"}}}},
		{"empty object", `{}`,
			[]problem{{"access.rule", []string{"empty object", `{"all": []}`}}}},
		{"object of nothing known", `{"value": 1}`,
			[]problem{{"access.rule", []string{`must have "all", "any"`}}}},
		{"not an object", `true`,
			[]problem{{"access.rule", []string{"must be an object", "true/false"}}}},
		{"a list", `[]`,
			[]problem{{"access.rule", []string{"a list"}}}},
		{"too deep", nested(17, email),
			[]problem{{"access.rule" + strings.Repeat(".all[0]", 17), []string{"nested more than 16 deep"}}}},
		{"too many nodes", conditions(500),
			[]problem{{"access.rule.any[499]", []string{"more than 500"}}}},

		// Several problems at once, in path order, with the indices of the
		// document even after a malformed sibling.
		{"several problems", `{"all": [
				{"attribute": "user.emial", "operator": "equals", "value": "x"},
				null,
				{"any": [
					{"attribute": "company.size", "operator": "contains", "value": "x"},
					{"attribute": "company.custom.seats", "operator": "greater_than", "value": "10"}
				]},
				{"attribute": "user.email", "operator": "is_set", "oops": 1},
				{"attribute": "user.last_seen_at", "operator": "more_than_days_ago", "value": -2}
			]}`,
			[]problem{
				{"access.rule.all[0].attribute", []string{"unknown attribute"}},
				{"access.rule.all[1]", []string{"not null"}},
				{"access.rule.all[2].any[0].operator", []string{"Company size holds numbers"}},
				{"access.rule.all[2].any[1].value", []string{"Seats (custom) must be a number"}},
				{"access.rule.all[3].oops", []string{"unknown field"}},
				{"access.rule.all[4].value", []string{"whole number"}},
			}},
		{"a malformed condition is not also reported unknown", `{"any": [{"operator": "equals", "value": {}}]}`,
			[]problem{
				{"access.rule.any[0].attribute", []string{"must name an attribute"}},
				{"access.rule.any[0].value", []string{"an object"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := portal.ParseRule([]byte(tt.in), s, "access.rule")
			if r != nil {
				t.Errorf("ParseRule returned a rule with its error: %s", r)
			}
			checkProblems(t, err, tt.want)
		})
	}
}

func TestParseRuleLimits(t *testing.T) {
	s := testSchema()
	const c = `{"attribute": "user.email", "operator": "is_set"}`
	for _, in := range []string{nested(16, c), conditions(499)} {
		if _, err := portal.ParseRule([]byte(in), s, "rule"); err != nil {
			t.Errorf("a rule at the limit is refused: %v", err)
		}
	}
}

func TestParseRuleMalformedJSON(t *testing.T) {
	s := testSchema()
	for _, in := range []string{``, `{"all": [`, `{"all": []} {"any": []}`, `{'all': []}`, `{"all": [],}`} {
		r, err := portal.ParseRule([]byte(in), s, "access.rule")
		if err == nil || r != nil {
			t.Errorf("ParseRule(%q) = %v, %v; want an error", in, r, err)
			continue
		}
		if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "not valid JSON") {
			t.Errorf("ParseRule(%q): %q (%s)", in, err, portal.ErrorCode(err))
		}
	}
}

// TestValidateRule checks rules built in Go, with the path given.
func TestValidateRule(t *testing.T) {
	s := testSchema()
	r := portal.AnyOf(
		portal.Cond("user.email", portal.OpContains, "examply.com"),
		portal.AllOf(
			portal.Cond("company.custom.seats", portal.OpGreaterThan, "10"),
			portal.Cond("company.nope", portal.OpIsSet, nil),
		),
		portal.Cond("company.size", portal.OpGreaterThan, 10), // an int, not a float64
	)
	got := portal.ValidateRule(r, s, "visibility.conditions")
	want := []string{
		"visibility.conditions.any[1].all[0].value",
		"visibility.conditions.any[1].all[1].attribute",
		"visibility.conditions.any[2].value",
	}
	var paths []string
	for _, p := range got {
		paths = append(paths, p.Path)
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s\n%v", diff, got)
	}
	if len(got) > 0 && !strings.HasPrefix(got[0].Message, "Seats (custom) must be a number") {
		t.Errorf("message = %q", got[0].Message)
	}
	if ps := portal.ValidateRule(nil, s, "access.rule"); len(ps) != 0 {
		t.Errorf("ValidateRule(nil) = %v", ps)
	}
	if ps := portal.ValidateRule(portal.Everyone(), s, "access.rule"); len(ps) != 0 {
		t.Errorf("ValidateRule(everyone) = %v", ps)
	}
}

func TestRuleUnmarshalJSON(t *testing.T) {
	// UnmarshalJSON checks the shape only: unknown attributes pass.
	var r portal.Rule
	if err := json.Unmarshal([]byte(`{"any": [{"attribute": "user.custom.anything", "operator": "equals", "value": "x"}]}`), &r); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if !r.IsAny() || len(r.Any) != 1 || r.Any[0].Cond.Attribute != "user.custom.anything" {
		t.Errorf("got %+v", r)
	}
	err := json.Unmarshal([]byte(`{"any": [{"attribute": "user.email"}]}`), &r)
	if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "rule.any[0].operator") {
		t.Errorf("Unmarshal of a malformed rule: %v", err)
	}
}

func TestRuleString(t *testing.T) {
	tests := []struct {
		r    *portal.Rule
		want string
	}{
		{nil, "no rule"},
		{portal.Everyone(), "everyone"},
		{portal.Cond("user.email", portal.OpContains, "examply.com"), `user.email contains "examply.com"`},
		{portal.Cond("user.email", portal.OpIsNotSet, nil), "user.email is not set"},
		{portal.Cond("company.size", portal.OpGreaterThan, 10.0), "company.size greater than 10"},
		{portal.Cond("company.monthly_spend", portal.OpLessThan, 99.5), "company.monthly_spend less than 99.5"},
		{portal.Cond("user.custom.beta", portal.OpEquals, true), "user.custom.beta equals true"},
		{portal.Cond("user.last_seen_at", portal.OpMoreThanDaysAgo, 30.0), "user.last_seen_at more than 30 days ago"},
		{portal.Cond("user.created_at", portal.OpLessThanDaysAgo, 1.0), "user.created_at less than 1 days ago"},
		{specAccessRule, `user.email contains "examply.com" and (company.plan equals "Pro" or company.custom.seats greater than 10)`},
		{portal.AnyOf(), "no one"},
		{portal.AllOf(portal.Cond("user.name", portal.OpIsSet, nil), portal.AnyOf()), "user.name is set and (no one)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestRuleConditions(t *testing.T) {
	var got []string
	for _, c := range specAccessRule.Conditions() {
		got = append(got, c.Attribute)
	}
	if diff := cmp.Diff([]string{"user.email", "company.plan", "company.custom.seats"}, got); diff != "" {
		t.Errorf("Conditions (-want +got):\n%s", diff)
	}
	if got := (*portal.Rule)(nil).Conditions(); len(got) != 0 {
		t.Errorf("nil.Conditions() = %v", got)
	}
}

func TestMarshalLiteralRules(t *testing.T) {
	c := portal.Cond("user.email", portal.OpIsSet, nil)
	tests := []struct {
		r    *portal.Rule
		want string
	}{
		{&portal.Rule{Any: []*portal.Rule{c}}, `{"any":[{"attribute":"user.email","operator":"is_set"}]}`},
		{&portal.Rule{All: []*portal.Rule{c}}, `{"all":[{"attribute":"user.email","operator":"is_set"}]}`},
		{&portal.Rule{}, `{"all":[]}`},
		{portal.AnyOf(), `{"any":[]}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.r)
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal = %s, %v; want %s", b, err, tt.want)
		}
	}
}

func TestOperatorsFor(t *testing.T) {
	want := map[portal.ValueKind][]portal.Operator{
		portal.KindString:  {"equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with", "is_set", "is_not_set"},
		portal.KindNumber:  {"equals", "not_equals", "greater_than", "less_than", "is_set", "is_not_set"},
		portal.KindBoolean: {"equals", "not_equals", "is_set", "is_not_set"},
		portal.KindDate:    {"more_than_days_ago", "less_than_days_ago", "is_set", "is_not_set"},
	}
	for k, ops := range want {
		got := portal.OperatorsFor(k)
		if diff := cmp.Diff(ops, got); diff != "" {
			t.Errorf("OperatorsFor(%s) (-want +got):\n%s", k, diff)
		}
		got[0] = "mutated" // the caller's copy
		if portal.OperatorsFor(k)[0] == "mutated" {
			t.Errorf("OperatorsFor(%s) shares its slice", k)
		}
	}
}

func TestNewSchema(t *testing.T) {
	s := testSchema()
	a, ok := s.Lookup("company.custom.seats")
	want := portal.Attribute{Name: "company.custom.seats", Scope: portal.ScopeCompany, Field: "seats", Custom: true, Kind: portal.KindNumber, Label: "seats"}
	if !ok || a != want {
		t.Errorf("Lookup(company.custom.seats) = %+v, %v", a, ok)
	}
	if _, ok := s.Lookup("custom.seats"); ok {
		t.Error("Lookup of a name without scope succeeded")
	}
	var names []string
	for _, a := range s.Attributes() {
		names = append(names, a.Name)
	}
	wantNames := []string{
		"user.id", "user.external_id", "user.email", "user.name", "user.role", "user.created_at", "user.signed_up_at", "user.last_seen_at",
		"user.custom.beta", "user.custom.seats", "user.custom.tier", "user.custom.trial_ends_at",
		"company.id", "company.company_id", "company.name", "company.plan", "company.size", "company.industry", "company.website", "company.monthly_spend", "company.created_at",
		"company.custom.region", "company.custom.renewed_at", "company.custom.seats", "company.custom.vip",
	}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("Attributes order (-want +got):\n%s", diff)
	}
	// A custom attribute cannot shadow a standard one, nor a duplicate
	// replace the first.
	s2 := portal.NewSchema([]portal.Attribute{
		{Scope: portal.ScopeUser, Field: "plan", Kind: portal.KindString, Label: "Plan"},
		{Scope: portal.ScopeUser, Field: "plan", Kind: portal.KindNumber},
	})
	if a, _ := s2.Lookup("user.custom.plan"); a.Kind != portal.KindString || a.Label != "Plan" {
		t.Errorf("duplicate custom attribute: %+v", a)
	}
	if got := len(s2.Attributes()); got != len(portal.StandardAttributes())+1 {
		t.Errorf("len(Attributes) = %d", got)
	}
}

func TestErrors(t *testing.T) {
	e := portal.Errorf(portal.ECONFLICT, "version %d is stale", 3)
	wrapped := fmt.Errorf("apply: %w", e)
	tests := []struct {
		err       error
		code, msg string
	}{
		{nil, "", ""},
		{e, portal.ECONFLICT, "version 3 is stale"},
		{wrapped, portal.ECONFLICT, "version 3 is stale"},
		{errors.New("disk on fire"), portal.EINTERNAL, "Internal error."},
	}
	for _, tt := range tests {
		if got := portal.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := portal.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
	}
	if got := (portal.Problem{Message: "bad"}).String(); got != "bad" {
		t.Errorf("Problem without path = %q", got)
	}
}
