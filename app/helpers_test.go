package app_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"portalstudio/internal/testkit"
	"runtime"
	"sync"
	"testing"

	"portalstudio/app"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
)

// newWorkspace creates a demo workspace of n users in a temporary file and
// returns the studio service and the bindings over it.
func newWorkspace(tb testing.TB, users int) (*studio.Service, *app.Bindings) {
	tb.Helper()
	ws, err := sqlite.Open(filepath.Join(tb.TempDir(), "demo.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	svc := testkit.Service(tb, ws)
	if _, err := svc.GenerateDemo(context.Background(), studio.DemoRequest{Users: users, Companies: users / 10, Tickets: 2 * users}, nil); err != nil {
		tb.Fatal(err)
	}
	return svc, app.NewBindings(context.Background(), svc, ws)
}

// serveBrowser serves browser mode over the bindings and the web folder
// on loopback; it knows its address, as ServeBrowser's does.
func serveBrowser(tb testing.TB, b *app.Bindings, web fs.FS) (*app.BrowserServer, *httptest.Server) {
	tb.Helper()
	return serveBrowserWith(tb, b, web, nil)
}

// serveBrowserWith is serveBrowser with the server's handler wrapped by
// wrap (nil: as it is).
func serveBrowserWith(tb testing.TB, b *app.Bindings, web fs.FS, wrap func(http.Handler) http.Handler) (*app.BrowserServer, *httptest.Server) {
	tb.Helper()
	s, err := app.NewBrowserServer(b, web)
	if err != nil {
		tb.Fatal(err)
	}
	var h http.Handler = s
	if wrap != nil {
		h = wrap(s)
	}
	srv := httptest.NewUnstartedServer(h)
	s.Addr = srv.Listener.Addr().String()
	srv.Start()
	tb.Cleanup(srv.Close)
	return s, srv
}

var (
	wasmOnce sync.Once
	wasmDir  string
	wasmErr  error
	wasmOut  []byte
)

// webDir builds the UI to WebAssembly once per test binary, into a
// temporary folder, so the end-to-end tests always run the current UI.
func webDir(tb testing.TB) string {
	tb.Helper()
	wasmOnce.Do(func() {
		wasmDir, wasmErr = os.MkdirTemp("", "portalstudio-web-")
		if wasmErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", filepath.Join(wasmDir, "app.wasm"), "./frontend/cmd/wasm")
		cmd.Dir = repoRoot()
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		wasmOut, wasmErr = cmd.CombinedOutput()
	})
	if wasmErr != nil {
		tb.Fatalf("building the UI (GOOS=js GOARCH=wasm go build ./frontend/cmd/wasm): %v\n%s", wasmErr, wasmOut)
	}
	return wasmDir
}

// repoRoot is the module's root folder.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// needTool fails the test, never skips it, when a tool the UI tests need
// is missing.
func needTool(tb testing.TB, path string) {
	tb.Helper()
	if _, err := exec.LookPath(path); err != nil {
		tb.Fatalf("%s is missing: run scripts/deps.sh (it installs chromium, xvfb, xauth, xdotool, imagemagick and the GTK/WebKit libraries)", path)
	}
}
