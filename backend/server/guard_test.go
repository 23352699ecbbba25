package server_test

// Attacks on the portal through the browser: cross-site session requests
// (login CSRF), DNS rebinding (a foreign Host), missing security headers,
// and unbounded sign-in and search attempts.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"portalstudio/backend/server"
)

const evil = "http://evil.example"

// sessionPost posts a sign-in to the fixture, as JSON or as a form.
func sessionPost(t *testing.T, f *fixture, form bool, headers ...string) response {
	t.Helper()
	tok := f.identity(t, "ann-ext")
	if form {
		body := url.Values{"token": {tok}}.Encode()
		return do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(body), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
	}
	return do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": tok}), append([]string{"Content-Type", "application/json"}, headers...)...)
}

func TestCrossSiteSession(t *testing.T) {
	f := newFixture(t)
	refused := func(t *testing.T, r response) {
		t.Helper()
		if r.status != http.StatusForbidden || len(r.header.Values("Set-Cookie")) != 0 {
			t.Fatalf("%d %v %s; want 403 and no cookie", r.status, r.header.Values("Set-Cookie"), r.body)
		}
		r.errorCode(t)
	}
	t.Run("FormFromEvil", func(t *testing.T) { refused(t, sessionPost(t, f, true, "Origin", evil)) })
	t.Run("JSONFromEvil", func(t *testing.T) { refused(t, sessionPost(t, f, false, "Origin", evil)) })
	t.Run("NullOrigin", func(t *testing.T) { refused(t, sessionPost(t, f, true, "Origin", "null")) })
	t.Run("OtherPortOfLoopback", func(t *testing.T) {
		u, _ := url.Parse(f.url)
		refused(t, sessionPost(t, f, false, "Origin", "http://127.0.0.1:1"))
		refused(t, sessionPost(t, f, false, "Origin", "https://"+u.Host))
	})
	t.Run("CrossSiteFetchMetadata", func(t *testing.T) {
		refused(t, sessionPost(t, f, false, "Sec-Fetch-Site", "cross-site"))
		refused(t, sessionPost(t, f, false, "Sec-Fetch-Site", "same-site"))
	})
	t.Run("FormWithoutOrigin", func(t *testing.T) { refused(t, sessionPost(t, f, true)) })
	t.Run("LogoutFromEvil", func(t *testing.T) {
		refused(t, do(t, "DELETE", f.url+"/portal/acme/session", nil, "Origin", evil))
	})
	// The portal's own pages, at the server's address or its base URL.
	for name, h := range map[string][]string{
		"OwnHost":          {"Origin", f.url},
		"BaseURL":          {"Origin", "http://portal.test"},
		"SameOriginFetch":  {"Sec-Fetch-Site", "same-origin"},
		"NoBrowserHeaders": nil,
	} {
		t.Run(name, func(t *testing.T) {
			if r := sessionPost(t, f, false, h...); r.status != 200 || len(r.header.Values("Set-Cookie")) != 1 {
				t.Fatalf("JSON: %d %s", r.status, r.body)
			}
			if h != nil && h[0] == "Origin" {
				if r := sessionPost(t, f, true, h...); r.status != http.StatusSeeOther || len(r.header.Values("Set-Cookie")) != 1 {
					t.Fatalf("form: %d %s", r.status, r.body)
				}
			}
			if r := do(t, "DELETE", f.url+"/portal/acme/session", nil, h...); r.status != http.StatusNoContent {
				t.Fatalf("logout: %d %s", r.status, r.body)
			}
		})
	}
	t.Run("BearerWithoutBody", func(t *testing.T) {
		r := do(t, "POST", f.url+"/portal/acme/session", nil, "Authorization", "Bearer "+f.identity(t, "ann-ext"))
		if r.status != 200 || len(r.header.Values("Set-Cookie")) != 1 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

// TestSessionNeedsJSON: a body a cross-site page can send without a
// preflight (text/plain) is not read as JSON.
func TestSessionNeedsJSON(t *testing.T) {
	f := newFixture(t)
	body := `{"token": "` + f.identity(t, "ann-ext") + `"}`
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", ""} {
		r := do(t, "POST", f.url+"/portal/acme/session", strings.NewReader(body), "Content-Type", ct)
		if r.status != http.StatusUnsupportedMediaType || len(r.header.Values("Set-Cookie")) != 0 || !strings.Contains(string(r.body), "application/json") {
			t.Fatalf("Content-Type %q: %d %v %s; want 415 saying to send JSON", ct, r.status, r.header.Values("Set-Cookie"), r.body)
		}
	}
}

// hostRequest sends a request to the fixture naming another Host.
func hostRequest(t *testing.T, f *fixture, method, path, host string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestForeignHost: a DNS-rebinding page reaches the server under its own
// host name; the server answers only at its own.
func TestForeignHost(t *testing.T) {
	f := newFixture(t)
	ann := f.identity(t, "ann-ext")
	u, _ := url.Parse(f.url)
	port := u.Port()
	for _, c := range []struct{ method, path, token string }{
		{"GET", "/portal/acme/api/tickets", ann},
		{"GET", "/portal/acme/api/help-center", ""},
		{"GET", "/api/v1/settings", f.token},
		{"GET", "/api/v1/workspace", f.token},
		{"GET", "/nothing-here", ""},
	} {
		for _, host := range []string{"evil.example", "evil.example:" + port, "portal.test.evil.example", "10.0.0.1"} {
			r := hostRequest(t, f, c.method, c.path, host, "Authorization", "Bearer "+c.token)
			if r.status != http.StatusMisdirectedRequest || r.errorCode(t) != "misdirected_request" || strings.Contains(string(r.body), "Ticket") {
				t.Fatalf("%s %s with Host %s: %d %s; want 421", c.method, c.path, host, r.status, r.body)
			}
		}
		// The server's own names: its base URL's host, loopback.
		for _, host := range []string{"portal.test", "PORTAL.test:8443", "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port} {
			if r := hostRequest(t, f, c.method, c.path, host, "Authorization", "Bearer "+c.token); r.status == http.StatusMisdirectedRequest {
				t.Fatalf("%s %s with Host %s (the server's own): %d %s", c.method, c.path, host, r.status, r.body)
			}
		}
	}
	t.Run("AllowedHosts", func(t *testing.T) {
		g := newFixture(t, func(c *server.Config) { c.AllowedHosts = []string{"help.example.com"} })
		if r := hostRequest(t, g, "GET", "/portal/acme/api/help-center", "help.example.com"); r.status == http.StatusMisdirectedRequest {
			t.Fatalf("an allowed host: %d", r.status)
		}
		if r := hostRequest(t, g, "GET", "/portal/acme/api/help-center", "portal.test"); r.status != http.StatusMisdirectedRequest {
			t.Fatalf("the base URL's host, when AllowedHosts names others: %d", r.status)
		}
	})
}

// webDir is the UI's web folder of the worktree (app.wasm), when built.
func webDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "app", "web")
	if _, err := os.Stat(filepath.Join(dir, "app.wasm")); err != nil {
		t.Skip("app/web/app.wasm is not built (make wasm)")
	}
	return dir
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Web = os.DirFS(webDir(t)) })
	ann := f.identity(t, "ann-ext")
	answers := map[string]response{
		"list":      f.portal(t, "/api/tickets", ann),
		"missing":   f.portal(t, "/api/tickets/nope", ann),
		"401":       f.portal(t, "/api/tickets", ""),
		"admin":     f.admin(t, "GET", "/api/v1/settings", ""),
		"workspace": f.admin(t, "GET", "/api/v1/workspace", ""),
		"404":       do(t, "GET", f.url+"/nothing", nil),
		"page":      do(t, "GET", f.url+"/portal/acme/", nil),
		"script":    do(t, "GET", f.url+"/app.js", nil),
	}
	for name, r := range answers {
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): no X-Content-Type-Options: nosniff", name, r.status)
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s (%d): Content-Security-Policy %q", name, r.status, r.header.Get("Content-Security-Policy"))
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain http with an http base URL", name)
		}
	}
	page := answers["page"]
	if page.status != 200 || !strings.Contains(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("the portal page: %d %v", page.status, page.header)
	}
	csp := page.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the page's policy %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("the page's policy allows inline code: %q", csp)
	}
	if json := answers["list"].header.Get("Content-Security-Policy"); !strings.Contains(json, "default-src 'none'") {
		t.Errorf("a JSON answer's policy: %q", json)
	}

	t.Run("HSTS", func(t *testing.T) {
		g := newFixture(t, func(c *server.Config) { c.BaseURL = "https://portal.test" })
		for _, r := range []response{g.portal(t, "/api/tickets", g.identity(t, "ann-ext")), g.admin(t, "GET", "/api/v1/settings", ""), do(t, "GET", g.url+"/x", nil)} {
			if h := r.header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
				t.Fatalf("%d: Strict-Transport-Security %q behind an https base URL", r.status, h)
			}
		}
	})
}

func TestSignInRateLimit(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.RateLimits = server.DefaultRateLimits })
	// A password-spraying client: forged tokens, as fast as it can.
	var last response
	for i := 0; i < 11; i++ {
		last = do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": "forged." + strconv.Itoa(i) + ".x"}), "Content-Type", "application/json")
		if i < 10 && last.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s; want 401", i+1, last.status, last.body)
		}
	}
	if last.status != http.StatusTooManyRequests || last.errorCode(t) != "too_many_requests" {
		t.Fatalf("the 11th attempt: %d %s; want 429", last.status, last.body)
	}
	if s, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", last.header.Get("Retry-After"))
	}
	// Even a valid token waits: the limit is on attempts.
	if r := sessionPost(t, f, false); r.status != http.StatusTooManyRequests || len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("a valid sign-in over the limit: %d", r.status)
	}
	// Reading is not limited.
	if r := f.portal(t, "/api/tickets", f.identity(t, "ann-ext")); r.status != 200 {
		t.Fatalf("a list after the sign-in limit: %d", r.status)
	}
}

func TestSearchRateLimit(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.RateLimits = server.DefaultRateLimits })
	ann := f.identity(t, "ann-ext")
	limited := false
	for i := 0; i < 100 && !limited; i++ {
		r := f.portal(t, "/api/tickets?q=invoice"+strconv.Itoa(i), ann)
		switch r.status {
		case 200:
		case http.StatusTooManyRequests:
			limited = r.header.Get("Retry-After") != "" && r.errorCode(t) == "too_many_requests"
			if i < 20 {
				t.Fatalf("limited after %d searches, within the burst of 20", i)
			}
		default:
			t.Fatalf("search %d: %d %s", i, r.status, r.body)
		}
	}
	if !limited {
		t.Fatal("100 searches in a row were never limited")
	}
	// Lists without a search are not counted.
	for i := 0; i < 30; i++ {
		if r := f.portal(t, "/api/tickets?tab=all", ann); r.status != 200 {
			t.Fatalf("list %d: %d %s", i, r.status, r.body)
		}
	}
}

// TestNoRateLimitsByDefault: a Config without RateLimits limits nothing
// (the load tests hammer the server from one address).
func TestNoRateLimitsByDefault(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 30; i++ {
		if r := do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": "x"}), "Content-Type", "application/json"); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
}

// TestSessionCheck: a sign-in link is confirmed before it signs anyone in.
// POST /session/check says whom a token would sign in and makes no
// session; it takes the same same-origin and rate-limit guards as signing
// in, and refuses what signing in refuses.
func TestSessionCheck(t *testing.T) {
	f := newFixture(t)
	check := func(tok string, headers ...string) response {
		return do(t, "POST", f.url+"/portal/acme/session/check", jsonBody(map[string]string{"token": tok}), append([]string{"Content-Type", "application/json"}, headers...)...)
	}
	r := check(f.identity(t, "ann-ext"), "Origin", f.url)
	if r.status != http.StatusOK || len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("%d %v %s; want 200 and no cookie", r.status, r.header.Values("Set-Cookie"), r.body)
	}
	var who struct {
		User struct{ Email, Name string } `json:"user"`
	}
	if err := json.Unmarshal([]byte(r.body), &who); err != nil || who.User.Email != "ann@examply.com" || who.User.Name != "Ann" {
		t.Fatalf("check answered %s; want Ann", r.body)
	}
	if r := check(f.identity(t, "ann-ext"), "Origin", evil); r.status != http.StatusForbidden {
		t.Fatalf("a check from another site: %d %s; want 403", r.status, r.body)
	}
	if r := check("not.a.token", "Origin", f.url); r.status != http.StatusUnauthorized {
		t.Fatalf("a forged token: %d %s; want 401", r.status, r.body)
	}
}
