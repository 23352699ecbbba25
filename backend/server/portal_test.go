package server_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"portalstudio/internal/testkit"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
)

// rawToken builds a JWT by hand: header and claims as given, any
// signature.
func rawToken(header, claims string, sig []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims)) + "." + enc.EncodeToString(sig)
}

func TestIdentityTokens(t *testing.T) {
	f := newFixture(t)
	exp := now.Add(time.Hour).Unix()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := []struct{ name, token, user string }{
		{"UserID", f.identity(t, "ann-ext"), "ann@examply.com"},
		{"NumericUserID", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": 42, "exp": exp}), "cat@globex.io"},
		{"Email", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"email": "BEN@examply.com", "exp": exp}), "ben@examply.com"},
	}
	for _, c := range valid {
		t.Run(c.name, func(t *testing.T) {
			r := f.portal(t, "/api/tickets?tab=mine", c.token)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if got := r.json(t)["user"].(map[string]any)["email"]; got != c.user {
				t.Fatalf("signed in as %v, want %s", got, c.user)
			}
		})
	}
	forged := f.identity(t, "ann-ext")
	forged = forged[:len(forged)-4] + "AAAA"
	otherClaims := rawToken(`{"alg":"HS256","typ":"JWT"}`, `{"user_id":"ben-ext","exp":`+jsonNum(exp)+`}`, nil)
	annSig := strings.Split(f.identity(t, "ann-ext"), ".")[2]
	swapped := strings.Join(strings.Split(otherClaims, ".")[:2], ".") + "." + annSig
	invalid := []struct{ name, token string }{
		{"Forged", forged},
		{"ClaimsSwapped", swapped},
		{"Expired", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(-time.Minute).Unix()})},
		// A minute of clock skew is tolerated, no more.
		{"ExpiredBeyondSkew", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(-time.Minute - time.Second).Unix()})},
		{"WrongSecret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-enough-length!!"), jwt.MapClaims{"user_id": "ann-ext", "exp": exp})},
		{"AlgNone", rawToken(`{"alg":"none","typ":"JWT"}`, `{"user_id":"ann-ext","exp":`+jsonNum(exp)+`}`, nil)},
		{"AlgNoneLibrary", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"user_id": "ann-ext", "exp": exp})},
		{"HS512", sign(t, jwt.SigningMethodHS512, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": exp})},
		{"HS384", sign(t, jwt.SigningMethodHS384, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": exp})},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, jwt.MapClaims{"user_id": "ann-ext", "exp": exp})},
		{"RS256HeaderHMACSignature", rawToken(`{"alg":"RS256","typ":"JWT"}`, `{"user_id":"ann-ext","exp":`+jsonNum(exp)+`}`, []byte("sig"))},
		{"NoExp", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext"})},
		{"NoUser", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"exp": exp})},
		{"EmptyClaims", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "", "email": " ", "exp": exp})},
		{"UnknownUser", f.identity(t, "nobody")},
		{"UnknownEmail", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"email": "nobody@examply.com", "exp": exp})},
		{"AmbiguousEmail", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"email": "shared@examply.com", "exp": exp})},
		{"UserIDNotString", sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": map[string]any{"a": 1}, "exp": exp})},
		{"Garbage", "not.a.jwt"},
		{"Huge", strings.Repeat("a", 10000)},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/api/tickets", "/api/tickets/t1"} {
				r := f.portal(t, path, c.token)
				if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
					t.Fatalf("GET %s: %d %s; want 401", path, r.status, r.body)
				}
			}
			r := do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": c.token}), "Content-Type", "application/json")
			if r.status != http.StatusUnauthorized || len(r.header.Values("Set-Cookie")) != 0 {
				t.Fatalf("session: %d %v %s; want 401 and no cookie", r.status, r.header.Values("Set-Cookie"), r.body)
			}
		})
	}
	// An email several contacts share is refused like an unknown one:
	// the reason is in the server's log, not in the answer.
	t.Run("AmbiguousSaysNotWhich", func(t *testing.T) {
		r := f.portal(t, "/api/tickets", invalid[16].token)
		unknown := f.portal(t, "/api/tickets", invalid[15].token)
		if strings.Contains(string(r.body), "ambiguous") || strings.Contains(string(r.body), "more than one") || string(r.body) != string(unknown.body) {
			t.Fatalf("ambiguous: %s\nunknown: %s", r.body, unknown.body)
		}
	})
	t.Run("NoToken", func(t *testing.T) {
		r := f.portal(t, "/api/tickets", "")
		if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func jsonNum(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSessionCookie(t *testing.T) {
	f := newFixture(t)
	start := func(t *testing.T, f *fixture, token string) *http.Cookie {
		t.Helper()
		r := do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": token}), "Content-Type", "application/json")
		if r.status != 200 {
			t.Fatalf("session: %d %s", r.status, r.body)
		}
		resp := http.Response{Header: r.header}
		cs := resp.Cookies()
		if len(cs) != 1 {
			t.Fatalf("cookies %v", r.header.Values("Set-Cookie"))
		}
		return cs[0]
	}
	withCookie := func(t *testing.T, path string, c *http.Cookie) response {
		t.Helper()
		return do(t, "GET", f.url+"/portal/acme"+path, nil, "Cookie", c.Name+"="+c.Value)
	}
	c := start(t, f, f.identity(t, "ann-ext"))
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/portal/acme/" {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http, Path /portal/acme/", c)
	}
	// The session lives as long as the token (1 h here), at most 12 h.
	if c.MaxAge != 3600 {
		t.Fatalf("MaxAge %d, want 3600 (the token's exp)", c.MaxAge)
	}
	long := sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(20 * time.Hour).Unix()})
	if lc := start(t, f, long); lc.MaxAge != 12*3600 {
		t.Fatalf("a 20-hour token's session: MaxAge %d, want 12 h", lc.MaxAge)
	}
	if r := withCookie(t, "/api/tickets", c); r.status != 200 || r.json(t)["user"].(map[string]any)["email"] != "ann@examply.com" {
		t.Fatalf("with the cookie: %d %s", r.status, r.body)
	}
	if r := withCookie(t, "/api/tickets/t1", c); r.status != 200 {
		t.Fatalf("ticket with the cookie: %d %s", r.status, r.body)
	}
	// v2.<generation>.<session id>.<user id>.<expiry>.<mac>
	parts := strings.Split(c.Value, ".")
	if len(parts) != 6 {
		t.Fatalf("cookie %q: want 6 parts", c.Value)
	}
	ben := base64.RawURLEncoding.EncodeToString([]byte("u2"))
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, ".")
	}
	for name, v := range map[string]string{
		"OtherUser":       with(3, ben),
		"LaterExpiry":     with(4, "99999999999"),
		"OtherGeneration": with(1, "2"),
		"OtherSessionID":  with(2, strings.Repeat("A", len(parts[2]))),
		"BadMAC":          with(5, strings.Repeat("A", len(parts[5]))),
		"NoMAC":           strings.Join(parts[:5], "."),
		"OtherVersion":    with(0, "v1"),
		"Garbage":         "garbage",
	} {
		t.Run("Tampered"+name, func(t *testing.T) {
			r := withCookie(t, "/api/tickets", &http.Cookie{Name: c.Name, Value: v})
			if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	t.Run("OtherServerKey", func(t *testing.T) {
		g := newFixture(t)
		if r := do(t, "GET", g.url+"/portal/acme/api/tickets", nil, "Cookie", c.Name+"="+c.Value); r.status != http.StatusUnauthorized {
			t.Fatalf("another server's session: %d %s", r.status, r.body)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		later := newFixture(t)
		lc := start(t, later, later.identity(t, "ann-ext"))
		// The same workspace and key, an hour and a second later.
		g, err := server.New(server.Config{Store: later.ws, Audiences: testkit.ServerAudiences(t, later.ws), IdentitySecret: later.secret, Slug: "acme",
			Now: func() time.Time { return now.Add(time.Hour + time.Second) }})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", "/portal/acme/api/tickets", nil)
		req.AddCookie(lc)
		rec := newRecorder()
		g.Handler().ServeHTTP(rec, req)
		if rec.status != http.StatusUnauthorized || !strings.Contains(rec.body.String(), "expired") {
			t.Fatalf("an expired session: %d %s", rec.status, rec.body.String())
		}
	})
	t.Run("Form", func(t *testing.T) {
		form := url.Values{"token": {f.identity(t, "ann-ext")}}
		// A form post comes from the portal's own page (its Origin).
		r := do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Origin", f.url)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/portal/acme/" || len(r.header.Values("Set-Cookie")) != 1 {
			t.Fatalf("form post: %d %v", r.status, r.header)
		}
	})
	t.Run("BadBody", func(t *testing.T) {
		for _, body := range []string{"", "{", `{"token": 5}`, `{"other": "x"}`} {
			r := do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(body), "Content-Type", "application/json")
			if r.status != 400 && r.status != 401 {
				t.Fatalf("body %q: %d %s", body, r.status, r.body)
			}
			r.errorCode(t)
		}
	})
	t.Run("SecureOverHTTPS", func(t *testing.T) {
		g := newFixture(t, func(c *server.Config) { c.BaseURL = "https://portal.example.com" })
		if c := start(t, g, g.identity(t, "ann-ext")); !c.Secure {
			t.Fatalf("cookie %+v is not Secure behind an https base URL", c)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		r := do(t, "DELETE", f.url+"/portal/acme/session", nil)
		if r.status != http.StatusNoContent || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %d %v", r.status, r.header)
		}
	})
}

// recorder is a minimal http.ResponseWriter for calling a handler
// directly.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// list is a ticket list as the portal API answers it.
type list struct {
	Access     bool
	Restricted bool
	Tabs       []string
	Tab        string
	Tickets    []struct {
		ID       string
		TicketID string `json:"ticket_id"`
		Title    string
		State    string
		Preview  *struct{ Snippet, Author, Ago string }
	}
	Total int
	Next  string
}

func (l list) ids() string {
	var ids []string
	for _, t := range l.Tickets {
		ids = append(ids, t.ID)
	}
	return strings.Join(ids, ",")
}

func getList(t *testing.T, f *fixture, token, query string) list {
	t.Helper()
	r := f.portal(t, "/api/tickets"+query, token)
	if r.status != 200 {
		t.Fatalf("GET tickets%s: %d %s", query, r.status, r.body)
	}
	for _, leak := range []string{"decision", "access_reason", "restricted_reason", "trace", "user.role"} {
		if strings.Contains(string(r.body), leak) {
			t.Fatalf("the list shows %q to a customer: %s", leak, r.body)
		}
	}
	var l list
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPortalEnforcement(t *testing.T) {
	f := newFixture(t)
	ann, ben, cat, dan := f.identity(t, "ann-ext"), f.identity(t, "ben-ext"), f.identity(t, "42"), f.identity(t, "dan-ext")

	t.Run("Unrestricted", func(t *testing.T) {
		l := getList(t, f, ann, "")
		if !l.Access || l.Restricted || strings.Join(l.Tabs, ",") != "all,mine" || l.Tab != "all" || l.ids() != "t1,t2" || l.Total != 2 {
			t.Fatalf("Ann's default list %+v", l)
		}
		if l := getList(t, f, ann, "?tab=mine"); l.ids() != "t1" || l.Total != 1 {
			t.Fatalf("Ann's mine %+v", l)
		}
		if l := getList(t, f, cat, "?tab=all"); l.ids() != "t3" {
			t.Fatalf("Cat's all %+v", l)
		}
	})
	t.Run("Restricted", func(t *testing.T) {
		l := getList(t, f, ben, "")
		if !l.Access || !l.Restricted || strings.Join(l.Tabs, ",") != "mine" || l.Tab != "mine" || l.ids() != "t2" {
			t.Fatalf("Ben's default list %+v", l)
		}
		r := f.portal(t, "/api/tickets?tab=all", ben)
		if r.status != http.StatusForbidden || r.errorCode(t) != "forbidden" {
			t.Fatalf("Ben asking for tab=all: %d %s", r.status, r.body)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		p1 := getList(t, f, ann, "?limit=1")
		if p1.ids() != "t1" || p1.Next == "" || p1.Total != 2 {
			t.Fatalf("page 1 %+v", p1)
		}
		p2 := getList(t, f, ann, "?limit=1&cursor="+url.QueryEscape(p1.Next))
		if p2.ids() != "t2" || p2.Next != "" {
			t.Fatalf("page 2 %+v", p2)
		}
	})
	t.Run("Search", func(t *testing.T) {
		l := getList(t, f, ann, "?q=invoice+exp")
		if l.ids() != "t1" || l.Tickets[0].Preview == nil || !strings.Contains(l.Tickets[0].Preview.Snippet, "<mark>") || l.Tickets[0].Preview.Author != "Ann" {
			t.Fatalf("search %+v", l)
		}
		// Notes are never searched.
		if l := getList(t, f, ann, "?q=secret"); len(l.Tickets) != 0 || l.Total != 0 {
			t.Fatalf("a search found a note: %+v", l)
		}
		// Ben is restricted: Ann's ticket is not his to find.
		if l := getList(t, f, ben, "?q=invoice"); len(l.Tickets) != 0 {
			t.Fatalf("Ben found %+v", l)
		}
	})
	t.Run("Ticket", func(t *testing.T) {
		for _, id := range []string{"t1", "101"} {
			r := f.portal(t, "/api/tickets/"+id, ann)
			if r.status != 200 {
				t.Fatalf("Ann's ticket %s: %d %s", id, r.status, r.body)
			}
			if strings.Contains(string(r.body), "secret internal") || strings.Contains(string(r.body), `"note"`) {
				t.Fatalf("a note shows: %s", r.body)
			}
			var d struct {
				State string
				Parts []struct{ Body string }
			}
			json.Unmarshal(r.body, &d)
			if d.State != "Working on it" || len(d.Parts) != 1 || !strings.Contains(d.Parts[0].Body, "Hello") {
				t.Fatalf("ticket %s", r.body)
			}
		}
	})
	t.Run("NoExistenceLeak", func(t *testing.T) {
		missing := f.portal(t, "/api/tickets/nope", ann)
		if missing.status != 404 {
			t.Fatalf("missing ticket: %d %s", missing.status, missing.body)
		}
		for _, c := range []struct{ who, token, id string }{
			{"Ann, another company's ticket", ann, "t3"},
			{"Ann, another company's ticket by number", ann, "103"},
			{"Ann, an unshared ticket", ann, "t4"},
			{"Ann, a Back-office ticket", ann, "t5"},
			{"Ben, a company ticket he did not create", ben, "t1"},
			{"Cat, another company's ticket", cat, "t1"},
		} {
			r := f.portal(t, "/api/tickets/"+c.id, c.token)
			if r.status != 404 || !bytes.Equal(r.body, missing.body) {
				t.Errorf("%s: %d %s; want exactly the answer of a missing ticket: %s", c.who, r.status, r.body, missing.body)
			}
		}
	})
	t.Run("NoAccess", func(t *testing.T) {
		for _, path := range []string{"/api/tickets", "/api/tickets/t1", "/api/tickets/nope"} {
			r := f.portal(t, path, dan)
			if r.status != http.StatusForbidden || r.errorCode(t) != "forbidden" || strings.Contains(string(r.body), "blocked") {
				t.Fatalf("Dan %s: %d %s; want 403 that does not show the rule", path, r.status, r.body)
			}
		}
	})
	t.Run("BadQuery", func(t *testing.T) {
		for _, q := range []string{"?limit=abc", "?limit=0", "?limit=101", "?limit=-3", "?tab=everything", "?cursor=%%%", "?cursor=bm9wZQ", "?q=x&cursor=zz"} {
			r := f.portal(t, "/api/tickets"+q, ann)
			if r.status != 400 || r.errorCode(t) != "invalid" {
				t.Errorf("%s: %d %s; want 400", q, r.status, r.body)
			}
		}
	})
	t.Run("UnknownSlug", func(t *testing.T) {
		r := do(t, "GET", f.url+"/portal/other/api/tickets", nil, "Authorization", "Bearer "+ann)
		if r.status != 404 || r.errorCode(t) != "not_found" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		f.putLive(t, strings.Replace(liveDoc, `"enabled": true`, `"enabled": false`, 1))
		for _, path := range []string{"/api/tickets", "/api/tickets/t1"} {
			r := f.portal(t, path, ann)
			if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "turned off") {
				t.Fatalf("%s with the portal off: %d %s", path, r.status, r.body)
			}
		}
		f.putLive(t, liveDoc)
		if l := getList(t, f, ann, ""); l.ids() != "t1,t2" {
			t.Fatalf("back on: %+v", l)
		}
	})
	t.Run("LiveNotDraft", func(t *testing.T) {
		// The server reads the live settings, never the draft.
		if _, err := f.ws.ApplyDraft(t.Context(), []byte(strings.Replace(liveDoc, `"value": "blocked"`, `"value": "examply"`, 1))); err != nil {
			t.Fatal(err)
		}
		if l := getList(t, f, ann, ""); l.ids() != "t1,t2" {
			t.Fatalf("a draft changed the portal: %+v", l)
		}
	})
}

// TestMessengerTickets checks the Messenger's tickets space against an
// oracle built from the dataset: a signed-in user gets exactly the shared
// Customer tickets they created, newest first, whatever the portal's
// access rule and visibility say (they do not apply to the Messenger) and
// even with the portal off; nobody gets any while the tickets space is
// off; a request without credentials gets none; forged ones get 401.
func TestMessengerTickets(t *testing.T) {
	f := newFixture(t)
	// Dan has no portal access (his email contains "blocked"): he still
	// sees his own ticket in the Messenger.
	recs := dataset()
	extra := portal.Record{Ticket: &portal.Ticket{ID: "t6", TicketID: "106", Title: "Dan's", Category: portal.CategoryCustomer, IsShared: true,
		ContactIDs: []string{"u4"}, CompanyID: "c1", StateLabel: "Submitted", TypeID: "ty", CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)}}
	importRecords(t, f.ws, []portal.Record{extra})
	recs = append(recs, extra)
	own := func(userID string) string {
		var ts []*portal.Ticket
		for _, r := range recs {
			if r.Ticket != nil && r.Ticket.PortalEligible() && r.Ticket.CreatorID() == userID {
				ts = append(ts, r.Ticket)
			}
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].UpdatedAt.After(ts[j].UpdatedAt) })
		var ids []string
		for _, tk := range ts {
			ids = append(ids, tk.ID)
		}
		return strings.Join(ids, ",")
	}
	type page struct {
		TicketsSpace bool   `json:"tickets_space"`
		PortalURL    string `json:"portal_url"`
		SignedIn     bool   `json:"signed_in"`
		User         *struct{ Email string }
		Tickets      []struct{ ID, Title, State string }
		Total        int
	}
	get := func(t *testing.T, token string) page {
		t.Helper()
		r := f.portal(t, "/api/messenger", token)
		if r.status != 200 {
			t.Fatalf("GET api/messenger: %d %s", r.status, r.body)
		}
		var p page
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ids := func(p page) string {
		var out []string
		for _, tk := range p.Tickets {
			out = append(out, tk.ID)
		}
		return strings.Join(out, ",")
	}
	users := map[string]string{"u1": "ann-ext", "u2": "ben-ext", "u3": "42", "u4": "dan-ext"}
	for _, doc := range []string{
		`{"portal": {"enabled": true}, "identity_verification": true, "messenger": {"tickets_space": true},
		  "access": {"rule": {"all": [{"attribute": "user.email", "operator": "not_contains", "value": "blocked"}]}},
		  "visibility": {"restrict_to_own": true}}`,
		`{"portal": {"enabled": false}, "identity_verification": true, "messenger": {"tickets_space": true}}`,
	} {
		f.putLive(t, doc)
		for id, ext := range users {
			p := get(t, f.identity(t, ext))
			if !p.TicketsSpace || !p.SignedIn || p.User == nil || ids(p) != own(id) || p.Total != len(p.Tickets) {
				t.Fatalf("%s's Messenger under %s: %+v, want tickets %q", id, doc, p, own(id))
			}
		}
		if p := get(t, ""); p.SignedIn || len(p.Tickets) != 0 || p.User != nil {
			t.Fatalf("the Messenger without credentials: %+v", p)
		}
	}
	if own("u1") != "t1" || own("u4") != "t6" {
		t.Fatalf("the oracle: Ann %q, Dan %q", own("u1"), own("u4"))
	}
	// The tickets space off: no tickets for anyone.
	f.putLive(t, `{"portal": {"enabled": true}, "identity_verification": true, "messenger": {"tickets_space": false}}`)
	if p := get(t, f.identity(t, "ann-ext")); p.TicketsSpace || p.SignedIn || len(p.Tickets) != 0 {
		t.Fatalf("the Messenger with its tickets space off: %+v", p)
	}
	// Forged credentials are refused, not taken for none.
	f.putLive(t, `{"portal": {"enabled": true}, "identity_verification": true, "messenger": {"tickets_space": true}}`)
	forged := sign(t, jwt.SigningMethodHS256, []byte("not the secret"), jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()})
	if r := f.portal(t, "/api/messenger", forged); r.status != http.StatusUnauthorized || strings.Contains(string(r.body), "Ticket 101") {
		t.Fatalf("a forged token: %d %s", r.status, r.body)
	}
	r := do(t, http.MethodGet, f.url+"/portal/acme/api/messenger", nil, "Cookie", "portal_session=forged")
	if r.status != http.StatusUnauthorized {
		t.Fatalf("a forged session: %d %s", r.status, r.body)
	}
}
