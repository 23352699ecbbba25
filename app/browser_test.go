package app_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"portalstudio/app"
)

// The attacks on browser mode (issue 15, item 6), each written as the
// attacker makes it, against a real server on loopback over a real demo
// workspace.

// attackPayloads are the calls an attacker sends to rewrite the admin's
// work: a portal test and a whole new draft.
var attackPayloads = []struct{ method, body string }{
	{"AddCheck", `["at most 50% of users are restricted"]`},
	{"ApplySettings", `[{"portal": {"enabled": false}, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "equals", "value": "attacker@evil.example"}]}}}]`},
}

// startBrowser starts browser mode on loopback without visiting it;
// setup, if any, tunes the server before it serves.
func startBrowser(t *testing.T, b *app.Bindings, setup ...func(*app.BrowserServer)) (*app.BrowserServer, string) {
	t.Helper()
	s, err := app.NewBrowserServer(b, emptyWeb(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(s)
	}
	srv := httptest.NewUnstartedServer(s)
	s.Addr = srv.Listener.Addr().String()
	srv.Start()
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// noRedirect is a client with its own cookie jar that shows redirects
// instead of following them.
func noRedirect() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// send makes one request and returns its status, headers and body.
func send(t *testing.T, c *http.Client, method, u string, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	r, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	resp, err := c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// sameOrigin is what the UI's fetch sends.
func sameOrigin(base string) map[string]string {
	return map[string]string{"Origin": base, "Content-Type": "application/json"}
}

// visit trades the secret for the cookie, as the admin's browser does.
func visit(t *testing.T, c *http.Client, s *app.BrowserServer, base string) {
	t.Helper()
	status, hdr, body := send(t, c, "GET", base+"/?s="+s.Secret, "", nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/" {
		t.Fatalf("first visit: %d %q %s, want 303 to /", status, hdr.Get("Location"), body)
	}
}

func TestBrowserSecretWorksOnce(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	admin := noRedirect()
	visit(t, admin, s, base)
	// The attacker replays the printed address (shell history, a shared
	// screen, another local user reading the terminal).
	attacker := noRedirect()
	status, _, body := send(t, attacker, "GET", base+"/?s="+s.Secret, "", nil)
	if status != http.StatusForbidden || !strings.Contains(body, "used already") {
		t.Errorf("second use of the secret: %d %q, want 403 saying it was used", status, body)
	}
	for _, c := range attacker.Jar.Cookies(mustURL(t, base)) {
		t.Errorf("the second use got a cookie: %s", c.Name)
	}
	if status, _, _ := send(t, attacker, "POST", base+"/api/Overview", "[]", sameOrigin(base)); status != http.StatusForbidden {
		t.Errorf("the attacker's call after the replay: %d, want 403", status)
	}
	// The admin, who holds the cookie, is still in.
	if status, _, body := send(t, admin, "POST", base+"/api/Overview", "[]", sameOrigin(base)); status != 200 {
		t.Errorf("the admin's call: %d %s", status, body)
	}
}

// Two browsers racing to use the address: exactly one gets in.
func TestBrowserSecretRaceHasOneWinner(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	const n = 8
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := noRedirect().Get(base + "/?s=" + s.Secret)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for st := range statuses {
		switch st {
		case http.StatusSeeOther:
			won++
		case http.StatusForbidden:
		default:
			t.Errorf("status %d, want 303 or 403", st)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d visits got in, want exactly 1", won, n)
	}
}

func TestBrowserSecretRefusedOnAPI(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	c := noRedirect()
	for _, p := range []string{"/api/Overview?s=", "/api/AddCheck?s="} {
		status, _, body := send(t, c, "POST", base+p+s.Secret, `["at most 50% of users are restricted"]`, sameOrigin(base))
		if status != http.StatusForbidden {
			t.Errorf("POST %s<secret> without the cookie: %d %s, want 403", p, status, body)
		}
	}
	for _, p := range []string{"/web/app.wasm?s=", "/app.js?s=", "/manifest.webmanifest?s="} {
		if status, _, _ := send(t, c, "GET", base+p+s.Secret, "", nil); status != http.StatusForbidden {
			t.Errorf("GET %s<secret>: %d, want 403", p, status)
		}
	}
	if checks, _ := b.Checks(); len(checks.Checks) != 0 {
		t.Errorf("a portal test was added: %+v", checks)
	}
	// Refused there, the secret still opens the first page.
	visit(t, c, s, base)
}

func TestBrowserCookieIsNotTheSecret(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	admin := noRedirect()
	visit(t, admin, s, base)
	cookies := admin.Jar.Cookies(mustURL(t, base))
	if len(cookies) == 0 {
		t.Fatal("the first visit set no cookie")
	}
	for _, c := range cookies {
		if c.Value == s.Secret || strings.Contains(c.Value, s.Secret) {
			t.Errorf("cookie %s holds the secret", c.Name)
		}
		// Forged: the cookie's name with the secret (read off the
		// terminal) as its value.
		status, _, _ := send(t, http.DefaultClient, "POST", base+"/api/Overview", "[]",
			map[string]string{"Origin": base, "Content-Type": "application/json", "Cookie": c.Name + "=" + s.Secret})
		if status != http.StatusForbidden {
			t.Errorf("cookie %s=<secret>: %d, want 403", c.Name, status)
		}
	}
}

func TestBrowserSecretExpires(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b, func(s *app.BrowserServer) {
		s.Now = func() time.Time { return s.Expires.Add(time.Second) }
	})
	c := noRedirect()
	status, _, body := send(t, c, "GET", base+"/?s="+s.Secret, "", nil)
	if status != http.StatusForbidden || !strings.Contains(body, "restart Portal Studio") {
		t.Errorf("the secret after its time: %d %q, want 403 saying to restart", status, body)
	}
	if len(c.Jar.Cookies(mustURL(t, base))) != 0 {
		t.Error("the expired secret got a cookie")
	}
	if want := 5 * time.Minute; s.Expires.Sub(time.Now()) > want {
		t.Errorf("the secret lives until %v, more than %v from now", s.Expires, want)
	}
}

// A page on another site, or on another port of 127.0.0.1 (same-site:
// SameSite ignores ports, so the admin's cookie goes along), posts
// text/plain (no CORS preflight) to the studio.
func TestBrowserRefusesCrossOriginCalls(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	admin := noRedirect()
	visit(t, admin, s, base)
	other := httptest.NewServer(http.NotFoundHandler())
	other.Close()
	before := draftOf(t, b)
	for _, origin := range []string{"http://evil.example", other.URL, "null"} {
		for _, ct := range []string{"text/plain", "application/json"} {
			for _, p := range attackPayloads {
				status, _, body := send(t, admin, "POST", base+"/api/"+p.method, p.body, map[string]string{"Origin": origin, "Content-Type": ct})
				if status != http.StatusForbidden {
					t.Errorf("%s from %s as %s: %d %s, want 403", p.method, origin, ct, status, body)
				}
			}
		}
	}
	// Headers a cross-site fetch or form carries instead of Origin.
	for _, hdr := range []map[string]string{
		{"Content-Type": "application/json"},
		{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
		{"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"},
		{"Content-Type": "application/json", "Sec-Fetch-Site": "none"},
	} {
		for _, p := range attackPayloads {
			status, _, body := send(t, admin, "POST", base+"/api/"+p.method, p.body, hdr)
			if status != http.StatusForbidden || !strings.Contains(body, "Origin") {
				t.Errorf("%s with %v: %d %s, want 403 naming the Origin", p.method, hdr, status, body)
			}
		}
	}
	if after := draftOf(t, b); after != before {
		t.Errorf("the attack changed the draft or the portal tests:\n%s", cmp.Diff(before, after))
	}
	// The same calls from the page itself go through.
	for _, hdr := range []map[string]string{
		sameOrigin(base),
		{"Content-Type": "application/json; charset=utf-8", "Sec-Fetch-Site": "same-origin"},
	} {
		if status, _, body := send(t, admin, "POST", base+"/api/Overview", "[]", hdr); status != 200 {
			t.Errorf("same-origin call with %v: %d %s", hdr, status, body)
		}
	}
	for _, p := range attackPayloads {
		if status, _, body := send(t, admin, "POST", base+"/api/"+p.method, p.body, sameOrigin(base)); status != 200 {
			t.Errorf("%s from the page: %d %s (the attack payload must be valid)", p.method, status, body)
		}
	}
}

func TestBrowserRequiresJSON(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	admin := noRedirect()
	visit(t, admin, s, base)
	before := draftOf(t, b)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		for _, p := range attackPayloads {
			status, _, body := send(t, admin, "POST", base+"/api/"+p.method, p.body, map[string]string{"Origin": base, "Content-Type": ct})
			if status != http.StatusUnsupportedMediaType || !strings.Contains(body, "application/json") {
				t.Errorf("%s as %q: %d %s, want 415 naming application/json", p.method, ct, status, body)
			}
		}
	}
	if after := draftOf(t, b); after != before {
		t.Errorf("a non-JSON call changed the draft:\n%s", cmp.Diff(before, after))
	}
}

// DNS rebinding: a page at evil.example:PORT, a name the attacker makes
// resolve to 127.0.0.1, talks to the studio as its own origin (Host and
// Origin evil.example:PORT). It must get nothing, the page included; and
// a client holding the cookie gets nothing under another name either.
func TestBrowserRefusesForeignHost(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	admin := noRedirect()
	visit(t, admin, s, base)
	port := mustURL(t, base).Port()
	cookie := ""
	for _, c := range admin.Jar.Cookies(mustURL(t, base)) {
		cookie = c.Name + "=" + c.Value
	}
	before := draftOf(t, b)
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1.nip.io:" + port, "127.0.0.1:1"} {
		for _, p := range attackPayloads {
			status, _, body := send(t, http.DefaultClient, "POST", base+"/api/"+p.method, p.body,
				map[string]string{"Host": host, "Origin": "http://" + host, "Content-Type": "application/json", "Cookie": cookie})
			if status != http.StatusForbidden || !strings.Contains(body, "address") {
				t.Errorf("%s with Host %s: %d %s, want 403", p.method, host, status, body)
			}
		}
		if status, _, _ := send(t, http.DefaultClient, "GET", base+"/", "", map[string]string{"Host": host, "Cookie": cookie}); status != http.StatusForbidden {
			t.Errorf("the page with Host %s: %d, want 403", host, status)
		}
	}
	if after := draftOf(t, b); after != before {
		t.Errorf("a foreign Host changed the draft:\n%s", cmp.Diff(before, after))
	}
	// localhost names the same server (a browser keeps its cookies
	// apart from 127.0.0.1's: it would open localhost's address first).
	if status, _, body := send(t, http.DefaultClient, "POST", base+"/api/Overview", "[]",
		map[string]string{"Host": "localhost:" + port, "Origin": "http://localhost:" + port, "Content-Type": "application/json", "Cookie": cookie}); status != 200 {
		t.Errorf("Host localhost:%s: %d %s", port, status, body)
	}
}

func TestBrowserSecurityHeaders(t *testing.T) {
	_, b := newWorkspace(t, 20)
	s, base := startBrowser(t, b)
	admin := noRedirect()
	status, hdr, _ := send(t, admin, "GET", base+"/?s="+s.Secret, "", nil)
	answers := map[string]http.Header{"the first visit": hdr}
	_, answers["the page"], _ = send(t, admin, "GET", base+"/", "", nil)
	_, answers["a call"], _ = send(t, admin, "POST", base+"/api/Overview", "[]", sameOrigin(base))
	_, answers["a refusal"], _ = send(t, noRedirect(), "GET", base+"/", "", nil)
	_, answers["a refused call"], _ = send(t, admin, "POST", base+"/api/Overview", "[]", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json"})
	if status != http.StatusSeeOther {
		t.Fatalf("first visit: %d", status)
	}
	for what, h := range answers {
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, want)
			}
		}
		if strings.Contains(csp, "'unsafe-eval'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("%s: Content-Security-Policy %q allows eval or inline scripts", what, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s %q, want %q", what, k, h.Get(k), v)
			}
		}
	}
}

// emptyWeb is a web folder without the UI: the gate is what is tested.
func emptyWeb(t *testing.T) fs.FS { return os.DirFS(t.TempDir()) }

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestBrowserManifestWithoutSession: browsers fetch the web app manifest
// without cookies, so it is served without the session (it holds the
// app's name and icon paths only); with the secret in its address, or
// anything else without the session, is still refused.
func TestBrowserManifestWithoutSession(t *testing.T) {
	_, b := newWorkspace(t, 20)
	// A UI to serve (its app.wasm is not run here).
	web := fstest.MapFS{"app.wasm": {Data: []byte("\x00asm\x01\x00\x00\x00")}}
	s, srv := serveBrowser(t, b, web)
	base := srv.URL
	c := noRedirect()
	status, hdr, body := send(t, c, "GET", base+"/manifest.webmanifest", "", nil)
	if status != http.StatusOK || !strings.Contains(body, `"Portal Studio"`) || strings.Contains(body, s.Secret) {
		t.Errorf("GET /manifest.webmanifest without the session: %d %s", status, body)
	}
	if csp := hdr.Get("Content-Security-Policy"); csp == "" {
		t.Error("the manifest is served without the Content-Security-Policy")
	}
	for _, p := range []string{"/manifest.webmanifest?x=1", "/web/icon-192.png", "/app.js"} {
		if status, _, _ := send(t, c, "GET", base+p, "", nil); status != http.StatusForbidden {
			t.Errorf("GET %s without the session: %d, want 403", p, status)
		}
	}
	if status, _, _ := send(t, c, "POST", base+"/manifest.webmanifest", "", nil); status != http.StatusForbidden {
		t.Errorf("POST /manifest.webmanifest without the session: %d, want 403", status)
	}
}
