package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/internal/testkit"
)

// tenants serves a fixed set of workspaces to a Router, counting how
// often each is opened; fail, when set, is what opening answers.
type tenants struct {
	servers map[string]*server.Server
	stores  map[string]portal.ServerState
	opened  sync.Map // slug → *atomic.Int32
	fail    atomic.Pointer[error]
}

func (tn *tenants) Open(ctx context.Context, slug string) (*server.Server, error) {
	n, _ := tn.opened.LoadOrStore(slug, new(atomic.Int32))
	n.(*atomic.Int32).Add(1)
	if err := tn.fail.Load(); err != nil {
		return nil, *err
	}
	s, ok := tn.servers[slug]
	if !ok {
		return nil, portal.Errorf(portal.ENOTFOUND, "no workspace %q", slug)
	}
	return s, nil
}

func (tn *tenants) AdminTokenHashes(ctx context.Context) (map[string][]byte, error) {
	if err := tn.fail.Load(); err != nil {
		return nil, *err
	}
	out := map[string][]byte{}
	for slug, st := range tn.stores {
		h, err := st.Secret(ctx, portal.SecretAdminTokenHash)
		if err != nil {
			return nil, err
		}
		out[slug] = h
	}
	return out, nil
}

func (tn *tenants) opens(slug string) int32 {
	n, ok := tn.opened.Load(slug)
	if !ok {
		return 0
	}
	return n.(*atomic.Int32).Load()
}

// TestRouter: a Router over two workspaces (acme, its front, and beta)
// sends portal requests by slug and admin requests by token, each to its
// own server; opens a workspace once however many ask at once; answers
// an unknown slug 404 and a token that is nobody's 401 (as one server
// does), a workspace that cannot be opened 503 (and opens it once it
// can), and a Host not its own 421 before looking anything up.
func TestRouter(t *testing.T) {
	withSlug := func(slug string) func(*server.Config) { return func(c *server.Config) { c.Slug = slug } }
	a := testkit.StartPortal(t, testkit.PortalOptions{Records: dataset(), LiveDoc: liveDoc, BaseURL: "http://portal.test", Now: func() time.Time { return now }})
	betaRecords := []portal.Record{
		{Company: &portal.Company{ID: "c9", Name: "Betamax"}},
		{User: &portal.User{ID: "u9", ExternalID: "ann-ext", Email: "ann@betamax.example", Name: "Other Ann", Role: "user", CompanyIDs: []string{"c9"}}},
		{Ticket: &portal.Ticket{ID: "t1", TicketID: "901", Title: "Zebra crossing", Category: portal.CategoryCustomer, IsShared: true, ContactIDs: []string{"u9"}, CompanyID: "c9",
			StateCategory: "submitted", StateLabel: "Received", TypeID: "ty", CreatedAt: now.Add(-time.Hour), UpdatedAt: now, Open: true},
			TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}},
	}
	b := testkit.StartPortal(t, testkit.PortalOptions{Records: betaRecords, LiveDoc: liveDoc, BaseURL: "http://portal.test", Now: func() time.Time { return now },
		Configure: withSlug("beta")})
	tn := &tenants{servers: map[string]*server.Server{"acme": a.Server, "beta": b.Server},
		stores: map[string]portal.ServerState{"acme": a.WS, "beta": b.WS}}
	rt := server.NewRouter(a.Server, tn)
	hs := httptest.NewServer(rt.Handler())
	defer hs.Close()
	idA := sign(t, jwt.SigningMethodHS256, a.IdentitySecret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()})
	idB := sign(t, jwt.SigningMethodHS256, b.IdentitySecret, jwt.MapClaims{"user_id": "ann-ext", "exp": now.Add(time.Hour).Unix()})
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	// A workspace that cannot be opened: 503 with a sentence, then served
	// once it can be.
	var unavailable error = portal.Errorf(portal.EUNAVAILABLE, "The database cannot be reached right now; try again in a moment.")
	tn.fail.Store(&unavailable)
	if r := do(t, "GET", hs.URL+"/portal/beta/api/tickets", nil, bearer(idB)...); r.status != 503 || r.errorCode(t) != "unavailable" {
		t.Fatalf("beta while it cannot be opened: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", hs.URL+"/api/v1/settings", nil, bearer(b.AdminToken)...); r.status != 503 {
		t.Fatalf("an admin request while the tokens cannot be read: %d %s", r.status, r.body)
	}
	var broken error = portal.Errorf(portal.EINTERNAL, "schema missing")
	tn.fail.Store(&broken)
	if r := do(t, "GET", hs.URL+"/portal/beta/api/tickets", nil, bearer(idB)...); r.status != 503 || strings.Contains(string(r.body), "schema missing") {
		t.Fatalf("beta failing to open: %d %s; want 503 without the cause", r.status, r.body)
	}
	tn.fail.Store(nil)
	before := tn.opens("beta")

	// Many at once: beta is opened once.
	var wg sync.WaitGroup
	statuses := make([]int, 16)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = do(t, "GET", hs.URL+"/portal/beta/api/tickets?tab=all", nil, bearer(idB)...).status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Fatalf("request %d for beta: %d", i, s)
		}
	}
	if n := tn.opens("beta") - before; n != 1 {
		t.Fatalf("beta was opened %d times by 16 requests; want once", n)
	}

	// Each workspace's tickets, by slug; the other's identity token 401.
	for _, c := range []struct {
		slug, tok, want, not string
		status               int
	}{
		{"acme", idA, "Ticket 101", "Zebra", 200}, {"beta", idB, "Zebra crossing", "Ticket 10", 200},
		{"acme", idB, "", "", 401}, {"beta", idA, "", "", 401},
	} {
		r := do(t, "GET", hs.URL+"/portal/"+c.slug+"/api/tickets?tab=all", nil, bearer(c.tok)...)
		if r.status != c.status || !strings.Contains(string(r.body), c.want) || (c.not != "" && strings.Contains(string(r.body), c.not)) {
			t.Fatalf("%s's tickets: %d %s", c.slug, r.status, r.body)
		}
	}
	if r := do(t, "GET", hs.URL+"/portal/beta/api/tickets/101", nil, bearer(idB)...); r.status != 404 {
		t.Fatalf("acme's ticket number at beta: %d %s", r.status, r.body)
	}

	// Admin requests by token.
	for _, c := range []struct{ token, want string }{{a.AdminToken, `"tickets": 5`}, {b.AdminToken, `"tickets": 1`}} {
		if r := do(t, "GET", hs.URL+"/api/v1/workspace", nil, bearer(c.token)...); r.status != 200 || !strings.Contains(string(r.body), c.want) {
			t.Fatalf("the workspace by token: %d %s; want %s", r.status, r.body, c.want)
		}
	}
	for _, h := range [][]string{nil, bearer("nobody's"), bearer(idA)} {
		if r := do(t, "GET", hs.URL+"/api/v1/settings", nil, h...); r.status != 401 || r.errorCode(t) != "unauthorized" {
			t.Fatalf("an admin request with %v: %d %s", h, r.status, r.body)
		}
	}

	// Unknown and malformed slugs: 404, and only a slug is looked up.
	for _, p := range []string{"/portal/nope/api/tickets", "/portal/Beta/api/tickets", "/portal/..%2fbeta/api/tickets", "/nothing"} {
		if r := do(t, "GET", hs.URL+p, nil, bearer(idB)...); r.status != 404 {
			t.Fatalf("%s: %d %s", p, r.status, r.body)
		}
	}
	if tn.opens("Beta") != 0 || tn.opens("..%2fbeta") != 0 || tn.opens("../beta") != 0 {
		t.Fatal("a malformed slug was looked up")
	}
	if n := tn.opens("nope"); n != 1 {
		t.Fatalf("an unknown slug was looked up %d times; want 1", n)
	}

	// The guards stand before the routing.
	if r := hostRequest(t, &fixture{url: hs.URL}, "GET", "/portal/gamma/api/tickets", "evil.example"); r.status != 421 || tn.opens("gamma") != 0 {
		t.Fatalf("another Host: %d %s (gamma opened %d times)", r.status, r.body, tn.opens("gamma"))
	}
	if r := do(t, "GET", hs.URL+"/healthz", nil); r.status != 200 {
		t.Fatalf("healthz: %d", r.status)
	}
}
