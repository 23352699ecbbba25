package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portalstudio/backend/storage/sqlite"
)

// TestServeAdvertisesItsOwnPortalURL: a workspace made by `demo` whose
// live settings carry the desktop's portal URL (its draft's, made for
// another address and slug), served with `serve --data DIR`: the URL the
// server advertises (GET /api/v1/workspace, the live settings) is the one
// it answers at, and a pushed document naming another URL does not
// change it.
func TestServeAdvertisesItsOwnPortalURL(t *testing.T) {
	t.Setenv("PORTALSTUDIO_NO_KEYRING", "1")
	dir := filepath.Join(t.TempDir(), "acme")
	wsPath := filepath.Join(dir, "workspace.db")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ok(t, "demo", "--workspace", wsPath, "--users", "60", "--companies", "6", "--tickets", "120")
	// The demo's draft (portal on, with the desktop's URL) goes live, as
	// a desktop's push of it would.
	ctx := context.Background()
	ws, err := sqlite.Open(wsPath)
	if err != nil {
		t.Fatal(err)
	}
	draft, err := ws.Draft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dead := draft.Portal.URL
	if !draft.Portal.Enabled || dead == "" {
		t.Fatalf("the demo's draft: %+v", draft.Portal)
	}
	draft.Version = 1
	if err := ws.SetLive(ctx, draft); err != nil {
		t.Fatal(err)
	}
	ws.Close()

	srv := startServer(t, dir)
	token := strings.TrimSpace(readFile(t, filepath.Join(dir, "admin-token")))
	want := srv.url + "/portal/acme/"
	if dead == want {
		t.Fatalf("the demo's URL is already the server's (%s): the test proves nothing", dead)
	}
	advertised := func(t *testing.T) (workspaceURL, liveURL string) {
		t.Helper()
		status, body := call(t, "GET", srv.url+"/api/v1/workspace", token, "")
		var info struct {
			PortalURL string `json:"portal_url"`
		}
		if status != 200 || json.Unmarshal([]byte(body), &info) != nil {
			t.Fatalf("workspace: %d %s", status, body)
		}
		status, body = call(t, "GET", srv.url+"/api/v1/settings", token, "")
		var live struct {
			Portal struct {
				URL string `json:"url"`
			} `json:"portal"`
		}
		if status != 200 || json.Unmarshal([]byte(body), &live) != nil {
			t.Fatalf("settings: %d %s", status, body)
		}
		return info.PortalURL, live.Portal.URL
	}
	wsURL, liveURL := advertised(t)
	if wsURL != want || liveURL != want {
		t.Fatalf("advertised %s (workspace) and %s (live settings); the server answers at %s (the demo said %s)", wsURL, liveURL, want, dead)
	}
	// The advertised URL answers: the portal's page (or, without the UI
	// built in, not a 404 for the API under it).
	if status, body := call(t, "GET", wsURL, "", ""); status == http.StatusNotFound {
		t.Fatalf("GET %s: %d %s", wsURL, status, body)
	}
	if status, body := call(t, "GET", wsURL+"api/tickets", "", ""); status != http.StatusUnauthorized || !strings.Contains(body, "unauthorized") {
		t.Fatalf("GET %sapi/tickets without a token: %d %s; want 401 (the API is there)", wsURL, status, body)
	}
	if !strings.Contains(srv.log(), dead) || !strings.Contains(srv.log(), "now name the server's") {
		t.Fatalf("the log does not say the portal URL was corrected:\n%s", srv.log())
	}

	// A desktop pushes a document naming another portal URL: accepted,
	// and the URL stays the server's.
	status, body := call(t, "GET", srv.url+"/api/v1/settings", token, "")
	var doc map[string]any
	if status != 200 || json.Unmarshal([]byte(body), &doc) != nil {
		t.Fatalf("settings: %d %s", status, body)
	}
	doc["portal"].(map[string]any)["url"] = "https://elsewhere.example/portal/other/"
	doc["preview_column"] = false
	b, _ := json.Marshal(doc)
	if status, body := call(t, "PUT", srv.url+"/api/v1/settings", token, string(b), "If-Match", "*"); status != 200 || !strings.Contains(body, `"url": "`+want+`"`) {
		t.Fatalf("a push naming another portal URL: %d %s", status, body)
	}
	if wsURL, liveURL := advertised(t); wsURL != want || liveURL != want {
		t.Fatalf("after the push: %s (workspace), %s (live); want %s", wsURL, liveURL, want)
	}

	// A desktop that pulls shows the server's URL: in its live copy, in
	// its draft (which follows, never edited) and in what pull prints.
	desk := filepath.Join(t.TempDir(), "desk.db")
	ok(t, "demo", "--workspace", desk, "--users", "20", "--companies", "2", "--tickets", "20")
	out := ok(t, "sync", "pull", "--workspace", desk, "--server", srv.url, "--token-file", filepath.Join(dir, "admin-token"))
	if !strings.Contains(out, want) {
		t.Fatalf("sync pull does not name the server's portal URL %s:\n%s", want, out)
	}
	for _, which := range []string{"live", "draft"} {
		if doc := ok(t, "settings", "show", "--settings", which, "--workspace", desk); !strings.Contains(doc, `"url": "`+want+`"`) {
			t.Fatalf("the desktop's %s settings after a pull do not carry %s:\n%s", which, want, doc)
		}
	}
	srv.stop(t)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
