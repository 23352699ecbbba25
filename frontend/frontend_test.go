package frontend

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
	"portalstudio/backend/wire"
)

func demoSettings() *portal.Settings {
	st := portal.DefaultSettings()
	st.Portal.Enabled = true
	st.Portal.URL = "http://127.0.0.1:8080/portal/acme/"
	st.Access.Rule = portal.AllOf(portal.Cond("user.email", portal.OpContains, "examply.com"),
		portal.AnyOf(portal.Cond("company.plan", portal.OpEquals, "Pro"), portal.Cond("company.size", portal.OpGreaterThan, 10.0)))
	st.Visibility.RestrictToOwn = true
	st.Visibility.Conditions = portal.AllOf(portal.Cond("user.role", portal.OpEquals, "user"))
	return st
}

func attrs() []portal.Attribute { return portal.NewSchema(nil).Attributes() }

func html(t *testing.T, c app.UI) string {
	t.Helper()
	return app.HTMLString(c)
}

func TestAccessCardRendersRuleAndPreview(t *testing.T) {
	c := &accessCard{
		draft:    draftState{Status: Loaded, Settings: demoSettings(), Problems: []portal.Problem{{Path: "access.rule.all[1].any[1].value", Message: "Company size must be a number (without quotes), not the string \"ten\""}}},
		overview: overviewState{Status: Loaded, Data: &Overview{Attributes: attrs()}},
		audience: audienceState{Status: Loaded, Result: &wire.AudienceResult{Count: 1234, Users: []portal.UserSummary{{ID: "1", Email: "alice@examply.com", Name: "Alice Martin"}}}},
	}
	h := html(t, c)
	for _, want := range []string{"Access permissions", "+ Add new", "1,234", "Alice Martin", "alice@examply.com", `value="examply.com"`, "Company size must be a number", "Users who match"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	if strings.Count(h, `data-attribute=`) != 3 {
		t.Errorf("want 3 conditions rendered")
	}
}

func TestVisibilityCardInactiveWhenOff(t *testing.T) {
	st := demoSettings()
	st.Visibility.RestrictToOwn = false
	c := &visibilityCard{draft: draftState{Status: Loaded, Settings: st}, overview: overviewState{Data: &Overview{Attributes: attrs()}},
		restricted: audienceState{Status: Loaded, Result: &wire.AudienceResult{Count: 0, Note: "Ticket visibility is off: no one is restricted."}}}
	h := html(t, c)
	for _, want := range []string{`id="visibility-inactive"`, "rule-builder inactive", "+ Add condition", "Preview users", "kept but inactive"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestPortalCardRefusalNamesEachPrerequisite(t *testing.T) {
	st := demoSettings()
	st.Portal.Enabled = false
	c := &portalCard{draft: draftState{Settings: st, PortalErr: "the customer portal cannot be enabled yet: the Help Center is not live (set help_center.live to true); end users are not authenticated (turn on identity_verification)"}}
	h := html(t, c)
	for _, want := range []string{"The customer portal cannot be enabled yet:", "<li>The Help Center is not live (set help_center.live to true).</li>", "<li>End users are not authenticated (turn on identity_verification).</li>", "Copy"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
}

func TestPortalFrameSearchSnippets(t *testing.T) {
	r := &wire.PreviewResult{Access: true, Tabs: []string{"all", "mine"}, Tab: "all", Search: "invoice", Total: 2, Tickets: []wire.TicketView{
		{ID: "1", TicketID: "101", Title: "Invoice export", State: "Open", Preview: &wire.Snippet{Snippet: "the <mark>invoice</mark> &amp; more", Author: "Alice", Ago: "3d"}},
		{ID: "2", TicketID: "102", Title: "Hostile", State: "Open", Preview: &wire.Snippet{Snippet: `<img src=x onerror=alert(1)><mark>x</mark>`, Author: "Eve", Ago: "now"}},
	}}
	noop := func(string) app.EventHandler { return func(app.Context, app.Event) {} }
	h := html(t, portalFrame(portalProps{Result: r, OnTab: noop, OnOpen: noop}))
	for _, want := range []string{"<mark>invoice</mark>", "Alice · 3d", ">All<", ">Created by me<", "Preview", "2 results", "&lt;img"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	if strings.Contains(h, "<img src=x") {
		t.Error("a snippet with other HTML than <mark> was rendered as HTML")
	}
	r.Tabs, r.Tab, r.Search = []string{"mine"}, "mine", ""
	h = html(t, portalFrame(portalProps{Result: r, OnTab: noop, OnOpen: noop}))
	if strings.Contains(h, ">All<") || !strings.Contains(h, ">Created by me<") {
		t.Error("a restricted user must see only Created by me")
	}
	r.Access = false
	if h = html(t, portalFrame(portalProps{Result: r, OnTab: noop, OnOpen: noop})); !strings.Contains(h, "have access") || strings.Contains(h, "Invoice") {
		t.Error("a user without access sees the no-access page and no data")
	}
}

// The decision panel shows each decision's sentence (the schema's labels,
// the value that decided it) as its visible text, and the trace node by
// node in words, never the rule's internal form the answer also carries
// (access_reason, restricted_reason, each node's rule and detail). A
// trace that came without its sentences is said in words all the same.
func TestDecisionPanelExplains(t *testing.T) {
	st := demoSettings()
	st.Access.Rule = portal.Everyone()
	schema := portal.NewSchema(nil)
	sub := portal.Subject{User: &portal.User{ID: "u1", Name: "Ana", Email: "ana@examply.com", Role: "user"}}
	d := portal.Decide(st, schema, sub, time.Now())
	if !d.Access || !d.Restricted || !strings.Contains(d.RestrictedReason, `user.role`) {
		t.Fatalf("the decision %+v is not the one this test is about", d)
	}
	for _, annotated := range []bool{true, false} {
		dec := d
		if annotated {
			dec = words.Decision(d, schema)
		}
		h := html(t, &decisionPanel{IResult: &wire.PreviewResult{Access: true, AccessReason: d.AccessReason, AccessSentence: words.Access(st, d, schema),
			Restricted: true, RestrictedReason: d.RestrictedReason, RestrictedSentence: words.Restriction(st, d, schema), Tabs: []string{"mine"}, Decision: dec}})
		for _, want := range []string{"Has access", "Restricted to own tickets", `data-sentence="Has access: the access rule is Everyone."`, `">The access rule is Everyone.</p>`,
			`>Role is user — Ana has user.</p>`, `<span class="t-rule">Role is user — Ana has user</span>`, "Created by me"} {
			if !strings.Contains(h, want) {
				t.Errorf("annotated %v: missing %q in\n%s", annotated, want, h)
			}
		}
		for _, internal := range []string{"user.role", "equals", d.RestrictedReason} {
			if strings.Contains(h, internal) {
				t.Errorf("annotated %v: the panel shows the rule's internal form %q:\n%s", annotated, internal, h)
			}
		}
	}
}

func TestHelpCenterPortalSectionLocked(t *testing.T) {
	st := demoSettings()
	st.HelpCenter.Sections = append(st.HelpCenter.Sections, portal.Section{ID: portal.PortalSectionID, Title: portal.PortalSectionTitle, Kind: portal.SectionCustomerPortal, Visible: true})
	h := html(t, &helpCenterCard{draft: draftState{Settings: st}, dragFrom: -1, dragOver: -1})
	if strings.Count(h, "section-title-input") != 2 || !strings.Contains(h, "section-title locked") {
		t.Errorf("the Customer portal section must not be editable, the others must:\n%s", h)
	}
	if strings.Count(h, "move-up") != 3 {
		t.Error("missing controls")
	}
	// Going live is the Go live card's, not this card's.
	if strings.Contains(h, "set live") || strings.Contains(h, "portalstudio ") {
		t.Errorf("the Help Center card offers going live:\n%s", h)
	}
}

func TestRuleEdits(t *testing.T) {
	st := demoSettings()
	email, _ := portal.NewSchema(nil).Lookup("user.email")
	addNode(st, ruleRef{Scope: scopeAccess, Path: []int{1}}, newCondition(email))
	if got := st.Access.Rule.String(); got != `user.email contains "examply.com" and (company.plan equals "Pro" or company.size greater than 10 or user.email equals "")` {
		t.Errorf("add: %s", got)
	}
	if p := (ruleRef{Scope: scopeAccess, Path: []int{1, 2}}).jsonPath(st.Access.Rule); p != "access.rule.all[1].any[2]" {
		t.Errorf("path %s", p)
	}
	setValue(st, ruleRef{Scope: scopeAccess, Path: []int{1, 2}}, "a@b")
	changeOperator(st, ruleRef{Scope: scopeAccess, Path: []int{1, 2}}, portal.KindString, portal.OpIsSet)
	if c := nodeAt(st.Access.Rule, []int{1, 2}).Cond; c.Operator != portal.OpIsSet || c.Value != nil {
		t.Errorf("operator: %+v", c)
	}
	setGroupKind(st, ruleRef{Scope: scopeAccess}, true)
	if !st.Access.Rule.IsAny() {
		t.Error("kind")
	}
	for i := 0; i < 3; i++ {
		removeNode(st, ruleRef{Scope: scopeAccess, Path: []int{1, 0}})
	}
	if got := st.Access.Rule.String(); got != `user.email contains "examply.com"` {
		t.Errorf("remove: an emptied group goes: %s", got)
	}
	removeNode(st, ruleRef{Scope: scopeAccess, Path: []int{0}})
	if !st.Access.Rule.IsEveryone() && !(st.Access.Rule.IsAny() && len(st.Access.Rule.Any) == 0) {
		t.Errorf("remove last: %s", st.Access.Rule)
	}
	st.HelpCenter.Sections = []portal.Section{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	moveSection(st, 2, 0)
	if st.HelpCenter.Sections[0].ID != "c" || st.HelpCenter.Sections[2].ID != "b" {
		t.Errorf("move: %+v", st.HelpCenter.Sections)
	}
}

// The pages prerender natively (before the WebAssembly takes over).
func TestPagesPrerender(t *testing.T) {
	for _, c := range []app.UI{&settingsPage{}, &previewPage{}, &dataPage{}} {
		if h := app.HTMLString(c); !strings.Contains(h, "Portal Studio") {
			t.Errorf("%T: %s", c, h)
		}
	}
}
