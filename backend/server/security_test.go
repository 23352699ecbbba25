package server_test

// Security checks the other server tests do not already make: SQL
// injection through attribute names, values and search terms (the data is
// unchanged and the answers right), ids that try to reach other tickets or
// versions, tokens of the wrong kind, and oversized inputs.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/internal/oracle"
)

// hostile are strings that would change a query built by concatenation.
var hostile = []string{
	`' OR '1'='1`, `"; DROP TABLE users; --`, `x') OR 1=1 --`, `%`, `_`, `\`, `*`, `" OR "a"="a`,
	`NEAR(a b)`, `a" OR "b`, `col:value`, `-a`, `^a`, "\x00", `' UNION SELECT secret FROM server_secrets --`,
}

func TestSQLInjection(t *testing.T) {
	f := newFixture(t)
	before := counts(t, f)
	// Custom attributes whose names and values are hostile, on two new
	// contacts: only "evil-1" holds the value the rule asks for.
	var body strings.Builder
	var attrs []string
	for _, h := range hostile[:4] {
		attrs = append(attrs, jsonStr(h)+`: `+jsonStr(h))
	}
	body.WriteString(`{"type": "contact", "id": "evil-1", "external_id": "evil-1", "email": "evil1@examply.com", "custom_attributes": {` + strings.Join(attrs, ", ") + `}}` + "\n")
	body.WriteString(`{"type": "contact", "id": "evil-2", "external_id": "evil-2", "email": "evil2@examply.com", "custom_attributes": {` + jsonStr(hostile[0]) + `: "plain"}}` + "\n")
	if r := f.admin(t, "POST", "/api/v1/import", body.String()); r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	mid := counts(t, f)
	if mid == before {
		t.Fatalf("counts after the hostile import: %+v, before %+v", mid, before)
	}
	// A rule over a hostile attribute name and value: exactly evil-1.
	rule := `{"all": [{"attribute": "user.custom.` + jsonEsc(hostile[0]) + `", "operator": "equals", "value": ` + jsonStr(hostile[0]) + `}]}`
	doc := `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": ` + rule + `}}`
	if r := f.admin(t, "PUT", "/api/v1/settings", doc, "If-Match", "*"); r.status != 200 {
		t.Fatalf("put settings: %d %s", r.status, r.body)
	}
	if r := f.portal(t, "/api/tickets", f.identity(t, "evil-1")); r.status != 200 {
		t.Fatalf("evil-1 (matches) got %d %s", r.status, r.body)
	}
	for _, who := range []string{"evil-2", "ann-ext"} {
		if r := f.portal(t, "/api/tickets", f.identity(t, who)); r.status != http.StatusForbidden {
			t.Fatalf("%s (does not match) got %d %s", who, r.status, r.body)
		}
	}
	// Every other operator with hostile values: valid answers, no 500.
	for _, h := range hostile {
		for _, op := range []string{"contains", "not_contains", "starts_with", "ends_with", "equals"} {
			if strings.TrimSpace(h) == "" || h == "\x00" {
				continue
			}
			doc := `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"any": [{"attribute": "user.email", "operator": "` + op + `", "value": ` + jsonStr(h) + `}, {"attribute": "user.role", "operator": "not_equals", "value": "lead"}]}}}`
			if r := f.admin(t, "PUT", "/api/v1/settings", doc, "If-Match", "*"); r.status != 200 {
				t.Fatalf("put %s %q: %d %s", op, h, r.status, r.body)
			}
			// Ann's email holds none of the hostile strings, and she is no
			// lead: access through the second condition only.
			want := http.StatusOK
			if r := f.portal(t, "/api/tickets", f.identity(t, "ann-ext")); r.status != want {
				t.Fatalf("%s %q: Ann got %d %s", op, h, r.status, r.body)
			}
			// Ben is a lead and his email holds none of them: only
			// not_contains / the negations let him in.
			wantBen := http.StatusForbidden
			if op == "not_contains" {
				wantBen = http.StatusOK
			}
			if r := f.portal(t, "/api/tickets", f.identity(t, "ben-ext")); r.status != wantBen {
				t.Fatalf("%s %q: Ben got %d, want %d: %s", op, h, r.status, wantBen, r.body)
			}
		}
	}
	f.putLive(t, liveDoc)
	// Search terms: plain words, never syntax.
	ann := f.identity(t, "ann-ext")
	for _, h := range hostile {
		r := f.portal(t, "/api/tickets?q="+url.QueryEscape(h), ann)
		if r.status != 200 {
			t.Fatalf("search %q: %d %s", h, r.status, r.body)
		}
		// The same as searching its plain words.
		want := 0.0
		if words := oracle.Words(h); len(words) > 0 {
			want = f.portal(t, "/api/tickets?q="+url.QueryEscape(strings.Join(words, " ")), ann).json(t)["total"].(float64)
		}
		if l := r.json(t); l["total"].(float64) != want {
			t.Fatalf("search %q found %v, its plain words %v", h, l["total"], want)
		}
	}
	// A hostile word next to a real one: the real one is still required.
	if l := getList(t, f, ann, "?q="+url.QueryEscape(`invoice' OR '1'='1`)); l.Total != 0 {
		t.Fatalf("an injected OR widened the search: %+v", l)
	}
	if l := getList(t, f, ann, "?q="+url.QueryEscape(`"invoice"`)); l.ids() != "t1" {
		t.Fatalf("quotes are plain text: %+v", l)
	}
	after := counts(t, f)
	if after != mid {
		t.Fatalf("the data changed: %+v, want %+v", after, mid)
	}
}

// TestIDOR: every id a portal user can send reaches only what they may
// see, and answers a hidden ticket exactly like a missing one; the admin
// API's ids need the admin token, never an identity token.
func TestIDOR(t *testing.T) {
	f := newFixture(t)
	ann, ben := f.identity(t, "ann-ext"), f.identity(t, "ben-ext")
	missing := f.portal(t, "/api/tickets/no-such-ticket", ann)
	if missing.status != http.StatusNotFound {
		t.Fatalf("missing ticket: %d", missing.status)
	}
	for _, c := range []struct {
		token, id string
	}{
		{ben, "t1"}, {ben, "101"}, // Ann's ticket, by id and by number, to restricted Ben
		{ann, "t3"}, {ann, "103"}, // another company's
		{ann, "t4"}, {ann, "104"}, // Ann's own, not shared
		{ann, "t5"}, {ann, "105"}, // a Back-office ticket
		{ann, "t3' OR '1'='1"}, {ann, "t1%00"}, {ann, "%74%33"}, {ann, "..%2ft3"}, {ann, "*"}, {ann, "%25"},
	} {
		r := f.portal(t, "/api/tickets/"+c.id, c.token)
		if r.status != http.StatusNotFound || string(r.body) != string(missing.body) {
			t.Errorf("ticket %q: %d %s; want the 404 of a missing ticket", c.id, r.status, r.body)
		}
	}
	// Parts: Ann's own ticket never shows its note.
	if r := f.portal(t, "/api/tickets/t1", ann); r.status != 200 || strings.Contains(string(r.body), "secret internal") {
		t.Fatalf("Ann's ticket: %d %s", r.status, r.body)
	}
	// The admin API's ids: an identity token, a session or the admin token
	// of another server are all 401.
	other := sign(t, jwt.SigningMethodHS256, []byte(f.token), jwt.MapClaims{"user_id": "ann-ext", "exp": f.now.Add(time.Hour).Unix()})
	for _, path := range []string{"/api/v1/settings/versions/1", "/api/v1/settings/versions", "/api/v1/snapshot", "/api/v1/settings"} {
		for _, tok := range []string{ann, other, "", f.token + "x"} {
			r := do(t, "GET", f.url+path, nil, "Authorization", "Bearer "+tok)
			if r.status != http.StatusUnauthorized {
				t.Errorf("GET %s with a non-admin token: %d", path, r.status)
			}
		}
	}
	for _, n := range []string{"0", "-1", "2", "1%20OR%201=1", "99999999999999999999", "1e3", "%2e%2e"} {
		r := f.admin(t, "GET", "/api/v1/settings/versions/"+n, "")
		if r.status != http.StatusNotFound && r.status != http.StatusBadRequest {
			t.Errorf("version %q: %d %s", n, r.status, r.body)
		}
		r = f.admin(t, "POST", "/api/v1/settings/versions/"+n+"/restore", "")
		if r.status >= 500 || r.status == 200 {
			t.Errorf("restore %q: %d %s", n, r.status, r.body)
		}
	}
	// Token confusion: the admin token as an identity token, an identity
	// token signed with the admin token as the key.
	for _, tok := range []string{f.token, other} {
		if r := f.portal(t, "/api/tickets", tok); r.status != http.StatusUnauthorized {
			t.Errorf("portal with a wrong kind of token: %d", r.status)
		}
	}
}

// TestOversized: bodies, tokens, queries and headers past their limits
// are refused with a 4xx and a JSON error, never a 500, and change nothing.
func TestOversized(t *testing.T) {
	f := newFixture(t)
	before := counts(t, f)
	big := strings.Repeat("a", 2<<20)
	if r := f.admin(t, "PUT", "/api/v1/settings", `{"preview_column": false, "x": "`+big+`"}`, "If-Match", "*"); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB settings: %d", r.status)
	}
	r := do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(`{"token": "`+strings.Repeat("a", 100<<10)+`"}`), "Content-Type", "application/json")
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KiB session body: %d %s", r.status, r.body)
	}
	r = do(t, "POST", f.url+"/portal/acme/session", strings.NewReader("token="+strings.Repeat("a", 100<<10)), "Content-Type", "application/x-www-form-urlencoded", "Origin", f.url)
	if r.status < 400 || r.status >= 500 {
		t.Errorf("100 KiB session form: %d %s", r.status, r.body)
	}
	if r := f.portal(t, "/api/tickets", strings.Repeat("a", 9<<10)); r.status != http.StatusUnauthorized {
		t.Errorf("9 KiB token: %d", r.status)
	}
	ann := f.identity(t, "ann-ext")
	if r := f.portal(t, "/api/tickets?q="+strings.Repeat("invoice+", 8000), ann); r.status != 200 {
		t.Errorf("a 64 KB query: %d %s", r.status, r.body)
	}
	if r := f.portal(t, "/api/tickets?cursor="+strings.Repeat("A", 50000), ann); r.status != http.StatusBadRequest {
		t.Errorf("a 50 KB cursor: %d %s", r.status, r.body)
	}
	r = do(t, "GET", f.url+"/portal/acme/api/tickets", nil, "Authorization", "Bearer "+ann, "X-Big", strings.Repeat("b", 2<<20))
	if r.status != http.StatusRequestHeaderFieldsTooLarge && r.status != http.StatusBadRequest {
		t.Errorf("a 2 MiB header: %d", r.status)
	}
	if after := counts(t, f); after != before {
		t.Fatalf("the data changed: %+v, want %+v", after, before)
	}
}

func jsonStr(s string) string {
	return `"` + jsonEsc(s) + `"`
}

func jsonEsc(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\x00", `\u0000`)
	return r.Replace(s)
}
