package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Settings is the portal settings document of one workspace (SPEC 4). Its
// canonical JSON (Canonical) has a stable key order and two-space indent so
// a line diff reads well.
type Settings struct {
	Version              int                `json:"version"`
	Portal               PortalSettings     `json:"portal"`
	Access               AccessSettings     `json:"access"`
	Visibility           VisibilitySettings `json:"visibility"`
	PreviewColumn        bool               `json:"preview_column"`
	HelpCenter           HelpCenter         `json:"help_center"`
	Messenger            Messenger          `json:"messenger"`
	IdentityVerification bool               `json:"identity_verification"`
}

// PortalSettings turns the portal on and holds its URL, generated on the
// first enable and stable afterwards.
type PortalSettings struct {
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
}

// AccessSettings says who may open the portal. A nil Rule: no one.
type AccessSettings struct {
	Rule *Rule `json:"rule"`
}

// VisibilitySettings says who is restricted to their own tickets.
type VisibilitySettings struct {
	RestrictToOwn bool  `json:"restrict_to_own"`
	Conditions    *Rule `json:"conditions"`
}

// HelpCenter is the Help Center's homepage.
type HelpCenter struct {
	Live     bool      `json:"live"`
	Sections []Section `json:"sections"`
}

// Section is one section of the Help Center homepage.
type Section struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Kind    string `json:"kind"`
	Visible bool   `json:"visible"`
}

// Messenger holds the Messenger settings the portal depends on.
type Messenger struct {
	TicketsSpace bool `json:"tickets_space"`
}

// Section kinds.
const (
	SectionCollection     = "collection"
	SectionArticleList    = "article_list"
	SectionCustomerPortal = "customer_portal"
	SectionContact        = "contact"
)

// The Customer portal section's fixed id and title.
const (
	PortalSectionID    = "customer-portal"
	PortalSectionTitle = "Customer portal"
)

var sectionKinds = []string{SectionCollection, SectionArticleList, SectionCustomerPortal, SectionContact}

// DefaultSettings returns the settings of a new workspace: the portal off,
// no access rule (no one), visibility off, the Preview column on, a live
// Help Center with two sections.
func DefaultSettings() *Settings {
	return &Settings{
		PreviewColumn: true,
		HelpCenter: HelpCenter{
			Live: true,
			Sections: []Section{
				{ID: "getting-started", Title: "Getting started", Kind: SectionCollection, Visible: true},
				{ID: "popular-articles", Title: "Popular articles", Kind: SectionArticleList, Visible: true},
			},
		},
	}
}

// Canonical returns the canonical JSON of st, ending in a newline.
func (st *Settings) Canonical() []byte {
	c := *st
	if c.HelpCenter.Sections == nil {
		c.HelpCenter.Sections = []Section{}
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		// Settings hold only plain values; this cannot fail.
		panic("portal: marshal settings: " + err.Error())
	}
	return append(b, '\n')
}

// Clone returns a deep copy of st.
func (st *Settings) Clone() *Settings {
	var c Settings
	if err := json.Unmarshal(st.Canonical(), &c); err != nil {
		panic("portal: clone settings: " + err.Error())
	}
	return &c
}

// UnmarshalJSON reads a settings document without schema checks; use
// ParseSettings for the checked form.
func (st *Settings) UnmarshalJSON(b []byte) error {
	v, err := decodeJSON(b)
	if err != nil {
		return err
	}
	got, ps := settingsFromJSON(v)
	if len(ps) > 0 {
		return problemsError(ps)
	}
	*st = *got
	return nil
}

// Env is what validating a settings document needs to know of the
// workspace.
type Env struct {
	Schema *Schema
	// CustomerTicketTypes is how many ticket types of category Customer
	// the workspace has (a prerequisite of enabling the portal).
	CustomerTicketTypes int
	// PortalURL is the URL the portal already has ("" before the first
	// enable); it stays stable across later off/on.
	PortalURL string
	// NewPortalURL is the URL the first enable generates:
	// <server base URL>/portal/<workspace slug>/.
	NewPortalURL string
	// Pinned says NewPortalURL is the address of the server serving this
	// workspace, which a document cannot change: a portal.url naming
	// another is replaced by it, not refused (a desktop's draft may carry
	// an older one). PortalURL, when set, is then NewPortalURL too.
	Pinned bool
}

// url returns the portal URL the document must carry: the existing one, or
// a new one when enabling for the first time.
func (env Env) url(enabled bool) string {
	if env.PortalURL != "" {
		return env.PortalURL
	}
	if enabled {
		return env.NewPortalURL
	}
	return ""
}

// ParseSettings reads and validates a whole settings document. Nothing is
// returned unless every part is valid; the error lists each problem with
// its JSON path. On success the document is normalised: the portal URL is
// filled in when enabled, and enabling adds the Customer portal section to
// the Help Center when it is missing.
func ParseSettings(b []byte, env Env) (*Settings, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	st, ps := settingsFromJSON(v)
	if len(ps) > 0 {
		if st != nil {
			// List the problems of the well-formed parts too, so that
			// one answer names every problem of the document.
			more, _ := st.check(env)
			ps = mergeProblems(ps, more)
		}
		return nil, problemsError(ps)
	}
	if err := st.Validate(env); err != nil {
		return nil, err
	}
	return st, nil
}

// Validate checks st against the workspace and normalises it (see
// ParseSettings).
func (st *Settings) Validate(env Env) error {
	ps, portalSections := st.check(env)
	if len(ps) > 0 {
		return problemsError(ps)
	}
	st.Portal.URL = env.url(st.Portal.Enabled)
	if st.Portal.Enabled && portalSections == 0 {
		st.HelpCenter.Sections = append(st.HelpCenter.Sections, Section{ID: PortalSectionID, Title: PortalSectionTitle, Kind: SectionCustomerPortal, Visible: true})
	}
	if st.HelpCenter.Sections == nil {
		st.HelpCenter.Sections = []Section{}
	}
	return nil
}

// check returns the problems of st against the workspace, sorted by path,
// and how many Customer portal sections it has. It changes nothing.
func (st *Settings) check(env Env) ([]Problem, int) {
	var ps []Problem
	if env.Schema != nil {
		ps = append(ps, ValidateRule(st.Access.Rule, env.Schema, "access.rule")...)
		ps = append(ps, ValidateRule(st.Visibility.Conditions, env.Schema, "visibility.conditions")...)
	}
	seen := map[string]bool{}
	portalSections := 0
	for i, s := range st.HelpCenter.Sections {
		p := fmt.Sprintf("help_center.sections[%d]", i)
		if s.ID == "" {
			ps = append(ps, Problem{p + ".id", "must not be empty"})
		} else if seen[s.ID] {
			ps = append(ps, Problem{p + ".id", fmt.Sprintf("%q is used by another section; ids must be unique", s.ID)})
		}
		seen[s.ID] = true
		if strings.TrimSpace(s.Title) == "" {
			ps = append(ps, Problem{p + ".title", "must not be empty"})
		}
		if !contains(sectionKinds, s.Kind) {
			ps = append(ps, Problem{p + ".kind", fmt.Sprintf("unknown kind %q; use one of %s", s.Kind, strings.Join(sectionKinds, ", "))})
		}
		if s.Kind == SectionCustomerPortal || s.ID == PortalSectionID {
			portalSections++
			if s.ID != PortalSectionID || s.Title != PortalSectionTitle || s.Kind != SectionCustomerPortal {
				ps = append(ps, Problem{p, fmt.Sprintf("the Customer portal section cannot be edited, only shown/hidden and moved; it must read {\"id\": %q, \"title\": %q, \"kind\": %q}", PortalSectionID, PortalSectionTitle, SectionCustomerPortal)})
			}
		}
	}
	if portalSections > 1 {
		ps = append(ps, Problem{"help_center.sections", "has more than one Customer portal section; keep one"})
	}
	want := env.url(st.Portal.Enabled)
	if !env.Pinned && st.Portal.URL != "" && st.Portal.URL != want && st.Portal.URL != env.NewPortalURL {
		if want == "" {
			want = env.NewPortalURL
		}
		ps = append(ps, Problem{"portal.url", fmt.Sprintf("the portal URL is generated and stays stable; it is %q (leave it as it is or empty)", want)})
	}
	if st.Portal.Enabled {
		var unmet []string
		if !st.HelpCenter.Live {
			unmet = append(unmet, "the Help Center is not live (set help_center.live to true)")
		}
		if !st.IdentityVerification {
			unmet = append(unmet, "end users are not authenticated (turn on identity_verification)")
		}
		if env.CustomerTicketTypes == 0 {
			unmet = append(unmet, "there is no ticket type of category Customer (import or create one)")
		}
		if len(unmet) > 0 {
			ps = append(ps, Problem{"portal.enabled", "the customer portal cannot be enabled yet: " + strings.Join(unmet, "; ")})
		}
	}
	sortProblems(ps)
	return ps, portalSections
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// settingsFromJSON builds Settings from decoded JSON, reporting every
// unknown field and wrong type with its path.
func settingsFromJSON(v any) (*Settings, []Problem) {
	// A field the document leaves out keeps its default value.
	st := DefaultSettings()
	var ps []Problem
	root, ok := v.(map[string]any)
	if !ok {
		return nil, []Problem{{"", "the settings document must be a JSON object, not " + jsonKind(v)}}
	}
	r := reader{ps: &ps}
	r.fields(root, "", map[string]func(any, string){
		"version": func(v any, p string) {
			n := r.integer(v, p)
			if n < 0 {
				r.bad(p, "must not be negative")
			}
			st.Version = n
		},
		"portal": func(v any, p string) {
			r.object(v, p, map[string]func(any, string){
				"enabled": func(v any, p string) { st.Portal.Enabled = r.boolean(v, p) },
				"url":     func(v any, p string) { st.Portal.URL = r.str(v, p, true) },
			})
		},
		"access": func(v any, p string) {
			r.object(v, p, map[string]func(any, string){
				"rule": func(v any, p string) {
					rule, rps := ruleFromJSON(v, p)
					ps = append(ps, rps...)
					st.Access.Rule = rule
				},
			})
		},
		"visibility": func(v any, p string) {
			r.object(v, p, map[string]func(any, string){
				"restrict_to_own": func(v any, p string) { st.Visibility.RestrictToOwn = r.boolean(v, p) },
				"conditions": func(v any, p string) {
					rule, rps := ruleFromJSON(v, p)
					ps = append(ps, rps...)
					st.Visibility.Conditions = rule
				},
			})
		},
		"preview_column": func(v any, p string) { st.PreviewColumn = r.boolean(v, p) },
		"help_center": func(v any, p string) {
			r.object(v, p, map[string]func(any, string){
				"live": func(v any, p string) { st.HelpCenter.Live = r.boolean(v, p) },
				"sections": func(v any, p string) {
					arr, ok := v.([]any)
					if !ok {
						r.bad(p, "must be a list of sections, not "+jsonKind(v))
						return
					}
					st.HelpCenter.Sections = []Section{}
					for i, item := range arr {
						var s Section
						r.object(item, fmt.Sprintf("%s[%d]", p, i), map[string]func(any, string){
							"id":      func(v any, p string) { s.ID = r.str(v, p, false) },
							"title":   func(v any, p string) { s.Title = r.str(v, p, false) },
							"kind":    func(v any, p string) { s.Kind = r.str(v, p, false) },
							"visible": func(v any, p string) { s.Visible = r.boolean(v, p) },
						})
						st.HelpCenter.Sections = append(st.HelpCenter.Sections, s)
					}
				},
			})
		},
		"messenger": func(v any, p string) {
			r.object(v, p, map[string]func(any, string){
				"tickets_space": func(v any, p string) { st.Messenger.TicketsSpace = r.boolean(v, p) },
			})
		},
		"identity_verification": func(v any, p string) { st.IdentityVerification = r.boolean(v, p) },
	})
	sortProblems(ps)
	return st, ps
}

// reader walks decoded JSON and records problems with their paths.
type reader struct{ ps *[]Problem }

func (r reader) bad(path, msg string) { *r.ps = append(*r.ps, Problem{path, msg}) }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (r reader) object(v any, path string, fields map[string]func(any, string)) {
	obj, ok := v.(map[string]any)
	if !ok {
		r.bad(path, "must be an object, not "+jsonKind(v))
		return
	}
	r.fields(obj, path, fields)
}

func (r reader) fields(obj map[string]any, path string, fields map[string]func(any, string)) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			r.bad(join(path, k), "unknown field; this object has "+strings.Join(known, ", "))
			continue
		}
		f(obj[k], join(path, k))
	}
}

func (r reader) boolean(v any, path string) bool {
	b, ok := v.(bool)
	if !ok {
		r.bad(path, "must be true or false, not "+jsonKind(v))
	}
	return b
}

func (r reader) str(v any, path string, nullOK bool) string {
	if v == nil && nullOK {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.bad(path, "must be a string, not "+jsonKind(v))
	}
	return s
}

func (r reader) integer(v any, path string) int {
	n, ok := v.(json.Number)
	if !ok {
		r.bad(path, "must be a whole number, not "+jsonKind(v))
		return 0
	}
	i, err := n.Int64()
	if err != nil || i > 1<<31 {
		r.bad(path, "must be a whole number, not "+n.String())
		return 0
	}
	return int(i)
}

// Equal reports whether two settings documents are the same, version
// aside.
func (st *Settings) Equal(o *Settings) bool {
	a, b := *st, *o
	a.Version, b.Version = 0, 0
	return bytes.Equal(a.Canonical(), b.Canonical())
}
