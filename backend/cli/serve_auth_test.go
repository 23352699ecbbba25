package cli_test

// `portalstudio serve`'s identity and session flags, through the built
// binary: --end-sessions, --rotate-identity-secret (which ends sessions)
// and --max-token-lifetime.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// portalLive is live settings that open the portal to everyone.
const portalLive = `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": []}}}`

// signIn exchanges an identity token for a session cookie.
func signIn(t *testing.T, url, token string) *http.Cookie {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/portal/acme/session", strings.NewReader(`{"token": "`+token+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) != 1 {
		t.Fatalf("session: %d %v", resp.StatusCode, resp.Header)
	}
	return resp.Cookies()[0]
}

// sessionStatus is the status of a portal request with the cookie.
func sessionStatus(t *testing.T, url string, c *http.Cookie) int {
	t.Helper()
	status, _ := call(t, "GET", url+"/portal/acme/api/tickets", "", "", "Cookie", c.Name+"="+c.Value)
	return status
}

// tokenFor is an identity token for the external id, expiring ahead.
func tokenFor(t *testing.T, secret, user string, ahead time.Duration) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": user, "exp": time.Now().Add(ahead).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServeSessionFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	srv := startServer(t, dir)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	admin, secret := read("admin-token"), read("identity-secret")
	if status, body := call(t, "POST", srv.url+"/api/v1/import", admin, serverData); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	if status, body := call(t, "PUT", srv.url+"/api/v1/settings", admin, portalLive, "If-Match", `"0"`, "Content-Type", "application/json"); status != 200 {
		t.Fatalf("live settings: %d %s", status, body)
	}

	// A 10-year token is refused, by default and with a reason in the
	// log (never the token).
	tenYears := tokenFor(t, secret, "ann", 10*365*24*time.Hour)
	if status, body := call(t, "GET", srv.url+"/portal/acme/api/tickets", tenYears, ""); status != 401 || !strings.Contains(body, "lives too long") {
		t.Fatalf("a 10-year token: %d %s", status, body)
	}
	if status, body := call(t, "GET", srv.url+"/portal/acme/api/tickets", tokenFor(t, secret, "ann", 23*time.Hour), ""); status != 200 {
		t.Fatalf("a 23-hour token: %d %s", status, body)
	}

	// Signing out ends that session.
	gone := signIn(t, srv.url, tokenFor(t, secret, "ann", time.Hour))
	if status, body := call(t, "DELETE", srv.url+"/portal/acme/session", "", "", "Cookie", gone.Name+"="+gone.Value); status != 204 {
		t.Fatalf("sign out: %d %s", status, body)
	}
	if status := sessionStatus(t, srv.url, gone); status != 401 {
		t.Fatalf("the cookie after signing out: %d; want 401", status)
	}
	ann := signIn(t, srv.url, tokenFor(t, secret, "ann", time.Hour))
	srv.stop(t)
	if strings.Contains(srv.log(), tenYears) || !strings.Contains(srv.log(), "identity token refused") {
		t.Fatalf("the log must give refusals' reasons, never the token:\n%s", srv.log())
	}

	// A plain restart keeps sessions; --end-sessions ends them and
	// rotates nothing.
	srv = startServer(t, dir)
	if status := sessionStatus(t, srv.url, ann); status != 200 {
		t.Fatalf("the session after a restart: %d", status)
	}
	srv.stop(t)
	srv = startServer(t, dir, "--end-sessions")
	if status := sessionStatus(t, srv.url, ann); status != 401 {
		t.Fatalf("a session after --end-sessions: %d; want 401", status)
	}
	if read("identity-secret") != secret || read("admin-token") != admin {
		t.Fatal("--end-sessions rotated a secret")
	}
	ann = signIn(t, srv.url, tokenFor(t, secret, "ann", time.Hour))
	srv.stop(t)

	// --rotate-identity-secret ends sessions too.
	srv = startServer(t, dir, "--rotate-identity-secret")
	if status := sessionStatus(t, srv.url, ann); status != 401 {
		t.Fatalf("a session made before --rotate-identity-secret: %d; want 401", status)
	}
	secret = read("identity-secret")
	srv.stop(t)

	// --max-token-lifetime.
	srv = startServer(t, dir, "--max-token-lifetime", "1h")
	if status, body := call(t, "GET", srv.url+"/portal/acme/api/tickets", tokenFor(t, secret, "ann", 2*time.Hour), ""); status != 401 || !strings.Contains(body, "1h") {
		t.Fatalf("a 2-hour token under --max-token-lifetime 1h: %d %s", status, body)
	}
	if status, body := call(t, "GET", srv.url+"/portal/acme/api/tickets", tokenFor(t, secret, "ann", 30*time.Minute), ""); status != 200 {
		t.Fatalf("a 30-minute token under --max-token-lifetime 1h: %d %s", status, body)
	}
	srv.stop(t)
	if _, err := tryServer(t, dir, "--max-token-lifetime", "0s"); err == nil || !strings.Contains(err.Error(), "must be positive") {
		t.Fatalf("--max-token-lifetime 0s: %v", err)
	}
}
