package oracle_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"portalstudio/backend/intercom"
	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/wire"
	"portalstudio/internal/oracle"
	"portalstudio/internal/testkit"
	"portalstudio/internal/teststore"
)

// testSecret signs the identity tokens of the oracle's portal servers.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// importDataset creates the workspace at path and imports d through the
// real import path (Intercom JSON Lines → intercom.Read → the strict
// import), checks every record arrived, and names the portal acme at
// http://portal.test. label says which dataset failed ("round 3").
//
// The store is teststore.Current's kind: the SQLite workspace at path, or
// a new PostgreSQL database.
func importDataset(t *testing.T, ctx context.Context, path string, d *oracle.Dataset, label string) teststore.Store {
	t.Helper()
	var ws teststore.Store
	if teststore.Current.Name == "sqlite" {
		w, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ws = w
	} else {
		ws = teststore.Open(t)
	}
	var buf bytes.Buffer
	if err := d.WriteJSONL(&buf); err != nil {
		ws.Close()
		t.Fatal(err)
	}
	file := buf.Bytes()
	rep, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return intercom.Read("gen.jsonl", bytes.NewReader(file), emit)
	}, portal.ImportOptions{Strict: true})
	if err != nil {
		ws.Close()
		t.Fatalf("%s: import: %v (%v)", label, err, rep.Rejected)
	}
	if rep.Contacts != len(d.Users) || rep.Companies != len(d.Companies) || rep.Tickets != len(d.Tickets) {
		ws.Close()
		t.Fatalf("%s: import wrote %d/%d/%d, want %d/%d/%d", label, rep.Contacts, rep.Companies, rep.Tickets, len(d.Users), len(d.Companies), len(d.Tickets))
	}
	if err := ws.SetServer(ctx, "http://portal.test", "acme"); err != nil {
		ws.Close()
		t.Fatal(err)
	}
	return ws
}

// servePortal serves ws's portal acme on a loopback server, at the tests'
// fixed now, trusting tokens signed with testSecret. The caller closes it.
func servePortal(t *testing.T, ws teststore.Store) *httptest.Server {
	t.Helper()
	s, err := server.New(server.Config{Store: ws, Audiences: testkit.ServerAudiences(t, ws), IdentitySecret: testSecret,
		Slug: "acme", BaseURL: "http://portal.test", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(s.Handler())
}

// identityToken returns an identity token for u, valid an hour from now:
// by user_id (external_id) when it has one, else by email; "" when it can
// have none.
func identityToken(t *testing.T, u *portal.User) string {
	t.Helper()
	claims := jwt.MapClaims{"exp": now.Add(time.Hour).Unix()}
	switch {
	case u.ExternalID != "":
		claims["user_id"] = u.ExternalID
	case u.Email != "":
		claims["email"] = u.Email
	default:
		return ""
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ticketsQuery is the query of one page of GET /portal/acme/api/tickets
// (tab, q, cursor and the filter's parameters left out when empty).
func ticketsQuery(tab, q, cursor string, limit int, f portal.TicketFilter) string {
	qs := f.Values()
	qs.Set("limit", strconv.Itoa(limit))
	if tab != "" {
		qs.Set("tab", tab)
	}
	if q != "" {
		qs.Set("q", q)
	}
	if cursor != "" {
		qs.Set("cursor", cursor)
	}
	return qs.Encode()
}

// partIDs lists a ticket page's parts, in order.
func partIDs(det wire.TicketDetail) []string {
	var ids []string
	for _, p := range det.Parts {
		ids = append(ids, p.ID)
	}
	return ids
}
