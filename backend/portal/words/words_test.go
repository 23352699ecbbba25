package words_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from what the package says now (go test -update rewrites it; review the diff):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines that differ, for the failure message.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func schema() *portal.Schema {
	return portal.NewSchema([]portal.Attribute{
		{Scope: portal.ScopeUser, Field: "department", Kind: portal.KindString},
		{Scope: portal.ScopeUser, Field: "is_admin", Kind: portal.KindBoolean},
		{Scope: portal.ScopeUser, Field: "nps_score", Kind: portal.KindNumber},
		{Scope: portal.ScopeUser, Field: "trial_ends_at", Kind: portal.KindDate},
		{Scope: portal.ScopeCompany, Field: "sla_tier", Kind: portal.KindString},
		{Scope: portal.ScopeCompany, Field: "seats", Kind: portal.KindNumber},
		{Scope: portal.ScopeCompany, Field: "vip", Kind: portal.KindBoolean},
		{Scope: portal.ScopeCompany, Field: "renewed_at", Kind: portal.KindDate},
	})
}

func f(x float64) *float64 { return &x }

// subjects are the people the sentences are tried on: Ana with every
// attribute set and two companies, and Cy with nothing set and no
// company.
func subjects() []portal.Subject {
	ana := &portal.User{ID: "u1", Email: "ana@examply.com", Name: "Ana Lima", Role: "user",
		CreatedAt: now.AddDate(0, 0, -400), SignedUpAt: now.AddDate(0, 0, -45), LastSeenAt: now.AddDate(0, 0, -2),
		Custom: map[string]portal.Value{
			"department":    portal.StringValue("IT"),
			"is_admin":      {Kind: portal.KindBoolean, Bool: false},
			"nps_score":     portal.NumberValue(f(9)),
			"trial_ends_at": portal.DateValue(now.AddDate(0, 0, -10)),
		}}
	cobalt := &portal.Company{ID: "c1", CompanyID: "cobalt", Name: "Cobaltyard Games", Plan: "Pro", Size: f(120), Industry: "Games",
		Website: "https://cobaltyard.example", MonthlySpend: f(1999.5), CreatedAt: now.AddDate(-3, 0, 0),
		Custom: map[string]portal.Value{
			"sla_tier":   portal.StringValue("Standard"),
			"seats":      portal.NumberValue(f(25)),
			"vip":        {Kind: portal.KindBoolean, Bool: true},
			"renewed_at": portal.DateValue(now.AddDate(0, 0, -100)),
		}}
	bare := &portal.Company{ID: "c2", Name: "Brightwell"}
	cy := &portal.User{ID: "u3", Email: "cy@other.org"}
	return []portal.Subject{
		{User: ana, Companies: []*portal.Company{cobalt, bare}},
		{User: cy},
	}
}

// sample is a value of each type for conditions.
var sample = map[portal.ValueKind]map[string]any{
	portal.KindString:  {"user": "IT", "company": "Premier"},
	portal.KindNumber:  {"user": 8.0, "company": 10.0},
	portal.KindBoolean: {"user": true, "company": true},
	portal.KindDate:    {"user": 30.0, "company": 1.0},
}

// TestOperators says every operator on every attribute type it applies
// to, for a person and a company attribute: the condition, its failed
// form, "users whose …", and how it came out for each subject with the
// values that decided it.
func TestOperators(t *testing.T) {
	s := schema()
	attrs := map[portal.ValueKind][]string{
		portal.KindString:  {"user.custom.department", "company.custom.sla_tier", "user.email", "company.plan"},
		portal.KindNumber:  {"user.custom.nps_score", "company.custom.seats", "company.monthly_spend"},
		portal.KindBoolean: {"user.custom.is_admin", "company.custom.vip"},
		portal.KindDate:    {"user.signed_up_at", "company.custom.renewed_at", "user.custom.trial_ends_at"},
	}
	var b strings.Builder
	for _, o := range portal.Operators() {
		fmt.Fprintf(&b, "## %s — menu label %q, applies to %v\n", o.Op, o.Label, o.Kinds)
		for _, k := range o.Kinds {
			for _, name := range attrs[k] {
				a, ok := s.Lookup(name)
				if !ok {
					t.Fatalf("%s is not in the schema", name)
				}
				var v any
				switch o.Value {
				case portal.ValueTyped:
					v = sample[k][string(a.Scope)]
				case portal.ValueDays:
					v = sample[k][string(a.Scope)]
				}
				c := portal.Condition{Attribute: name, Operator: o.Op, Value: v}
				fmt.Fprintf(&b, "%s (%s) %s %v\n", name, k, o.Op, v)
				fmt.Fprintf(&b, "  says:  %s\n", words.Condition(c, s))
				fmt.Fprintf(&b, "  fails: %s\n", words.Failed(c, s))
				fmt.Fprintf(&b, "  users: %s\n", words.Whose(&portal.Rule{Cond: &c}, s))
				for _, sub := range subjects() {
					tr := portal.Explain(&portal.Rule{Cond: &c}, s, sub, now)
					mark := "✗"
					if tr.Result {
						mark = "✓"
					}
					fmt.Fprintf(&b, "  %s %s %s\n", sub.User.ID, mark, words.Reason(tr, s))
				}
			}
		}
		b.WriteString("\n")
	}
	golden(t, "operators.golden", b.String())
}

func TestValue(t *testing.T) {
	for v, want := range map[any]string{
		"Pro": "Pro", "examply.com": "examply.com", "": `""`, " Pro": `" Pro"`, "Pro or Enterprise": `"Pro or Enterprise"`,
		"Sales and Support": `"Sales and Support"`, "Tier (gold)": `"Tier (gold)"`, "Oregon": "Oregon", 10.0: "10", 12.5: "12.5", true: "true", nil: "nothing",
	} {
		if got := words.Value(v); got != want {
			t.Errorf("Value(%#v) = %s, want %s", v, got, want)
		}
	}
}

func TestLabel(t *testing.T) {
	for field, want := range map[string]string{
		"sla_tier": "SLA tier", "trial_ends_at": "Trial ends at", "department": "Department", "id": "Id",
		"crm_id": "CRM id", "is_admin": "Is admin", "NPS": "NPS", "it_contact": "IT contact",
	} {
		a := portal.Attribute{Scope: portal.ScopeUser, Field: field, Custom: true, Label: field}
		if got := words.Label(a); got != want {
			t.Errorf("Label(%q) = %q, want %q", field, got, want)
		}
	}
	if got := words.Label(portal.Attribute{Name: "user.signed_up_at", Label: "Signed up"}); got != "Signed up" {
		t.Errorf("a standard attribute keeps its label, got %q", got)
	}
}

func cond(a string, op portal.Operator, v any) *portal.Rule { return portal.Cond(a, op, v) }

// rules are nested rules the golden files say.
func rules() []*portal.Rule {
	return []*portal.Rule{
		nil,
		portal.Everyone(),
		portal.AnyOf(),
		cond("company.plan", portal.OpEquals, "Pro"),
		portal.AllOf(cond("user.email", portal.OpContains, "examply.com")),
		portal.AllOf(
			cond("user.email", portal.OpContains, "examply.com"),
			portal.AnyOf(cond("company.plan", portal.OpEquals, "Pro"), cond("company.custom.seats", portal.OpGreaterThan, 10.0)),
		),
		portal.AnyOf(
			cond("company.custom.sla_tier", portal.OpNotEquals, "Premier"),
			portal.AllOf(cond("user.signed_up_at", portal.OpMoreThanDaysAgo, 30.0), cond("user.custom.is_admin", portal.OpEquals, true)),
			portal.AllOf(cond("user.role", portal.OpIsNotSet, nil), portal.AnyOf(cond("user.name", portal.OpStartsWith, "A"), cond("user.name", portal.OpEndsWith, "z"))),
		),
		portal.AllOf(cond("user.custom.department", portal.OpEquals, "IT"), cond("user.last_seen_at", portal.OpLessThanDaysAgo, 1.0), cond("company.custom.vip", portal.OpIsSet, nil)),
		portal.AllOf(cond("user.custom.nope", portal.OpEquals, "x")),
	}
}

// TestRules says nested rules, and for each subject why the rule holds
// or not, with every node of the trace.
func TestRules(t *testing.T) {
	s := schema()
	var b strings.Builder
	for _, r := range rules() {
		fmt.Fprintf(&b, "## %s\n%s\n", r, words.Rule(r, s))
		for _, sub := range subjects() {
			tr := words.Annotate(portal.Explain(r, s, sub, now), s)
			fmt.Fprintf(&b, "%s: %s\n", sub.User.ID, words.Reason(tr, s))
			writeTrace(&b, tr, "  ")
		}
		b.WriteString("\n")
	}
	golden(t, "rules.golden", b.String())
}

func writeTrace(b *strings.Builder, t portal.Trace, indent string) {
	mark := "✗"
	if t.Result {
		mark = "✓"
	}
	fmt.Fprintf(b, "%s%s %s\n", indent, mark, t.Sentence)
	for _, k := range t.Children {
		writeTrace(b, k, indent+"  ")
	}
}

func settings(enabled bool, access *portal.Rule, restrict bool, conds *portal.Rule) *portal.Settings {
	st := portal.DefaultSettings()
	st.Portal.Enabled = enabled
	st.Access.Rule = access
	st.Visibility.RestrictToOwn = restrict
	st.Visibility.Conditions = conds
	return st
}

// TestDecisions says the access and restriction decisions, with their
// reasons, under settings that cover every way of deciding.
func TestDecisions(t *testing.T) {
	s := schema()
	access := portal.AllOf(cond("user.email", portal.OpContains, "examply.com"),
		portal.AnyOf(cond("company.plan", portal.OpEquals, "Pro"), cond("company.custom.seats", portal.OpGreaterThan, 10.0)))
	restrict := portal.AllOf(cond("company.custom.sla_tier", portal.OpNotEquals, "Premier"))
	cases := []struct {
		name string
		st   *portal.Settings
	}{
		{"portal off", settings(false, access, true, restrict)},
		{"no access rule", settings(true, nil, true, restrict)},
		{"everyone, visibility off", settings(true, portal.Everyone(), false, nil)},
		{"everyone, visibility off with kept conditions", settings(true, portal.Everyone(), false, restrict)},
		{"everyone, visibility on without conditions", settings(true, portal.Everyone(), true, nil)},
		{"rule, restricted by SLA tier", settings(true, access, true, restrict)},
		{"rule, restricted unless admin", settings(true, access, true, portal.AnyOf(cond("user.custom.is_admin", portal.OpEquals, false), cond("user.role", portal.OpEquals, "lead")))},
		{"empty any", settings(true, portal.AnyOf(), false, nil)},
	}
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "## %s\n", c.name)
		for _, sub := range subjects() {
			d := portal.Decide(c.st, s, sub, now)
			fmt.Fprintf(&b, "%s: %s\n%s: %s\n", sub.User.ID, words.Access(c.st, d, s), sub.User.ID, words.Restriction(c.st, d, s))
		}
		b.WriteString("\n")
	}
	golden(t, "decisions.golden", b.String())
}

// TestChanges says what a second settings document changes.
func TestChanges(t *testing.T) {
	s := schema()
	base := settings(true, portal.AnyOf(cond("company.plan", portal.OpEquals, "Pro")), true, portal.AllOf(cond("user.custom.is_admin", portal.OpEquals, false)))
	base.HelpCenter.Sections = append(base.HelpCenter.Sections, portal.Section{ID: portal.PortalSectionID, Title: portal.PortalSectionTitle, Kind: portal.SectionCustomerPortal, Visible: true})
	mod := func(fn func(st *portal.Settings)) *portal.Settings {
		st := base.Clone()
		fn(st)
		return st
	}
	cases := []struct {
		name  string
		after *portal.Settings
	}{
		{"nothing", mod(func(st *portal.Settings) { st.Version = 9 })},
		{"access: a condition added to an any group, portal moved to the top", mod(func(st *portal.Settings) {
			st.Access.Rule = portal.AnyOf(cond("company.plan", portal.OpEquals, "Pro"), cond("user.custom.department", portal.OpEquals, "IT"))
			secs := st.HelpCenter.Sections
			st.HelpCenter.Sections = append([]portal.Section{secs[len(secs)-1]}, secs[:len(secs)-1]...)
		})},
		{"access: a condition removed", mod(func(st *portal.Settings) { st.Access.Rule = portal.AnyOf() })},
		{"access: everyone", mod(func(st *portal.Settings) { st.Access.Rule = portal.Everyone() })},
		{"access: none", mod(func(st *portal.Settings) { st.Access.Rule = nil })},
		{"access: from everyone to one condition", mod(func(st *portal.Settings) {})},
		{"access: a group of another kind", mod(func(st *portal.Settings) {
			st.Access.Rule = portal.AllOf(cond("company.plan", portal.OpEquals, "Pro"), cond("user.signed_up_at", portal.OpMoreThanDaysAgo, 30.0))
		})},
		{"visibility off, conditions kept", mod(func(st *portal.Settings) { st.Visibility.RestrictToOwn = false })},
		{"visibility: a condition added to an all group", mod(func(st *portal.Settings) {
			st.Visibility.Conditions = portal.AllOf(cond("user.custom.is_admin", portal.OpEquals, false), cond("company.custom.sla_tier", portal.OpNotEquals, "Premier"))
		})},
		{"visibility: no conditions", mod(func(st *portal.Settings) { st.Visibility.Conditions = nil })},
		{"switches", mod(func(st *portal.Settings) {
			st.Portal.Enabled = false
			st.PreviewColumn = !st.PreviewColumn
			st.Messenger.TicketsSpace = !st.Messenger.TicketsSpace
			st.IdentityVerification = !st.IdentityVerification
			st.HelpCenter.Live = !st.HelpCenter.Live
		})},
		{"help center: hidden, renamed, moved to the bottom and into the middle", mod(func(st *portal.Settings) {
			secs := st.HelpCenter.Sections
			secs[0].Visible = !secs[0].Visible
			secs[1].Title = "First steps"
			first := secs[0]
			secs = append(secs[1:], first)
			st.HelpCenter.Sections = secs
		})},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# base: access %s; visibility on, %s; sections %s\n\n", words.Rule(base.Access.Rule, s), words.Rule(base.Visibility.Conditions, s), titles(base.HelpCenter.Sections))
	for _, c := range cases {
		before := base
		if c.name == "access: from everyone to one condition" {
			before = mod(func(st *portal.Settings) { st.Access.Rule = portal.Everyone() })
			c.after = mod(func(st *portal.Settings) {
				st.Access.Rule = portal.AllOf(cond("user.custom.department", portal.OpEquals, "IT"))
			})
		}
		fmt.Fprintf(&b, "## %s\n", c.name)
		got := words.Changes(before, c.after, s)
		if len(got) == 0 {
			b.WriteString("(no change)\n")
		}
		for _, l := range got {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n")
	}
	// A merge knows no schema: standard labels stay, custom keys are
	// said in words.
	b.WriteString("## without a schema\n")
	for _, l := range words.Changes(base, cases[1].after, nil) {
		b.WriteString(l + "\n")
	}
	for _, l := range words.Changes(base, cases[8].after, nil) {
		b.WriteString(l + "\n")
	}
	golden(t, "changes.golden", b.String())
}

func titles(ss []portal.Section) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Title)
	}
	return strings.Join(out, ", ")
}

// TestImpact says the impact groups and one user's change.
func TestImpact(t *testing.T) {
	var b strings.Builder
	for _, g := range portal.ImpactGroups {
		for _, n := range []int{0, 1, 1204} {
			fmt.Fprintf(&b, "%s %d: %s\n", g, n, words.Group(g, n))
		}
	}
	two, twelve := 2, 12
	for _, u := range []portal.ImpactUser{
		{ID: "u1", Name: "Ana Lima", Before: portal.StateNone, After: portal.StateAll},
		{ID: "u2", Email: "bob@examply.com", Before: portal.StateAll, After: portal.StateOwn, TicketsBefore: &twelve, TicketsAfter: &two},
		{ID: "u3", Before: portal.StateOwn, After: portal.StateNone},
	} {
		b.WriteString(words.Change(u) + "\n")
	}
	// With why, from each subject's decision under the new settings.
	s := schema()
	access := portal.AllOf(cond("user.email", portal.OpContains, "examply.com"), cond("company.plan", portal.OpEquals, "Pro"))
	restrict := portal.AllOf(cond("company.custom.sla_tier", portal.OpNotEquals, "Premier"))
	for _, st := range []*portal.Settings{settings(true, access, true, restrict), settings(false, access, true, restrict)} {
		for _, sub := range subjects() {
			d := portal.Decide(st, s, sub, now)
			after := portal.StateNone
			switch {
			case d.Access && d.Restricted:
				after = portal.StateOwn
			case d.Access:
				after = portal.StateAll
			}
			for _, before := range []string{portal.StateNone, portal.StateAll, portal.StateOwn} {
				if before == after {
					continue
				}
				u := portal.ImpactUser{ID: sub.User.ID, Name: sub.User.Name, Email: sub.User.Email, Before: before, After: after}
				b.WriteString(words.ChangeDecided(u, st, d, s) + "\n")
			}
		}
	}
	golden(t, "impact.golden", b.String())
}

// TestProblems says validation problems where the admin sees them.
func TestProblems(t *testing.T) {
	s := schema()
	docs := []string{
		`{"all": [{"attribute": "user.email", "operator": "contains", "value": ""}]}`,
		`{"all": [{"attribute": "user.email", "operator": "is_set"}, {"any": [{"attribute": "company.custom.seats", "operator": "contains", "value": "x"}]}]}`,
		`{"attribute": "user.signed_up_at", "operator": "more_than_days_ago"}`,
		`{"attribute": "user.name", "operator": "is_not_set", "value": "x"}`,
		`{"attribute": "user.custom.nope", "operator": "is_set"}`,
		`{"attribute": "user.custom.is_admin", "operator": "equals", "value": "yes"}`,
		`{"attribute": "user.custom.department", "operator": "like", "value": "IT"}`,
		`{"attribute": "company.plan", "operator": "greater_than", "value": 3}`,
		`{"attribute": "user.custom.trial_ends_at", "operator": "equals", "value": "2025-01-01"}`,
		`{"attribute": "company.custom.vip", "operator": "contains", "value": "t"}`,
		`{"attribute": "company.custom.sla_tier", "operator": "equals", "value": 3}`,
		`{"attribute": "company.custom.seats", "operator": "greater_than", "value": "10"}`,
		`{"attribute": "company.size", "operator": "less_than", "value": false}`,
		`{"attribute": "company.custom.sla_tier", "operator": "equals"}`,
		`{"attribute": "user.custom.nps_score", "operator": "greater_than"}`,
		`{"attribute": "company.custom.vip", "operator": "equals", "value": null}`,
		`{"attribute": "company.custom.renewed_at", "operator": "less_than_days_ago", "value": "2024-01-01"}`,
		`{"attribute": "user.last_seen_at", "operator": "more_than_days_ago", "value": 2.5}`,
	}
	// Every problem about an attribute of the schema names it by its
	// label, as the attribute menu does, never by its JSON name (the
	// path still says where it is).
	jsonName := regexp.MustCompile(`\b(user|company)\.(custom\.)?[a-z_]+`)
	var b strings.Builder
	for _, doc := range docs {
		fmt.Fprintf(&b, "%s\n", doc)
		for _, path := range []string{"access.rule", "visibility.conditions"} {
			_, err := portal.ParseRule([]byte(doc), s, path)
			var pe *portal.Error
			if err == nil || !asError(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("%s: want problems, got %v", doc, err)
			}
			for _, p := range pe.Problems {
				fmt.Fprintf(&b, "  %s\n", words.Problem(p))
				if !strings.Contains(p.Message, "unknown attribute") && jsonName.MatchString(p.Message) {
					t.Errorf("%s: %q names an attribute by its JSON name", doc, p.Message)
				}
			}
		}
	}
	for _, path := range []string{"help_center.sections[2].title", "portal.enabled", "something.else"} {
		fmt.Fprintf(&b, "%s → %s\n", path, words.Where(path))
	}
	golden(t, "problems.golden", b.String())
}

func asError(err error, pe **portal.Error) bool {
	e, ok := err.(*portal.Error)
	*pe = e
	return ok
}
