package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
)

// The access rule of SPEC 3.2.
var specAccessRule = portal.AllOf(
	portal.Cond("user.email", portal.OpContains, "examply.com"),
	portal.AnyOf(
		portal.Cond("company.plan", portal.OpEquals, "Pro"),
		portal.Cond("company.custom.seats", portal.OpGreaterThan, 10.0),
	),
)

// goldTier restricts the users whose custom tier is Gold.
var goldTier = portal.Cond("user.custom.tier", portal.OpEquals, "gold")

// people of the decision tests:
//   - ana has access (Pro company) and is Gold (restricted by goldTier);
//   - bob has access (a company with 20 seats) and is not Gold;
//   - cy has no access (not an examply.com address), and is Gold.
func people() map[string]portal.Subject {
	return map[string]portal.Subject{
		"ana": {
			User:      &portal.User{ID: "u1", Email: "ana@examply.com", Custom: map[string]portal.Value{"tier": strV("Gold")}, CompanyIDs: []string{"c1"}},
			Companies: []*portal.Company{{ID: "c1", Name: "Acme", Plan: "Pro"}},
		},
		"bob": {
			User:      &portal.User{ID: "u2", Email: "bob@EXAMPLY.com", Custom: map[string]portal.Value{"tier": strV("Silver")}, CompanyIDs: []string{"c2"}},
			Companies: []*portal.Company{{ID: "c2", Name: "Beta", Plan: "Starter", Custom: map[string]portal.Value{"seats": numV(20)}}},
		},
		"cy": {
			User:      &portal.User{ID: "u3", Email: "cy@other.org", Custom: map[string]portal.Value{"tier": strV("gold")}, CompanyIDs: []string{"c1"}},
			Companies: []*portal.Company{{ID: "c1", Name: "Acme", Plan: "Pro"}},
		},
	}
}

func settingsWith(enabled bool, access *portal.Rule, restrict bool, conds *portal.Rule) *portal.Settings {
	st := portal.DefaultSettings()
	st.Portal.Enabled = enabled
	st.Access.Rule = access
	st.Visibility.RestrictToOwn = restrict
	st.Visibility.Conditions = conds
	return st
}

// outcome is the part of a Decision the truth table fixes.
type outcome struct {
	Access, Restricted bool
	Tabs               []string
}

var (
	unrestricted = outcome{Access: true, Restricted: false, Tabs: []string{portal.TabAll, portal.TabMine}}
	restricted   = outcome{Access: true, Restricted: true, Tabs: []string{portal.TabMine}}
	noAccess     = outcome{Access: false, Restricted: false, Tabs: []string{}}
)

// TestDecideTruthTable is the visibility table of the reference guide,
// every row, plus the access cases around it.
func TestDecideTruthTable(t *testing.T) {
	s := testSchema()
	tests := []struct {
		name string
		st   *portal.Settings
		want map[string]outcome
	}{
		{
			"toggle off, no conditions: nobody restricted",
			settingsWith(true, specAccessRule, false, nil),
			map[string]outcome{"ana": unrestricted, "bob": unrestricted, "cy": noAccess},
		},
		{
			"toggle off, conditions set (inactive): nobody restricted",
			settingsWith(true, specAccessRule, false, goldTier),
			map[string]outcome{"ana": unrestricted, "bob": unrestricted, "cy": noAccess},
		},
		{
			"toggle on, no conditions (null): everyone with access restricted",
			settingsWith(true, specAccessRule, true, nil),
			map[string]outcome{"ana": restricted, "bob": restricted, "cy": noAccess},
		},
		{
			`toggle on, conditions {"all": []}: everyone with access restricted`,
			settingsWith(true, specAccessRule, true, portal.Everyone()),
			map[string]outcome{"ana": restricted, "bob": restricted, "cy": noAccess},
		},
		{
			`toggle on, conditions {"any": []}: counts as no conditions`,
			settingsWith(true, specAccessRule, true, portal.AnyOf()),
			map[string]outcome{"ana": restricted, "bob": restricted, "cy": noAccess},
		},
		{
			"toggle on with conditions: only matching users restricted",
			settingsWith(true, specAccessRule, true, goldTier),
			map[string]outcome{"ana": restricted, "bob": unrestricted, "cy": noAccess},
		},
		{
			"toggle on with conditions nobody matches: nobody restricted",
			settingsWith(true, specAccessRule, true, portal.Cond("user.custom.tier", portal.OpEquals, "Platinum")),
			map[string]outcome{"ana": unrestricted, "bob": unrestricted, "cy": noAccess},
		},
		{
			"everyone has access, toggle on with conditions",
			settingsWith(true, portal.Everyone(), true, goldTier),
			map[string]outcome{"ana": restricted, "bob": unrestricted, "cy": restricted},
		},
		{
			"portal disabled: no access even for Everyone",
			settingsWith(false, portal.Everyone(), true, nil),
			map[string]outcome{"ana": noAccess, "bob": noAccess, "cy": noAccess},
		},
		{
			"no access rule: no one",
			settingsWith(true, nil, false, nil),
			map[string]outcome{"ana": noAccess, "bob": noAccess, "cy": noAccess},
		},
		{
			`access {"any": []}: no one`,
			settingsWith(true, portal.AnyOf(), false, nil),
			map[string]outcome{"ana": noAccess, "bob": noAccess, "cy": noAccess},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := string(tt.st.Canonical())
			got := map[string]outcome{}
			for name, sub := range people() {
				d := portal.Decide(tt.st, s, sub, now)
				got[name] = outcome{d.Access, d.Restricted, d.Tabs}
				if d.AccessReason == "" || d.RestrictedReason == "" {
					t.Errorf("%s: empty reason: %+v", name, d)
				}
				for _, tab := range []string{portal.TabAll, portal.TabMine} {
					if d.HasTab(tab) != contains(d.Tabs, tab) {
						t.Errorf("%s: HasTab(%s) disagrees with Tabs %v", name, tab, d.Tabs)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decisions (-want +got):\n%s", diff)
			}
			// Deciding never changes the settings: inactive conditions stay.
			if after := string(tt.st.Canonical()); after != before {
				t.Errorf("Decide changed the settings:\n%s", after)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestDecideToggleKeepsConditions turns visibility off and on again through
// the settings document: the conditions survive and apply again.
func TestDecideToggleKeepsConditions(t *testing.T) {
	s := testSchema()
	env := portal.Env{Schema: s, CustomerTicketTypes: 1, NewPortalURL: "https://help.example.com/portal/acme/"}
	on := settingsWith(true, specAccessRule, true, goldTier)
	on.IdentityVerification = true
	ana := people()["ana"]

	off := on.Clone()
	off.Visibility.RestrictToOwn = false
	parsedOff, err := portal.ParseSettings(off.Canonical(), env)
	if err != nil {
		t.Fatal(err)
	}
	if parsedOff.Visibility.Conditions == nil {
		t.Fatal("turning visibility off dropped its conditions")
	}
	if !strings.Contains(string(parsedOff.Canonical()), `"attribute": "user.custom.tier"`) {
		t.Errorf("the canonical document lost the inactive conditions:\n%s", parsedOff.Canonical())
	}
	if d := portal.Decide(parsedOff, s, ana, now); d.Restricted {
		t.Errorf("restricted with visibility off: %+v", d)
	}

	parsedOff.Visibility.RestrictToOwn = true
	parsedOn, err := portal.ParseSettings(parsedOff.Canonical(), env)
	if err != nil {
		t.Fatal(err)
	}
	if d := portal.Decide(parsedOn, s, ana, now); !d.Restricted {
		t.Errorf("turning visibility back on did not re-apply its conditions: %+v", d)
	}
}

func TestDecideReasons(t *testing.T) {
	s := testSchema()
	ps := people()
	tests := []struct {
		name           string
		st             *portal.Settings
		who            string
		access         []string // substrings of AccessReason
		restrictedWhy  []string // substrings of RestrictedReason
		wantTraces     [2]bool  // AccessTrace, RestrictedTrace present
		notInRestrictd []string
	}{
		{
			name: "access through the plan, restricted by tier",
			st:   settingsWith(true, specAccessRule, true, goldTier), who: "ana",
			access:        []string{"Matches the access rule", "user.email", "company.plan", "company Acme"},
			restrictedWhy: []string{"Matches the ticket visibility conditions", "user.custom.tier", `"Gold"`},
			wantTraces:    [2]bool{true, true},
		},
		{
			name: "access through seats, not restricted",
			st:   settingsWith(true, specAccessRule, true, goldTier), who: "bob",
			access:        []string{"Matches the access rule", "company.custom.seats"},
			restrictedWhy: []string{"Does not match the ticket visibility conditions", "user.custom.tier", `"Silver"`},
			wantTraces:    [2]bool{true, true},
		},
		{
			name: "no access: the failing condition",
			st:   settingsWith(true, specAccessRule, true, goldTier), who: "cy",
			access:        []string{"Does not match the access rule", "user.email", "cy@other.org"},
			restrictedWhy: []string{"No access"},
			wantTraces:    [2]bool{true, false},
		},
		{
			name: "portal off",
			st:   settingsWith(false, specAccessRule, true, goldTier), who: "ana",
			access:        []string{"turned off"},
			restrictedWhy: []string{"No access"},
		},
		{
			name: "no rule",
			st:   settingsWith(true, nil, true, goldTier), who: "ana",
			access:        []string{"No access rule"},
			restrictedWhy: []string{"No access"},
		},
		{
			name: "everyone, visibility off with inactive conditions",
			st:   settingsWith(true, portal.Everyone(), false, goldTier), who: "ana",
			access:        []string{"Everyone"},
			restrictedWhy: []string{"Ticket visibility is off", "inactive"},
			wantTraces:    [2]bool{true, false},
		},
		{
			name: "visibility off without conditions",
			st:   settingsWith(true, portal.Everyone(), false, nil), who: "ana",
			access:         []string{"Everyone"},
			restrictedWhy:  []string{"Ticket visibility is off"},
			notInRestrictd: []string{"inactive"},
			wantTraces:     [2]bool{true, false},
		},
		{
			name: "visibility on without conditions",
			st:   settingsWith(true, portal.Everyone(), true, nil), who: "bob",
			access:        []string{"Everyone"},
			restrictedWhy: []string{"no conditions", "only their own tickets"},
			wantTraces:    [2]bool{true, false},
		},
		{
			name: "empty any as access rule",
			st:   settingsWith(true, portal.AnyOf(), false, nil), who: "ana",
			access:        []string{"Does not match", `empty "any"`},
			restrictedWhy: []string{"No access"},
			wantTraces:    [2]bool{true, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := portal.Decide(tt.st, s, ps[tt.who], now)
			for _, w := range tt.access {
				if !strings.Contains(d.AccessReason, w) {
					t.Errorf("AccessReason %q does not mention %q", d.AccessReason, w)
				}
			}
			for _, w := range tt.restrictedWhy {
				if !strings.Contains(d.RestrictedReason, w) {
					t.Errorf("RestrictedReason %q does not mention %q", d.RestrictedReason, w)
				}
			}
			for _, w := range tt.notInRestrictd {
				if strings.Contains(d.RestrictedReason, w) {
					t.Errorf("RestrictedReason %q mentions %q", d.RestrictedReason, w)
				}
			}
			for _, r := range []string{d.AccessReason, d.RestrictedReason} {
				if !strings.HasSuffix(r, ".") || strings.ToUpper(r[:1]) != r[:1] {
					t.Errorf("reason %q is not a sentence", r)
				}
			}
			if got := [2]bool{d.AccessTrace != nil, d.RestrictedTrace != nil}; got != tt.wantTraces {
				t.Errorf("traces present = %v, want %v", got, tt.wantTraces)
			}
		})
	}
}

func ticket(id, category string, shared bool, companyID string, contacts []string, updated time.Time) portal.Ticket {
	return portal.Ticket{ID: id, TicketID: "#" + id, Title: "T" + id, Category: category, IsShared: shared,
		CompanyID: companyID, ContactIDs: contacts, CreatedAt: updated.Add(-day), UpdatedAt: updated}
}

// tickets seen from u1, member of c1 and c2.
func visibilityTickets() []portal.Ticket {
	C, B, T := portal.CategoryCustomer, portal.CategoryBackOffice, portal.CategoryTracker
	u1, u9 := "u1", "u9"
	return []portal.Ticket{
		ticket("t01", C, true, "c1", []string{u9}, now.Add(-1*time.Hour)),     // company ticket
		ticket("t02", C, true, "c3", []string{u1}, now.Add(-2*time.Hour)),     // created by u1, another company
		ticket("t03", C, true, "", []string{u1}, now.Add(-3*time.Hour)),       // no company, created by u1
		ticket("t04", C, true, "", []string{u9}, now.Add(-1*time.Minute)),     // no company, someone else's
		ticket("t05", C, false, "c1", []string{u1}, now),                      // not shared
		ticket("t06", B, true, "c1", []string{u1}, now),                       // back-office
		ticket("t07", T, true, "c2", []string{u1}, now),                       // tracker
		ticket("t08", C, true, "c2", []string{u9, u1}, now.Add(-2*time.Hour)), // u1 second contact, company ticket
		ticket("t09", C, true, "c3", []string{u9, u1}, now),                   // u1 second contact, another company
		ticket("t10", C, true, "c1", nil, now.Add(-5*time.Hour)),              // no contacts
		ticket("t11", C, true, "c2", []string{u1}, now.Add(-2*time.Hour)),     // created by u1, company ticket
	}
}

func ids(ts []portal.Ticket) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestVisibleTickets(t *testing.T) {
	s := testSchema()
	u := &portal.User{ID: "u1", Email: "u1@examply.com", CompanyIDs: []string{"c1", "c2"}}
	sub := portal.Subject{User: u, Companies: []*portal.Company{{ID: "c1"}, {ID: "c2"}}}
	decide := func(st *portal.Settings) portal.Decision { return portal.Decide(st, s, sub, now) }
	open := decide(settingsWith(true, portal.Everyone(), false, nil))
	closed := decide(settingsWith(true, portal.Everyone(), true, nil))
	none := decide(settingsWith(true, nil, false, nil))
	off := decide(settingsWith(false, portal.Everyone(), false, nil))
	if open.Restricted || !closed.Restricted || none.Access || off.Access {
		t.Fatalf("unexpected decisions: %+v %+v %+v %+v", open, closed, none, off)
	}
	tests := []struct {
		name string
		d    portal.Decision
		tab  string
		want []string
	}{
		// Ties on updated_at (t11, t08, t02) list by id, highest first.
		{"unrestricted, All", open, portal.TabAll, []string{"t01", "t11", "t08", "t02", "t03", "t10"}},
		{"unrestricted, mine", open, portal.TabMine, []string{"t11", "t02", "t03"}},
		{"unrestricted, any tab", open, "", []string{"t01", "t11", "t08", "t02", "t03", "t10"}},
		{"restricted, All", closed, portal.TabAll, []string{}},
		{"restricted, mine", closed, portal.TabMine, []string{"t11", "t02", "t03"}},
		{"restricted, any tab", closed, "", []string{"t11", "t02", "t03"}},
		{"no access, All", none, portal.TabAll, []string{}},
		{"no access, mine", none, portal.TabMine, []string{}},
		{"no access, any tab", none, "", []string{}},
		{"portal off, mine", off, portal.TabMine, []string{}},
		{"unknown tab", open, "archived", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(portal.VisibleTickets(tt.d, u, visibilityTickets(), tt.tab))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("visible tickets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanSee(t *testing.T) {
	open := portal.Decision{Access: true, Tabs: []string{portal.TabAll, portal.TabMine}}
	closed := portal.Decision{Access: true, Restricted: true, Tabs: []string{portal.TabMine}}
	mk := func(category string, shared bool, company string, contacts ...string) *portal.Ticket {
		t := ticket("t", category, shared, company, contacts, now)
		return &t
	}
	C := portal.CategoryCustomer
	tests := []struct {
		name       string
		d          portal.Decision
		userID     string
		companyIDs []string
		t          *portal.Ticket
		// want on All, mine, and "" (a ticket's page).
		all, mine, page bool
	}{
		{"company ticket", open, "u1", []string{"c1"}, mk(C, true, "c1", "u9"), true, false, true},
		{"company ticket, restricted", closed, "u1", []string{"c1"}, mk(C, true, "c1", "u9"), false, false, false},
		{"own ticket", open, "u1", []string{"c1"}, mk(C, true, "c7", "u1"), true, true, true},
		{"own ticket, restricted", closed, "u1", []string{"c1"}, mk(C, true, "c7", "u1"), false, true, true},
		{"own ticket without company", open, "u1", nil, mk(C, true, "", "u1"), true, true, true},
		{"someone's ticket without company", open, "u1", []string{"c1"}, mk(C, true, "", "u9"), false, false, false},
		{"ticket without company, user in an empty-id company", open, "u1", []string{""}, mk(C, true, "", "u9"), false, false, false},
		{"second contact only", open, "u1", nil, mk(C, true, "c3", "u9", "u1"), false, false, false},
		{"second contact, company ticket", open, "u1", []string{"c3"}, mk(C, true, "c3", "u9", "u1"), true, false, true},
		{"no contacts, user without id", open, "", nil, mk(C, true, "c3"), false, false, false},
		{"not shared, own", open, "u1", []string{"c1"}, mk(C, false, "c1", "u1"), false, false, false},
		{"back-office, own", open, "u1", []string{"c1"}, mk(portal.CategoryBackOffice, true, "c1", "u1"), false, false, false},
		{"tracker, own", open, "u1", []string{"c1"}, mk(portal.CategoryTracker, true, "c1", "u1"), false, false, false},
		{"lowercase category", open, "u1", []string{"c1"}, mk("customer", true, "c1", "u1"), false, false, false},
		{"no access", portal.Decision{Tabs: []string{}}, "u1", []string{"c1"}, mk(C, true, "c1", "u1"), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := [3]bool{
				portal.CanSee(tt.d, tt.userID, tt.companyIDs, tt.t, portal.TabAll),
				portal.CanSee(tt.d, tt.userID, tt.companyIDs, tt.t, portal.TabMine),
				portal.CanSee(tt.d, tt.userID, tt.companyIDs, tt.t, ""),
			}
			if want := [3]bool{tt.all, tt.mine, tt.page}; got != want {
				t.Errorf("CanSee on All, mine, page = %v, want %v", got, want)
			}
		})
	}
}

func TestSortTickets(t *testing.T) {
	ts := []portal.Ticket{
		{ID: "a1", UpdatedAt: now.Add(-time.Hour)},
		{ID: "a3", UpdatedAt: now},
		{ID: "a2", UpdatedAt: now.Add(-time.Hour)},
		{ID: "a0", UpdatedAt: now.Add(-2 * time.Hour)},
		{ID: "a4", UpdatedAt: now.In(time.FixedZone("X", 3600))}, // same instant as a3
		{ID: "a5", UpdatedAt: now.Add(time.Second)},
	}
	portal.SortTickets(ts)
	if diff := cmp.Diff([]string{"a5", "a4", "a3", "a2", "a1", "a0"}, ids(ts)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	for i := 0; i+1 < len(ts); i++ {
		if !portal.TicketBefore(&ts[i], &ts[i+1]) || portal.TicketBefore(&ts[i+1], &ts[i]) {
			t.Errorf("TicketBefore(%s, %s) disagrees with the order", ts[i].ID, ts[i+1].ID)
		}
	}
}

func TestVisibleParts(t *testing.T) {
	types := []string{"comment", "note", "assignment", "close", "note_and_reopen", "open",
		"snoozed", "unsnoozed", "default_assignment", "away_mode_assignment", "assign_and_reopen",
		"assign_and_unsnooze", "timer_unsnooze", "comment"}
	tk := &portal.Ticket{ID: "t1"}
	for i, pt := range types {
		tk.Parts = append(tk.Parts, portal.Part{ID: string(rune('a' + i)), PartType: pt, Body: pt})
	}
	var got []string
	for _, p := range portal.VisibleParts(tk) {
		got = append(got, p.ID+":"+p.PartType)
	}
	if diff := cmp.Diff([]string{"a:comment", "d:close", "f:open", "n:comment"}, got); diff != "" {
		t.Errorf("visible parts (-want +got):\n%s", diff)
	}
	if got := portal.VisibleParts(&portal.Ticket{}); len(got) != 0 {
		t.Errorf("VisibleParts of no parts = %v", got)
	}
	for _, pt := range []string{"note", "note_and_reopen"} {
		if portal.CustomerVisible(pt) {
			t.Errorf("CustomerVisible(%q) = true; notes are never shown", pt)
		}
	}
	for _, pt := range []string{"comment", "open", "close"} {
		if !portal.CustomerVisible(pt) {
			t.Errorf("CustomerVisible(%q) = false", pt)
		}
	}
}

func TestTicketCreator(t *testing.T) {
	tests := []struct {
		contacts []string
		want     string
	}{
		{nil, ""},
		{[]string{"u1"}, "u1"},
		{[]string{"u9", "u1"}, "u9"},
	}
	for _, tt := range tests {
		tk := portal.Ticket{ContactIDs: tt.contacts}
		if got := tk.CreatorID(); got != tt.want {
			t.Errorf("CreatorID(%v) = %q, want %q", tt.contacts, got, tt.want)
		}
	}
}

// TestCustomerVisibleAllowlist: customers see the allowed part types in
// any ASCII case, and nothing else: not notes in any case, not a type the
// product does not know, not a look-alike spelled with non-ASCII letters.
func TestCustomerVisibleAllowlist(t *testing.T) {
	for pt, want := range map[string]bool{
		"comment": true, "Comment": true, "COMMENT": true, "quick_reply": true, "Quick_Reply": true, "close": true, "Open": true,
		"note": false, "Note": false, "NOTE": false, "nOtE_and_reopen": false, "Assignment": false, "xyz": false, "": false,
		"comment ": false, "comments": false, "clo\u017fe": false, "ticket_state_updated_by_admin": false,
	} {
		if got := portal.CustomerVisible(pt); got != want {
			t.Errorf("CustomerVisible(%q) = %v, want %v", pt, got, want)
		}
	}
	for pt, want := range map[string]bool{"Note": true, "ASSIGNMENT": true, "ticket_state_updated_by_admin": true, "Comment": true, "xyz": false, "quick_replies": false} {
		if got := portal.KnownPartType(pt); got != want {
			t.Errorf("KnownPartType(%q) = %v, want %v", pt, got, want)
		}
	}
}
