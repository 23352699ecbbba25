package testkit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/internal/teststore"
)

// ImportRecords imports recs into ws in one strict import, failing the
// test on any error.
func ImportRecords(tb testing.TB, ws portal.Importer, recs []portal.Record) {
	tb.Helper()
	_, err := ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, portal.ImportOptions{Strict: true})
	if err != nil {
		tb.Fatal(err)
	}
}

// PortalOptions say what a test portal server holds and how it runs.
type PortalOptions struct {
	// Records are imported first; LiveDoc becomes live version 1.
	Records []portal.Record
	LiveDoc string
	// BaseURL is the portal's public address (its slug is acme).
	BaseURL string
	// Now is the server's clock (nil: the real one).
	Now func() time.Time
	// Configure, when given, changes the server's configuration last.
	Configure func(*server.Config)
	// Wrap, when given, stands in front of the served handler.
	Wrap func(http.Handler) http.Handler
	// Store, when given, is the store served (else a new one of
	// teststore.Current's kind).
	Store teststore.Store
}

// Portal is a real portal server on loopback over a new workspace, the
// way `serve` prepares one: secrets and an admin token in its folder.
type Portal struct {
	WS             teststore.Store
	Dir            string // the server's folder
	URL            string
	AdminToken     string
	IdentitySecret []byte
	Server         *server.Server
	Handler        http.Handler // what URL serves (after Wrap)
}

// StartPortal starts a portal server holding o's records and live
// settings; the workspace and the server close when the test ends.
func StartPortal(tb testing.TB, o PortalOptions) *Portal {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	ws := o.Store
	if ws == nil {
		if teststore.Current.Name == "sqlite" {
			ws = teststore.OpenSQLiteIn(tb, dir) // the server's data folder, as serve keeps it
		} else {
			ws = teststore.Open(tb)
		}
	}
	tb.Logf("store: %s", teststore.Current.Name)
	sec, err := server.PrepareSecrets(ctx, ws, dir, server.SecretOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	token, err := os.ReadFile(filepath.Join(dir, server.AdminTokenFile))
	if err != nil {
		tb.Fatal(err)
	}
	ImportRecords(tb, ws, o.Records)
	if err := ws.SetServer(ctx, o.BaseURL, "acme"); err != nil {
		tb.Fatal(err)
	}
	if _, err := ws.PutLive(ctx, []byte(o.LiveDoc), 0); err != nil {
		tb.Fatal(err)
	}
	cfg := server.Config{Store: ws, Audiences: ServerAudiences(tb, ws), IdentitySecret: sec.IdentitySecret, Slug: "acme", BaseURL: o.BaseURL, Now: o.Now}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	s, err := server.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	h := s.Handler()
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	hs := httptest.NewServer(h)
	tb.Cleanup(hs.Close)
	return &Portal{WS: ws, Dir: dir, URL: hs.URL, AdminToken: strings.TrimSpace(string(token)),
		IdentitySecret: sec.IdentitySecret, Server: s, Handler: h}
}
