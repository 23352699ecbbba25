package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"portalstudio/internal/testkit"
	"strings"
	"sync"
	"testing"

	"portalstudio/app"
	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/storage/sqlite"
)

// The desktop keeps the admin token to its server: connecting to another
// URL needs that server's token, a workspace pointed at another server
// behind the token's back sends it nowhere, and plain http goes to this
// machine only. A recorder stands where a stolen token would arrive.
func TestSyncTokenStaysWithItsServer(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	ctx := context.Background()
	srv := newSyncServer(t)
	var mu sync.Mutex
	var seen []string
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer rec.Close()
	ws, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	b := app.NewBindings(ctx, testkit.Service(t, ws), ws)
	if _, err := b.SyncConnect(srv.url, srv.token); err != nil {
		t.Fatal(err)
	}

	if _, err := b.SyncConnect(rec.URL, ""); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "admin token") {
		t.Fatalf("connect to another server without its token: %v", err)
	}
	// The workspace's server changes behind the token's back.
	if err := ws.SetSyncServer(ctx, rec.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SyncPull(false); portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "belongs to "+srv.url) {
		t.Fatalf("pull with a token saved for another server: %v", err)
	}
	if _, err := b.SyncPush("", false); portal.ErrorCode(err) != portal.EPRECONDITION {
		t.Fatalf("push with a token saved for another server: %v", err)
	}
	if st, err := b.SyncStatus(); err != nil || st.Connected || st.HasToken {
		t.Fatalf("status with a token saved for another server: %+v, %v", st, err)
	}
	mu.Lock()
	if len(seen) != 0 {
		t.Fatalf("the other server received %q", seen)
	}
	mu.Unlock()

	// Plain http to another machine is refused before any connection.
	_, err = b.SyncConnect("http://10.1.2.3:8080", srv.token)
	if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "use https://, or connect from the command line with --insecure") {
		t.Fatalf("connect over plain http to another machine: %v", err)
	}
	// Connecting again with the token of the server binds them anew.
	if _, err := b.SyncConnect(srv.url, srv.token); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SyncPull(false); err != nil {
		t.Fatal(err)
	}
}
