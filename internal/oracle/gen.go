package oracle

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// Size bounds a generated dataset.
type Size struct {
	Users, Companies, Tickets int
}

// words are the text the generator writes: plain, accented, mixed case,
// words sharing prefixes, and a few that fold to one another.
var words = []string{
	"invoice", "invoices", "export", "exporter", "Café", "cafe", "CAFÉ", "Élodie", "elodie", "Straße", "strasse",
	"Øresund", "Łódź", "naïve", "résumé", "billing", "bill", "login", "log", "Montréal", "montreal", "crash",
	"Crash", "ünïcödé", "日本", "東京", "error", "errors", "42", "4242", "refund", "re", "über", "uber", "façade",
	"Ærø", "œuvre", "sso", "SSO", "api", "API", "v2", "x", "the", "and", "déjà", "vu", "ticket", "tick",
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

func phrase(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = pick(r, words)
	}
	seps := []string{" ", " ", " ", ", ", "-", "/", "'", ": ", "  ", "\n"}
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteString(pick(r, seps))
		}
		b.WriteString(w)
	}
	return b.String()
}

// htmlBody is a part's body: HTML with block and inline tags and entities.
func htmlBody(r *rand.Rand) string {
	var b strings.Builder
	for i := 0; i < 1+r.Intn(3); i++ {
		switch r.Intn(5) {
		case 0:
			b.WriteString("<p>" + phrase(r, 1+r.Intn(5)) + "</p>")
		case 1:
			b.WriteString(phrase(r, 2) + "<br>" + phrase(r, 2))
		case 2:
			b.WriteString("<p>" + pick(r, words) + " <b>" + pick(r, words) + "</b> &amp; " + pick(r, words) + "</p>")
		case 3:
			b.WriteString("<div>caf&eacute; " + phrase(r, 2) + "</div>")
		default:
			b.WriteString(phrase(r, 3))
		}
	}
	return b.String()
}

func f64(f float64) *float64 { return &f }

// Generate makes a random dataset: companies (some referenced but never
// imported), users with zero to three companies (or none at all), tickets
// of every category, shared or not, with notes and other internal parts,
// unicode and diacritics everywhere, empty and unset attributes, and
// custom attributes of every kind (and one whose later values have
// another type than its first).
func Generate(r *rand.Rand, now time.Time, size Size) *Dataset {
	d := &Dataset{}
	day := 24 * time.Hour
	when := func() time.Time {
		switch r.Intn(6) {
		case 0:
			return time.Time{}
		case 1: // exactly whole days ago: the cut-off of a days-ago rule
			return now.Add(-time.Duration(r.Intn(40)) * day)
		case 2:
			return now.Add(-time.Duration(r.Intn(40))*day + time.Duration(r.Intn(3)-1)*time.Second)
		}
		return now.Add(-time.Duration(r.Int63n(int64(800 * day)))).Truncate(time.Second)
	}
	nC := 1 + r.Intn(size.Companies)
	var companyIDs []string
	for i := 0; i < nC; i++ {
		c := portal.Company{ID: fmt.Sprintf("c%d", i+1), Name: pick(r, []string{"Examply", "Globex", "Ünïon Café", "ACME", "acme", ""}) + fmt.Sprint(i),
			Plan:     pick(r, []string{"Pro", "pro", "Starter", "Énterprise", "", "Pro Plus"}),
			Industry: pick(r, []string{"Retail", "retail", "Santé", "", "IT"}), Website: pick(r, []string{"https://examply.com", "http://globex.io", ""}),
			CreatedAt: when()}
		if r.Intn(3) > 0 {
			c.CompanyID = fmt.Sprintf("ext-c-%d", i)
		}
		if r.Intn(4) > 0 {
			c.Size = f64(float64(r.Intn(200)))
		}
		if r.Intn(3) > 0 {
			c.MonthlySpend = f64(float64(r.Intn(10000)) / 4)
		}
		c.Custom = map[string]portal.Value{}
		if r.Intn(4) > 0 {
			c.Custom["seats"] = portal.Value{Kind: portal.KindNumber, Num: float64(r.Intn(30))}
		}
		if r.Intn(3) > 0 {
			c.Custom["region"] = portal.Value{Kind: portal.KindString, Str: pick(r, []string{"EMEA", "emea", "Amériques", "APAC"})}
		}
		if r.Intn(3) > 0 {
			c.Custom["vip"] = portal.Value{Kind: portal.KindBoolean, Bool: r.Intn(2) == 0}
		}
		if t := when(); !t.IsZero() {
			c.Custom["renewal_at"] = portal.Value{Kind: portal.KindDate, Time: t}
		}
		d.Companies = append(d.Companies, c)
		companyIDs = append(companyIDs, c.ID)
	}
	// Companies users and tickets name but no file holds.
	ghosts := []string{"ghost1", "ghost2"}

	nU := 2 + r.Intn(size.Users)
	for i := 0; i < nU; i++ {
		first := pick(r, []string{"Ann", "Élodie", "Bjørn", "Zoë", "ben", "ŁUKASZ", "Dan"})
		u := portal.User{ID: fmt.Sprintf("u%d", i+1), Name: first + " " + pick(r, []string{"Müller", "Smith", "Ñúñez", ""}),
			Email: strings.ToLower(first) + fmt.Sprint(i) + "@" + pick(r, []string{"examply.com", "Examply.COM", "globex.io", "blocked.io", "café.fr"}),
			Role:  pick(r, []string{"user", "lead", "admin", "", "User"}), CreatedAt: when(), SignedUpAt: when(), LastSeenAt: when()}
		if r.Intn(8) == 0 {
			u.Email = ""
		}
		if r.Intn(6) > 0 {
			u.ExternalID = fmt.Sprintf("ext-%d", i+1)
		}
		// Zero to three companies; now and then one that is not imported.
		for k := r.Intn(4); k > 0; k-- {
			id := pick(r, companyIDs)
			if r.Intn(6) == 0 {
				id = pick(r, ghosts)
			}
			dup := false
			for _, x := range u.CompanyIDs {
				dup = dup || x == id
			}
			if !dup {
				u.CompanyIDs = append(u.CompanyIDs, id)
			}
		}
		u.Custom = map[string]portal.Value{}
		if r.Intn(3) > 0 {
			u.Custom["is_admin"] = portal.Value{Kind: portal.KindBoolean, Bool: r.Intn(2) == 0}
		}
		if r.Intn(3) > 0 {
			u.Custom["seats"] = portal.Value{Kind: portal.KindNumber, Num: float64(r.Intn(12)) - 2}
		}
		if r.Intn(3) > 0 {
			u.Custom["tier"] = portal.Value{Kind: portal.KindString, Str: pick(r, []string{"Gold", "gold", "Sïlver", "bronze"})}
		}
		if t := when(); !t.IsZero() {
			u.Custom["trial_date"] = portal.Value{Kind: portal.KindDate, Time: t}
		}
		// "mixed": a string for the first user, a number for later ones
		// (kept, but unset for rules).
		if i == 0 {
			u.Custom["mixed"] = portal.Value{Kind: portal.KindString, Str: "alpha"}
		} else if r.Intn(2) == 0 {
			if r.Intn(2) == 0 {
				u.Custom["mixed"] = portal.Value{Kind: portal.KindNumber, Num: 3}
			} else {
				u.Custom["mixed"] = portal.Value{Kind: portal.KindString, Str: pick(r, []string{"alpha", "Beta"})}
			}
		}
		d.Users = append(d.Users, u)
	}

	nT := 1 + r.Intn(size.Tickets)
	cats := []string{portal.CategoryCustomer, portal.CategoryCustomer, portal.CategoryCustomer, portal.CategoryBackOffice, portal.CategoryTracker}
	base := now.Add(-time.Duration(r.Intn(100)) * time.Hour)
	for i := 0; i < nT; i++ {
		t := portal.Ticket{ID: fmt.Sprintf("t%d", i+1), TicketID: fmt.Sprint(1000 + i), Title: phrase(r, 1+r.Intn(4)),
			Category: pick(r, cats), IsShared: r.Intn(4) > 0, StateCategory: "in_progress", StateLabel: pick(r, []string{"Working on it", "Résolu", "Submitted"}),
			Open: r.Intn(2) == 0}
		if i == 0 {
			t.Category, t.IsShared = portal.CategoryCustomer, true
		}
		if r.Intn(3) > 0 {
			t.Description = phrase(r, r.Intn(8))
			if r.Intn(5) == 0 {
				t.Description += " <b>bold</b> &amp;"
			}
		}
		t.TypeID = "tt-" + strings.ToLower(t.Category)
		t.TypeName = "Type " + t.Category
		// Customer tickets: a few types (one renamed now and then: the
		// last import's name is the type's), some none; state categories
		// of every kind, now and then one the portal does not filter by.
		if t.Category == portal.CategoryCustomer {
			typ := pick(r, []portal.TicketType{{ID: "95", Name: "Bug report"}, {ID: "96", Name: "Question"}, {ID: "97", Name: "Billing"}, {ID: "97", Name: "Billing & invoices"}, {}})
			if i == 0 {
				typ = portal.TicketType{ID: "95", Name: "Bug report"} // a Customer type, so the portal may be on
			}
			t.TypeID, t.TypeName = typ.ID, typ.Name
		}
		t.StateCategory = pick(r, []string{"submitted", "in_progress", "in_progress", "waiting_on_customer", "resolved", "resolved", "snoozed"})
		// Contacts: the first is the creator; sometimes no one, or a
		// contact never imported.
		for k := r.Intn(3); k >= 0; k-- {
			if r.Intn(10) == 0 {
				t.ContactIDs = append(t.ContactIDs, "u-missing")
			} else {
				t.ContactIDs = append(t.ContactIDs, fmt.Sprintf("u%d", 1+r.Intn(nU)))
			}
		}
		if r.Intn(8) == 0 {
			t.ContactIDs = nil
		}
		switch r.Intn(6) {
		case 0:
			t.CompanyID = ""
		case 1:
			t.CompanyID = pick(r, ghosts)
		default:
			t.CompanyID = pick(r, companyIDs)
		}
		// Creation times collide too (sort=created breaks ties by id).
		t.CreatedAt = base.Add(-time.Duration(r.Intn(2*nT)) * time.Hour)
		// Updated times collide now and then: ties are ordered by id.
		t.UpdatedAt = base.Add(-time.Duration(r.Intn(nT*2)) * time.Minute)
		for k := r.Intn(5); k > 0; k-- {
			p := portal.Part{ID: fmt.Sprintf("p%d-%d", i+1, k), PartType: pick(r, partTypes),
				Body: htmlBody(r), AuthorType: pick(r, []string{"admin", "user"}), AuthorID: "a1", AuthorName: pick(r, []string{"Agent Ærø", "Ann", "Bot"}),
				CreatedAt: t.CreatedAt.Add(time.Duration(k) * time.Minute)}
			if internalPart(p.PartType) && r.Intn(2) == 0 {
				p.Body = "<p>secretnote " + pick(r, words) + "</p>"
			}
			t.Parts = append(t.Parts, p)
		}
		d.Tickets = append(d.Tickets, t)
	}
	return d
}

// WriteJSONL writes the dataset as Intercom REST API objects, one a line,
// in the shapes the API returns (written here by hand, not by the
// product's own writer): companies, then contacts, then tickets.
func (d *Dataset) WriteJSONL(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	unix := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Unix()
	}
	custom := func(m map[string]portal.Value) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			switch v.Kind {
			case portal.KindString:
				out[k] = v.Str
			case portal.KindNumber:
				out[k] = v.Num
			case portal.KindBoolean:
				out[k] = v.Bool
			case portal.KindDate:
				if strings.HasSuffix(k, "_at") {
					out[k] = v.Time.Unix()
				} else {
					out[k] = v.Time.UTC().Format(time.RFC3339)
				}
			}
		}
		// Values that are never kept.
		out["nothing"] = nil
		out["blank"] = ""
		out["obj"] = map[string]any{"a": 1}
		return out
	}
	for _, c := range d.Companies {
		obj := map[string]any{"type": "company", "id": c.ID, "name": c.Name, "industry": c.Industry, "website": c.Website,
			"created_at": unix(c.CreatedAt), "custom_attributes": custom(c.Custom), "user_count": 3}
		if c.CompanyID != "" {
			obj["company_id"] = c.CompanyID
		}
		if c.Plan != "" {
			obj["plan"] = map[string]any{"type": "plan", "id": "9", "name": c.Plan}
		} else {
			obj["plan"] = map[string]any{}
		}
		if c.Size != nil {
			obj["size"] = *c.Size
		}
		if c.MonthlySpend != nil {
			obj["monthly_spend"] = *c.MonthlySpend
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	for _, u := range d.Users {
		obj := map[string]any{"type": "contact", "id": u.ID, "role": u.Role, "name": u.Name, "email": u.Email,
			"created_at": unix(u.CreatedAt), "signed_up_at": unix(u.SignedUpAt), "last_seen_at": unix(u.LastSeenAt),
			"custom_attributes": custom(u.Custom)}
		if u.ExternalID != "" {
			obj["external_id"] = u.ExternalID
		} else {
			obj["external_id"] = nil
		}
		if len(u.CompanyIDs) > 0 {
			var data []any
			for _, id := range u.CompanyIDs {
				data = append(data, map[string]any{"type": "company", "id": id})
			}
			obj["companies"] = map[string]any{"type": "list", "data": data}
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	for _, t := range d.Tickets {
		var contacts []any
		for _, id := range t.ContactIDs {
			contacts = append(contacts, map[string]any{"type": "contact", "id": id})
		}
		var parts []any
		for _, p := range t.Parts {
			parts = append(parts, map[string]any{"type": "ticket_part", "id": p.ID, "part_type": p.PartType, "body": p.Body,
				"created_at": p.CreatedAt.Unix(), "author": map[string]any{"type": p.AuthorType, "id": p.AuthorID, "name": p.AuthorName}})
		}
		var desc any
		if t.Description != "" {
			desc = t.Description
		}
		obj := map[string]any{"type": "ticket", "id": t.ID, "ticket_id": t.TicketID,
			"ticket_attributes": map[string]any{"_default_title_": t.Title, "_default_description_": desc},
			"ticket_state":      map[string]any{"type": "ticket_state", "category": t.StateCategory, "external_label": t.StateLabel},
			"ticket_type":       map[string]any{"type": "ticket_type", "id": t.TypeID, "name": t.TypeName, "category": t.Category},
			"contacts":          map[string]any{"type": "contact.list", "contacts": contacts},
			"created_at":        t.CreatedAt.Unix(), "updated_at": t.UpdatedAt.Unix(), "open": t.Open,
			"ticket_parts": map[string]any{"type": "ticket_part.list", "ticket_parts": parts},
			"category":     t.Category, "is_shared": t.IsShared}
		if t.CompanyID != "" {
			obj["company_id"] = t.CompanyID
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	return nil
}

// attr is an attribute a generated rule may name.
type attr struct {
	name string
	kind portal.ValueKind
}

var standard = []attr{
	{"user.id", portal.KindString}, {"user.external_id", portal.KindString}, {"user.email", portal.KindString},
	{"user.name", portal.KindString}, {"user.role", portal.KindString}, {"user.created_at", portal.KindDate},
	{"user.signed_up_at", portal.KindDate}, {"user.last_seen_at", portal.KindDate},
	{"company.id", portal.KindString}, {"company.company_id", portal.KindString}, {"company.name", portal.KindString},
	{"company.plan", portal.KindString}, {"company.size", portal.KindNumber}, {"company.industry", portal.KindString},
	{"company.website", portal.KindString}, {"company.monthly_spend", portal.KindNumber}, {"company.created_at", portal.KindDate},
}

var opsByKind = map[portal.ValueKind][]portal.Operator{
	portal.KindString:  {"equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with", "is_set", "is_not_set"},
	portal.KindNumber:  {"equals", "not_equals", "greater_than", "less_than", "is_set", "is_not_set"},
	portal.KindBoolean: {"equals", "not_equals", "is_set", "is_not_set"},
	portal.KindDate:    {"more_than_days_ago", "less_than_days_ago", "is_set", "is_not_set"},
}

// attrs returns the attributes rules may name in the dataset: the standard
// ones and every custom attribute with its type.
func (o *Oracle) attrs() []attr {
	out := append([]attr(nil), standard...)
	for _, k := range sortedKinds(o.kinds) {
		scope, key, _ := strings.Cut(k, "/")
		out = append(out, attr{scope + ".custom." + key, o.kinds[k]})
	}
	return out
}

func sortedKinds(m map[string]portal.ValueKind) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

// stringsOf returns the string values the dataset holds for an attribute,
// so that generated conditions often match someone.
func (o *Oracle) stringsOf(name string) []string {
	scope, field, _ := strings.Cut(name, ".")
	custom := false
	if k, ok := strings.CutPrefix(field, "custom."); ok {
		field, custom = k, true
	}
	var out []string
	if scope == "user" {
		for i := range o.d.Users {
			if _, v, ok := o.userValue(&o.d.Users[i], field, custom); ok {
				out = append(out, v.s)
			}
		}
	} else {
		for i := range o.d.Companies {
			if _, v, ok := o.companyValue(&o.d.Companies[i], field, custom); ok {
				out = append(out, v.s)
			}
		}
	}
	return out
}

// RandomRule returns a random valid rule over the dataset's attributes,
// every operator, nesting up to depth groups.
func (o *Oracle) RandomRule(r *rand.Rand, depth int) *portal.Rule {
	if depth > 0 && r.Intn(3) == 0 {
		n := r.Intn(4)
		kids := make([]*portal.Rule, n)
		for i := range kids {
			kids[i] = o.RandomRule(r, depth-1)
		}
		if r.Intn(2) == 0 {
			return portal.AllOf(kids...)
		}
		return portal.AnyOf(kids...)
	}
	as := o.attrs()
	a := pick(r, as)
	op := pick(r, opsByKind[a.kind])
	var v any
	switch {
	case op == "is_set" || op == "is_not_set":
		v = nil
	case a.kind == portal.KindString:
		vals := o.stringsOf(a.name)
		s := pick(r, []string{"examply", "Pro", "é", "a", "CAFÉ", "gold", "emea", ".com", "ann", "x'; DROP TABLE users; --", "%", "_"})
		if len(vals) > 0 && r.Intn(3) > 0 {
			s = pick(r, vals)
			rs := []rune(s)
			switch op {
			case "contains":
				i := r.Intn(len(rs))
				j := i + 1 + r.Intn(len(rs)-i)
				s = string(rs[i:j])
			case "starts_with":
				s = string(rs[:1+r.Intn(len(rs))])
			case "ends_with":
				s = string(rs[r.Intn(len(rs)):])
			}
			if r.Intn(2) == 0 {
				s = strings.ToUpper(s)
			}
		}
		if strings.TrimSpace(s) == "" {
			s = "a"
		}
		v = s
	case a.kind == portal.KindNumber:
		v = float64(r.Intn(40)) - 3
		if r.Intn(5) == 0 {
			v = float64(r.Intn(400)) / 4
		}
	case a.kind == portal.KindBoolean:
		v = r.Intn(2) == 0
	case a.kind == portal.KindDate:
		v = float64(pick(r, []int{0, 1, 2, 7, 30, 39, 365, 1000}))
	}
	return portal.Cond(a.name, op, v)
}

// RandomSettings returns random valid settings: the portal on or off, no
// rule, Everyone or a random rule for access, visibility on or off with
// no conditions, empty groups or a random rule, the Preview column on or
// off.
func (o *Oracle) RandomSettings(r *rand.Rand) *portal.Settings {
	st := portal.DefaultSettings()
	st.IdentityVerification = true
	st.Portal.Enabled = r.Intn(8) > 0
	st.PreviewColumn = r.Intn(3) > 0
	switch r.Intn(8) {
	case 0:
		st.Access.Rule = nil
	case 1, 2:
		st.Access.Rule = portal.Everyone()
	default:
		st.Access.Rule = o.RandomRule(r, 3)
	}
	st.Visibility.RestrictToOwn = r.Intn(2) == 0
	switch r.Intn(6) {
	case 0:
		st.Visibility.Conditions = nil
	case 1:
		st.Visibility.Conditions = portal.Everyone()
	case 2:
		st.Visibility.Conditions = portal.AnyOf()
	default:
		st.Visibility.Conditions = o.RandomRule(r, 2)
	}
	return st
}

// RandomQuery returns a search query: words of a ticket of the answer
// (cased and accented differently, the last cut to a prefix), or random
// words, or text that looks like search syntax.
// partTypes are the part types the generator picks from: the ones
// customers see and the internal ones, in mixed case too, and types
// nobody knows (hidden all the same).
var partTypes = []string{"comment", "comment", "Comment", "COMMENT", "quick_reply", "note", "Note", "NOTE", "note_and_reopen",
	"assignment", "snoozed", "close", "Close", "open", "ticket_state_updated_by_admin", "xyz", "participant_added", "comment_x", "commenT"}

func (o *Oracle) RandomQuery(r *rand.Rand, a Answer) string {
	ids := append(append([]string(nil), a.All...), a.Mine...)
	switch r.Intn(6) {
	case 0:
		return pick(r, []string{`"invoice" OR export*`, "-crash", "NEAR(cafe error)", "title:login", "' OR 1=1 --", "café AND", "((", "*", "é", "  "})
	case 1:
		return phrase(r, 1+r.Intn(2))
	}
	if len(ids) == 0 {
		return pick(r, words)
	}
	t := o.Ticket(pick(r, ids))
	ws := TicketWords(t)
	// include a note's words now and then: they must never be found
	for _, p := range t.Parts {
		if internalPart(p.PartType) && r.Intn(2) == 0 {
			ws = append(ws, Words(HTMLText(p.Body))...)
		}
	}
	if len(ws) == 0 {
		return "x"
	}
	n := 1 + r.Intn(3)
	q := make([]string, n)
	for i := range q {
		w := pick(r, ws)
		if i == n-1 && r.Intn(2) == 0 {
			rs := []rune(w)
			w = string(rs[:1+r.Intn(len(rs))])
		}
		if r.Intn(3) == 0 {
			w = strings.ToUpper(w)
		}
		q[i] = w
	}
	return strings.Join(q, pick(r, []string{" ", "  ", ", "}))
}
