package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
)

// shadowData: Globex's ticket whose id is "9001" (number 555, Cat's) and
// Ann's own ticket number 9001 (id t9001) in Examply.
func shadowData() []portal.Record {
	tt := &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}
	ticket := func(id, num, creator, company string) portal.Record {
		return portal.Record{Ticket: &portal.Ticket{ID: id, TicketID: num, Title: "Ticket " + num, Category: portal.CategoryCustomer, IsShared: true,
			ContactIDs: []string{creator}, CompanyID: company, StateCategory: "in_progress", TypeID: "ty",
			CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour), Open: true}, TicketType: tt}
	}
	return []portal.Record{ticket("9001", "555", "u3", "c2"), ticket("t9001", "9001", "u1", "c1")}
}

// TestTicketNumberShadowing: another company's ticket whose id is a
// number does not make the user's own ticket of that number unreachable.
func TestTicketNumberShadowing(t *testing.T) {
	f := newFixture(t)
	importRecords(t, f.ws, shadowData())
	ann, cat := f.identity(t, "ann-ext"), f.identity(t, "42")
	r := f.portal(t, "/api/tickets/9001", ann)
	if r.status != 200 || r.json(t)["id"] != "t9001" {
		t.Fatalf("Ann opening her ticket #9001: %d %s", r.status, r.body)
	}
	// Cat sees the Globex ticket by its id (and by its number); by
	// number 9001 she would reach Ann's ticket, which she may not see:
	// the id's ticket, hers, wins.
	for _, key := range []string{"9001", "555"} {
		if r := f.portal(t, "/api/tickets/"+key, cat); r.status != 200 || r.json(t)["id"] != "9001" {
			t.Fatalf("Cat opening %s: %d %s", key, r.status, r.body)
		}
	}
	// Both visible to one user: the id's.
	imp := f.admin(t, "POST", "/api/v1/import", `{"type": "ticket", "id": "102", "ticket_id": 8000, "category": "Customer", "is_shared": true, "company_id": "c1", "created_at": 1761994800, "updated_at": 1761998400, "ticket_attributes": {"_default_title_": "By id"}, "ticket_type": {"id": "ty", "name": "Bug", "category": "Customer"}, "contacts": {"type": "contact.list", "contacts": [{"id": "u1"}]}}`)
	if imp.status != 200 {
		t.Fatalf("import: %d %s", imp.status, imp.body)
	}
	if r := f.portal(t, "/api/tickets/102", ann); r.status != 200 || r.json(t)["id"] != "102" {
		t.Fatalf("Ann opening 102 (an id and a number, both hers): %d %s", r.status, r.body)
	}
	// Asked by number (as the pages ask): the number's; an old link by
	// id still opens its ticket when no number matches.
	for key, want := range map[string]string{"102": "t2", "9001": "t9001", "t1": "t1"} {
		if r := f.portal(t, "/api/tickets/"+key+"?by=number", ann); r.status != 200 || r.json(t)["id"] != want {
			t.Fatalf("Ann opening %s by number: %d %s, want %s", key, r.status, r.body, want)
		}
	}
	if r := f.portal(t, "/api/tickets/555?by=number", cat); r.status != 200 || r.json(t)["id"] != "9001" {
		t.Fatalf("Cat opening 555 by number: %d %s", r.status, r.body)
	}
	// Hidden and missing stay the same answer, by number too.
	missing := f.portal(t, "/api/tickets/77777", ann)
	for _, q := range []string{"", "?by=number", "?by=id"} {
		if hidden := f.portal(t, "/api/tickets/555"+q, ann); hidden.status != http.StatusNotFound || string(hidden.body) != string(missing.body) {
			t.Fatalf("hidden%s %d %s, missing %d %s", q, hidden.status, hidden.body, missing.status, missing.body)
		}
		if m := f.portal(t, "/api/tickets/77777"+q, ann); m.status != http.StatusNotFound || string(m.body) != string(missing.body) {
			t.Fatalf("missing%s %d %s", q, m.status, m.body)
		}
	}
	if r := f.portal(t, "/api/tickets/102?by=title", ann); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "by must be id or number") {
		t.Fatalf("by=title: %d %s", r.status, r.body)
	}
}

// BenchmarkTicketHiddenVsMissing measures the server's answer to tickets
// the user may not see (another company's, by id and by number) and to
// ones that do not exist, in process (no network noise). Each iteration
// asks all four in turn, so that the machine's drift weighs on each
// alike; the metrics are the mean time of each kind.
func BenchmarkTicketHiddenVsMissing(b *testing.B) {
	f := newFixture(b)
	importRecords(b, f.ws, shadowData())
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()}).SignedString(f.secret)
	if err != nil {
		b.Fatal(err)
	}
	kinds := []struct{ name, key string }{{"hidden-id", "t3"}, {"hidden-number", "103"}, {"missing-id", "t77777"}, {"missing-number", "77777"}}
	total := make([]time.Duration, len(kinds))
	n := 0
	for b.Loop() {
		for i, k := range kinds {
			req := httptest.NewRequest("GET", "/portal/acme/api/tickets/"+k.key, nil)
			req.Host = "127.0.0.1"
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			start := time.Now()
			f.handler.ServeHTTP(rec, req)
			total[i] += time.Since(start)
			if rec.Code != http.StatusNotFound {
				b.Fatalf("%s: %d", k.key, rec.Code)
			}
		}
		n++
	}
	for i, k := range kinds {
		b.ReportMetric(float64(total[i].Nanoseconds())/float64(n), k.name+"-ns/op")
	}
}
