package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"portalstudio/internal/testkit"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
)

// TestProbes: /healthz and /readyz answer 200 at any Host (a load
// balancer probes by address), carry no data, and take GET only.
func TestProbes(t *testing.T) {
	f := newFixture(t)
	atHost := func(path, host string) int {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = host
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, req)
		return w.Code
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if st := atHost(path, "10.1.2.3:8080"); st != 200 {
			t.Fatalf("%s at another Host: %d", path, st)
		}
		if r := do(t, "GET", f.url+path, nil); r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		if r := do(t, "POST", f.url+path, nil); r.status != http.StatusMethodNotAllowed || r.errorCode(t) != "method_not_allowed" {
			t.Fatalf("POST %s: %d %s", path, r.status, r.body)
		}
	}
	// Other paths still refuse a foreign Host.
	if st := atHost("/api/v1/settings", "evil.example"); st != http.StatusMisdirectedRequest {
		t.Fatalf("a foreign Host: %d", st)
	}
}

// TestSharedIdentitySecret: a server of replicas reads the identity
// secret from the store on each use, so a rotation made through the store
// (by any replica) takes effect at once: tokens signed with the old secret
// and sessions made before are refused, the new secret signs in.
func TestSharedIdentitySecret(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := []byte("the-first-shared-identity-secret-0123")
	if err := f.ws.SetSecret(ctx, portal.SecretIdentity, old); err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Config{Store: f.ws, Audiences: testkit.ServerAudiences(t, f.ws), SharedIdentitySecret: true, Slug: "acme", BaseURL: "http://portal.test", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	tok := func(secret []byte) string {
		return sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()})
	}
	if r := do(t, "GET", hs.URL+"/portal/acme/api/tickets", nil, "Authorization", "Bearer "+tok(old)); r.status != 200 {
		t.Fatalf("the stored secret: %d %s", r.status, r.body)
	}
	cookie := startSession(t, hs.URL, tok(old))
	if st := withSession(t, hs.URL, cookie); st != 200 {
		t.Fatalf("a session: %d", st)
	}
	// Another replica rotates: a new secret and a new session generation.
	rotated := []byte("the-second-shared-identity-secret-456")
	if err := f.ws.SetSecret(ctx, portal.SecretIdentity, rotated); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.EndSessions(ctx); err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", hs.URL+"/portal/acme/api/tickets", nil, "Authorization", "Bearer "+tok(old)); r.status != 401 {
		t.Fatalf("the old secret after the rotation: %d", r.status)
	}
	if st := withSession(t, hs.URL, cookie); st != 401 {
		t.Fatalf("a session from before the rotation: %d", st)
	}
	if r := do(t, "GET", hs.URL+"/portal/acme/api/tickets", nil, "Authorization", "Bearer "+tok(rotated)); r.status != 200 {
		t.Fatalf("the new secret: %d %s", r.status, r.body)
	}
	if st := withSession(t, hs.URL, startSession(t, hs.URL, tok(rotated))); st != 200 {
		t.Fatalf("a new session: %d", st)
	}
}
