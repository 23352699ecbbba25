package portal_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portalstudio/backend/portal"
)

const (
	firstURL = "https://help.example.com/portal/acme/"
	otherURL = "https://help.example.com/portal/acme-2/"
)

// readyEnv is a workspace where every prerequisite of enabling is met
// except those the document itself holds, before the first enable.
func readyEnv() portal.Env {
	return portal.Env{Schema: testSchema(), CustomerTicketTypes: 1, NewPortalURL: firstURL}
}

const defaultCanonical = `{
  "version": 0,
  "portal": {
    "enabled": false,
    "url": ""
  },
  "access": {
    "rule": null
  },
  "visibility": {
    "restrict_to_own": false,
    "conditions": null
  },
  "preview_column": true,
  "help_center": {
    "live": true,
    "sections": [
      {
        "id": "getting-started",
        "title": "Getting started",
        "kind": "collection",
        "visible": true
      },
      {
        "id": "popular-articles",
        "title": "Popular articles",
        "kind": "article_list",
        "visible": true
      }
    ]
  },
  "messenger": {
    "tickets_space": false
  },
  "identity_verification": false
}
`

// specDocument is the SPEC 4 example.
const specDocument = `{
  "version": 7,
  "portal": {"enabled": true, "url": "https://help.example.com/portal/acme/"},
  "access": {"rule": {"all": [{"attribute": "user.email", "operator": "contains", "value": "examply.com"}]}},
  "visibility": {"restrict_to_own": true, "conditions": null},
  "preview_column": true,
  "help_center": {
    "live": true,
    "sections": [
      {"id": "getting-started", "title": "Getting started", "kind": "collection", "visible": true},
      {"id": "customer-portal", "title": "Customer portal", "kind": "customer_portal", "visible": true}
    ]
  },
  "messenger": {"tickets_space": true},
  "identity_verification": true
}`

func TestDefaultSettingsCanonical(t *testing.T) {
	got := string(portal.DefaultSettings().Canonical())
	if diff := cmp.Diff(defaultCanonical, got); diff != "" {
		t.Errorf("DefaultSettings().Canonical() (-want +got):\n%s", diff)
	}
	st, err := portal.ParseSettings([]byte(got), readyEnv())
	if err != nil {
		t.Fatalf("ParseSettings(default): %v", err)
	}
	if again := string(st.Canonical()); again != got {
		t.Errorf("round trip changed the default document:\n%s", cmp.Diff(got, again))
	}
	if !st.Equal(portal.DefaultSettings()) {
		t.Error("parsed default settings are not Equal to DefaultSettings()")
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	env := readyEnv()
	env.PortalURL = firstURL
	full := `{
  "version": 12,
  "portal": {"enabled": true, "url": "` + firstURL + `"},
  "access": {"rule": {"all": [
    {"attribute": "user.email", "operator": "contains", "value": "examply.com"},
    {"any": [
      {"attribute": "company.plan", "operator": "equals", "value": "Pro"},
      {"attribute": "company.custom.seats", "operator": "greater_than", "value": 10},
      {"attribute": "company.monthly_spend", "operator": "greater_than", "value": 99.95},
      {"attribute": "user.custom.beta", "operator": "equals", "value": false},
      {"attribute": "user.last_seen_at", "operator": "less_than_days_ago", "value": 30},
      {"attribute": "user.name", "operator": "is_set"}
    ]}
  ]}},
  "visibility": {"restrict_to_own": false, "conditions": {"any": [{"attribute": "user.custom.tier", "operator": "equals", "value": "Gold <&> \"Élite\""}]}},
  "preview_column": false,
  "help_center": {"live": true, "sections": [
    {"id": "customer-portal", "title": "Customer portal", "kind": "customer_portal", "visible": false},
    {"id": "faq", "title": "FAQ", "kind": "article_list", "visible": true},
    {"id": "contact", "title": "Contact us", "kind": "contact", "visible": true}
  ]},
  "messenger": {"tickets_space": true},
  "identity_verification": true
}`
	for name, in := range map[string]string{"SPEC example": specDocument, "full": full} {
		t.Run(name, func(t *testing.T) {
			st, err := portal.ParseSettings([]byte(in), env)
			if err != nil {
				t.Fatalf("ParseSettings: %v", err)
			}
			c1 := st.Canonical()
			st2, err := portal.ParseSettings(c1, env)
			if err != nil {
				t.Fatalf("ParseSettings(canonical): %v", err)
			}
			if c2 := st2.Canonical(); string(c2) != string(c1) {
				t.Errorf("Canonical → ParseSettings → Canonical changed it:\n%s", cmp.Diff(string(c1), string(c2)))
			}
			checkCanonicalLayout(t, string(c1))
			// The canonical form of an equal document is byte-identical
			// whatever the input's layout and key order.
			var generic map[string]any
			if err := json.Unmarshal([]byte(in), &generic); err != nil {
				t.Fatal(err)
			}
			reordered, _ := json.Marshal(generic) // sorted keys, no spaces
			st3, err := portal.ParseSettings(reordered, env)
			if err != nil {
				t.Fatalf("ParseSettings(reordered): %v", err)
			}
			if c3 := st3.Canonical(); string(c3) != string(c1) {
				t.Errorf("key order of the input leaks into the canonical form:\n%s", cmp.Diff(string(c1), string(c3)))
			}
		})
	}
}

// checkCanonicalLayout asserts the SPEC 4 key order and two-space indent.
func checkCanonicalLayout(t *testing.T, doc string) {
	t.Helper()
	if !strings.HasSuffix(doc, "}\n") {
		t.Errorf("canonical document does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(doc, "\n"), "\n")
	var top []string
	for _, l := range lines {
		if strings.Contains(l, "\t") {
			t.Errorf("tab in %q", l)
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		if indent%2 != 0 {
			t.Errorf("odd indent in %q", l)
		}
		if indent == 2 && strings.HasPrefix(strings.TrimSpace(l), `"`) {
			key, _, _ := strings.Cut(strings.TrimSpace(l), ":")
			top = append(top, strings.Trim(key, `"`))
		}
	}
	want := []string{"version", "portal", "access", "visibility", "preview_column", "help_center", "messenger", "identity_verification"}
	if diff := cmp.Diff(want, top); diff != "" {
		t.Errorf("top-level key order (-want +got):\n%s", diff)
	}
	for _, order := range [][]string{
		{`"enabled"`, `"url"`},
		{`"restrict_to_own"`, `"conditions"`},
		{`"live"`, `"sections"`},
		{`"id"`, `"title"`, `"kind"`, `"visible"`},
	} {
		last := -1
		for _, k := range order {
			i := strings.Index(doc, k)
			if i < last {
				t.Errorf("key %s is out of order %v", k, order)
			}
			last = i
		}
	}
}

func TestCanonicalRuleLayout(t *testing.T) {
	st := portal.DefaultSettings()
	st.Access.Rule = portal.AllOf(portal.Cond("company.custom.seats", portal.OpGreaterThan, 10.0))
	st.Visibility.Conditions = portal.Everyone()
	got := string(st.Canonical())
	want := `  "access": {
    "rule": {
      "all": [
        {
          "attribute": "company.custom.seats",
          "operator": "greater_than",
          "value": 10
        }
      ]
    }
  },
  "visibility": {
    "restrict_to_own": false,
    "conditions": {
      "all": []
    }
  },
`
	if !strings.Contains(got, want) {
		t.Errorf("rules are not laid out canonically:\n%s", got)
	}
	st.HelpCenter.Sections = nil
	if !strings.Contains(string(st.Canonical()), `"sections": []`) {
		t.Errorf("nil sections are not written as []")
	}
}

func TestParseSettingsEveryProblem(t *testing.T) {
	doc := `{
  "version": 1,
  "portal": {"enabled": true, "url": null},
  "access": {"rule": {"all": [
    {"attribute": "user.emial", "operator": "contains", "value": "x"},
    {"any": [{"attribute": "company.custom.seats", "operator": "greater_than", "value": "10"}]}
  ]}},
  "visibility": {"restrict_to_own": "yes", "conditions": {"attribute": "user.custom.tier", "operator": "contains"}},
  "preview_column": true,
  "help_center": {"live": false, "sections": [
    {"id": "a", "title": "A", "kind": "collection", "visible": true},
    {"id": "a", "title": "B", "kind": "faq", "visible": true}
  ]},
  "messenger": {"tickets_space": true, "banner": true},
  "identity_verification": false,
  "colour": "blue"
}`
	env := readyEnv()
	env.CustomerTicketTypes = 0
	st, err := portal.ParseSettings([]byte(doc), env)
	if st != nil {
		t.Error("ParseSettings returned settings with its error")
	}
	checkProblems(t, err, []problem{
		{"access.rule.all[0].attribute", []string{`unknown attribute "user.emial"`}},
		{"access.rule.all[1].any[0].value", []string{"Seats (custom) must be a number"}},
		{"colour", []string{"unknown field", "identity_verification"}},
		{"help_center.sections[1].id", []string{`"a" is used by another section`}},
		{"help_center.sections[1].kind", []string{`unknown kind "faq"`}},
		{"messenger.banner", []string{"unknown field", "tickets_space"}},
		{"portal.enabled", []string{"cannot be enabled", "Help Center is not live", "identity_verification", "ticket type of category Customer"}},
		{"visibility.conditions.value", []string{"Tier (custom) needs a value: text in quotes"}},
		{"visibility.restrict_to_own", []string{"must be true or false", "a string"}},
	})
}

func TestParseSettingsShapeErrors(t *testing.T) {
	base := func(edit func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal(portal.DefaultSettings().Canonical(), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	section := func(m map[string]any, i int) map[string]any {
		return m["help_center"].(map[string]any)["sections"].([]any)[i].(map[string]any)
	}
	tests := []struct {
		name string
		in   string
		want []problem
	}{
		{"not an object", `[]`, []problem{{"", []string{"must be a JSON object", "a list"}}}},
		{"version as a string", base(func(m map[string]any) { m["version"] = "7" }), []problem{{"version", []string{"whole number", "a string"}}}},
		{"negative version", base(func(m map[string]any) { m["version"] = -1 }), []problem{{"version", []string{"not be negative"}}}},
		{"fractional version", base(func(m map[string]any) { m["version"] = 1.5 }), []problem{{"version", []string{"whole number", "1.5"}}}},
		{"portal not an object", base(func(m map[string]any) { m["portal"] = true }), []problem{{"portal", []string{"must be an object", "true/false"}}}},
		{"enabled as a string", base(func(m map[string]any) { m["portal"].(map[string]any)["enabled"] = "true" }), []problem{{"portal.enabled", []string{"true or false"}}}},
		{"url as a number", base(func(m map[string]any) { m["portal"].(map[string]any)["url"] = 5 }), []problem{{"portal.url", []string{"must be a string", "a number"}}}},
		{"unknown field in portal", base(func(m map[string]any) { m["portal"].(map[string]any)["slug"] = "acme" }), []problem{{"portal.slug", []string{"unknown field", "enabled, url"}}}},
		{"access not an object", base(func(m map[string]any) { m["access"] = nil }), []problem{{"access", []string{"must be an object", "null"}}}},
		{"access rule malformed", base(func(m map[string]any) { m["access"].(map[string]any)["rule"] = map[string]any{} }), []problem{{"access.rule", []string{"empty object"}}}},
		{"preview_column as null", base(func(m map[string]any) { m["preview_column"] = nil }), []problem{{"preview_column", []string{"true or false", "null"}}}},
		{"sections not a list", base(func(m map[string]any) { m["help_center"].(map[string]any)["sections"] = "none" }), []problem{{"help_center.sections", []string{"must be a list of sections"}}}},
		{"section not an object", base(func(m map[string]any) {
			m["help_center"].(map[string]any)["sections"].([]any)[1] = "popular"
		}), []problem{{"help_center.sections[1]", []string{"must be an object", "a string"}}}},
		{"section field wrong type", base(func(m map[string]any) { section(m, 0)["visible"] = "yes" }), []problem{{"help_center.sections[0].visible", []string{"true or false"}}}},
		{"section title null", base(func(m map[string]any) { section(m, 0)["title"] = nil }), []problem{{"help_center.sections[0].title", []string{"must be a string", "null"}}}},
		{"unknown field in a section", base(func(m map[string]any) { section(m, 1)["icon"] = "star" }), []problem{{"help_center.sections[1].icon", []string{"unknown field"}}}},
		{"messenger not an object", base(func(m map[string]any) { m["messenger"] = []any{} }), []problem{{"messenger", []string{"must be an object", "a list"}}}},
		{"identity_verification as a number", base(func(m map[string]any) { m["identity_verification"] = 1 }), []problem{{"identity_verification", []string{"true or false", "a number"}}}},
		{"several wrong types", base(func(m map[string]any) {
			m["version"] = "x"
			m["preview_column"] = "on"
			m["messenger"].(map[string]any)["tickets_space"] = 0
			m["extra"] = 1
		}), []problem{
			{"extra", []string{"unknown field"}},
			{"messenger.tickets_space", []string{"true or false"}},
			{"preview_column", []string{"true or false"}},
			{"version", []string{"whole number"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := portal.ParseSettings([]byte(tt.in), readyEnv())
			if st != nil {
				t.Error("ParseSettings returned settings with its error")
			}
			checkProblems(t, err, tt.want)
		})
	}
	for _, in := range []string{``, `{`, `{"version": 1,}`, `{} {}`} {
		if _, err := portal.ParseSettings([]byte(in), readyEnv()); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "not valid JSON") {
			t.Errorf("ParseSettings(%q) = %v", in, err)
		}
	}
}

// enableDoc returns the default settings, enabled, as JSON, after edit.
func enableDoc(t *testing.T, edit func(st *portal.Settings)) []byte {
	t.Helper()
	st := portal.DefaultSettings()
	st.Portal.Enabled = true
	st.IdentityVerification = true
	st.Access.Rule = portal.Everyone()
	if edit != nil {
		edit(st)
	}
	return st.Canonical()
}

func TestEnablePrerequisites(t *testing.T) {
	tests := []struct {
		name        string
		live, idv   bool
		types       int
		want, unmet []string
	}{
		{"all met", true, true, 1, nil, nil},
		{"Help Center not live", false, true, 1, []string{"Help Center is not live"}, []string{"identity_verification", "ticket type"}},
		{"identity verification off", true, false, 3, []string{"not authenticated", "identity_verification"}, []string{"Help Center", "ticket type"}},
		{"no Customer ticket type", true, true, 0, []string{"no ticket type of category Customer"}, []string{"Help Center", "identity_verification"}},
		{"none met", false, false, 0, []string{"Help Center is not live", "identity_verification", "ticket type of category Customer"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := readyEnv()
			env.CustomerTicketTypes = tt.types
			doc := enableDoc(t, func(st *portal.Settings) {
				st.HelpCenter.Live = tt.live
				st.IdentityVerification = tt.idv
			})
			st, err := portal.ParseSettings(doc, env)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("enabling with every prerequisite met: %v", err)
				}
				if !st.Portal.Enabled {
					t.Error("not enabled")
				}
				return
			}
			checkProblems(t, err, []problem{{"portal.enabled", tt.want}})
			for _, u := range tt.unmet {
				if strings.Contains(err.Error(), u) {
					t.Errorf("error %q names a met prerequisite (%s)", err, u)
				}
			}
			// The same document, not enabled, is fine.
			off := enableDoc(t, func(st *portal.Settings) {
				st.Portal.Enabled = false
				st.HelpCenter.Live = tt.live
				st.IdentityVerification = tt.idv
			})
			if _, err := portal.ParseSettings(off, env); err != nil {
				t.Errorf("a disabled portal needs no prerequisites: %v", err)
			}
		})
	}
}

func sectionIDs(st *portal.Settings) []string {
	var out []string
	for _, s := range st.HelpCenter.Sections {
		id := s.ID
		if !s.Visible {
			id += " (hidden)"
		}
		out = append(out, id)
	}
	return out
}

func TestFirstEnable(t *testing.T) {
	st, err := portal.ParseSettings(enableDoc(t, nil), readyEnv())
	if err != nil {
		t.Fatal(err)
	}
	if st.Portal.URL != firstURL {
		t.Errorf("URL = %q, want %q", st.Portal.URL, firstURL)
	}
	want := []portal.Section{
		{ID: "getting-started", Title: "Getting started", Kind: portal.SectionCollection, Visible: true},
		{ID: "popular-articles", Title: "Popular articles", Kind: portal.SectionArticleList, Visible: true},
		{ID: portal.PortalSectionID, Title: portal.PortalSectionTitle, Kind: portal.SectionCustomerPortal, Visible: true},
	}
	if diff := cmp.Diff(want, st.HelpCenter.Sections); diff != "" {
		t.Errorf("sections after the first enable (-want +got):\n%s", diff)
	}
	// Parsing the result again changes nothing: the section is not added
	// twice and the URL stays.
	env := readyEnv()
	env.PortalURL = st.Portal.URL
	again, err := portal.ParseSettings(st.Canonical(), env)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(st) {
		t.Errorf("re-parsing an enabled document changed it:\n%s", cmp.Diff(string(st.Canonical()), string(again.Canonical())))
	}

	// With no sections at all, enabling adds the Customer portal section.
	st, err = portal.ParseSettings(enableDoc(t, func(st *portal.Settings) { st.HelpCenter.Sections = nil }), readyEnv())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"customer-portal"}, sectionIDs(st)); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}

	// A disabled portal gets no URL and no section.
	st, err = portal.ParseSettings(portal.DefaultSettings().Canonical(), readyEnv())
	if err != nil {
		t.Fatal(err)
	}
	if st.Portal.URL != "" || len(st.HelpCenter.Sections) != 2 {
		t.Errorf("disabled portal: URL %q, sections %v", st.Portal.URL, sectionIDs(st))
	}
}

// TestPortalURLStable follows a workspace through enable, off, on: the URL
// generated first stays, even when the server would now generate another.
func TestPortalURLStable(t *testing.T) {
	env := readyEnv()
	st, err := portal.ParseSettings(enableDoc(t, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	url := st.Portal.URL
	env = portal.Env{Schema: testSchema(), CustomerTicketTypes: 1, PortalURL: url, NewPortalURL: otherURL}

	for i, enabled := range []bool{false, true, false, true} {
		st.Portal.Enabled = enabled
		next, err := portal.ParseSettings(st.Canonical(), env)
		if err != nil {
			t.Fatalf("step %d (enabled %v): %v", i, enabled, err)
		}
		if next.Portal.URL != url {
			t.Errorf("step %d (enabled %v): URL = %q, want %q", i, enabled, next.Portal.URL, url)
		}
		st = next
	}

	// A document with the URL emptied gets it back.
	st.Portal.URL = ""
	next, err := portal.ParseSettings(st.Canonical(), env)
	if err != nil || next.Portal.URL != url {
		t.Errorf("emptied URL: %v, %q", err, next.Portal.URL)
	}

	// A changed URL is refused with the real one in the message.
	st.Portal.URL = "https://evil.example.com/portal/acme/"
	_, err = portal.ParseSettings(st.Canonical(), env)
	checkProblems(t, err, []problem{{"portal.url", []string{"generated and stays stable", url}}})

	// The hidden Customer portal section is not re-added on enable.
	st.Portal.URL = url
	for i := range st.HelpCenter.Sections {
		if st.HelpCenter.Sections[i].ID == portal.PortalSectionID {
			st.HelpCenter.Sections[i].Visible = false
		}
	}
	st.Portal.Enabled = false
	off, err := portal.ParseSettings(st.Canonical(), env)
	if err != nil {
		t.Fatal(err)
	}
	off.Portal.Enabled = true
	on, err := portal.ParseSettings(off.Canonical(), env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"getting-started", "popular-articles", "customer-portal (hidden)"}, sectionIDs(on)); diff != "" {
		t.Errorf("sections after off/on (-want +got):\n%s", diff)
	}
}

func TestSections(t *testing.T) {
	portalSection := portal.Section{ID: portal.PortalSectionID, Title: portal.PortalSectionTitle, Kind: portal.SectionCustomerPortal, Visible: true}
	gs := portal.Section{ID: "getting-started", Title: "Getting started", Kind: portal.SectionCollection, Visible: true}
	faq := portal.Section{ID: "faq", Title: "FAQ", Kind: portal.SectionArticleList, Visible: true}
	edited := func(f func(s *portal.Section)) portal.Section {
		s := portalSection
		f(&s)
		return s
	}
	tests := []struct {
		name     string
		sections []portal.Section
		want     []problem // nil: accepted
		wantIDs  []string
	}{
		{"hidden", []portal.Section{gs, edited(func(s *portal.Section) { s.Visible = false }), faq}, nil,
			[]string{"getting-started", "customer-portal (hidden)", "faq"}},
		{"moved to the top", []portal.Section{portalSection, faq, gs}, nil,
			[]string{"customer-portal", "faq", "getting-started"}},
		{"title changed", []portal.Section{gs, edited(func(s *portal.Section) { s.Title = "Your tickets" })},
			[]problem{{"help_center.sections[1]", []string{"cannot be edited", "only shown/hidden and moved"}}}, nil},
		{"kind changed", []portal.Section{edited(func(s *portal.Section) { s.Kind = portal.SectionCollection })},
			[]problem{{"help_center.sections[0]", []string{"cannot be edited"}}}, nil},
		{"id changed", []portal.Section{edited(func(s *portal.Section) { s.ID = "tickets" })},
			[]problem{{"help_center.sections[0]", []string{"cannot be edited"}}}, nil},
		{"two portal sections", []portal.Section{portalSection, gs, edited(func(s *portal.Section) { s.ID = "portal-2" })},
			[]problem{
				{"help_center.sections", []string{"more than one Customer portal section"}},
				{"help_center.sections[2]", []string{"cannot be edited"}},
			}, nil},
		{"duplicate ids", []portal.Section{gs, faq, gs},
			[]problem{{"help_center.sections[2].id", []string{`"getting-started" is used by another section`}}}, nil},
		{"empty id, blank title, unknown kind", []portal.Section{{ID: "", Title: " ", Kind: "hero", Visible: true}},
			[]problem{
				{"help_center.sections[0].id", []string{"must not be empty"}},
				{"help_center.sections[0].kind", []string{`unknown kind "hero"`, "collection, article_list, customer_portal, contact"}},
				{"help_center.sections[0].title", []string{"must not be empty"}},
			}, nil},
		{"a contact section", []portal.Section{{ID: "contact", Title: "Contact", Kind: portal.SectionContact}, portalSection}, nil,
			[]string{"contact (hidden)", "customer-portal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := enableDoc(t, func(st *portal.Settings) { st.HelpCenter.Sections = tt.sections })
			st, err := portal.ParseSettings(doc, readyEnv())
			if tt.want != nil {
				checkProblems(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantIDs, sectionIDs(st)); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVisibilityConditionsKept(t *testing.T) {
	doc := `{
  "version": 3,
  "visibility": {"restrict_to_own": false, "conditions": {"all": [{"attribute": "user.custom.tier", "operator": "equals", "value": "Gold"}]}},
  "help_center": {"live": true, "sections": []}
}`
	st, err := portal.ParseSettings([]byte(doc), readyEnv())
	if err != nil {
		t.Fatal(err)
	}
	if st.Visibility.RestrictToOwn {
		t.Error("restrict_to_own turned on")
	}
	conds := st.Visibility.Conditions.Conditions()
	if len(conds) != 1 || conds[0].Attribute != "user.custom.tier" {
		t.Fatalf("conditions = %v", st.Visibility.Conditions)
	}
	if !strings.Contains(string(st.Canonical()), `"value": "Gold"`) {
		t.Errorf("canonical form lost the inactive conditions:\n%s", st.Canonical())
	}
	// Inactive conditions are still checked against the schema.
	bad := strings.Replace(doc, "user.custom.tier", "user.custom.rank", 1)
	_, err = portal.ParseSettings([]byte(bad), readyEnv())
	checkProblems(t, err, []problem{{"visibility.conditions.all[0].attribute", []string{`unknown attribute "user.custom.rank"`}}})
}

func TestValidateWithoutSchema(t *testing.T) {
	// Without a schema, rules are checked for shape only.
	st := portal.DefaultSettings()
	st.Access.Rule = portal.Cond("user.custom.whatever", portal.OpEquals, "x")
	if err := st.Validate(portal.Env{}); err != nil {
		t.Errorf("Validate without schema: %v", err)
	}
	if err := st.Validate(portal.Env{Schema: testSchema()}); portal.ErrorCode(err) != portal.EINVALID {
		t.Errorf("Validate with schema: %v", err)
	}
}

func TestValidateFailureChangesNothing(t *testing.T) {
	st := portal.DefaultSettings()
	st.Portal.Enabled = true // prerequisites unmet
	before := string(st.Canonical())
	if err := st.Validate(readyEnv()); err == nil {
		t.Fatal("Validate accepted an enable with unmet prerequisites")
	}
	if after := string(st.Canonical()); after != before {
		t.Errorf("a failed Validate changed the settings:\n%s", cmp.Diff(before, after))
	}
}

func TestSettingsCloneAndEqual(t *testing.T) {
	st, err := portal.ParseSettings([]byte(specDocument), readyEnv())
	if err != nil {
		t.Fatal(err)
	}
	c := st.Clone()
	if !c.Equal(st) || string(c.Canonical()) != string(st.Canonical()) {
		t.Fatal("clone differs")
	}
	c.HelpCenter.Sections[0].Title = "Changed"
	c.Access.Rule.All[0].Cond.Value = "other.com"
	if st.HelpCenter.Sections[0].Title != "Getting started" || st.Access.Rule.All[0].Cond.Value != "examply.com" {
		t.Error("Clone shares memory with the original")
	}
	if c.Equal(st) {
		t.Error("Equal ignores a changed rule")
	}
	v := st.Clone()
	v.Version = 99
	if !v.Equal(st) {
		t.Error("Equal compares versions")
	}

	// encoding/json reads a document without schema checks.
	var plain portal.Settings
	if err := json.Unmarshal([]byte(specDocument), &plain); err != nil {
		t.Fatal(err)
	}
	if plain.Version != 7 || !plain.Portal.Enabled || plain.Access.Rule == nil {
		t.Errorf("Unmarshal: %+v", plain)
	}
	err = json.Unmarshal([]byte(`{"portal": {"enabled": "yes"}}`), &plain)
	if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "portal.enabled") {
		t.Errorf("Unmarshal of a bad document: %v", err)
	}
}
