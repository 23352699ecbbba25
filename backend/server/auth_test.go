package server_test

// The attacks of issue 15 on identity and sessions (items 1-4 and 9),
// each written as the attack: look-alike emails, tokens of any lifetime
// or audience, sessions that outlive a rotated secret or a sign-out, and
// sessions forged with what the workspace holds.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"portalstudio/internal/testkit"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/internal/teststore"
)

// lookalikes are contacts whose addresses differ from others' only by
// the folding audience rules use.
var lookalikes = []portal.Record{
	{User: &portal.User{ID: "bob", Email: "bob.chen@examply.com", Name: "Bob", CompanyIDs: []string{"c1"}}},
	{User: &portal.User{ID: "rene", Email: "rene@examply.com", Name: "Rene plain", CompanyIDs: []string{"c1"}}},
	{User: &portal.User{ID: "rene-accent", Email: "rené@examply.com", Name: "René accent", CompanyIDs: []string{"c1"}}},
}

// signedInAs returns the email of the user the portal answers for with
// the identity token, or "" with the status when it refuses.
func signedInAs(t *testing.T, f *fixture, token string) (string, int) {
	t.Helper()
	r := f.portal(t, "/api/tickets", token)
	if r.status != http.StatusOK {
		return "", r.status
	}
	return r.json(t)["user"].(map[string]any)["email"].(string), r.status
}

// emailToken is an identity token naming its user by email, for an hour.
func (f *fixture) emailToken(t *testing.T, email string) string {
	return sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"email": email, "exp": f.now.Add(time.Hour).Unix()})
}

func TestLookalikeEmailTakeover(t *testing.T) {
	f := newFixture(t)
	importRecords(t, f.ws, append(dataset(), lookalikes...))
	for _, email := range []string{
		"böb.chen@examply.com",
		"ｂｏｂ.ｃｈｅｎ@examply.com",       // fullwidth
		"bo\u0308b.chen@examply.com", // o and a combining diaeresis
	} {
		t.Run(email, func(t *testing.T) {
			if got, status := signedInAs(t, f, f.emailToken(t, email)); status != http.StatusUnauthorized {
				t.Fatalf("the email claim %q signed in as %q (%d); want 401", email, got, status)
			}
			r := do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": f.emailToken(t, email)}), "Content-Type", "application/json")
			if r.status != http.StatusUnauthorized || len(r.header.Values("Set-Cookie")) != 0 {
				t.Fatalf("session for %q: %d %s", email, r.status, r.body)
			}
		})
	}
	for email, want := range map[string]string{
		"Bob.Chen@Examply.com": "bob.chen@examply.com", // case alone may differ
		"rene@examply.com":     "rene@examply.com",
		"René@Examply.com":     "rené@examply.com",
	} {
		if got, status := signedInAs(t, f, f.emailToken(t, email)); got != want {
			t.Errorf("the email claim %q signed in as %q (%d); want %s", email, got, status, want)
		}
	}
}

// syncBuffer is a log sink the server's goroutines can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logTo sends a fixture's log to buf.
func logTo(buf *syncBuffer) func(*server.Config) {
	return func(c *server.Config) { c.Logger = slog.New(slog.NewTextHandler(buf, nil)) }
}

func TestAmbiguousEmailLogged(t *testing.T) {
	var log syncBuffer
	f := newFixture(t, logTo(&log))
	tok := f.emailToken(t, "Shared@examply.com")
	r := f.portal(t, "/api/tickets", tok)
	if r.status != http.StatusUnauthorized || strings.Contains(string(r.body), "u5") || strings.Contains(string(r.body), "more than one") {
		t.Fatalf("an email two contacts share: %d %s; want 401 with a generic sentence", r.status, r.body)
	}
	if !strings.Contains(log.String(), "ambiguous") || !strings.Contains(log.String(), "u5, u6") || strings.Contains(log.String(), tok) {
		t.Fatalf("the log must say why (the contacts) and never hold the token:\n%s", log.String())
	}
}

func TestTokenLifetime(t *testing.T) {
	var log syncBuffer
	f := newFixture(t, logTo(&log))
	token := func(f *fixture, ahead time.Duration) string {
		return sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": f.now.Add(ahead).Unix()})
	}
	tenYears := token(f, 10*365*24*time.Hour)
	r := f.portal(t, "/api/tickets", tenYears)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "lives too long") {
		t.Fatalf("a 10-year token: %d %s; want 401", r.status, r.body)
	}
	if strings.Contains(log.String(), tenYears) || !strings.Contains(log.String(), "more than the 24h allowed") {
		t.Fatalf("the log must give the reason, never the token:\n%s", log.String())
	}
	if r := do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": tenYears}), "Content-Type", "application/json"); r.status != http.StatusUnauthorized {
		t.Fatalf("a session for a 10-year token: %d %s", r.status, r.body)
	}
	if got, status := signedInAs(t, f, token(f, 25*time.Hour)); status != http.StatusUnauthorized {
		t.Fatalf("a 25-hour token signed in as %s", got)
	}
	if got, status := signedInAs(t, f, token(f, 23*time.Hour)); got != "ann@examply.com" {
		t.Fatalf("a 23-hour token: %q %d; want Ann", got, status)
	}
	// Expired a little: within the minute of clock skew, accepted; past
	// it, "has expired".
	if got, _ := signedInAs(t, f, token(f, -30*time.Second)); got != "ann@examply.com" {
		t.Fatalf("a token expired 30 s ago (clock skew): %q", got)
	}
	if r := f.portal(t, "/api/tickets", token(f, -2*time.Minute)); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "has expired") {
		t.Fatalf("a token expired 2 minutes ago: %d %s", r.status, r.body)
	}

	short := newFixture(t, func(c *server.Config) { c.MaxTokenLifetime = time.Hour })
	if got, status := signedInAs(t, short, token(short, 2*time.Hour)); status != http.StatusUnauthorized {
		t.Fatalf("MaxTokenLifetime 1h: a 2-hour token signed in as %s", got)
	}
	if got, _ := signedInAs(t, short, token(short, 50*time.Minute)); got != "ann@examply.com" {
		t.Fatalf("MaxTokenLifetime 1h: a 50-minute token: %q", got)
	}
}

func TestTokenNotBefore(t *testing.T) {
	f := newFixture(t)
	nbf := func(d time.Duration) string {
		return sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(2 * time.Hour).Unix(), "nbf": now.Add(d).Unix()})
	}
	if r := f.portal(t, "/api/tickets", nbf(time.Hour)); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "not valid yet") {
		t.Fatalf("nbf an hour ahead: %d %s; want 401", r.status, r.body)
	}
	if got, _ := signedInAs(t, f, nbf(30*time.Second)); got != "ann@examply.com" {
		t.Fatalf("nbf 30 s ahead (clock skew): %q; want Ann", got)
	}
	if got, _ := signedInAs(t, f, nbf(-time.Hour)); got != "ann@examply.com" {
		t.Fatalf("nbf passed: %q; want Ann", got)
	}
}

func TestTokenAudience(t *testing.T) {
	f := newFixture(t)
	aud := func(a any) string {
		return sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix(), "aud": a})
	}
	for _, a := range []any{"http://portal.test/portal/acme/", "http://portal.test/portal/acme", "acme", []string{"another-portal", "acme"}} {
		if got, status := signedInAs(t, f, aud(a)); got != "ann@examply.com" {
			t.Errorf("aud %v: %d; want Ann", a, status)
		}
	}
	for _, a := range []any{"other", "http://evil.example/portal/acme/", "http://portal.test/portal/other/", "ACME", "", []string{}, []string{"other"}, 42} {
		r := f.portal(t, "/api/tickets", aud(a))
		if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
			t.Errorf("aud %#v: %d %s; want 401", a, r.status, r.body)
		}
	}
}

// startSession exchanges an identity token for a session cookie.
func startSession(t *testing.T, url, token string) *http.Cookie {
	t.Helper()
	r := do(t, "POST", url+"/portal/acme/session", jsonBody(map[string]string{"token": token}), "Content-Type", "application/json")
	if r.status != 200 {
		t.Fatalf("session: %d %s", r.status, r.body)
	}
	cs := (&http.Response{Header: r.header}).Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", r.header.Values("Set-Cookie"))
	}
	return cs[0]
}

// withSession sends a portal list request with the session cookie and
// returns the status.
func withSession(t *testing.T, url string, c *http.Cookie) int {
	t.Helper()
	return do(t, "GET", url+"/portal/acme/api/tickets", nil, "Cookie", c.Name+"="+c.Value).status
}

// restart serves the fixture's workspace again, as `serve` does after
// PrepareSecrets with opt, and returns the new server's URL.
func (f *fixture) restart(t *testing.T, opt server.SecretOptions) string {
	t.Helper()
	sec, err := server.PrepareSecrets(context.Background(), f.ws, f.dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Config{Store: f.ws, Audiences: testkit.ServerAudiences(t, f.ws), IdentitySecret: sec.IdentitySecret, Slug: "acme", BaseURL: "http://portal.test",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

func TestRotatingIdentitySecretEndsSessions(t *testing.T) {
	f := newFixture(t)
	c := startSession(t, f.url, f.identity(t, "ann-ext"))
	if status := withSession(t, f.url, c); status != 200 {
		t.Fatalf("the session: %d", status)
	}
	// A restart without flags keeps sessions.
	if status := withSession(t, f.restart(t, server.SecretOptions{}), c); status != 200 {
		t.Fatalf("the session after a plain restart: %d; want 200", status)
	}
	url := f.restart(t, server.SecretOptions{RotateIdentitySecret: true})
	if status := withSession(t, url, c); status != http.StatusUnauthorized {
		t.Fatalf("a session made before --rotate-identity-secret, after it: %d; want 401", status)
	}
	// A replica still running with the old secret refuses it too: the
	// session generation is in the workspace.
	if status := withSession(t, f.url, c); status != http.StatusUnauthorized {
		t.Fatalf("the old session on a replica not restarted: %d; want 401", status)
	}
}

// TestEndSessions is serve --end-sessions (SecretOptions.EndSessions).
func TestEndSessions(t *testing.T) {
	f := newFixture(t)
	ann := startSession(t, f.url, f.identity(t, "ann-ext"))
	ben := startSession(t, f.url, f.identity(t, "ben-ext"))
	url := f.restart(t, server.SecretOptions{EndSessions: true})
	for _, c := range []*http.Cookie{ann, ben} {
		for _, u := range []string{url, f.url} {
			if status := withSession(t, u, c); status != http.StatusUnauthorized {
				t.Fatalf("a session after --end-sessions: %d; want 401", status)
			}
		}
	}
	// Nothing was rotated: the same identity secret signs in again.
	if status := withSession(t, url, startSession(t, url, f.identity(t, "ann-ext"))); status != 200 {
		t.Fatalf("a new session: %d", status)
	}
}

func TestSignOutEndsSession(t *testing.T) {
	f := newFixture(t)
	laptop := startSession(t, f.url, f.identity(t, "ann-ext"))
	phone := startSession(t, f.url, f.identity(t, "ann-ext"))
	r := do(t, "DELETE", f.url+"/portal/acme/session", nil, "Cookie", phone.Name+"="+phone.Value)
	if r.status != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", r.status, r.body)
	}
	if status := withSession(t, f.url, phone); status != http.StatusUnauthorized {
		t.Fatalf("the same cookie after signing out: %d; want 401", status)
	}
	// Another server over the same workspace (a replica) agrees.
	if status := withSession(t, f.restart(t, server.SecretOptions{}), phone); status != http.StatusUnauthorized {
		t.Fatalf("the signed-out cookie on another replica: %d; want 401", status)
	}
	// Only that session ended.
	if status := withSession(t, f.url, laptop); status != 200 {
		t.Fatalf("the other device's session: %d; want 200", status)
	}
}

// TestSessionForgedFromWorkspace: someone who reads workspace.db (a
// backup, a copy) gets nothing that signs a valid session: every value
// the database holds is tried as the session key, both as the key of a
// cookie of the old format (which signed with a key stored there) and as
// the key of the current format.
func TestSessionForgedFromWorkspace(t *testing.T) {
	f := newFixture(t)
	valid := startSession(t, f.url, f.identity(t, "ann-ext"))
	var keys [][]byte
	for _, q := range []string{`SELECT value FROM server_secrets`, `SELECT salt FROM session_epoch`} {
		keys = append(keys, teststore.Current.Raw(t, f.ws, q)...)
	}
	if len(keys) == 0 {
		t.Fatal("read nothing from the workspace")
	}
	enc := base64.RawURLEncoding
	exp := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	mac := func(key []byte, parts ...string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(strings.Join(parts, "\x00")))
		return enc.EncodeToString(m.Sum(nil))
	}
	parts := strings.Split(valid.Value, ".")
	for i, key := range keys {
		forged := []string{
			// v1: the MAC over the slug, the user's id and the expiry.
			"v1." + enc.EncodeToString([]byte("u2")) + "." + exp + "." + mac(key, "portalstudio session v1", "acme", "u2", exp),
		}
		if len(parts) == 6 {
			// v2: the generation and a session id of a real cookie, Ben
			// for Ann.
			forged = append(forged, strings.Join([]string{"v2", parts[1], parts[2], enc.EncodeToString([]byte("u2")), exp,
				mac(key, "portalstudio session v2", "acme", parts[1], parts[2], "u2", exp)}, "."))
		}
		for _, v := range forged {
			if status := withSession(t, f.url, &http.Cookie{Name: valid.Name, Value: v}); status != http.StatusUnauthorized {
				t.Fatalf("a cookie forged with value %d of the workspace: %d; want 401\n%s", i, status, v)
			}
		}
	}
}
