package portal_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
)

// now is the fixed "now" of every test that evaluates dates.
var now = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// testSchema is the standard attributes plus one custom attribute of each
// kind for users and for companies.
func testSchema() *portal.Schema {
	return portal.NewSchema([]portal.Attribute{
		{Scope: portal.ScopeUser, Field: "tier", Kind: portal.KindString},
		{Scope: portal.ScopeUser, Field: "seats", Kind: portal.KindNumber},
		{Scope: portal.ScopeUser, Field: "beta", Kind: portal.KindBoolean},
		{Scope: portal.ScopeUser, Field: "trial_ends_at", Kind: portal.KindDate},
		{Scope: portal.ScopeCompany, Field: "region", Kind: portal.KindString},
		{Scope: portal.ScopeCompany, Field: "seats", Kind: portal.KindNumber},
		{Scope: portal.ScopeCompany, Field: "vip", Kind: portal.KindBoolean},
		{Scope: portal.ScopeCompany, Field: "renewed_at", Kind: portal.KindDate},
	})
}

func num(f float64) *float64 { return &f }

func strV(s string) portal.Value     { return portal.StringValue(s) }
func numV(f float64) portal.Value    { return portal.NumberValue(&f) }
func boolV(b bool) portal.Value      { return portal.Value{Kind: portal.KindBoolean, Bool: b} }
func dateV(t time.Time) portal.Value { return portal.DateValue(t) }

// setField stores v in the field of u (user attributes) or c (company
// attributes) that attribute a reads. The zero Value leaves it unset.
func setField(t *testing.T, a portal.Attribute, u *portal.User, c *portal.Company, v portal.Value) {
	t.Helper()
	if a.Custom {
		if a.Scope == portal.ScopeUser {
			if u.Custom == nil {
				u.Custom = map[string]portal.Value{}
			}
			u.Custom[a.Field] = v
		} else {
			if c.Custom == nil {
				c.Custom = map[string]portal.Value{}
			}
			c.Custom[a.Field] = v
		}
		return
	}
	var n *float64
	if v.IsSet() {
		n = num(v.Num)
	}
	switch a.Name {
	case "user.id":
		u.ID = v.Str
	case "user.external_id":
		u.ExternalID = v.Str
	case "user.email":
		u.Email = v.Str
	case "user.name":
		u.Name = v.Str
	case "user.role":
		u.Role = v.Str
	case "user.created_at":
		u.CreatedAt = v.Time
	case "user.signed_up_at":
		u.SignedUpAt = v.Time
	case "user.last_seen_at":
		u.LastSeenAt = v.Time
	case "company.id":
		c.ID = v.Str
	case "company.company_id":
		c.CompanyID = v.Str
	case "company.name":
		c.Name = v.Str
	case "company.plan":
		c.Plan = v.Str
	case "company.size":
		c.Size = n
	case "company.industry":
		c.Industry = v.Str
	case "company.website":
		c.Website = v.Str
	case "company.monthly_spend":
		c.MonthlySpend = n
	case "company.created_at":
		c.CreatedAt = v.Time
	default:
		t.Fatalf("setField: no field for %s", a.Name)
	}
}

// subjectWith returns a user in one company where the attribute holds v.
func subjectWith(t *testing.T, s *portal.Schema, name string, v portal.Value) portal.Subject {
	t.Helper()
	a, ok := s.Lookup(name)
	if !ok {
		t.Fatalf("schema has no %s", name)
	}
	u := &portal.User{ID: "u1", CompanyIDs: []string{"c1"}}
	c := &portal.Company{ID: "c1", Name: "Acme"}
	setField(t, a, u, c, v)
	return portal.Subject{User: u, Companies: []*portal.Company{c}}
}

type opCase struct {
	stored portal.Value
	op     portal.Operator
	value  any
	want   bool
}

var (
	mixedCase = strV("ÉLODIE Márquez")
	thirty    = now.Add(-30 * day)
)

// casesByKind are the operator cases run against every attribute of the
// kind, with the attribute holding stored.
var casesByKind = map[portal.ValueKind][]opCase{
	portal.KindString: {
		{mixedCase, portal.OpEquals, "élodie márquez", true},
		{mixedCase, portal.OpEquals, "ELODIE MARQUEZ", true},
		{mixedCase, portal.OpEquals, "Elodie Marquez ", false},
		{mixedCase, portal.OpEquals, "elodie", false},
		{strV("elodie"), portal.OpEquals, "ÉLODIE", true},
		{strV("ÉLODIE"), portal.OpEquals, "elodie", true},
		{mixedCase, portal.OpNotEquals, "elodie marquez", false},
		{mixedCase, portal.OpNotEquals, "elodie", true},
		{mixedCase, portal.OpContains, "MARQ", true},
		{mixedCase, portal.OpContains, "odie má", true},
		{mixedCase, portal.OpContains, "xyz", false},
		{mixedCase, portal.OpNotContains, "márq", false},
		{mixedCase, portal.OpNotContains, "xyz", true},
		{mixedCase, portal.OpStartsWith, "ELO", true},
		{mixedCase, portal.OpStartsWith, "marq", false},
		{mixedCase, portal.OpEndsWith, "QUEZ", true},
		{mixedCase, portal.OpEndsWith, "élodie", false},
		{mixedCase, portal.OpIsSet, nil, true},
		{mixedCase, portal.OpIsNotSet, nil, false},
	},
	portal.KindNumber: {
		{numV(10), portal.OpEquals, 10.0, true},
		{numV(10), portal.OpEquals, 10.5, false},
		{numV(10), portal.OpNotEquals, 10.0, false},
		{numV(10), portal.OpNotEquals, 11.0, true},
		{numV(10), portal.OpGreaterThan, 9.5, true},
		{numV(10), portal.OpGreaterThan, 10.0, false},
		{numV(10), portal.OpGreaterThan, 11.0, false},
		{numV(10), portal.OpLessThan, 10.5, true},
		{numV(10), portal.OpLessThan, 10.0, false},
		{numV(10), portal.OpLessThan, 9.0, false},
		{numV(-2.5), portal.OpLessThan, 0.0, true},
		{numV(10), portal.OpIsSet, nil, true},
		{numV(10), portal.OpIsNotSet, nil, false},
		// Zero is a value, not "unset".
		{numV(0), portal.OpEquals, 0.0, true},
		{numV(0), portal.OpIsSet, nil, true},
		{numV(0), portal.OpIsNotSet, nil, false},
	},
	portal.KindBoolean: {
		{boolV(true), portal.OpEquals, true, true},
		{boolV(true), portal.OpEquals, false, false},
		{boolV(true), portal.OpNotEquals, false, true},
		{boolV(true), portal.OpNotEquals, true, false},
		{boolV(false), portal.OpEquals, false, true},
		{boolV(false), portal.OpEquals, true, false},
		{boolV(false), portal.OpNotEquals, false, false},
		// false is a value, not "unset".
		{boolV(false), portal.OpIsSet, nil, true},
		{boolV(false), portal.OpIsNotSet, nil, false},
	},
	portal.KindDate: {
		// Exactly 30 days ago is neither more nor less than 30 days ago.
		{dateV(thirty), portal.OpMoreThanDaysAgo, 30.0, false},
		{dateV(thirty), portal.OpLessThanDaysAgo, 30.0, false},
		{dateV(thirty), portal.OpMoreThanDaysAgo, 29.0, true},
		{dateV(thirty), portal.OpLessThanDaysAgo, 29.0, false},
		{dateV(thirty), portal.OpMoreThanDaysAgo, 31.0, false},
		{dateV(thirty), portal.OpLessThanDaysAgo, 31.0, true},
		{dateV(thirty.Add(-time.Second)), portal.OpMoreThanDaysAgo, 30.0, true},
		{dateV(thirty.Add(-time.Second)), portal.OpLessThanDaysAgo, 30.0, false},
		{dateV(thirty.Add(time.Second)), portal.OpMoreThanDaysAgo, 30.0, false},
		{dateV(thirty.Add(time.Second)), portal.OpLessThanDaysAgo, 30.0, true},
		// Dates compare at whole seconds: half a second past the cut is
		// still the cut.
		{dateV(thirty.Add(500 * time.Millisecond)), portal.OpMoreThanDaysAgo, 30.0, false},
		{dateV(thirty.Add(500 * time.Millisecond)), portal.OpLessThanDaysAgo, 30.0, false},
		{dateV(now.Add(-time.Second)), portal.OpMoreThanDaysAgo, 0.0, true},
		{dateV(now.Add(-time.Second)), portal.OpLessThanDaysAgo, 0.0, false},
		{dateV(now.Add(day)), portal.OpLessThanDaysAgo, 0.0, true},
		{dateV(now.Add(day)), portal.OpMoreThanDaysAgo, 0.0, false},
		{dateV(now), portal.OpLessThanDaysAgo, 0.0, false},
		{dateV(now), portal.OpMoreThanDaysAgo, 0.0, false},
		{dateV(thirty), portal.OpIsSet, nil, true},
		{dateV(thirty), portal.OpIsNotSet, nil, false},
	},
}

// wrongKind is a value of another kind than the attribute's, as a custom
// attribute may hold after an import; it counts as unset.
var wrongKind = map[portal.ValueKind]portal.Value{
	portal.KindString:  numV(5),
	portal.KindNumber:  strV("10"),
	portal.KindBoolean: strV("true"),
	portal.KindDate:    strV("2025-01-01"),
}

var negative = map[portal.Operator]bool{
	portal.OpNotEquals:   true,
	portal.OpNotContains: true,
	portal.OpIsNotSet:    true,
}

// TestEvalOperators runs every operator case of its kind against every
// standard and custom attribute, user and company, set and unset.
func TestEvalOperators(t *testing.T) {
	s := testSchema()
	used := map[portal.Operator]bool{}
	covered := map[portal.ValueKind]int{}
	for _, a := range s.Attributes() {
		cases := casesByKind[a.Kind]
		if len(cases) == 0 {
			t.Fatalf("no cases for kind %q of %s", a.Kind, a.Name)
		}
		covered[a.Kind]++
		t.Run(a.Name, func(t *testing.T) {
			for _, c := range cases {
				used[c.op] = true
				r := portal.Cond(a.Name, c.op, c.value)
				if ps := portal.ValidateRule(r, s, "rule"); len(ps) > 0 {
					t.Fatalf("case rule %s is invalid: %v", r, ps)
				}
				sub := subjectWith(t, s, a.Name, c.stored)
				if got := portal.Eval(r, s, sub, now); got != c.want {
					t.Errorf("%s with %s = %s: got %v, want %v", r, a.Name, describe(c.stored), got, c.want)
				}

				// Unset: a positive operator is false, a negative true.
				unset := map[string]portal.Subject{
					"unset": subjectWith(t, s, a.Name, portal.Value{}),
				}
				if a.Custom {
					unset["holding a "+string(wrongKind[a.Kind].Kind)] = subjectWith(t, s, a.Name, wrongKind[a.Kind])
					// A nil map of custom attributes.
					sub := subjectWith(t, s, a.Name, portal.Value{})
					sub.User.Custom, sub.Companies[0].Custom = nil, nil
					unset["without custom attributes"] = sub
				}
				if a.Scope == portal.ScopeCompany {
					unset["in no company"] = portal.Subject{User: &portal.User{ID: "u1"}}
				}
				for how, sub := range unset {
					want := negative[c.op]
					if got := portal.Eval(r, s, sub, now); got != want {
						t.Errorf("%s with %s %s: got %v, want %v", r, a.Name, how, got, want)
					}
				}
			}
		})
	}
	for _, op := range allOperators {
		if !used[op] {
			t.Errorf("operator %s is not covered", op)
		}
	}
	want := map[portal.ValueKind]int{portal.KindString: 13, portal.KindNumber: 4, portal.KindBoolean: 2, portal.KindDate: 6}
	if diff := cmp.Diff(want, covered); diff != "" {
		t.Errorf("attributes covered per kind (-want +got):\n%s", diff)
	}
}

var allOperators = []portal.Operator{
	portal.OpEquals, portal.OpNotEquals, portal.OpContains, portal.OpNotContains,
	portal.OpStartsWith, portal.OpEndsWith, portal.OpIsSet, portal.OpIsNotSet,
	portal.OpGreaterThan, portal.OpLessThan, portal.OpMoreThanDaysAgo, portal.OpLessThanDaysAgo,
}

func describe(v portal.Value) string {
	switch v.Kind {
	case "":
		return "unset"
	case portal.KindString:
		return fmt.Sprintf("%q", v.Str)
	case portal.KindNumber:
		return fmt.Sprint(v.Num)
	case portal.KindBoolean:
		return fmt.Sprint(v.Bool)
	}
	return v.Time.Format(time.RFC3339Nano)
}

// TestEvalNegationIsExact checks, over every case, that each negative
// operator is exactly the negation of its positive twin.
func TestEvalNegationIsExact(t *testing.T) {
	s := testSchema()
	subjects := map[string]portal.Subject{
		"no company": {User: &portal.User{ID: "u1"}},
	}
	for _, a := range s.Attributes() {
		for _, c := range casesByKind[a.Kind] {
			subjects[a.Name+"="+describe(c.stored)] = subjectWith(t, s, a.Name, c.stored)
		}
		subjects[a.Name+" unset"] = subjectWith(t, s, a.Name, portal.Value{})
	}
	for _, a := range s.Attributes() {
		for _, c := range casesByKind[a.Kind] {
			pos, neg := c.op.Positive()
			if !neg {
				continue
			}
			for name, sub := range subjects {
				p := portal.Eval(portal.Cond(a.Name, pos, c.value), s, sub, now)
				n := portal.Eval(portal.Cond(a.Name, c.op, c.value), s, sub, now)
				if p == n {
					t.Errorf("%s %s %v and %s on %s both %v", a.Name, pos, c.value, c.op, name, p)
				}
			}
		}
	}
}

func TestOperatorPositive(t *testing.T) {
	for _, op := range allOperators {
		pos, neg := op.Positive()
		switch op {
		case portal.OpNotEquals, portal.OpNotContains, portal.OpIsNotSet:
			if !neg || pos != map[portal.Operator]portal.Operator{
				portal.OpNotEquals: portal.OpEquals, portal.OpNotContains: portal.OpContains, portal.OpIsNotSet: portal.OpIsSet,
			}[op] {
				t.Errorf("%s.Positive() = %s, %v", op, pos, neg)
			}
		default:
			if neg || pos != op {
				t.Errorf("%s.Positive() = %s, %v; want itself, false", op, pos, neg)
			}
		}
	}
}

func TestDaysAgo(t *testing.T) {
	for _, days := range []float64{0, 1, 30, 365, 100000} {
		want := now.Unix() - int64(days)*86400
		if got := portal.DaysAgo(now, days); got != want {
			t.Errorf("DaysAgo(now, %v) = %d, want %d", days, got, want)
		}
	}
	// The operators agree with DaysAgo second by second around the cut:
	// more_than means t < cut, less_than means t > cut.
	s := testSchema()
	cut := portal.DaysAgo(now, 7)
	for off := int64(-3); off <= 3; off++ {
		at := time.Unix(cut+off, 0)
		sub := subjectWith(t, s, "user.last_seen_at", dateV(at))
		more := portal.Eval(portal.Cond("user.last_seen_at", portal.OpMoreThanDaysAgo, 7.0), s, sub, now)
		less := portal.Eval(portal.Cond("user.last_seen_at", portal.OpLessThanDaysAgo, 7.0), s, sub, now)
		if more != (at.Unix() < cut) || less != (at.Unix() > cut) {
			t.Errorf("cut%+ds: more_than %v, less_than %v", off, more, less)
		}
	}
}

func company(id, name, plan string, size *float64) *portal.Company {
	return &portal.Company{ID: id, Name: name, Plan: plan, Size: size}
}

func TestEvalCompanies(t *testing.T) {
	s := testSchema()
	u := &portal.User{ID: "u1", Email: "ana@examply.com"}
	none := portal.Subject{User: u}
	pro := portal.Subject{User: u, Companies: []*portal.Company{company("c1", "Acme", "Pro", num(5))}}
	proAndStarter := portal.Subject{User: u, Companies: []*portal.Company{
		company("c1", "Acme", "Pro", num(5)),
		company("c2", "Beta", "Starter", num(50)),
	}}
	proAndNoPlan := portal.Subject{User: u, Companies: []*portal.Company{
		company("c1", "Acme", "Pro", nil),
		company("c2", "Beta", "", nil),
	}}
	plan := func(op portal.Operator, v any) *portal.Rule { return portal.Cond("company.plan", op, v) }
	size := func(op portal.Operator, v float64) *portal.Rule { return portal.Cond("company.size", op, v) }
	tests := []struct {
		name string
		rule *portal.Rule
		sub  portal.Subject
		want bool
	}{
		{"no company: plan equals Pro", plan(portal.OpEquals, "Pro"), none, false},
		{"no company: plan not_equals Pro", plan(portal.OpNotEquals, "Pro"), none, true},
		{"no company: plan is_not_set", plan(portal.OpIsNotSet, nil), none, true},
		{"no company: plan is_set", plan(portal.OpIsSet, nil), none, false},
		{"no company: plan contains", plan(portal.OpContains, "p"), none, false},
		{"no company: plan not_contains", plan(portal.OpNotContains, "p"), none, true},
		{"no company: size greater_than 0", size(portal.OpGreaterThan, 0), none, false},
		{"no company: size less_than 1e9", size(portal.OpLessThan, 1e9), none, false},

		{"one company: plan equals pro", plan(portal.OpEquals, "pro"), pro, true},
		{"one company: plan not_equals Pro", plan(portal.OpNotEquals, "PRO"), pro, false},

		{"Pro+Starter: equals Pro", plan(portal.OpEquals, "Pro"), proAndStarter, true},
		{"Pro+Starter: equals Starter", plan(portal.OpEquals, "Starter"), proAndStarter, true},
		{"Pro+Starter: not_equals Pro (one company is Pro)", plan(portal.OpNotEquals, "Pro"), proAndStarter, false},
		{"Pro+Starter: not_equals Starter", plan(portal.OpNotEquals, "Starter"), proAndStarter, false},
		{"Pro+Starter: not_equals Enterprise", plan(portal.OpNotEquals, "Enterprise"), proAndStarter, true},
		{"Pro+Starter: contains star", plan(portal.OpContains, "star"), proAndStarter, true},
		{"Pro+Starter: not_contains star", plan(portal.OpNotContains, "star"), proAndStarter, false},
		{"Pro+Starter: starts_with pr", plan(portal.OpStartsWith, "pr"), proAndStarter, true},
		{"Pro+Starter: ends_with ter", plan(portal.OpEndsWith, "TER"), proAndStarter, true},
		{"Pro+Starter: is_set", plan(portal.OpIsSet, nil), proAndStarter, true},
		{"Pro+Starter: is_not_set", plan(portal.OpIsNotSet, nil), proAndStarter, false},
		{"sizes 5 and 50: greater_than 10", size(portal.OpGreaterThan, 10), proAndStarter, true},
		{"sizes 5 and 50: less_than 10", size(portal.OpLessThan, 10), proAndStarter, true},
		{"sizes 5 and 50: greater_than 50", size(portal.OpGreaterThan, 50), proAndStarter, false},
		{"sizes 5 and 50: not_equals 5", size(portal.OpNotEquals, 5), proAndStarter, false},
		// Each condition is checked on its own: different companies may
		// satisfy different conditions of one "all".
		{"sizes 5 and 50: all(greater_than 10, less_than 10)", portal.AllOf(size(portal.OpGreaterThan, 10), size(portal.OpLessThan, 10)), proAndStarter, true},

		// is_not_set is the negation of "some company has a plan".
		{"Pro+no plan: is_not_set", plan(portal.OpIsNotSet, nil), proAndNoPlan, false},
		{"Pro+no plan: is_set", plan(portal.OpIsSet, nil), proAndNoPlan, true},
		{"no sizes: size is_not_set", size(portal.OpIsNotSet, 0), proAndNoPlan, true},
		{"Pro+no plan: equals Pro", plan(portal.OpEquals, "Pro"), proAndNoPlan, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rule
			if r.Cond != nil && (r.Cond.Operator == portal.OpIsSet || r.Cond.Operator == portal.OpIsNotSet) {
				r.Cond.Value = nil
			}
			if got := portal.Eval(r, s, tt.sub, now); got != tt.want {
				t.Errorf("Eval(%s) = %v, want %v", r, got, tt.want)
			}
		})
	}
}

func TestEvalGroups(t *testing.T) {
	s := testSchema()
	ana := portal.Subject{
		User:      &portal.User{ID: "u1", Email: "ana@examply.com", Role: "admin"},
		Companies: []*portal.Company{company("c1", "Acme", "Pro", num(12))},
	}
	bob := portal.Subject{User: &portal.User{ID: "u2", Email: "bob@other.org"}}
	empty := portal.Subject{User: &portal.User{}}
	email := portal.Cond("user.email", portal.OpContains, "examply.com")
	pro := portal.Cond("company.plan", portal.OpEquals, "Pro")
	seats := portal.Cond("company.size", portal.OpGreaterThan, 10.0)
	yes := portal.Cond("user.email", portal.OpIsSet, nil)
	no := portal.Cond("user.email", portal.OpEquals, "nobody@nowhere")
	tests := []struct {
		name string
		rule *portal.Rule
		want map[string]bool // by subject
	}{
		{"nil rule matches no one", nil, map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"Everyone()", portal.Everyone(), map[string]bool{"ana": true, "bob": true, "empty": true}},
		{"AllOf() with no children", portal.AllOf(), map[string]bool{"ana": true, "bob": true, "empty": true}},
		{"AnyOf() with no children", portal.AnyOf(), map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"all(email, pro)", portal.AllOf(email, pro), map[string]bool{"ana": true, "bob": false, "empty": false}},
		{"any(no, email)", portal.AnyOf(no, email), map[string]bool{"ana": true, "bob": false, "empty": false}},
		{"any(no, yes)", portal.AnyOf(no, yes), map[string]bool{"ana": true, "bob": true, "empty": false}},
		{"all(email, any(pro, seats))", portal.AllOf(email, portal.AnyOf(pro, seats)), map[string]bool{"ana": true, "bob": false, "empty": false}},
		{"all(yes, any(no, all()))", portal.AllOf(yes, portal.AnyOf(no, portal.AllOf())), map[string]bool{"ana": true, "bob": true, "empty": false}},
		{"all(yes, any())", portal.AllOf(yes, portal.AnyOf()), map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"any(all(no), any(any(yes)))", portal.AnyOf(portal.AllOf(no), portal.AnyOf(portal.AnyOf(yes))), map[string]bool{"ana": true, "bob": true, "empty": false}},
		{"any(all(), no)", portal.AnyOf(portal.AllOf(), no), map[string]bool{"ana": true, "bob": true, "empty": true}},
		// Eval trusts checked rules: a value of the wrong Go type (an int,
		// which ValidateRule refuses) never matches.
		{"unchecked int value is false", portal.Cond("company.size", portal.OpGreaterThan, 1), map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"unchecked string value for a number is false", portal.Cond("company.size", portal.OpEquals, "12"), map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"unchecked number for a string is false", portal.Cond("user.email", portal.OpEquals, 1.0), map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"unknown attribute is false", portal.Cond("user.custom.nope", portal.OpEquals, "x"), map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"unknown attribute is false, negated too", portal.Cond("user.custom.nope", portal.OpNotEquals, "x"), map[string]bool{"ana": false, "bob": false, "empty": false}},
		// A Rule written as a literal is a group of the field that is set.
		{"literal Rule{Any: ...}", &portal.Rule{Any: []*portal.Rule{no}}, map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"literal Rule{Any: [] }", &portal.Rule{Any: []*portal.Rule{}}, map[string]bool{"ana": false, "bob": false, "empty": false}},
		{"literal Rule{All: ...}", &portal.Rule{All: []*portal.Rule{email}}, map[string]bool{"ana": true, "bob": false, "empty": false}},
	}
	subs := map[string]portal.Subject{"ana": ana, "bob": bob, "empty": empty}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, sub := range subs {
				if got := portal.Eval(tt.rule, s, sub, now); got != tt.want[name] {
					t.Errorf("Eval(%s) for %s = %v, want %v", tt.rule, name, got, tt.want[name])
				}
				// Explain agrees with Eval.
				if got := portal.Explain(tt.rule, s, sub, now).Result; got != tt.want[name] {
					t.Errorf("Explain(%s) for %s = %v, want %v", tt.rule, name, got, tt.want[name])
				}
			}
		})
	}
}

func TestRuleGroupPredicates(t *testing.T) {
	c := portal.Cond("user.email", portal.OpIsSet, nil)
	tests := []struct {
		name                            string
		r                               *portal.Rule
		all, any, everyone, empty, cond bool
	}{
		{"nil", nil, false, false, false, true, false},
		{"Everyone", portal.Everyone(), true, false, true, true, false},
		{"AllOf()", portal.AllOf(), true, false, true, true, false},
		{"AnyOf()", portal.AnyOf(), false, true, false, true, false},
		{"AllOf(c)", portal.AllOf(c), true, false, false, false, false},
		{"AnyOf(c)", portal.AnyOf(c), false, true, false, false, false},
		{"Cond", c, false, false, false, false, true},
		{"literal Any", &portal.Rule{Any: []*portal.Rule{c}}, false, true, false, false, false},
	}
	for _, tt := range tests {
		got := []bool{tt.r.IsAll(), tt.r.IsAny(), tt.r.IsEveryone(), tt.r.IsEmpty(), tt.r != nil && tt.r.Cond != nil}
		want := []bool{tt.all, tt.any, tt.everyone, tt.empty, tt.cond}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: IsAll, IsAny, IsEveryone, IsEmpty, cond (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestExplain(t *testing.T) {
	s := testSchema()
	u := &portal.User{ID: "u1", Email: "ana@examply.com", Name: "Ana"}
	twoAcmes := portal.Subject{User: u, Companies: []*portal.Company{
		{ID: "c1", Name: "Acme", Plan: "Starter"},
		{ID: "c2", Name: "Acme", Plan: "Pro"},
	}}
	tests := []struct {
		name       string
		rule       *portal.Rule
		sub        portal.Subject
		wantResult bool
		wantDetail []string // substrings of the top trace's Detail
	}{
		{"user value", portal.Cond("user.email", portal.OpContains, "examply"), portal.Subject{User: u}, true, []string{"Email", `"ana@examply.com"`}},
		{"user unset", portal.Cond("user.role", portal.OpEquals, "admin"), portal.Subject{User: u}, false, []string{"Role", "not set"}},
		{"no company", portal.Cond("company.plan", portal.OpNotEquals, "Pro"), portal.Subject{User: u}, true, []string{"no company"}},
		{"company satisfies", portal.Cond("company.plan", portal.OpEquals, "pro"), twoAcmes, true, []string{"company Acme satisfies"}},
		// The company named is the one that made the negation fail, even
		// when two companies share a name.
		{"negation failed by the second company", portal.Cond("company.plan", portal.OpNotEquals, "Pro"), twoAcmes, false, []string{`company Acme has Plan "Pro"`}},
		{"no company satisfies", portal.Cond("company.plan", portal.OpEquals, "Enterprise"), twoAcmes, false, []string{"no company", `Acme: "Starter"`, `Acme: "Pro"`}},
		{"unknown attribute", portal.Cond("user.custom.nope", portal.OpIsSet, nil), portal.Subject{User: u}, false, []string{"unknown attribute user.custom.nope"}},
		{"nil rule", nil, portal.Subject{User: u}, false, []string{"no rule"}},
		{"number", portal.Cond("company.size", portal.OpGreaterThan, 100.0), portal.Subject{User: u, Companies: []*portal.Company{{ID: "c9", Size: num(12.5)}}}, false, []string{"c9: 12.5"}},
		{"boolean", portal.Cond("user.custom.beta", portal.OpEquals, true), portal.Subject{User: &portal.User{Custom: map[string]portal.Value{"beta": boolV(false)}}}, false, []string{"beta is false"}},
		{"date", portal.Cond("user.last_seen_at", portal.OpLessThanDaysAgo, 1.0), portal.Subject{User: &portal.User{LastSeenAt: thirty}}, false, []string{"Last seen is 2025-05-16 12:00 UTC"}},
		{"wrong kind", portal.Cond("user.custom.seats", portal.OpIsSet, nil), portal.Subject{User: &portal.User{Custom: map[string]portal.Value{"seats": strV("10")}}}, false, []string{"seats is not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := portal.Explain(tt.rule, s, tt.sub, now)
			if tr.Result != tt.wantResult {
				t.Errorf("Result = %v, want %v", tr.Result, tt.wantResult)
			}
			for _, w := range tt.wantDetail {
				if !strings.Contains(tr.Detail, w) {
					t.Errorf("Detail %q does not mention %q", tr.Detail, w)
				}
			}
		})
	}

	// A group's trace has one child per condition, each evaluated even
	// after the result is known.
	r := portal.AllOf(
		portal.Cond("user.email", portal.OpContains, "other.org"),
		portal.AnyOf(portal.Cond("user.name", portal.OpEquals, "ana")),
	)
	tr := portal.Explain(r, s, portal.Subject{User: u}, now)
	want := portal.Trace{Rule: "all of", Result: false, Children: []portal.Trace{
		{Rule: `user.email contains "other.org"`, Result: false, Detail: `the user's Email is "ana@examply.com"`,
			Condition: r.All[0].Cond, Evidence: []portal.Evidence{{Of: "Ana", Value: portal.StringValue("ana@examply.com")}}},
		{Rule: "any of", Result: true, Children: []portal.Trace{
			{Rule: `user.name equals "ana"`, Result: true, Detail: `the user's Name is "Ana"`,
				Condition: r.All[1].Any[0].Cond, Evidence: []portal.Evidence{{Of: "Ana", Value: portal.StringValue("Ana")}}},
		}},
	}}
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	if got := portal.Summarize(tr); got != want.Children[0].Rule+" ("+want.Children[0].Detail+")" {
		t.Errorf("Summarize = %q, want the failing condition", got)
	}
	if got := portal.Explain(portal.Everyone(), s, portal.Subject{User: u}, now); got.Rule != "everyone" || !got.Result {
		t.Errorf("Explain(Everyone) = %+v", got)
	}
}

func TestSummarize(t *testing.T) {
	s := testSchema()
	u := &portal.User{ID: "u1", Email: "ana@examply.com", Role: "admin"}
	sub := portal.Subject{User: u}
	email := portal.Cond("user.email", portal.OpContains, "examply")
	role := portal.Cond("user.role", portal.OpEquals, "admin")
	bad := portal.Cond("user.name", portal.OpIsSet, nil)
	worse := portal.Cond("user.external_id", portal.OpIsSet, nil)
	tests := []struct {
		name string
		rule *portal.Rule
		want []string // substrings
		not  []string
	}{
		{"all holds: every condition", portal.AllOf(email, role), []string{"user.email contains", "user.role equals"}, nil},
		{"all fails: the first failing", portal.AllOf(email, bad, worse), []string{"user.name is set"}, []string{"user.email", "user.external_id"}},
		{"any holds: the holding one", portal.AnyOf(bad, role), []string{"user.role equals"}, []string{"user.name"}},
		{"any fails: none of them", portal.AnyOf(bad, worse), []string{"none of", "user.name is set", "user.external_id is set"}, nil},
		{"empty any", portal.AnyOf(), []string{`empty "any"`}, nil},
		{"everyone", portal.Everyone(), []string{"everyone"}, nil},
		{"nested", portal.AllOf(email, portal.AnyOf(bad, worse)), []string{"none of", "user.name"}, []string{"user.email"}},
	}
	for _, tt := range tests {
		got := portal.Summarize(portal.Explain(tt.rule, s, sub, now))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: Summarize = %q, missing %q", tt.name, got, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: Summarize = %q, should not mention %q", tt.name, got, w)
			}
		}
	}
}
