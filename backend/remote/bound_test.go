package remote_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/internal/fake"
	"portalstudio/internal/testkit"
)

// Plain http is accepted to this machine and, with Insecure, anywhere;
// https anywhere. The transport records the request instead of sending
// it: each accepted URL does reach it, with the token.
func TestPlainHTTPAccepted(t *testing.T) {
	cases := []struct {
		url      string
		insecure bool
	}{
		{"https://example.com", false}, {"https://10.1.2.3:8443", false}, {"http://127.0.0.1:8080", false},
		{"http://127.9.9.9", false}, {"http://localhost:8080", false}, {"http://LocalHost", false}, {"http://[::1]:8080", false},
		{"http://example.com", true}, {"http://10.1.2.3:8080", true},
	}
	for _, tc := range cases {
		rt := &dialRecorder{}
		c, err := remote.NewClientWith(tc.url, "secret-admin-token", remote.ClientOptions{Insecure: tc.insecure, HTTP: &http.Client{Transport: rt}})
		if err != nil {
			t.Errorf("NewClientWith(%q, insecure %v): %v", tc.url, tc.insecure, err)
			continue
		}
		if _, err := c.Live(context.Background()); !errors.Is(err, errNotSent) && !strings.Contains(err.Error(), errNotSent.Error()) {
			t.Errorf("%s: %v", tc.url, err)
		}
		if rt.count() != 1 || rt.reqs[0].Header.Get("Authorization") != "Bearer secret-admin-token" {
			t.Errorf("%s: %d requests reached the transport", tc.url, rt.count())
		}
	}
}

func TestSameServer(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/", true},
		{"HTTPS://Help.Example.COM", "https://help.example.com:443/", true},
		{"http://example.com", "http://example.com:80", true},
		{"https://example.com/portal/", "https://example.com/portal", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081", false},
		{"http://127.0.0.1:8080", "http://localhost:8080", false},
		{"http://example.com", "https://example.com", false},
		{"https://example.com:443", "https://example.com:8443", false},
		{"https://example.com/a", "https://example.com/b", false},
		{"https://example.com", "not a url", false},
		{"", "", false},
	} {
		if got := remote.SameServer(tc.a, tc.b); got != tc.same {
			t.Errorf("SameServer(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

// A saved token is kept with the server it was saved for, and given for
// that server only; an older token file (the token alone) belongs to the
// server the workspace remembers, and the next save binds it. The token
// file is real (beside the workspace's location); the workspace, which
// only remembers its server here, is a fake.
func TestSavedTokenBoundToServer(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	ctx := context.Background()
	ws := fake.Desktop(&fake.Kept{}, filepath.Join(t.TempDir(), "desk.db"))
	if _, err := remote.SaveCredentials(ctx, ws, "http://127.0.0.1:8080", "tok-A"); err != nil {
		t.Fatal(err)
	}
	cr, err := remote.LoadCredentials(ctx, ws)
	if err != nil || !cr.Bound || cr.TokenServer != "http://127.0.0.1:8080" {
		t.Fatalf("load: %+v, %v", cr, err)
	}
	for server, want := range map[string]string{"http://127.0.0.1:8080/": "tok-A", "http://127.0.0.1:8081": "", "http://localhost:8080": "", "https://127.0.0.1:8080": ""} {
		if got := cr.TokenFor(server); got != want {
			t.Errorf("TokenFor(%q) = %q, want %q", server, got, want)
		}
	}
	// The workspace is pointed at another server behind the token's back
	// (a copied or edited workspace): the desktop sends the token nowhere.
	rec := testkit.NewAuthRecorder(t)
	if err := ws.SetSyncServer(ctx, rec.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.SavedClient(ctx, ws, remote.VaultOf(ws)); portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "belongs to http://127.0.0.1:8080") {
		t.Fatalf("a saved client for another server: %v", err)
	}
	if st, err := remote.StatusOf(ctx, ws, remote.VaultOf(ws)); err != nil || st.HasToken || st.Connected {
		t.Fatalf("status with a token of another server: %+v, %v", st, err)
	}

	// The older form: the token alone, bound to the workspace's server.
	if err := os.WriteFile(ws.Location()+".token", []byte("tok-old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ws.SetSyncServer(ctx, "https://help.example.com"); err != nil {
		t.Fatal(err)
	}
	cr, err = remote.LoadCredentials(ctx, ws)
	if err != nil || cr.Bound || cr.TokenFor("https://help.example.com:443/") != "tok-old" || cr.TokenFor(rec.URL) != "" {
		t.Fatalf("an older token file: %+v, %v", cr, err)
	}
	if len(rec.Seen()) != 0 {
		t.Fatalf("the recorder received %q", rec.Seen())
	}
}
