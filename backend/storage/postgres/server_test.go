package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"portalstudio/backend/audience"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/internal/pgtest"
)

// TestServerWithoutDatabase: a portal server on PostgreSQL answers 503
// with a JSON sentence (never a 500) while the database is down, /readyz
// says so and /healthz still answers; when the database is back the same
// server answers again by itself.
func TestServerWithoutDatabase(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPG(t)
	if _, err := pg.Import(ctx, source(imports()[0][:60]), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	token := "an-admin-token-for-the-test-0123456789"
	secret := []byte("an-identity-secret-for-the-test-0123")
	if _, err := server.PrepareSharedSecrets(ctx, pg, t.TempDir(), server.SecretOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pg.SetSecret(ctx, portal.SecretAdminTokenHash, sha(token)); err != nil {
		t.Fatal(err)
	}
	aud := audience.NewEngine(pg, audience.Options{Keep: true})
	defer aud.Close()
	srv, err := server.New(server.Config{Store: pg, Audiences: aud, IdentitySecret: secret, Slug: "acme", BaseURL: "http://127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	get := func(path string) (int, http.Header, map[string]any) {
		req, _ := http.NewRequest("GET", hs.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		return resp.StatusCode, resp.Header, m
	}
	if st, _, _ := get("/api/v1/settings"); st != 200 {
		t.Fatalf("settings: %d", st)
	}
	c := pgtest.Shared(t)
	if err := c.StopServer(); err != nil {
		t.Fatal(err)
	}
	started := false
	defer func() {
		if !started {
			c.StartServer()
		}
	}()
	for _, path := range []string{"/api/v1/settings", "/api/v1/workspace", "/readyz"} {
		st, h, body := get(path)
		e, _ := body["error"].(map[string]any)
		if st != http.StatusServiceUnavailable || e["code"] != "unavailable" || e["message"] == "" || h.Get("Retry-After") == "" {
			t.Fatalf("%s with the database down: %d %v %v", path, st, h, body)
		}
	}
	if st, _, _ := get("/healthz"); st != 200 {
		t.Fatalf("healthz with the database down: %d", st)
	}
	if err := c.StartServer(); err != nil {
		t.Fatal(err)
	}
	started = true
	// The pool finds its dead connections on their first use (each then
	// 503) and dials anew: within the pool's size the server is back.
	for i := 0; ; i++ {
		st, _, body := get("/api/v1/workspace")
		if st == 200 {
			break
		}
		if st != http.StatusServiceUnavailable || i > 20 {
			t.Fatalf("after the database came back: %d %v", st, body)
		}
	}
	if st, _, _ := get("/readyz"); st != 200 {
		t.Fatalf("readyz after the database came back: %d", st)
	}
}

func sha(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}
