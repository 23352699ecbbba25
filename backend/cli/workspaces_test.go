package cli_test

// End-to-end tests of many workspaces on one PostgreSQL database: the
// built binary's `workspace create` and `serve --database`, two replicas
// serving every workspace, and each workspace's credentials, tickets and
// words tried against the other.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"portalstudio/internal/pgtest"
)

// betaData is another helpdesk's import: a user with Ann's external id
// (another person), and tickets of its own, one with the internal id of
// one of serverData's tickets.
const betaData = `{"type": "company", "id": "c9", "name": "Betamax", "plan": {"type": "plan", "name": "Pro"}}
{"type": "contact", "id": "u9", "external_id": "ann", "email": "ann@betamax.example", "name": "Other Ann", "role": "user", "companies": {"type": "list", "data": [{"type": "company", "id": "c9"}]}}
{"type": "ticket", "id": "t1", "ticket_id": 201, "category": "Customer", "is_shared": true, "company_id": "c9", "created_at": 1761994800, "updated_at": 1761998400, "ticket_attributes": {"_default_title_": "Zebra crossing broken"}, "ticket_type": {"id": "ty", "name": "Bug", "category": "Customer"}, "contacts": {"type": "contact.list", "contacts": [{"id": "u9"}]}}
{"type": "ticket", "id": "t9", "ticket_id": 202, "category": "Customer", "is_shared": true, "company_id": "c9", "created_at": 1761994800, "updated_at": 1761998000, "ticket_attributes": {"_default_title_": "Quartz polishing"}, "ticket_type": {"id": "ty", "name": "Bug", "category": "Customer"}, "contacts": {"type": "contact.list", "contacts": [{"id": "u9"}]}}
`

// secretIn reads the identity-verification secret of a data folder.
func secretIn(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "identity-secret"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// signInAt exchanges an identity token for a session cookie of the
// portal with the slug.
func signInAt(t *testing.T, url, slug, token string) *http.Cookie {
	t.Helper()
	status, _, resp := callFull(t, "POST", url+"/portal/"+slug+"/session", `{"token": "`+token+`"}`, "Content-Type", "application/json")
	if status != 200 || len(resp.Cookies()) != 1 {
		t.Fatalf("session at %s: %d", slug, status)
	}
	return resp.Cookies()[0]
}

// callFull is call with the response (its body already read).
func callFull(t *testing.T, method, url, body string, headers ...string) (int, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
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
	return resp.StatusCode, string(b), resp
}

// TestWorkspaces: a replica started on an empty database makes its
// workspace (acme); `workspace create` makes another (beta) while it
// runs, refusing bad and taken slugs; the running replica serves beta
// from its first request, and a second replica started without --slug
// serves both. On both replicas, each workspace's admin token reaches its
// own data only; identity tokens, session cookies, ticket ids and numbers
// and search words of one are tried against the other: 401 or 404, never
// the other's data.
func TestWorkspaces(t *testing.T) {
	db := pgtest.NewDatabase(t)
	noLimits := "--rate-limits=false"
	dirA := filepath.Join(t.TempDir(), "acme")
	a := startServer(t, dirA, append(replicaArgs(db, "one"), noLimits)...)
	acmeToken, acmeSecret := adminToken(t, dirA), secretIn(t, dirA)
	if status, body := call(t, "POST", a.url+"/api/v1/import", acmeToken, serverData); status != 200 {
		t.Fatalf("acme's import: %d %s", status, body)
	}
	if status, body := call(t, "PUT", a.url+"/api/v1/settings", acmeToken, portalLive, "If-Match", `"0"`); status != 200 {
		t.Fatalf("acme's settings: %d %s", status, body)
	}

	// Bad and taken slugs: a sentence, exit 1, nothing made or written.
	dirBad := filepath.Join(t.TempDir(), "bad")
	for slug, want := range map[string]string{"Beta EU": "is not a slug", "acme": "already has a workspace with the slug"} {
		msg := fails(t, 1, "workspace", "create", "--database", db, "--slug", slug, "--data", dirBad)
		if !strings.Contains(msg, want) {
			t.Fatalf("workspace create --slug %q: %s; want %q", slug, msg, want)
		}
	}
	if entries, _ := os.ReadDir(dirBad); len(entries) != 0 {
		t.Fatalf("a refused create left files: %v", entries)
	}
	if msg := fails(t, 2, "workspace", "create", "--database", db); !strings.Contains(msg, "--slug is required") {
		t.Fatalf("workspace create without --slug: %s", msg)
	}

	dirB := filepath.Join(t.TempDir(), "beta")
	var raw map[string]any
	okJSON(t, &raw, "workspace", "create", "--database", db, "--slug", "beta", "--data", dirB)
	if raw["slug"] != "beta" || raw["schema"] != "ws_beta" || raw["admin_token_file"] != filepath.Join(dirB, "admin-token") || raw["admin_token"] != nil {
		t.Fatalf("workspace create --json: %v", raw)
	}
	for _, name := range []string{"admin-token", "identity-secret"} {
		if fi, err := os.Stat(filepath.Join(dirB, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v; want mode 0600", name, fi, err)
		}
	}
	betaToken, betaSecret := adminToken(t, dirB), secretIn(t, dirB)
	if betaToken == acmeToken || betaSecret == acmeSecret {
		t.Fatal("the new workspace shares a secret with the first")
	}
	if msg := fails(t, 1, "workspace", "create", "--database", db, "--slug", "gamma", "--data", dirB); !strings.Contains(msg, "give each workspace its own --data folder") {
		t.Fatalf("create into a folder that holds secrets: %s", msg)
	}

	// The running replica serves beta without a restart: beta's token
	// reaches beta.
	if status, body := call(t, "POST", a.url+"/api/v1/import", betaToken, betaData); status != 200 || !strings.Contains(body, `"tickets": 2`) {
		t.Fatalf("beta's import through the running replica: %d %s", status, body)
	}
	if status, body := call(t, "PUT", a.url+"/api/v1/settings", betaToken, portalLive, "If-Match", `"0"`); status != 200 {
		t.Fatalf("beta's settings: %d %s", status, body)
	}

	// A second replica, started without --slug, serves both; it writes
	// no secret file.
	dirR := filepath.Join(t.TempDir(), "r2")
	r2 := startServer(t, dirR, "--database", db, "--replica", "two", "--base-url", "http://127.0.0.1", noLimits)
	if entries, _ := os.ReadDir(dirR); len(entries) != 0 {
		t.Fatalf("a replica of several workspaces wrote %v", entries)
	}
	var list struct {
		Workspaces []struct{ Slug, Schema string }
	}
	okJSON(t, &list, "workspace", "list", "--database", db)
	if len(list.Workspaces) != 2 || list.Workspaces[0].Slug != "acme" || list.Workspaces[0].Schema != "public" || list.Workspaces[1].Slug != "beta" {
		t.Fatalf("workspace list: %+v", list)
	}
	// Rotation needs to know which workspace.
	if _, err := tryServer(t, filepath.Join(t.TempDir(), "r3"), "--database", db, "--rotate-admin-token"); err == nil || !strings.Contains(err.Error(), "--slug") {
		t.Fatalf("rotating on a database of two workspaces without --slug: %v", err)
	}

	acmeAnn, betaAnn := tokenFor(t, acmeSecret, "ann", time.Hour), tokenFor(t, betaSecret, "ann", time.Hour)
	for _, p := range []*serverProc{a, r2} {
		// Admin API: each token, its own workspace.
		for _, c := range []struct{ token, tickets, mine, other string }{
			{acmeToken, `"tickets": 3`, "Export fails", "Zebra"},
			{betaToken, `"tickets": 2`, "Zebra crossing", "Export"},
		} {
			if status, body := call(t, "GET", p.url+"/api/v1/workspace", c.token, ""); status != 200 || !strings.Contains(body, c.tickets) {
				t.Fatalf("%s: workspace: %d %s; want %s", p.url, status, body, c.tickets)
			}
			status, snap := call(t, "GET", p.url+"/api/v1/snapshot", c.token, "")
			if status != 200 || !strings.Contains(snap, c.mine) || strings.Contains(snap, c.other) {
				t.Fatalf("%s: a snapshot with one workspace's token holds %q: %v, or misses %q (%d)", p.url, c.other, strings.Contains(snap, c.other), c.mine, status)
			}
		}
		for _, tok := range []string{"", "not-a-token", acmeAnn} {
			if status, body := call(t, "GET", p.url+"/api/v1/settings", tok, ""); status != 401 {
				t.Fatalf("the admin API with %q: %d %s; want 401", tok, status, body)
			}
		}

		// Portal: each identity token on its own portal, then on the other.
		for _, c := range []struct{ slug, tok, mine, other string }{
			{"acme", acmeAnn, "Export fails", "Zebra"},
			{"beta", betaAnn, "Zebra crossing", "Export"},
		} {
			status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets?tab=all", c.tok, "")
			if status != 200 || !strings.Contains(body, c.mine) || strings.Contains(body, c.other) {
				t.Fatalf("%s: %s's list: %d %s", p.url, c.slug, status, body)
			}
		}
		for _, c := range []struct{ slug, tok string }{{"beta", acmeAnn}, {"acme", betaAnn}} {
			if status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets?tab=all", c.tok, ""); status != 401 {
				t.Fatalf("%s: the other workspace's identity token at %s: %d %s; want 401", p.url, c.slug, status, body)
			}
			if status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets", c.tok[:len(c.tok)-2]+"xx", ""); status != 401 {
				t.Fatalf("%s: a forged token at %s: %d %s", p.url, c.slug, status, body)
			}
		}
		// Sessions: a cookie of one portal at the other's paths.
		acmeCookie, betaCookie := signInAt(t, p.url, "acme", acmeAnn), signInAt(t, p.url, "beta", betaAnn)
		if acmeCookie.Path != "/portal/acme/" || betaCookie.Path != "/portal/beta/" {
			t.Fatalf("cookie paths %q and %q", acmeCookie.Path, betaCookie.Path)
		}
		for _, c := range []struct {
			slug   string
			cookie *http.Cookie
			status int
		}{{"acme", acmeCookie, 200}, {"beta", betaCookie, 200}, {"beta", acmeCookie, 401}, {"acme", betaCookie, 401}} {
			status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets", "", "", "Cookie", c.cookie.Name+"="+c.cookie.Value)
			if status != c.status {
				t.Fatalf("%s: a cookie of %s at %s: %d %s; want %d", p.url, c.cookie.Path, c.slug, status, body, c.status)
			}
		}
		// Ticket ids and numbers of one, asked of the other: 404; an id
		// both use is each one's own ticket.
		for _, c := range []struct{ slug, tok, id, want string }{
			{"beta", betaAnn, "101", ""}, {"beta", betaAnn, "t3", ""}, {"acme", acmeAnn, "201", ""}, {"acme", acmeAnn, "t9", ""},
			{"beta", betaAnn, "t1", "Zebra crossing"}, {"acme", acmeAnn, "t1", "Export fails"},
		} {
			status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets/"+c.id, c.tok, "")
			switch {
			case c.want == "" && status != 404:
				t.Fatalf("%s: ticket %s at %s: %d %s; want 404", p.url, c.id, c.slug, status, body)
			case c.want != "" && (status != 200 || !strings.Contains(body, c.want)):
				t.Fatalf("%s: ticket %s at %s: %d %s; want %q", p.url, c.id, c.slug, status, body, c.want)
			case strings.Contains(body, "Export") && c.slug == "beta", strings.Contains(body, "Zebra") && c.slug == "acme":
				t.Fatalf("%s: ticket %s at %s shows the other's: %s", p.url, c.id, c.slug, body)
			}
		}
		// Search: one's words find nothing in the other.
		for _, c := range []struct{ slug, tok, q, want string }{
			{"beta", betaAnn, "export", ""}, {"beta", betaAnn, "login", ""}, {"acme", acmeAnn, "zebra", ""}, {"acme", acmeAnn, "quartz", ""},
			{"beta", betaAnn, "zebra", "Zebra crossing"}, {"acme", acmeAnn, "export", "Export fails"},
		} {
			status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets?tab=all&q="+c.q, c.tok, "")
			if status != 200 || (c.want == "" && strings.Contains(body, `"ticket_id"`)) || (c.want != "" && !strings.Contains(body, c.want)) {
				t.Fatalf("%s: search %q at %s: %d %s; want %q", p.url, c.q, c.slug, status, body, c.want)
			}
		}
		if status, body := call(t, "GET", p.url+"/portal/nope/api/tickets", acmeAnn, ""); status != 404 {
			t.Fatalf("an unknown slug: %d %s", status, body)
		}
	}

	// A workspace made while both run is served by both from its first
	// portal request (its identity secret at work: the token names no
	// user yet), and by its admin token.
	dirG := filepath.Join(t.TempDir(), "gamma")
	ok(t, "workspace", "create", "--database", db, "--slug", "gamma", "--data", dirG)
	gammaTok := tokenFor(t, secretIn(t, dirG), "ann", time.Hour)
	for _, p := range []*serverProc{a, r2} {
		if status, body := call(t, "GET", p.url+"/portal/gamma/api/tickets", gammaTok, ""); status != 401 || !strings.Contains(body, "names no user") {
			t.Fatalf("%s: gamma's portal: %d %s; want 401 naming no user", p.url, status, body)
		}
		if status, body := call(t, "GET", p.url+"/api/v1/workspace", adminToken(t, dirG), ""); status != 200 || !strings.Contains(body, `"tickets": 0`) {
			t.Fatalf("%s: gamma's admin API: %d %s", p.url, status, body)
		}
	}

	// Without --data the secrets are printed once, and work.
	var printed map[string]any
	okJSON(t, &printed, "workspace", "create", "--database", db, "--slug", "delta")
	deltaToken, _ := printed["admin_token"].(string)
	if len(deltaToken) != 43 || printed["identity_secret"] == nil || printed["admin_token_file"] != nil {
		t.Fatalf("workspace create without --data: %v", printed)
	}
	if status, body := call(t, "GET", r2.url+"/api/v1/workspace", deltaToken, ""); status != 200 || !strings.Contains(body, `"tickets": 0`) {
		t.Fatalf("delta's printed admin token: %d %s", status, body)
	}

	// Rotating beta's identity secret on a replica started for beta
	// (--slug) takes effect for beta on the running replicas, and changes
	// nothing for acme.
	startServer(t, dirB, "--database", db, "--replica", "three", "--slug", "beta", "--base-url", "http://127.0.0.1", "--rotate-identity-secret")
	newBetaAnn := tokenFor(t, secretIn(t, dirB), "ann", time.Hour)
	if secretIn(t, dirB) == betaSecret || adminToken(t, dirA) != acmeToken || secretIn(t, dirA) != acmeSecret {
		t.Fatal("the rotation did not write beta's new secret alone")
	}
	for _, p := range []*serverProc{a, r2} {
		for _, c := range []struct {
			slug, tok string
			status    int
		}{{"beta", betaAnn, 401}, {"beta", newBetaAnn, 200}, {"acme", acmeAnn, 200}, {"acme", newBetaAnn, 401}} {
			if status, body := call(t, "GET", p.url+"/portal/"+c.slug+"/api/tickets", c.tok, ""); status != c.status {
				t.Fatalf("%s: after beta's rotation, at %s: %d %s; want %d", p.url, c.slug, status, body, c.status)
			}
		}
	}
}

// TestReadyEveryWorkspace: a replica's /readyz answers ready only when
// every workspace of its database is: one whose schema is a migration
// behind, or gone, makes it 503 naming that workspace, and ready again
// once the workspace is whole.
func TestReadyEveryWorkspace(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	a := startServer(t, filepath.Join(t.TempDir(), "acme"), replicaArgs(db, "one")...)
	ok(t, "workspace", "create", "--database", db, "--slug", "beta", "--data", filepath.Join(t.TempDir(), "beta"))
	if status, body := call(t, "GET", a.url+"/readyz", "", ""); status != 200 {
		t.Fatalf("two migrated workspaces: readyz %d %s", status, body)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var last string
	var all int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM ws_beta.schema_migrations`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `DELETE FROM ws_beta.schema_migrations WHERE name = (SELECT max(name) FROM ws_beta.schema_migrations) RETURNING name`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if status, body := call(t, "GET", a.url+"/readyz", "", ""); status != 503 || !strings.Contains(body, fmt.Sprintf("workspace beta has %d of this program's %d migrations", all-1, all)) {
		t.Fatalf("beta a migration behind: readyz %d %s; want 503 naming beta", status, body)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO ws_beta.schema_migrations (name) VALUES ($1)`, last); err != nil {
		t.Fatal(err)
	}
	if status, body := call(t, "GET", a.url+"/readyz", "", ""); status != 200 {
		t.Fatalf("beta whole again: readyz %d %s", status, body)
	}
	if _, err := conn.Exec(ctx, `DROP SCHEMA ws_beta CASCADE`); err != nil {
		t.Fatal(err)
	}
	if status, body := call(t, "GET", a.url+"/readyz", "", ""); status != 503 || !strings.Contains(body, "workspace beta has no tables") {
		t.Fatalf("beta's schema gone: readyz %d %s; want 503 naming beta", status, body)
	}
}
