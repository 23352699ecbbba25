package cli_test

// End-to-end tests of `portalstudio serve` and `portalstudio sync`: the
// built binary runs as a server on a free loopback port, desktops sync
// with it through the binary too, and the server is stopped and started
// again to prove that everything persists.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// serverProc is a running `portalstudio serve`.
type serverProc struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	logs bytes.Buffer
	done chan error
}

func (p *serverProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

var listening = regexp.MustCompile(`msg="portal server listening"(?: replica=\S+)? url=(\S+)`)

// startServer runs `portalstudio serve --data dir` on a free port and
// waits until it listens. It fails the test when the server exits first.
func startServer(t *testing.T, dir string, args ...string) *serverProc {
	t.Helper()
	p, err := tryServer(t, dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tryServer(t *testing.T, dir string, args ...string) (*serverProc, error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	select {
	case p.url = <-urls:
		return p, nil
	case err := <-p.done:
		return nil, fmt.Errorf("portalstudio serve exited before listening (%v):\n%s", err, p.log())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("portalstudio serve did not listen within 30 s:\n%s", p.log())
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serverProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, p.log())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20 s of SIGTERM:\n%s", p.log())
	}
	if !strings.Contains(p.log(), `msg=stopped`) {
		t.Fatalf("no clean shutdown in the log:\n%s", p.log())
	}
}

// call sends a request to the server and returns the status and body.
func call(t *testing.T, method, url, token, body string, headers ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// serverData is an import for the server: a company, two users (Ann;
// Ben, a lead) and three shared Customer tickets.
const serverData = `{"type": "company", "id": "c1", "name": "Examply", "plan": {"type": "plan", "name": "Pro"}}
{"type": "contact", "id": "u1", "external_id": "ann", "email": "ann@examply.com", "name": "Ann", "role": "user", "companies": {"type": "list", "data": [{"type": "company", "id": "c1"}]}}
{"type": "contact", "id": "u2", "external_id": "ben", "email": "ben@examply.com", "name": "Ben", "role": "lead", "companies": {"type": "list", "data": [{"type": "company", "id": "c1"}]}}
{"type": "ticket", "id": "t1", "ticket_id": 101, "category": "Customer", "is_shared": true, "company_id": "c1", "created_at": 1761994800, "updated_at": 1761998400, "ticket_attributes": {"_default_title_": "Export fails"}, "ticket_state": {"category": "submitted", "external_label": "Received"}, "ticket_type": {"id": "ty", "name": "Bug", "category": "Customer"}, "contacts": {"type": "contact.list", "contacts": [{"id": "u1"}]}}
{"type": "ticket", "id": "t2", "ticket_id": 102, "category": "Customer", "is_shared": true, "company_id": "c1", "created_at": 1761994800, "updated_at": 1761998000, "ticket_attributes": {"_default_title_": "Invoice wrong"}, "ticket_type": {"id": "ty", "name": "Bug", "category": "Customer"}, "contacts": {"type": "contact.list", "contacts": [{"id": "u2"}]}}
{"type": "ticket", "id": "t3", "ticket_id": 103, "category": "Customer", "is_shared": true, "company_id": "c1", "created_at": 1761994800, "updated_at": 1761997000, "ticket_attributes": {"_default_title_": "Login loop"}, "ticket_type": {"id": "ty", "name": "Bug", "category": "Customer"}, "contacts": {"type": "contact.list", "contacts": [{"id": "u1"}]}}
`

// draftWith applies a settings document to a desktop workspace's draft.
func draftWith(t *testing.T, ws, doc string) {
	t.Helper()
	ok(t, "settings", "apply", writeFile(t, "draft.json", doc), "--workspace", ws)
}

func liveOf(t *testing.T, ws string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(ok(t, "settings", "show", "--settings", "live", "--workspace", ws)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func identityToken(t *testing.T, secret []byte, user string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": user, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServeAndSync(t *testing.T) {
	t.Setenv("PORTALSTUDIO_NO_KEYRING", "1")
	dir := filepath.Join(t.TempDir(), "acme")
	srv := startServer(t, dir, "--base-url", "https://help.example.com")

	// First start: the secrets, mode 0600, and only their file names in
	// the log.
	read := func(name string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
		b, _ := os.ReadFile(p)
		return strings.TrimSpace(string(b))
	}
	token, secret := read("admin-token"), read("identity-secret")
	if len(token) != 43 || len(secret) != 43 || token == secret {
		t.Fatalf("token %d chars, secret %d chars; want two different 32-byte base64url secrets", len(token), len(secret))
	}
	if !strings.Contains(srv.log(), filepath.Join(dir, "admin-token")) {
		t.Fatalf("the log does not say where the admin token is:\n%s", srv.log())
	}

	status, body := call(t, "POST", srv.url+"/api/v1/import", token, serverData)
	if status != 200 || !strings.Contains(body, `"tickets": 3`) {
		t.Fatalf("import: %d %s", status, body)
	}

	// Desktop A pulls the data and the (default) settings, enables the
	// portal and pushes: the server's first version.
	deskA := filepath.Join(t.TempDir(), "a.db")
	out := ok(t, "sync", "pull", "--data", "--workspace", deskA, "--server", srv.url, "--token-file", filepath.Join(dir, "admin-token"))
	if !strings.Contains(out, "version 0") || !strings.Contains(out, "3 tickets") || !strings.Contains(out, "<workspace>.token") {
		t.Fatalf("pull:\n%s", out)
	}
	if fi, err := os.Stat(deskA + ".token"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the desktop's token file: %v %v", fi, err)
	}
	draftWith(t, deskA, `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": []}},
		"visibility": {"restrict_to_own": true, "conditions": {"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}}}`)
	// No --server, no --token: remembered.
	out = ok(t, "sync", "push", "--workspace", deskA)
	if !strings.Contains(out, "now version 1") {
		t.Fatalf("push:\n%s", out)
	}
	if live := liveOf(t, deskA); live["version"] != float64(1) || live["portal"].(map[string]any)["url"] != "https://help.example.com/portal/acme/" {
		t.Fatalf("A's live copy after push: %v", live)
	}

	// Desktop B pulls; A and B change different fields; B's push merges.
	deskB := filepath.Join(t.TempDir(), "b.db")
	ok(t, "sync", "pull", "--data", "--workspace", deskB, "--server", srv.url, "--token", token)
	apply(t, deskA, func(doc map[string]any) { doc["preview_column"] = false })
	apply(t, deskB, func(doc map[string]any) { obj(doc, "messenger")["tickets_space"] = true })
	ok(t, "sync", "push", "--workspace", deskA)
	out = ok(t, "sync", "push", "--workspace", deskB)
	if !strings.Contains(out, "What changed on the server:") || !strings.Contains(out, `-  "preview_column": true,`) ||
		!strings.Contains(out, "merged: messenger.tickets_space, as changed by your draft") || !strings.Contains(out, "now version 3") {
		t.Fatalf("B's merging push:\n%s", out)
	}

	// A conflict: both change the access rule. Refused without --take,
	// with the conflict's path; nothing changes.
	ok(t, "sync", "pull", "--workspace", deskA)
	apply(t, deskA, setAccess(map[string]any{"all": []any{cond("user.role", "equals", "user")}}))
	apply(t, deskB, setAccess(map[string]any{"all": []any{cond("company.plan", "equals", "Pro")}}))
	ok(t, "sync", "push", "--workspace", deskA)
	stdout, stderr, code := run(t, "sync", "push", "--workspace", deskB)
	if code != 1 || !strings.Contains(stderr, "access.rule") || !strings.Contains(stderr, "--take") || !strings.Contains(stdout, "conflict: access.rule") {
		t.Fatalf("conflicting push: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, body := call(t, "GET", srv.url+"/api/v1/settings", token, ""); !strings.Contains(body, `"version": 4`) || strings.Contains(body, "company.plan") {
		t.Fatalf("a refused push changed the server: %s", body)
	}
	out = ok(t, "sync", "push", "--take", "draft", "--workspace", deskB)
	if !strings.Contains(out, "now version 5") {
		t.Fatalf("push --take draft:\n%s", out)
	}
	var pushed struct {
		Push struct {
			NothingToPush bool `json:"nothing_to_push"`
		}
	}
	okJSON(t, &pushed, "sync", "push", "--workspace", deskB)
	if !pushed.Push.NothingToPush {
		t.Fatalf("a second push: %+v", pushed)
	}

	// The customer portal, with an identity token and with a session.
	annTok := identityToken(t, []byte(secret), "ann")
	status, body = call(t, "GET", srv.url+"/portal/acme/api/tickets?tab=all", annTok, "")
	if status != 200 || !strings.Contains(body, `"ticket_id":"101"`) || !strings.Contains(body, `"ticket_id":"102"`) {
		t.Fatalf("Ann's tickets: %d %s", status, body)
	}
	req, _ := http.NewRequest("POST", srv.url+"/portal/acme/session", strings.NewReader(`{"token": "`+annTok+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) != 1 {
		t.Fatalf("session: %d %v", resp.StatusCode, resp.Header)
	}
	cookie := resp.Cookies()[0]
	if strings.Contains(srv.log(), token) || strings.Contains(srv.log(), annTok) || strings.Contains(srv.log(), cookie.Value) {
		t.Fatalf("a secret is in the log:\n%s", srv.log())
	}
	status, versionsBefore := call(t, "GET", srv.url+"/api/v1/settings/versions", token, "")
	if status != 200 {
		t.Fatal(versionsBefore)
	}

	// Restart: versions, tokens, sessions and data persist.
	srv.stop(t)
	srv = startServer(t, dir)
	if status, body := call(t, "GET", srv.url+"/api/v1/settings/versions", token, ""); status != 200 || body != versionsBefore {
		t.Fatalf("versions after restart: %d\n%s\nwant\n%s", status, body, versionsBefore)
	}
	if status, body := call(t, "GET", srv.url+"/api/v1/workspace", token, ""); status != 200 || !strings.Contains(body, `"tickets": 3`) ||
		!strings.Contains(body, `"portal_url": "https://help.example.com/portal/acme/"`) {
		t.Fatalf("workspace after restart: %d %s", status, body)
	}
	if status, body := call(t, "GET", srv.url+"/portal/acme/api/tickets", "", "", "Cookie", cookie.Name+"="+cookie.Value); status != 200 {
		t.Fatalf("the session after restart: %d %s", status, body)
	}
	benTok := identityToken(t, []byte(secret), "ben")
	if status, body := call(t, "GET", srv.url+"/portal/acme/api/tickets/t1", benTok, ""); status != 404 {
		t.Fatalf("Ben (restricted) opening Ann's ticket: %d %s", status, body)
	}
	// The desktop syncs with the restarted server (a new port: --server,
	// and its token again: a saved token goes only to its own server).
	out = ok(t, "sync", "pull", "--workspace", deskA, "--server", srv.url, "--token-file", filepath.Join(dir, "admin-token"))
	if !strings.Contains(out, "version 5") {
		t.Fatalf("pull after restart:\n%s", out)
	}
	srv.stop(t)

	// A lost admin token file: the server says how to recover.
	if err := os.Remove(filepath.Join(dir, "admin-token")); err != nil {
		t.Fatal(err)
	}
	if _, err := tryServer(t, dir); err == nil || !strings.Contains(err.Error(), "--rotate-admin-token") {
		t.Fatalf("start without the token file: %v", err)
	}
	srv = startServer(t, dir, "--rotate-admin-token")
	newToken := read("admin-token")
	if newToken == token {
		t.Fatal("--rotate-admin-token kept the token")
	}
	if status, _ := call(t, "GET", srv.url+"/api/v1/settings", token, ""); status != 401 {
		t.Fatalf("the old token after rotation: %d", status)
	}
	if status, body := call(t, "GET", srv.url+"/api/v1/settings", newToken, ""); status != 200 || !strings.Contains(body, `"version": 5`) {
		t.Fatalf("the new token: %d %s", status, body)
	}
	srv.stop(t)
}

func TestServeBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"serve", "--data", t.TempDir(), "--base-url", "ftp://x"},
		{"serve", "--data", t.TempDir(), "--log-format", "xml"},
		{"serve", "--data", t.TempDir(), "--trusted-proxy", "10.0.0.0/33"},
		{"sync"},
		{"sync", "merge"},
		{"sync", "pull", "--take", "draft", "--workspace", filepath.Join(t.TempDir(), "w.db")},
		{"sync", "push", "--take", "both", "--workspace", filepath.Join(t.TempDir(), "w.db")},
		{"sync", "push", "--workspace", filepath.Join(t.TempDir(), "w.db")}, // no server remembered
	} {
		fails(t, 2, args...)
	}
	// The address is taken.
	dir := t.TempDir()
	srv := startServer(t, dir)
	addr := strings.TrimPrefix(srv.url, "http://")
	msg := fails(t, 1, "serve", "--data", t.TempDir(), "--addr", addr)
	if !strings.Contains(msg, "--addr") {
		t.Fatalf("address in use: %s", msg)
	}
	srv.stop(t)
	// Sync against nothing.
	ws := filepath.Join(t.TempDir(), "w.db")
	msg = fails(t, 1, "sync", "pull", "--workspace", ws, "--server", srv.url, "--token", "x")
	if !strings.Contains(msg, "cannot reach") {
		t.Fatalf("pull from a stopped server: %s", msg)
	}
}
