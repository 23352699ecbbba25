package frontend

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
	"portalstudio/backend/wire"
)

// The operator menu is the domain's operator table: every operator that
// fits the attribute's type, in the table's order, by its label.
func TestOperatorMenuFromTheTable(t *testing.T) {
	for _, a := range attrs() {
		h := html(t, &conditionRow{IScope: scopeAccess, IPath: []int{0}, ICond: *newCondition(a).Cond, IAttributes: attrs()})
		last := -1
		for _, op := range portal.OperatorsFor(a.Kind) {
			re := regexp.MustCompile(`<option[^>]*value="` + string(op) + `"[^>]*>` + regexp.QuoteMeta(op.Label()) + `</option>`)
			loc := re.FindStringIndex(h)
			if loc == nil || loc[0] < last {
				t.Fatalf("%s: no option for %s labelled %q in the table's order in\n%s", a.Name, op, op.Label(), h)
			}
			last = loc[0]
		}
		for _, name := range []string{"is_set", "is_not_set"} {
			if strings.Contains(h, ">"+name+"<") {
				t.Errorf("%s: the menu shows the JSON name %s", a.Name, name)
			}
		}
	}
}

// A condition just added, whose value is not typed yet, waits for it
// without a red error; a wrong value is an error.
func TestConditionWaitsForItsValue(t *testing.T) {
	email, _ := portal.NewSchema(nil).Lookup("user.email")
	st := demoSettings()
	addNode(st, ruleRef{Scope: scopeAccess}, newCondition(email))
	p := portal.Problem{Path: "access.rule.all[2].value", Message: "the value is empty; enter some text, or use has any value / is unknown"}
	row := &conditionRow{IScope: scopeAccess, IPath: []int{2}, ICond: *nodeAt(st.Access.Rule, []int{2}).Cond, IAttributes: attrs(), IProblem: p.Message}
	h := html(t, row)
	if strings.Contains(h, "has-error") || strings.Contains(h, `class="error"`) || !strings.Contains(h, "Type a value, or choose has any value / is unknown.") {
		t.Errorf("a condition waiting for its value shows an error:\n%s", h)
	}
	if !waitingOnly(st, []portal.Problem{p}) {
		t.Error("the draft's only problem is a value not typed yet")
	}
	if h := html(t, &draftStatus{draft: draftState{Settings: st, Problems: []portal.Problem{p}}}); strings.Contains(h, "pill-error") || !strings.Contains(h, "waits for its value") {
		t.Errorf("draft status:\n%s", h)
	}

	// A value of the wrong kind, or another problem, is an error.
	setValue(st, ruleRef{Scope: scopeAccess, Path: []int{2}}, "x")
	row.ICond = *nodeAt(st.Access.Rule, []int{2}).Cond
	row.IProblem = "something else is wrong"
	if h := html(t, row); !strings.Contains(h, "has-error") || !strings.Contains(h, "Something else is wrong.") {
		t.Errorf("a problem with a typed value is an error:\n%s", h)
	}
	bad := []portal.Problem{{Path: "access.rule.all[1].any[0].operator", Message: "Plan holds text and cannot use is greater than (greater_than)"}}
	if h := html(t, &draftStatus{draft: draftState{Settings: st, Problems: bad}}); !strings.Contains(h, "pill-error") ||
		!strings.Contains(h, `title="Access permissions, condition 2.1: Plan holds text and cannot use is greater than (greater_than)."`) {
		t.Errorf("draft status of a wrong condition:\n%s", h)
	}
	if waitingOnly(st, []portal.Problem{{Path: "access.rule.all[2].value", Message: "x"}}) || waitingOnly(st, []portal.Problem{{Path: "access.rule.all[0].operator"}}) {
		t.Error("a typed value or an operator problem is not waiting")
	}
	if c := conditionAt(st, "access.rule.all[1].any[1]"); c == nil || c.Attribute != "company.size" {
		t.Errorf("conditionAt: %+v", c)
	}
	if c := conditionAt(st, "access.rule.any[1]"); c != nil {
		t.Errorf("conditionAt of a path of the wrong group kind: %+v", c)
	}
}

// The preview's decisions show the sentences, with the schema's labels
// and the values that decided them, and each node of the trace in words.
func TestDecisionPanelSaysSentences(t *testing.T) {
	s := portal.NewSchema([]portal.Attribute{{Scope: portal.ScopeCompany, Field: "sla_tier", Kind: portal.KindString}})
	st := demoSettings()
	st.Access.Rule = portal.Everyone()
	st.Visibility.Conditions = portal.AllOf(portal.Cond("company.custom.sla_tier", portal.OpNotEquals, "Premier"))
	sub := portal.Subject{User: &portal.User{ID: "u1", Name: "Ana"}, Companies: []*portal.Company{{ID: "c1", Name: "Cobaltyard Games",
		Custom: map[string]portal.Value{"sla_tier": portal.StringValue("Standard")}}}}
	d := words.Decision(portal.Decide(st, s, sub, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), s)
	r := &wire.PreviewResult{Access: d.Access, AccessReason: d.AccessReason, Restricted: d.Restricted, RestrictedReason: d.RestrictedReason,
		AccessSentence: words.Access(st, d, s), RestrictedSentence: words.Restriction(st, d, s), Tabs: d.Tabs, Decision: d}
	h := html(t, &decisionPanel{IResult: r})
	for _, want := range []string{`data-sentence="Has access: the access rule is Everyone."`, ">The access rule is Everyone.<",
		`data-sentence="Sees only their own tickets: SLA tier is not Premier — Cobaltyard Games has Standard."`,
		">SLA tier is not Premier — Cobaltyard Games has Standard.<",
		">SLA tier is not Premier — Cobaltyard Games has Standard<", ">All of these<"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	if strings.Contains(h, "company.custom.sla_tier") {
		t.Errorf("the panel shows the rule's internal form:\n%s", h)
	}
}

// The diff view says the changes in sentences above the lines.
func TestDiffViewSummary(t *testing.T) {
	c := &diffView{diff: diffState{Status: Loaded, Data: &wire.DiffResult{Changed: true, Unified: "--- live\n+++ draft\n@@ -1 +1 @@\n-a\n+b\n",
		Summary: []string{"Access: now also users whose department is IT.", "Help Center: Customer portal moved to the top."}}}}
	h := html(t, c)
	i := strings.Index(h, "Access: now also users whose department is IT.")
	if i < 0 || !strings.Contains(h, "Help Center: Customer portal moved to the top.") {
		t.Fatalf("missing the change summary:\n%s", h)
	}
	c.open = true
	h = html(t, c)
	if i, j := strings.Index(h, "change-summary"), strings.Index(h, "diff-view"); i < 0 || j < 0 || i > j {
		t.Errorf("the summary is not above the diff:\n%s", h)
	}
}

// A validation problem beside a condition names the attribute as the
// attribute menu does ("Seats (custom)"), never by its JSON name.
func TestProblemNamesTheAttributeByItsLabel(t *testing.T) {
	s := portal.NewSchema([]portal.Attribute{{Scope: portal.ScopeCompany, Field: "seats", Kind: portal.KindNumber}})
	doc := `{"all": [{"attribute": "company.custom.seats", "operator": "greater_than", "value": "ten"}]}`
	_, err := portal.ParseRule([]byte(doc), s, "access.rule")
	pe, ok := err.(*portal.Error)
	if !ok || len(pe.Problems) != 1 {
		t.Fatalf("want one problem, got %v", err)
	}
	cond := portal.Condition{Attribute: "company.custom.seats", Operator: portal.OpGreaterThan, Value: "ten"}
	h := html(t, &conditionRow{IScope: scopeAccess, IPath: []int{0}, ICond: cond, IAttributes: s.Attributes(), IProblem: pe.Problems[0].Message})
	if !strings.Contains(h, ">Seats (custom)</option>") {
		t.Errorf("the attribute menu does not name Seats (custom):\n%s", h)
	}
	if !strings.Contains(h, "Seats (custom) must be a number") || strings.Contains(h, "company.custom.seats must") || strings.Contains(h, "company.custom.seats is") {
		t.Errorf("the problem beside the condition does not name Seats (custom):\n%s", h)
	}
}
