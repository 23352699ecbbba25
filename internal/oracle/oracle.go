// Package oracle is a deliberately simple reference implementation of the
// portal's behaviour (SPEC 3.2 to 3.5), written from the SPEC's text and
// the README's "How the portal decides" and "Search" sections, for tests
// only. It shares no evaluation code with the engine: it uses the domain
// types (users, companies, tickets, rules, settings) as plain data, and
// answers every question with plain loops over in-memory slices. Its own
// folding and tokenizer are written here from the product's words, not
// copied from backend/portal.
//
// It is slow on purpose (every question walks every ticket); it is meant
// to be obviously right, so that when the engine and the oracle disagree,
// the engine is the suspect.
package oracle

import (
	"html"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"portalstudio/backend/portal"
)

// Dataset is a workspace's data as the oracle sees it: what was imported,
// in import order.
type Dataset struct {
	Users     []portal.User
	Companies []portal.Company
	Tickets   []portal.Ticket
}

// Answer is what the portal decides for one user, and the tickets of each
// of their tabs in list order.
type Answer struct {
	Access     bool
	Restricted bool
	Tabs       []string
	// All and Mine are the ticket ids of the tabs, newest first; nil for
	// a tab the user does not have.
	All, Mine []string
}

// Oracle answers questions over one dataset.
type Oracle struct {
	d         *Dataset
	companies map[string]*portal.Company
	// kinds is the type of each custom attribute ("user/seats"): the first
	// type seen for the key in import order (SPEC 2, README "Custom
	// attributes").
	kinds map[string]portal.ValueKind
}

// New returns an oracle over d. d must not change afterwards.
func New(d *Dataset) *Oracle {
	o := &Oracle{d: d, companies: map[string]*portal.Company{}, kinds: map[string]portal.ValueKind{}}
	// Import order: the generator writes companies, then users, then
	// tickets, so that is the order types are first seen in.
	for i := range d.Companies {
		c := &d.Companies[i]
		o.companies[c.ID] = c
		for _, k := range sortedKeys(c.Custom) {
			if _, ok := o.kinds["company/"+k]; !ok && c.Custom[k].Kind != "" {
				o.kinds["company/"+k] = c.Custom[k].Kind
			}
		}
	}
	for i := range d.Users {
		u := &d.Users[i]
		for _, k := range sortedKeys(u.Custom) {
			if _, ok := o.kinds["user/"+k]; !ok && u.Custom[k].Kind != "" {
				o.kinds["user/"+k] = u.Custom[k].Kind
			}
		}
	}
	return o
}

func sortedKeys(m map[string]portal.Value) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Kind returns the type of a custom attribute, or "" when no record has it.
func (o *Oracle) Kind(scope, key string) portal.ValueKind { return o.kinds[scope+"/"+key] }

// Decide answers SPEC 3.2 to 3.4 for u under st at now.
func (o *Oracle) Decide(st *portal.Settings, u *portal.User, now time.Time) Answer {
	var a Answer
	a.Tabs = []string{}
	// 3.2: the portal must be on; no rule lets no one in.
	if !st.Portal.Enabled || st.Access.Rule == nil {
		return a
	}
	a.Access = o.match(st.Access.Rule, u, now)
	if !a.Access {
		return a
	}
	// 3.3: restricted when the toggle is on and (no conditions, or they
	// match). An empty group ({"all": []} or {"any": []}) as the whole
	// of the conditions is "no conditions".
	if st.Visibility.RestrictToOwn {
		c := st.Visibility.Conditions
		if c == nil || (c.Cond == nil && len(c.All) == 0 && len(c.Any) == 0) {
			a.Restricted = true
		} else {
			a.Restricted = o.match(c, u, now)
		}
	}
	// 3.4: the tickets.
	var mine, all []*portal.Ticket
	for i := range o.d.Tickets {
		t := &o.d.Tickets[i]
		if t.Category != "Customer" || !t.IsShared {
			continue
		}
		created := len(t.ContactIDs) > 0 && t.ContactIDs[0] == u.ID
		ofCompany := false
		for _, c := range u.CompanyIDs {
			if t.CompanyID != "" && c == t.CompanyID {
				ofCompany = true
			}
		}
		if created {
			mine = append(mine, t)
		}
		if created || ofCompany {
			all = append(all, t)
		}
	}
	a.Mine = listOrder(mine)
	if a.Restricted {
		a.Tabs = []string{"mine"}
	} else {
		a.Tabs = []string{"all", "mine"}
		a.All = listOrder(all)
	}
	return a
}

// listOrder sorts by updated_at, newest first; equal times by id, the
// greater first (the order the engine documents as "ties by id").
func listOrder(ts []*portal.Ticket) []string {
	sort.Slice(ts, func(i, j int) bool {
		a, b := ts[i].UpdatedAt.UnixNano(), ts[j].UpdatedAt.UnixNano()
		if a != b {
			return a > b
		}
		return ts[i].ID > ts[j].ID
	})
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// Match reports whether rule r matches user u at now (a nil rule matches
// no one).
func (o *Oracle) Match(r *portal.Rule, u *portal.User, now time.Time) bool {
	return o.match(r, u, now)
}

func (o *Oracle) match(r *portal.Rule, u *portal.User, now time.Time) bool {
	if r == nil {
		return false
	}
	if r.Cond != nil {
		return o.cond(r.Cond, u, now)
	}
	if r.IsAny() {
		for _, k := range r.Any {
			if o.match(k, u, now) {
				return true
			}
		}
		return false
	}
	for _, k := range r.All {
		if !o.match(k, u, now) {
			return false
		}
	}
	return true
}

// cond evaluates one condition: the negative operators are the negation
// of their positive twin; a company condition holds when one of the
// user's imported companies satisfies the positive operator.
func (o *Oracle) cond(c *portal.Condition, u *portal.User, now time.Time) bool {
	op := string(c.Operator)
	negate := false
	switch op {
	case "not_equals":
		op, negate = "equals", true
	case "not_contains":
		op, negate = "contains", true
	case "is_not_set":
		op, negate = "is_set", true
	}
	scope, field, ok := strings.Cut(c.Attribute, ".")
	if !ok {
		return false
	}
	custom := false
	if k, ok := strings.CutPrefix(field, "custom."); ok {
		field, custom = k, true
	}
	held := false
	switch scope {
	case "user":
		kind, v, set := o.userValue(u, field, custom)
		held = set && positive(op, kind, v, c.Value, now)
	case "company":
		for _, id := range u.CompanyIDs {
			co := o.companies[id]
			if co == nil {
				continue // not imported: no attributes come from it
			}
			kind, v, set := o.companyValue(co, field, custom)
			if set && positive(op, kind, v, c.Value, now) {
				held = true
			}
		}
	}
	return held != negate
}

// val is one attribute's value in a plain form.
type val struct {
	s string
	n float64
	b bool
	t time.Time
}

func (o *Oracle) customValue(scope string, m map[string]portal.Value, key string) (portal.ValueKind, val, bool) {
	v, ok := m[key]
	want := o.kinds[scope+"/"+key]
	// A value of another type than the attribute's counts as unset.
	if !ok || v.Kind == "" || v.Kind != want {
		return want, val{}, false
	}
	if v.Kind == portal.KindString && v.Str == "" {
		return want, val{}, false
	}
	return want, val{s: v.Str, n: v.Num, b: v.Bool, t: v.Time}, true
}

func str(s string) (portal.ValueKind, val, bool) {
	return portal.KindString, val{s: s}, s != "" // an empty string is unset
}

func date(t time.Time) (portal.ValueKind, val, bool) {
	return portal.KindDate, val{t: t}, !t.IsZero()
}

func num(f *float64) (portal.ValueKind, val, bool) {
	if f == nil {
		return portal.KindNumber, val{}, false
	}
	return portal.KindNumber, val{n: *f}, true
}

func (o *Oracle) userValue(u *portal.User, field string, custom bool) (portal.ValueKind, val, bool) {
	if custom {
		return o.customValue("user", u.Custom, field)
	}
	switch field {
	case "id":
		return str(u.ID)
	case "external_id":
		return str(u.ExternalID)
	case "email":
		return str(u.Email)
	case "name":
		return str(u.Name)
	case "role":
		return str(u.Role)
	case "created_at":
		return date(u.CreatedAt)
	case "signed_up_at":
		return date(u.SignedUpAt)
	case "last_seen_at":
		return date(u.LastSeenAt)
	}
	return "", val{}, false
}

func (o *Oracle) companyValue(c *portal.Company, field string, custom bool) (portal.ValueKind, val, bool) {
	if custom {
		return o.customValue("company", c.Custom, field)
	}
	switch field {
	case "id":
		return str(c.ID)
	case "company_id":
		return str(c.CompanyID)
	case "name":
		return str(c.Name)
	case "plan":
		return str(c.Plan)
	case "industry":
		return str(c.Industry)
	case "website":
		return str(c.Website)
	case "size":
		return num(c.Size)
	case "monthly_spend":
		return num(c.MonthlySpend)
	case "created_at":
		return date(c.CreatedAt)
	}
	return "", val{}, false
}

// positive applies a positive operator to a set value.
func positive(op string, kind portal.ValueKind, v val, want any, now time.Time) bool {
	if op == "is_set" {
		return true
	}
	switch kind {
	case portal.KindString:
		w, ok := want.(string)
		if !ok {
			return false
		}
		have, w := Fold(v.s), Fold(w)
		switch op {
		case "equals":
			return have == w
		case "contains":
			return strings.Contains(have, w)
		case "starts_with":
			return strings.HasPrefix(have, w)
		case "ends_with":
			return strings.HasSuffix(have, w)
		}
	case portal.KindNumber:
		w, ok := want.(float64)
		if !ok {
			return false
		}
		switch op {
		case "equals":
			return v.n == w
		case "greater_than":
			return v.n > w
		case "less_than":
			return v.n < w
		}
	case portal.KindBoolean:
		w, ok := want.(bool)
		return ok && op == "equals" && v.b == w
	case portal.KindDate:
		days, ok := want.(float64)
		if !ok || days != math.Trunc(days) {
			return false
		}
		// The cut-off is exactly days×24h before now, at whole seconds; a
		// date exactly at the cut-off is neither more nor less ago.
		cut := now.Unix() - int64(days)*24*3600
		at := v.t.Unix()
		switch op {
		case "more_than_days_ago":
			return at < cut
		case "less_than_days_ago":
			return at > cut
		}
	}
	return false
}

// Fold lowercases s and takes off its diacritics ("Élodie" → "elodie"),
// and maps the letters that are not a base letter with a mark to what
// people type for them ("Øresund" → "oresund", "Straße" → "strasse").
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if m, ok := letters[unicode.ToLower(r)]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

var letters = map[rune]string{'ø': "o", 'ł': "l", 'đ': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th"}

// Words returns the folded words of s: runs of letters and digits.
func Words(s string) []string {
	var out []string
	var cur []rune
	for _, r := range Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// Terms returns the terms of a query: its words, at most 16, each cut to
// 64 bytes (README: "at most 16 terms of 64 bytes count").
func Terms(q string) []string {
	if len(q) > 1000 {
		q = q[:1000]
	}
	ws := Words(q)
	if len(ws) > 16 {
		ws = ws[:16]
	}
	for i, w := range ws {
		for len(w) > 64 {
			// cut at a rune boundary
			r := []rune(w)
			w = string(r[:len(r)-1])
		}
		ws[i] = w
	}
	return ws
}

// internalPart reports whether a part is never shown: every type but the
// four customers see (SPEC 6.2: an allowlist, in any ASCII case), so
// notes, bookkeeping and types nobody knows.
func internalPart(typ string) bool {
	lower := make([]byte, len(typ))
	for i := range len(typ) {
		c := typ[i]
		if c >= 'A' && c <= 'Z' {
			c = c - 'A' + 'a'
		}
		lower[i] = c
	}
	switch string(lower) {
	case "comment", "quick_reply", "close", "open":
		return false
	}
	return true
}

// HTMLText reduces an HTML body to text: tags out (block tags separate
// words, inline ones do not), entities decoded.
func HTMLText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:i]))
		tag := strings.ToLower(strings.Trim(s[i+1:i+j], "/ "))
		if f := strings.Fields(tag); len(f) > 0 {
			tag = f[0]
		}
		switch tag {
		case "p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr":
			b.WriteByte(' ')
		}
		s = s[i+j+1:]
	}
	return b.String()
}

// TicketWords returns every word portal search reads in t: its title, its
// description (plain text) and its customer-visible parts (HTML).
func TicketWords(t *portal.Ticket) []string {
	ws := Words(t.Title)
	ws = append(ws, Words(t.Description)...)
	for _, p := range t.Parts {
		if !internalPart(p.PartType) {
			ws = append(ws, Words(HTMLText(p.Body))...)
		}
	}
	return ws
}

// Matches reports whether the words hold every term, the last as a prefix
// of a word. No terms match nothing.
func Matches(words, terms []string) bool {
	if len(terms) == 0 {
		return false
	}
	for i, term := range terms {
		found := false
		for _, w := range words {
			if w == term || (i == len(terms)-1 && strings.HasPrefix(w, term)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Search returns, as a set, the ids of the tickets of the user's tab that
// match the query (SPEC 3.5). A tab the user does not have finds nothing.
func (o *Oracle) Search(a Answer, tab, query string) map[string]bool {
	ids := a.Mine
	if tab == "all" {
		ids = a.All
	}
	terms := Terms(query)
	out := map[string]bool{}
	for _, id := range ids {
		t := o.Ticket(id)
		if Matches(TicketWords(t), terms) {
			out[id] = true
		}
	}
	return out
}

// Ticket returns the ticket of that id, or nil.
func (o *Oracle) Ticket(id string) *portal.Ticket {
	for i := range o.d.Tickets {
		if o.d.Tickets[i].ID == id {
			return &o.d.Tickets[i]
		}
	}
	return nil
}

// VisibleParts returns the ids of the parts of t a customer sees, in order.
func VisibleParts(t *portal.Ticket) []string {
	var out []string
	for _, p := range t.Parts {
		if !internalPart(p.PartType) {
			out = append(out, p.ID)
		}
	}
	return out
}
