package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/internal/testkit"
	"portalstudio/internal/teststore"
)

// TestMain runs every test of the package once per store: the SQLite
// workspace, then PostgreSQL (a throwaway cluster).
func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// now is the server's clock in every test.
var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// fixture is a real server on loopback over a real workspace.
type fixture struct {
	ws     teststore.Store
	dir    string
	url    string // the server's URL
	token  string // the admin token
	secret []byte // the identity-verification secret
	now    time.Time
	// handler is the server's handler, to call in process.
	handler http.Handler
}

// liveDoc is the live settings every fixture starts with: the portal on,
// access for everyone whose email does not contain "blocked", and users
// whose role is "lead" restricted to their own tickets.
const liveDoc = `{
  "portal": {"enabled": true},
  "identity_verification": true,
  "access": {"rule": {"all": [{"attribute": "user.email", "operator": "not_contains", "value": "blocked"}]}},
  "visibility": {"restrict_to_own": true, "conditions": {"all": [{"attribute": "user.role", "operator": "equals", "value": "lead"}]}}
}`

// dataset: two companies; Ann (Examply), Ben (Examply, a lead: restricted),
// Cat (Globex), Dan (no access), two contacts sharing an email; shared
// Customer tickets 101 (Ann's, with a note), 102 (Ben's), 103 (Cat's),
// and 104 (Ann's, not shared) and 105 (a Back-office one).
func dataset() []portal.Record {
	recs := []portal.Record{
		{Company: &portal.Company{ID: "c1", Name: "Examply"}},
		{Company: &portal.Company{ID: "c2", Name: "Globex"}},
		{User: &portal.User{ID: "u1", ExternalID: "ann-ext", Email: "ann@examply.com", Name: "Ann", Role: "user", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u2", ExternalID: "ben-ext", Email: "ben@examply.com", Name: "Ben", Role: "lead", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u3", ExternalID: "42", Email: "cat@globex.io", Name: "Cat", Role: "user", CompanyIDs: []string{"c2"}}},
		{User: &portal.User{ID: "u4", ExternalID: "dan-ext", Email: "dan@blocked.io", Name: "Dan", Role: "user", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u5", Email: "shared@examply.com", Name: "Lead One", CompanyIDs: []string{"c1"}}},
		{User: &portal.User{ID: "u6", Email: "SHARED@examply.com", Name: "User Two", CompanyIDs: []string{"c1"}}},
	}
	ticket := func(id, num, creator, company, category string, shared bool, hoursAgo int, parts ...portal.Part) portal.Record {
		return portal.Record{Ticket: &portal.Ticket{ID: id, TicketID: num, Title: "Ticket " + num, Description: "About " + num, Category: category,
			IsShared: shared, ContactIDs: []string{creator}, CompanyID: company, StateCategory: "in_progress", StateLabel: "Working on it", TypeID: "ty",
			CreatedAt: now.Add(-48 * time.Hour), UpdatedAt: now.Add(-time.Duration(hoursAgo) * time.Hour), Open: true, Parts: parts},
			TicketType: &portal.TicketType{ID: "ty", Name: "Bug", Category: portal.CategoryCustomer}}
	}
	return append(recs,
		ticket("t1", "101", "u1", "c1", portal.CategoryCustomer, true, 1,
			portal.Part{ID: "p1", PartType: "comment", Body: "<p>Hello from the invoice export</p>", AuthorType: "user", AuthorName: "Ann", CreatedAt: now.Add(-3 * time.Hour)},
			portal.Part{ID: "p2", PartType: "note", Body: "secret internal escalation", AuthorType: "admin", AuthorName: "Agent", CreatedAt: now.Add(-2 * time.Hour)}),
		ticket("t2", "102", "u2", "c1", portal.CategoryCustomer, true, 2),
		ticket("t3", "103", "u3", "c2", portal.CategoryCustomer, true, 3),
		ticket("t4", "104", "u1", "c1", portal.CategoryCustomer, false, 4),
		ticket("t5", "105", "u1", "c1", portal.CategoryBackOffice, true, 5),
	)
}

func importRecords(t testing.TB, ws portal.Importer, recs []portal.Record) {
	t.Helper()
	testkit.ImportRecords(t, ws, recs)
}

// newFixture starts a server on loopback over a new workspace holding the
// dataset and liveDoc (version 1).
func newFixture(t testing.TB, opts ...func(*server.Config)) *fixture {
	t.Helper()
	p := testkit.StartPortal(t, testkit.PortalOptions{Records: dataset(), LiveDoc: liveDoc,
		BaseURL: "http://portal.test", Now: func() time.Time { return now },
		Configure: func(cfg *server.Config) {
			for _, o := range opts {
				o(cfg)
			}
		}})
	return &fixture{ws: p.WS, dir: p.Dir, url: p.URL, token: p.AdminToken, secret: p.IdentitySecret, now: now, handler: p.Server.Handler()}
}

// response is an answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a map.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
	return m
}

// errorCode returns the code of a JSON error answer, failing when the
// answer is not one.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok || e["code"] == nil || e["message"] == "" {
		t.Fatalf("answer %d is not a JSON error: %s", r.status, r.body)
	}
	return e["code"].(string)
}

// do sends a request; headers are name, value pairs.
func do(t *testing.T, method, url string, body io.Reader, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// admin sends an admin API request with the admin token.
func (f *fixture) admin(t *testing.T, method, path string, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return do(t, method, f.url+path, rd, append([]string{"Authorization", "Bearer " + f.token}, headers...)...)
}

// liveVersion returns the server's live version from its workspace.
func (f *fixture) liveVersion(t *testing.T) int {
	t.Helper()
	v, err := f.ws.LiveVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sign makes an identity token with the claims, signed by method with key.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// identity returns a valid identity token for the external id.
func (f *fixture) identity(t *testing.T, externalID string) string {
	return sign(t, jwt.SigningMethodHS256, f.secret, jwt.MapClaims{"user_id": externalID, "exp": f.now.Add(time.Hour).Unix()})
}

// portal sends a portal API request with an identity token.
func (f *fixture) portal(t *testing.T, path, token string) response {
	t.Helper()
	var h []string
	if token != "" {
		h = []string{"Authorization", "Bearer " + token}
	}
	return do(t, http.MethodGet, f.url+"/portal/acme"+path, nil, h...)
}

// putLive sets the live settings directly in the workspace.
func (f *fixture) putLive(t *testing.T, doc string) {
	t.Helper()
	if _, err := f.ws.PutLive(context.Background(), []byte(doc), portal.AnyVersion); err != nil {
		t.Fatal(err)
	}
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
