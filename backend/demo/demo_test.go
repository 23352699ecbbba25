package demo_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
)

// dataset is everything one Generate call emitted, in order.
type dataset struct {
	companies []*portal.Company
	users     []*portal.User
	tickets   []*portal.Ticket
	types     []*portal.TicketType
	records   []portal.Record
}

func generate(t *testing.T, opt demo.Options) *dataset {
	t.Helper()
	d := &dataset{}
	err := demo.Generate(opt, func(r portal.Record) error {
		d.records = append(d.records, r)
		switch {
		case r.Company != nil:
			d.companies = append(d.companies, r.Company)
		case r.User != nil:
			d.users = append(d.users, r.User)
		case r.Ticket != nil:
			d.tickets = append(d.tickets, r.Ticket)
			d.types = append(d.types, r.TicketType)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return d
}

// hashRecords hashes the JSON of every record Generate emits.
func hashRecords(t *testing.T, opt demo.Options) [32]byte {
	t.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	err := demo.Generate(opt, func(r portal.Record) error { return enc.Encode(r) })
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func TestDeterministic(t *testing.T) {
	opt := demo.Options{Seed: 42}
	a, b := hashRecords(t, opt), hashRecords(t, opt)
	if a != b {
		t.Fatal("the same options gave different records")
	}
	if c := hashRecords(t, demo.Options{Seed: 43}); c == a {
		t.Fatal("a different seed gave the same records")
	}
	later := demo.Options{Seed: 42, Now: demo.DefaultNow.Add(24 * time.Hour)}
	if c := hashRecords(t, later); c == a {
		t.Fatal("a different Now gave the same records")
	}
}

func TestOrderAndCounts(t *testing.T) {
	for _, opt := range []demo.Options{
		{},
		{Users: 3, Companies: 1, Tickets: 5},
		{Users: 500, Companies: 40, Tickets: 900, Seed: 7},
		{Users: 1, Companies: 1, Tickets: 3},
		{Users: 10, Companies: demo.None, Tickets: 20},
		{Users: 10, Companies: 3, Tickets: demo.None},
		{Users: demo.None, Companies: 4, Tickets: 10},
	} {
		d := generate(t, opt)
		c, u, tk, p := demo.Count(opt)
		if len(d.companies) != c || len(d.users) != u || len(d.tickets) != tk {
			t.Errorf("%+v: generated %d/%d/%d companies/users/tickets, Count says %d/%d/%d",
				opt, len(d.companies), len(d.users), len(d.tickets), c, u, tk)
		}
		parts := 0
		for _, tt := range d.tickets {
			parts += len(tt.Parts)
		}
		if parts != p {
			t.Errorf("%+v: generated %d parts, Count says %d", opt, parts, p)
		}
		want := func(n, def int) int {
			switch {
			case n == 0:
				return def
			case n < 0:
				return 0
			}
			return n
		}
		wu, wc, wt := want(opt.Users, demo.DefaultUsers), want(opt.Companies, demo.DefaultCompanies), want(opt.Tickets, demo.DefaultTickets)
		if wu == 0 {
			wt = 0
		}
		if c != wc || u != wu || tk != wt {
			t.Errorf("%+v: Count = %d/%d/%d, want %d/%d/%d", opt, c, u, tk, wc, wu, wt)
		}
		// Companies, then users, then tickets; lines count up from 1.
		kinds := ""
		for i, r := range d.records {
			if r.Source.File != demo.SourceFile || r.Source.Line != i+1 {
				t.Fatalf("%+v: record %d has source %+v", opt, i, r.Source)
			}
			if k := r.Kind(); !strings.HasSuffix(kinds, k) {
				kinds += k
			}
		}
		if !regexp.MustCompile(`^(company)?(contact)?(ticket)?$`).MatchString(kinds) {
			t.Errorf("%+v: records in order %q, want companies, users, tickets", opt, kinds)
		}
	}
}

func TestDefaultSizes(t *testing.T) {
	c, u, tk, p := demo.Count(demo.Options{})
	if c != 200 || u != 2000 || tk != 4000 {
		t.Fatalf("defaults = %d companies, %d users, %d tickets", c, u, tk)
	}
	if avg := float64(p) / float64(tk); avg < 2.6 || avg > 3.4 {
		t.Errorf("%.2f parts per ticket on average, want about 3", avg)
	}
}

func TestStopsOnError(t *testing.T) {
	boom := errors.New("boom")
	n := 0
	err := demo.Generate(demo.Options{}, func(portal.Record) error {
		n++
		if n == 250 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 250 {
		t.Fatalf("err = %v after %d records, want boom after 250", err, n)
	}
}

func TestReferences(t *testing.T) {
	d := generate(t, demo.Options{Seed: 3})
	companies := map[string]*portal.Company{}
	for _, c := range d.companies {
		companies[c.ID] = c
	}
	users := map[string]*portal.User{}
	for _, u := range d.users {
		users[u.ID] = u
		for _, id := range u.CompanyIDs {
			if companies[id] == nil {
				t.Fatalf("user %s belongs to unknown company %s", u.Email, id)
			}
		}
		if len(u.CompanyIDs) > 0 {
			domain := strings.TrimPrefix(companies[u.CompanyIDs[0]].Website, "https://")
			if !strings.HasSuffix(u.Email, "@"+domain) {
				t.Errorf("user %s in %s has not its first company's domain %s", u.Email, companies[u.CompanyIDs[0]].Name, domain)
			}
		}
	}
	for _, tk := range d.tickets {
		creator := users[tk.CreatorID()]
		if creator == nil {
			t.Fatalf("ticket %s: unknown creator %q", tk.TicketID, tk.CreatorID())
		}
		for _, id := range tk.ContactIDs {
			if users[id] == nil {
				t.Fatalf("ticket %s: unknown contact %s", tk.TicketID, id)
			}
		}
		if len(tk.ContactIDs) == 2 && tk.ContactIDs[0] == tk.ContactIDs[1] {
			t.Errorf("ticket %s: the same contact twice", tk.TicketID)
		}
		if tk.CompanyID != "" {
			found := false
			for _, id := range creator.CompanyIDs {
				found = found || id == tk.CompanyID
			}
			if !found {
				t.Errorf("ticket %s: company %s is not one of its creator's %v", tk.TicketID, tk.CompanyID, creator.CompanyIDs)
			}
		}
		if creator.CreatedAt.After(tk.CreatedAt) {
			t.Errorf("ticket %s created %v, before its creator (%v)", tk.TicketID, tk.CreatedAt, creator.CreatedAt)
		}
		for _, p := range tk.Parts {
			if p.AuthorType == "user" && users[p.AuthorID] == nil {
				t.Errorf("ticket %s: part %s by unknown user %s", tk.TicketID, p.ID, p.AuthorID)
			}
		}
	}
}

func TestUniqueKeys(t *testing.T) {
	d := generate(t, demo.Options{Seed: 11})
	seen := map[string]string{}
	unique := func(kind, key string) {
		t.Helper()
		if key == "" {
			t.Errorf("empty %s", kind)
			return
		}
		if seen[kind+"\x00"+key] != "" {
			t.Errorf("duplicate %s %q", kind, key)
		}
		seen[kind+"\x00"+key] = key
	}
	hexID := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, c := range d.companies {
		unique("company id", c.ID)
		unique("company_id", c.CompanyID)
		unique("company name", c.Name)
		unique("website", c.Website)
		if !hexID.MatchString(c.ID) {
			t.Errorf("company id %q does not look like an Intercom id", c.ID)
		}
	}
	for _, u := range d.users {
		unique("user id", u.ID)
		unique("external_id", u.ExternalID)
		unique("email", u.Email)
		if !hexID.MatchString(u.ID) {
			t.Errorf("user id %q does not look like an Intercom id", u.ID)
		}
	}
	prev := 0
	for _, tk := range d.tickets {
		unique("ticket id", tk.ID)
		unique("ticket_id", tk.TicketID)
		n, err := strconv.Atoi(tk.TicketID)
		if err != nil || n <= prev {
			t.Fatalf("ticket_id %q after %d: want increasing numbers", tk.TicketID, prev)
		}
		prev = n
		for _, p := range tk.Parts {
			unique("part id", p.ID)
		}
	}
	if d.tickets[0].TicketID != "1001" {
		t.Errorf("first ticket_id = %s, want 1001", d.tickets[0].TicketID)
	}
	if d.companies[0].CompanyID != "cmp_000000" || d.users[42].ExternalID != "usr_000042" {
		t.Errorf("company_id %s, external_id %s", d.companies[0].CompanyID, d.users[42].ExternalID)
	}
}

// TestUniqueAtScale checks names, domains and e-mail addresses stay unique
// beyond the first round of word combinations.
func TestUniqueAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	opt := demo.Options{Users: 120000, Companies: 150000, Tickets: demo.None, Seed: 5}
	names := make(map[string]bool, 150000)
	domains := make(map[string]bool, 150000)
	emails := make(map[string]bool, 120000)
	err := demo.Generate(opt, func(r portal.Record) error {
		if c := r.Company; c != nil {
			if names[c.Name] || domains[c.Website] {
				t.Fatalf("duplicate company %q %s", c.Name, c.Website)
			}
			names[c.Name], domains[c.Website] = true, true
		}
		if u := r.User; u != nil {
			if emails[u.Email] {
				t.Fatalf("duplicate email %s", u.Email)
			}
			emails[u.Email] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNamedRecords(t *testing.T) {
	d := generate(t, demo.Options{Seed: 99})
	want := []struct{ name, domain, plan string }{
		{"Examply", "examply.com", "Pro"},
		{"Globex", "globex.io", "Enterprise"},
		{"Initech", "initech.com", "Starter"},
	}
	for i, w := range want {
		c := d.companies[i]
		if c.Name != w.name || c.Website != "https://"+w.domain || c.Plan != w.plan {
			t.Errorf("company %d = %s %s %s, want %s https://%s %s", i, c.Name, c.Website, c.Plan, w.name, w.domain, w.plan)
		}
	}
	examply, globex := d.companies[0].ID, d.companies[1].ID
	users := []struct {
		email     string
		companies []string
	}{
		{"alice.martin@examply.com", []string{examply}},
		{"bob.chen@examply.com", []string{examply}},
		{"carol.diaz@globex.io", []string{globex, examply}},
	}
	for i, w := range users {
		u := d.users[i]
		if u.Email != w.email || strings.Join(u.CompanyIDs, ",") != strings.Join(w.companies, ",") {
			t.Errorf("user %d = %s %v, want %s %v", i, u.Email, u.CompanyIDs, w.email, w.companies)
		}
	}
	// Nobody else shares their addresses, so an identity token naming one
	// is never ambiguous.
	count := map[string]int{}
	for _, u := range d.users {
		count[u.Email]++
	}
	for _, w := range users {
		if count[w.email] != 1 {
			t.Errorf("%s used %d times", w.email, count[w.email])
		}
	}
	// Examply is a sizeable company with tickets from several people.
	inExamply, examplyTickets, creators := 0, 0, map[string]bool{}
	for _, u := range d.users {
		for _, id := range u.CompanyIDs {
			if id == examply {
				inExamply++
			}
		}
	}
	for _, tk := range d.tickets {
		if tk.CompanyID == examply {
			examplyTickets++
			creators[tk.CreatorID()] = true
		}
	}
	if inExamply < 20 || examplyTickets < 20 || len(creators) < 5 {
		t.Errorf("Examply has %d users and %d tickets from %d creators; want a sizeable company", inExamply, examplyTickets, len(creators))
	}
	// The fixed companies do not depend on the seed.
	other := generate(t, demo.Options{Seed: 1, Users: 3, Companies: 3, Tickets: 1})
	for i := range 3 {
		a, _ := json.Marshal(d.companies[i])
		b, _ := json.Marshal(other.companies[i])
		if string(a) != string(b) {
			t.Errorf("company %d depends on the seed:\n%s\n%s", i, a, b)
		}
	}
}

func TestSmallSizes(t *testing.T) {
	d := generate(t, demo.Options{Users: 3, Companies: 1, Tickets: 5})
	if len(d.companies) != 1 || len(d.users) != 3 || len(d.tickets) != 5 {
		t.Fatalf("got %d companies, %d users, %d tickets", len(d.companies), len(d.users), len(d.tickets))
	}
	// With one company Carol's Globex membership is dropped: she is in
	// Examply and takes its domain.
	if e := d.users[2].Email; e != "carol.diaz@examply.com" {
		t.Errorf("carol = %s", e)
	}
	d = generate(t, demo.Options{Users: 5, Companies: demo.None, Tickets: 10})
	if len(d.companies) != 0 || len(d.tickets) != 10 {
		t.Fatalf("got %d companies, %d tickets", len(d.companies), len(d.tickets))
	}
	for _, u := range d.users {
		if len(u.CompanyIDs) != 0 || !strings.Contains(u.Email, "@") {
			t.Errorf("user %s %v without companies", u.Email, u.CompanyIDs)
		}
	}
	for _, tk := range d.tickets {
		if tk.CompanyID != "" {
			t.Errorf("ticket %s has company %s without companies", tk.TicketID, tk.CompanyID)
		}
	}
	d = generate(t, demo.Options{Users: demo.None, Tickets: 10})
	if len(d.users) != 0 || len(d.tickets) != 0 || len(d.companies) != demo.DefaultCompanies {
		t.Fatalf("no users: got %d users, %d tickets, %d companies", len(d.users), len(d.tickets), len(d.companies))
	}
	d = generate(t, demo.Options{Users: 4, Companies: 2, Tickets: demo.None})
	if len(d.users) != 4 || len(d.tickets) != 0 {
		t.Fatalf("no tickets: got %d users, %d tickets", len(d.users), len(d.tickets))
	}
}

func TestProportions(t *testing.T) {
	d := generate(t, demo.Options{Users: 5000, Companies: 500, Tickets: 10000, Seed: 2})
	n := float64(len(d.tickets))
	byCat := map[string]int{}
	customerShared, customer, otherShared := 0, 0, 0
	noCompanyTicket, parts, notes := 0, 0, 0
	for _, tk := range d.tickets {
		byCat[tk.Category]++
		if tk.Category == portal.CategoryCustomer {
			customer++
			if tk.IsShared {
				customerShared++
			}
		} else if tk.IsShared {
			otherShared++
		}
		if tk.CompanyID == "" {
			noCompanyTicket++
		}
		for _, p := range tk.Parts {
			parts++
			if p.PartType == "note" {
				notes++
			}
		}
	}
	between := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.3f, want between %.2f and %.2f", what, got, lo, hi)
		}
	}
	between("Customer share", float64(byCat[portal.CategoryCustomer])/n, 0.65, 0.75)
	between("Back-office share", float64(byCat[portal.CategoryBackOffice])/n, 0.16, 0.24)
	between("Tracker share", float64(byCat[portal.CategoryTracker])/n, 0.07, 0.13)
	between("shared share of Customer tickets", float64(customerShared)/float64(customer), 0.75, 0.85)
	between("shared share of other tickets", float64(otherShared)/(n-float64(customer)), 0, 0.2)
	between("tickets without company", float64(noCompanyTicket)/n, 0.05, 0.2)
	between("parts per ticket", float64(parts)/n, 2.6, 3.4)
	between("note share", float64(notes)/float64(parts), 0.15, 0.25)

	users := float64(len(d.users))
	none, multi, leads, unseen := 0, 0, 0, 0
	for _, u := range d.users {
		switch {
		case len(u.CompanyIDs) == 0:
			none++
		case len(u.CompanyIDs) >= 2:
			multi++
			if len(u.CompanyIDs) > 5 {
				t.Errorf("%s in %d companies", u.Email, len(u.CompanyIDs))
			}
		}
		if u.Role == "lead" {
			leads++
		}
		if u.LastSeenAt.IsZero() {
			unseen++
		}
	}
	between("users without company", float64(none)/users, 0.06, 0.10)
	between("users in several companies", float64(multi)/users, 0.12, 0.18)
	between("leads", float64(leads)/users, 0.01, 0.06)
	between("never seen", float64(unseen)/users, 0.07, 0.13)

	plans := map[string]int{}
	for _, c := range d.companies {
		plans[c.Plan]++
	}
	if !(plans["Starter"] > plans["Pro"] && plans["Pro"] > plans["Premium"] && plans["Premium"] > 0 && plans["Enterprise"] > 0) {
		t.Errorf("plans %v: want Starter > Pro > Premium, and some Enterprise", plans)
	}
}

func TestTickets(t *testing.T) {
	opt := demo.Options{Seed: 8}
	d := generate(t, opt)
	now := demo.DefaultNow
	labels := map[string]string{
		"submitted": "Submitted", "in_progress": "In progress",
		"waiting_on_customer": "Waiting on you", "resolved": "Resolved",
	}
	typeNames := map[string]portal.TicketType{}
	for _, typ := range demo.TicketTypes() {
		typeNames[typ.ID] = typ
	}
	states := map[string]int{}
	var unsharedCustomer, withSecond, escaped, diacritics int
	for i, tk := range d.tickets {
		typ := d.types[i]
		if typ == nil || typ.ID != tk.TypeID || typ.Name != tk.TypeName || typ.Category != tk.Category {
			t.Fatalf("ticket %s: type %+v for %s/%s/%s", tk.TicketID, typ, tk.TypeID, tk.TypeName, tk.Category)
		}
		if typeNames[typ.ID] != *typ {
			t.Fatalf("ticket %s: type %+v is not one of TicketTypes()", tk.TicketID, typ)
		}
		if labels[tk.StateCategory] != tk.StateLabel {
			t.Errorf("ticket %s: state %s labelled %q", tk.TicketID, tk.StateCategory, tk.StateLabel)
		}
		states[tk.StateCategory]++
		if tk.Open == (tk.StateCategory == "resolved") {
			t.Errorf("ticket %s: open %v in state %s", tk.TicketID, tk.Open, tk.StateCategory)
		}
		if tk.Title == "" || tk.Description == "" {
			t.Errorf("ticket %s: empty title or description", tk.TicketID)
		}
		if tk.CreatedAt.Before(now.AddDate(-2, 0, -1)) || !tk.CreatedAt.Before(now) {
			t.Errorf("ticket %s created %v, not within two years before %v", tk.TicketID, tk.CreatedAt, now)
		}
		if tk.UpdatedAt.Before(tk.CreatedAt) || tk.UpdatedAt.After(now) {
			t.Errorf("ticket %s: updated %v, created %v", tk.TicketID, tk.UpdatedAt, tk.CreatedAt)
		}
		if tk.Category == portal.CategoryCustomer && !tk.IsShared {
			unsharedCustomer++
		}
		if len(tk.ContactIDs) > 1 {
			withSecond++
		}
		if len(tk.Parts) > 8 {
			t.Errorf("ticket %s has %d parts", tk.TicketID, len(tk.Parts))
		}
		text := tk.Title + " " + tk.Description
		prev := tk.CreatedAt
		for _, p := range tk.Parts {
			if !p.CreatedAt.After(prev) {
				t.Errorf("ticket %s: part %s at %v, not after %v", tk.TicketID, p.ID, p.CreatedAt, prev)
			}
			prev = p.CreatedAt
			if tk.UpdatedAt.Before(p.CreatedAt) {
				t.Errorf("ticket %s updated %v before its part at %v", tk.TicketID, tk.UpdatedAt, p.CreatedAt)
			}
			if !strings.HasPrefix(p.Body, "<p>") || !strings.HasSuffix(p.Body, "</p>") {
				t.Errorf("part %s body is not HTML paragraphs: %q", p.ID, p.Body)
			}
			if strings.Contains(p.Body, "<script") {
				t.Errorf("part %s has an unescaped script: %q", p.ID, p.Body)
			}
			if strings.Contains(p.Body, "&lt;script&gt;") {
				escaped++
			}
			switch p.PartType {
			case "note":
				if p.AuthorType != "admin" || !strings.HasPrefix(p.Body, "<p>Internal: ") {
					t.Errorf("note %s by %s: %q", p.ID, p.AuthorType, p.Body)
				}
			case "comment":
				if p.AuthorType != "admin" && p.AuthorType != "user" {
					t.Errorf("comment %s by %q", p.ID, p.AuthorType)
				}
				text += " " + p.Body
			default:
				t.Errorf("part %s of type %q", p.ID, p.PartType)
			}
			if p.AuthorName == "" || p.AuthorID == "" {
				t.Errorf("part %s without author", p.ID)
			}
		}
		// "Internal" is for notes only, so a search for it must never
		// find a ticket in the portal.
		if strings.Contains(strings.ToLower(text), "internal") {
			t.Errorf("ticket %s: customer-visible text says internal: %q", tk.TicketID, text)
		}
		if strings.ContainsAny(text, "éïüøłç") {
			diacritics++
		}
	}
	for s := range labels {
		if states[s] == 0 {
			t.Errorf("no ticket in state %s", s)
		}
	}
	if unsharedCustomer == 0 || withSecond == 0 || escaped == 0 || diacritics == 0 {
		t.Errorf("unshared Customer tickets %d, with a second contact %d, escaped scripts %d, with diacritics %d: want some of each",
			unsharedCustomer, withSecond, escaped, diacritics)
	}
}

// TestNotesShareWords proves the search fixture is meaningful: words of
// notes also appear in customer-visible text.
func TestNotesShareWords(t *testing.T) {
	d := generate(t, demo.Options{Seed: 4})
	visible, noted := map[string]bool{}, map[string]bool{}
	word := regexp.MustCompile(`[a-z]{4,}`)
	for _, tk := range d.tickets {
		for _, w := range word.FindAllString(strings.ToLower(tk.Title+" "+tk.Description), -1) {
			visible[w] = true
		}
		for _, p := range tk.Parts {
			for _, w := range word.FindAllString(strings.ToLower(p.Body), -1) {
				if p.PartType == "note" {
					noted[w] = true
				} else {
					visible[w] = true
				}
			}
		}
	}
	for _, w := range []string{"export", "refund", "invoice", "seats"} {
		if !noted[w] || !visible[w] {
			t.Errorf("%q in notes %v, in visible text %v; want both", w, noted[w], visible[w])
		}
	}
	if visible["internal"] || !noted["internal"] {
		t.Error(`"internal" must appear in notes only`)
	}
}

func TestUsersAndCompanies(t *testing.T) {
	d := generate(t, demo.Options{Seed: 6})
	now := demo.DefaultNow
	local := regexp.MustCompile(`^[a-z][a-z0-9.-]*@[a-z0-9.-]+\.[a-z]{2,}$`)
	accented := 0
	for _, u := range d.users {
		if !local.MatchString(u.Email) {
			t.Errorf("email %q is not plain ASCII first.last@domain", u.Email)
		}
		if strings.ContainsAny(u.Name, "ÉéëøŁłçüö") {
			accented++
		}
		if u.Role != "user" && u.Role != "lead" {
			t.Errorf("%s: role %q", u.Email, u.Role)
		}
		if u.CreatedAt.Before(now.AddDate(-3, 0, -1)) || u.CreatedAt.After(now) {
			t.Errorf("%s created %v", u.Email, u.CreatedAt)
		}
		if !u.SignedUpAt.IsZero() && u.SignedUpAt.Before(u.CreatedAt) {
			t.Errorf("%s signed up before created", u.Email)
		}
		if !u.LastSeenAt.IsZero() && (u.LastSeenAt.Before(u.CreatedAt) || u.LastSeenAt.After(now)) {
			t.Errorf("%s last seen %v", u.Email, u.LastSeenAt)
		}
		if u.Custom["department"].Kind != portal.KindString || u.Custom["is_admin"].Kind != portal.KindBoolean {
			t.Errorf("%s custom attributes %v", u.Email, u.Custom)
		}
		if v, ok := u.Custom["seats"]; ok && v.Kind != portal.KindNumber {
			t.Errorf("%s seats %v", u.Email, v)
		}
		if v, ok := u.Custom["trial_ends_at"]; ok && v.Kind != portal.KindDate {
			t.Errorf("%s trial_ends_at %v", u.Email, v)
		}
	}
	if accented < len(d.users)/10 {
		t.Errorf("only %d of %d users have accented names", accented, len(d.users))
	}
	for _, c := range d.companies {
		if c.Size == nil || *c.Size < 1 || c.MonthlySpend == nil || *c.MonthlySpend <= 0 || c.Industry == "" || c.CreatedAt.IsZero() {
			t.Errorf("company %s incomplete: %+v", c.Name, c)
		}
		kinds := map[string]portal.ValueKind{
			"seats": portal.KindNumber, "region": portal.KindString, "sla_tier": portal.KindString,
			"is_partner": portal.KindBoolean, "renewal_at": portal.KindDate,
		}
		for k, kind := range kinds {
			if c.Custom[k].Kind != kind {
				t.Errorf("company %s: %s = %+v, want a %s", c.Name, k, c.Custom[k], kind)
			}
		}
		switch c.Custom["region"].Str {
		case "EMEA", "AMER", "APAC":
		default:
			t.Errorf("company %s region %q", c.Name, c.Custom["region"].Str)
		}
		if r := c.Custom["renewal_at"].Time; !r.After(now) || r.After(now.AddDate(1, 0, 1)) {
			t.Errorf("company %s renews %v, want within a year after now", c.Name, r)
		}
	}
}

func TestNowOption(t *testing.T) {
	now := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)
	d := generate(t, demo.Options{Users: 50, Companies: 5, Tickets: 100, Now: now})
	last := d.tickets[len(d.tickets)-1]
	if last.CreatedAt.After(now) || last.CreatedAt.Before(now.AddDate(0, -1, 0)) {
		t.Errorf("last ticket created %v, want shortly before %v", last.CreatedAt, now)
	}
}
