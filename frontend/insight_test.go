package frontend

import (
	"regexp"
	"strings"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

func intp(n int) *int { return &n }

func TestImpactPanelShowsSummaryGroupsAndUsers(t *testing.T) {
	res := &wire.ImpactResult{Summary: "This change removes access for 3 users and restricts 1,204 users to their own tickets.",
		LoseAccess: wire.ImpactGroup{Count: 3, Sentence: "3 users lose access", Users: []portal.ImpactUser{{ID: "u1", Email: "ann@examply.com", Name: "Ann", Before: portal.StateAll, After: portal.StateNone, TicketsBefore: intp(12), TicketsAfter: intp(0),
			Sentence: "Ann saw all company tickets; now has no access (12 tickets → 0 tickets): Plan is not Pro — Acme has Basic."}}},
		BecomeRestricted: wire.ImpactGroup{Count: 1204, Users: []portal.ImpactUser{}}}
	c := &impactPanel{impact: impactState{Status: Loaded, Data: res}}
	h := html(t, c)
	for _, want := range []string{"restricts 1,204 users", `id="impact-lose_access"`, "1,204", "Become restricted", "Lose access"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	if strings.Contains(h, "ann@examply.com") {
		t.Error("a group's users show before it is opened")
	}
	c.open = portal.LoseAccess
	h = html(t, c)
	for _, want := range []string{"ann@examply.com", "saw all company tickets; now has no access", "(12 tickets → 0 tickets)", "1–1 of 3", `id="impact-next"`, `data-id="u1"`, "Open Ann in Preview",
		`impact-group-sentence`, `">3 users lose access.</p>`,
		`<span class="impact-change">Ann saw all company tickets; now has no access (12 tickets → 0 tickets): Plan is not Pro — Acme has Basic.</span>`} {
		if !strings.Contains(h, want) {
			t.Errorf("open group: missing %q in\n%s", want, h)
		}
	}
	// The rest pages in the app: no command to type.
	if strings.Contains(h, "portalstudio") || strings.Contains(h, "--group") {
		t.Errorf("the impact list names a command:\n%s", h)
	}
	// A later page, once loaded, replaces the first.
	c.page = impactPageState{Status: Loaded, Group: portal.LoseAccess, Offset: 1, Count: 3, Users: []portal.ImpactUser{{ID: "u2", Email: "ben@examply.com", Before: portal.StateAll, After: portal.StateNone}, {ID: "u3", Email: "cat@examply.com", Before: portal.StateAll, After: portal.StateNone}}}
	h = html(t, c)
	// A user whose answer came without a sentence still reads in words.
	for _, want := range []string{"ben@examply.com", "cat@examply.com", "2–3 of 3", "ben@examply.com saw all company tickets; now has no access."} {
		if !strings.Contains(h, want) {
			t.Errorf("second page: missing %q in\n%s", want, h)
		}
	}
	if strings.Contains(h, "ann@examply.com") {
		t.Errorf("the second page still lists the first page's user:\n%s", h)
	}
	// While another page loads, the page shown stays, and waits.
	c.page.Status = Loading
	h = html(t, c)
	if !strings.Contains(h, "ben@examply.com") || !strings.Contains(h, "impact-users busy") || !regexp.MustCompile(`<button(?:[^>]*id="impact-prev"[^>]*disabled|[^>]*disabled[^>]*id="impact-prev")`).MatchString(h) {
		t.Errorf("loading the next page:\n%s", h)
	}
	c.page = impactPageState{}
	// An empty group cannot be opened.
	if !strings.Contains(h, `id="impact-gain_access" disabled`) && !strings.Contains(h, `disabled id="impact-gain_access"`) {
		if i := strings.Index(h, `id="impact-gain_access"`); i < 0 || !strings.Contains(h[max(0, i-200):i+80], "disabled") {
			t.Errorf("the empty gain_access group is not disabled:\n%s", h)
		}
	}
}

func TestImpactPanelLoadingAndError(t *testing.T) {
	if h := html(t, &impactPanel{}); !strings.Contains(h, "Computing whom the draft changes") {
		t.Errorf("loading: %s", h)
	}
	h := html(t, &impactPanel{impact: impactState{Status: Failed, Err: &WireError{Message: "disk is gone"}}})
	if !strings.Contains(h, "could not be computed: disk is gone.") {
		t.Errorf("error: %s", h)
	}
}

func TestChecksCardPassFailAndRemove(t *testing.T) {
	rep := &wire.CheckReport{Settings: "draft", Passed: 1, Failed: 1, Results: []wire.CheckOutcome{
		{Check: wire.Check{ID: 1, Text: "alice@examply.com can access"}, Pass: true, Message: "The access rule is Everyone."},
		{Check: wire.Check{ID: 2, Text: "at most 5% of users are restricted"}, Pass: false, Message: "1,748 of 2,000 users (87.40%) are restricted."},
	}}
	h := html(t, &checksCard{checks: checksState{Status: Loaded, Report: rep}})
	for _, want := range []string{"Portal tests", `id="check-1"`, "check pass", "check fail", "87.40%", "1 test fails against the draft", "Remove", `id="check-input"`, "Add test",
		"What can a test say?", "at least 100 users have access", "a floor on how many users may enter"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
	// The help shows sentences, never a form with placeholders.
	if strings.Contains(h, "USER") {
		t.Errorf("the help shows rule syntax:\n%s", h)
	}
	h = html(t, &checksCard{checks: checksState{Status: Loaded, Report: &wire.CheckReport{Results: []wire.CheckOutcome{}}, AddErr: `"x" is not a portal test`}})
	for _, want := range []string{"No portal tests yet", "is not a portal test"} {
		if !strings.Contains(h, want) {
			t.Errorf("empty: missing %q in\n%s", want, h)
		}
	}
}

func TestExplainPanelVerdictAndSteps(t *testing.T) {
	c := &explainPanel{explain: explainState{Status: Loaded, Data: &wire.ExplainResult{Visible: false,
		Verdict: "Ben does not see ticket #101: it belongs to Examply (c1), one of their companies, but they are restricted to their own tickets and did not create it.",
		Steps:   []wire.ExplainStep{{Step: "access", OK: true, Text: "The access rule is Everyone."}, {Step: "restriction", OK: false, Text: "Matches the ticket visibility conditions"}}}}}
	c.preview.Panes[1].User = &portal.UserSummary{ID: "u2", Name: "Ben"}
	h := html(t, c)
	for _, want := range []string{"Why (not)?", "verdict hidden", "restricted to their own tickets", "step yes", "step no", "restriction: ", `id="explain-ticket"`, ">Ben<"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
}

func TestComparePanelHighlightsOneSidedTickets(t *testing.T) {
	c := &comparePanel{compare: compareState{Status: Loaded, Data: &wire.CompareResult{A: portal.UserSummary{ID: "u1", Name: "Ann"}, B: portal.UserSummary{ID: "u2", Name: "Ben"},
		Both: 1, OnlyACount: 1, OnlyA: []wire.TicketView{{ID: "t1", TicketID: "101", Title: "Invoice"}}, OnlyB: []wire.TicketView{}}}}
	h := html(t, c)
	for _, want := range []string{"Both see 1 ticket; only Ann sees 1; only Ben sees 0.", "compare-ticket highlight only-a", "#101 Invoice", "Only Ann (1)", "Only Ben (0)"} {
		if !strings.Contains(h, want) {
			t.Errorf("missing %q in\n%s", want, h)
		}
	}
}
