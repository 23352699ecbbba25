package cli_test

// The sync client keeps the admin token to the server it belongs to:
// attacks through the built binary, each against a recorder (a server that
// records every Authorization header it receives) standing where a stolen
// token would arrive.

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"portalstudio/internal/testkit"
	"strings"
	"testing"
)

// runEnv runs the binary with extra environment variables.
func runEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("portalstudio %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// adminToken reads a server's admin token from its data folder.
func adminToken(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// The attack: after one sync with server A's token, `sync pull --server B`
// (no token) would send A's token to B. The saved token is for A only:
// the command refuses and asks for B's token, and B receives nothing.
func TestSyncSavedTokenStaysWithItsServer(t *testing.T) {
	t.Setenv("PORTALSTUDIO_NO_KEYRING", "1")
	dir := filepath.Join(t.TempDir(), "acme")
	srv := startServer(t, dir)
	defer srv.stop(t)
	token := adminToken(t, dir)
	other := testkit.NewAuthRecorder(t)
	desk := filepath.Join(t.TempDir(), "desk.db")
	ok(t, "sync", "pull", "--workspace", desk, "--server", srv.url, "--token", token)

	for _, sub := range []string{"pull", "push"} {
		msg := fails(t, 2, "sync", sub, "--workspace", desk, "--server", other.URL)
		want := "the saved admin token belongs to " + srv.url + "; give the token of " + other.URL + " with --token-file (or PORTALSTUDIO_ADMIN_TOKEN)"
		if !strings.Contains(msg, want) {
			t.Fatalf("sync %s --server B: %s\nwant: %s", sub, msg, want)
		}
	}
	// localhost is another name, hence another server, for the token.
	byName := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	if msg := fails(t, 2, "sync", "pull", "--workspace", desk, "--server", byName); !strings.Contains(msg, "belongs to "+srv.url) {
		t.Fatalf("sync pull --server %s: %s", byName, msg)
	}
	if got := other.Seen(); len(got) != 0 {
		t.Fatalf("server B received %d requests, Authorization %q", len(got), got)
	}
	// The same server, spelled with a trailing slash, or remembered.
	ok(t, "sync", "pull", "--workspace", desk, "--server", srv.url+"/")
	ok(t, "sync", "pull", "--workspace", desk)
	// B's own token (from the environment) goes to B, and only it.
	if _, stderr, code := runEnv(t, []string{"PORTALSTUDIO_ADMIN_TOKEN=token-of-B"}, "sync", "pull", "--workspace", desk, "--server", other.URL); code != 1 || !strings.Contains(stderr, "refused the admin token") {
		t.Fatalf("pull from B with B's token: exit %d, %s", code, stderr)
	}
	if got := other.Seen(); len(got) != 1 || got[0] != "Bearer token-of-B" {
		t.Fatalf("server B received %q", got)
	}
	// A refused sync remembers nothing: A's token still works for A.
	ok(t, "sync", "pull", "--workspace", desk)
}

// The attack: the server answers with a 307 to another port of the same
// host, where Go's HTTP client would carry Authorization along. The sync
// client follows no redirect and names where it was pointed.
func TestSyncRedirectCarriesNoToken(t *testing.T) {
	rec := testkit.NewAuthRecorder(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, rec.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	desk := filepath.Join(t.TempDir(), "desk.db")
	msg := fails(t, 1, "sync", "pull", "--workspace", desk, "--server", redirector.URL, "--token", "secret-admin-token")
	if !strings.Contains(msg, "redirect to "+rec.URL+"/api/v1/workspace") || !strings.Contains(msg, "("+rec.URL+") as --server if you trust it") {
		t.Fatalf("pull from a redirecting server: %s", msg)
	}
	if got := rec.Seen(); len(got) != 0 {
		t.Fatalf("the redirect's target received %d requests, Authorization %q", len(got), got)
	}
}

// The attack: `--server http://10.1.2.3:8080` would send the token in
// clear text across the network. The recorder is the HTTP proxy, so any
// attempt to reach the server arrives there: none without --insecure;
// with it the request goes out (and the proxy sees the token).
func TestSyncPlainHTTP(t *testing.T) {
	proxy := testkit.NewAuthRecorder(t)
	env := []string{"HTTP_PROXY=" + proxy.URL, "http_proxy=" + proxy.URL, "NO_PROXY=", "no_proxy="}
	desk := filepath.Join(t.TempDir(), "desk.db")
	args := []string{"sync", "pull", "--workspace", desk, "--server", "http://10.1.2.3:8080", "--token", "secret-admin-token"}
	stdout, stderr, code := runEnv(t, env, args...)
	msg := checkFailure(t, 1, stdout, stderr, code, args)
	if !strings.Contains(msg, "plain http to another machine") || !strings.Contains(msg, "use https://") || !strings.Contains(msg, "--insecure") {
		t.Fatalf("plain http to another machine: %s", msg)
	}
	if got := proxy.Seen(); len(got) != 0 {
		t.Fatalf("a request went out: Authorization %q", got)
	}
	if _, stderr, code := runEnv(t, env, append(args, "--insecure")...); code != 1 || !strings.Contains(stderr, "refused the admin token") {
		t.Fatalf("with --insecure: exit %d, %s", code, stderr)
	}
	if got := proxy.Seen(); len(got) != 1 || got[0] != "Bearer secret-admin-token" {
		t.Fatalf("with --insecure the proxy saw %q", got)
	}
}

// The token can come from PORTALSTUDIO_ADMIN_TOKEN (kept out of ps);
// --token and --token-file come before it, and it comes before the saved
// token. The help says so.
func TestSyncTokenFromEnv(t *testing.T) {
	t.Setenv("PORTALSTUDIO_NO_KEYRING", "1")
	dir := filepath.Join(t.TempDir(), "acme")
	srv := startServer(t, dir)
	defer srv.stop(t)
	token := adminToken(t, dir)
	desk := filepath.Join(t.TempDir(), "desk.db")
	envOK := []string{"PORTALSTUDIO_ADMIN_TOKEN=" + token}
	envWrong := []string{"PORTALSTUDIO_ADMIN_TOKEN=wrong"}

	if _, stderr, code := runEnv(t, envOK, "sync", "pull", "--workspace", desk, "--server", srv.url); code != 0 {
		t.Fatalf("pull with the token from the environment: exit %d, %s", code, stderr)
	}
	ok(t, "sync", "push", "--workspace", desk) // saved
	if _, stderr, code := runEnv(t, envWrong, "sync", "pull", "--workspace", desk); code != 1 || !strings.Contains(stderr, "refused the admin token") {
		t.Fatalf("the environment's token before the saved one: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runEnv(t, envWrong, "sync", "pull", "--workspace", desk, "--token-file", filepath.Join(dir, "admin-token")); code != 0 {
		t.Fatalf("--token-file before the environment: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runEnv(t, envWrong, "sync", "pull", "--workspace", desk, "--token", token); code != 0 {
		t.Fatalf("--token before the environment: exit %d, %s", code, stderr)
	}
	help := ok(t, "sync", "-h")
	for _, want := range []string{"PORTALSTUDIO_ADMIN_TOKEN", "can see it in ps", "-insecure"} {
		if !strings.Contains(help, want) {
			t.Errorf("sync -h does not say %q:\n%s", want, help)
		}
	}
}
