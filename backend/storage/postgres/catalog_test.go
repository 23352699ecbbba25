package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
	"portalstudio/internal/pgtest"
)

// TestWorkspaceCatalog: a database made by one server (its workspace in
// the public schema, its slug recorded) is listed under that slug when
// the catalog is first opened; workspace create makes more, each whole,
// refusing a bad or taken slug (also when two ask at once); each
// workspace's data, settings and secrets are its own.
func TestWorkspaceCatalog(t *testing.T) {
	ctx := context.Background()
	acme, url := openPG(t)
	if err := acme.SetServer(ctx, "http://127.0.0.1", "acme"); err != nil {
		t.Fatal(err)
	}
	recs := imports()[0]
	if _, err := acme.Import(ctx, source(recs), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := acme.SetSecret(ctx, portal.SecretAdminTokenHash, sha("acme-token")); err != nil {
		t.Fatal(err)
	}
	acmeBefore := snapshotLines(t, acme)

	cat, err := postgres.OpenCatalog(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	list, err := cat.Workspaces(ctx)
	if err != nil || len(list) != 1 || list[0].Slug != "acme" || list[0].Schema != "public" {
		t.Fatalf("the catalog of a one-workspace database: %+v, %v", list, err)
	}

	for _, bad := range []string{"", "Acme", "ac me", "-acme", "acme-", "ac--me", "acmé", "a/b", string(make([]byte, 51))} {
		if _, err := cat.Create(ctx, bad, nil); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("slug %q: %v; want EINVALID", bad, err)
		}
	}
	if _, err := cat.Create(ctx, "acme", nil); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Fatalf("the public workspace's slug: %v; want ECONFLICT", err)
	}
	secrets := map[string][]byte{portal.SecretAdminTokenHash: sha("beta-token"), portal.SecretIdentity: []byte("beta-identity-secret-0123456789")}
	w, err := cat.Create(ctx, "beta-eu", secrets)
	if err != nil || w.Schema != "ws_beta_eu" {
		t.Fatalf("create beta-eu: %+v, %v", w, err)
	}

	// Two creators of one slug at once: one wins, the other is told it is
	// taken; nothing of the loser remains.
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = cat.Create(ctx, "gamma", nil) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || (portal.ErrorCode(errs[0]) != portal.ECONFLICT && portal.ErrorCode(errs[1]) != portal.ECONFLICT) {
		t.Fatalf("two creates of gamma: %v / %v; want one success and one ECONFLICT", errs[0], errs[1])
	}
	if list, _ = cat.Workspaces(ctx); len(list) != 3 || list[1].Slug != "beta-eu" || list[2].Slug != "gamma" {
		t.Fatalf("the catalog: %+v", list)
	}
	if _, err := cat.Open(ctx, "nope", postgres.Options{}); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("opening an unknown slug: %v; want ENOTFOUND", err)
	}

	beta, err := cat.Open(ctx, "beta-eu", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer beta.Close()
	if err := beta.Ready(ctx); err != nil {
		t.Fatalf("a created workspace is not ready: %v", err)
	}
	// A new workspace is empty: nothing of the public one shows through.
	if lines := snapshotLines(t, beta); len(lines) != 1 {
		t.Fatalf("the new workspace's snapshot has %d lines; want the header only:\n%v", len(lines), lines)
	}
	word := "export" // a word of the public workspace's tickets
	if n, err := acme.TicketsMatching(ctx, word); err != nil || n == 0 {
		t.Fatalf("acme's tickets matching %q: %d, %v", word, n, err)
	}
	if n, err := beta.TicketsMatching(ctx, word); err != nil || n != 0 {
		t.Fatalf("beta's tickets matching acme's word %q: %d, %v; want 0", word, n, err)
	}
	ext := ""
	for _, r := range recs {
		if r.User != nil && r.User.ExternalID != "" {
			ext = r.User.ExternalID
		}
	}
	if _, err := acme.ByExternalID(ctx, ext); err != nil {
		t.Fatalf("acme's user %q: %v", ext, err)
	}
	if _, err := beta.ByExternalID(ctx, ext); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("beta looking up acme's user %q: %v; want ENOTFOUND", ext, err)
	}
	for name, want := range secrets {
		if got, err := beta.Secret(ctx, name); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("beta's %s: %q, %v", name, got, err)
		}
	}
	if _, slug, err := beta.ServerAddress(ctx); err != nil || slug != "beta-eu" {
		t.Fatalf("beta's recorded slug: %q, %v", slug, err)
	}

	// Data and settings written to beta stay there.
	mine := recs[:30]
	if _, err := beta.Import(ctx, source(mine), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := beta.PutLive(ctx, []byte(`{"preview_column": true}`), 0); err != nil {
		t.Fatal(err)
	}
	if v, err := acme.LiveVersion(ctx); err != nil || v != 0 {
		t.Fatalf("acme's live version after a write to beta: %d, %v", v, err)
	}
	if after := snapshotLines(t, acme); len(after) != len(acmeBefore) {
		t.Fatalf("acme's snapshot changed with beta's import: %d lines, was %d", len(after), len(acmeBefore))
	}
	if lines := snapshotLines(t, beta); len(lines) >= len(acmeBefore) {
		t.Fatalf("beta's snapshot has %d lines; acme's %d", len(lines), len(acmeBefore))
	}

	hashes, err := cat.AdminTokenHashes(ctx)
	if err != nil || len(hashes) != 2 || !bytes.Equal(hashes["acme"], sha("acme-token")) || !bytes.Equal(hashes["beta-eu"], sha("beta-token")) {
		t.Fatalf("admin token hashes: %v, %v (gamma has none)", hashes, err)
	}

	// A workspace's schema dropped by hand costs the others nothing.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `DROP SCHEMA ws_gamma CASCADE`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if hashes, err := cat.AdminTokenHashes(ctx); err != nil || len(hashes) != 2 {
		t.Fatalf("admin token hashes with gamma's schema gone: %v, %v", hashes, err)
	}

	// Reopening changes nothing; another handle (a replica) sees the same.
	cat2, err := postgres.OpenCatalog(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat2.Close()
	if list2, err := cat2.Workspaces(ctx); err != nil || len(list2) != 3 {
		t.Fatalf("the catalog reopened: %+v, %v", list2, err)
	}
}

// TestCatalogOnEmptyDatabase: a catalog opened on an empty database lists
// nothing and makes no workspace in public; replicas opening it at once
// agree.
func TestCatalogOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			c, err := postgres.OpenCatalog(ctx, url, postgres.Options{})
			if err == nil {
				c.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	cat, err := postgres.OpenCatalog(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if list, err := cat.Workspaces(ctx); err != nil || len(list) != 0 {
		t.Fatalf("an empty database's catalog: %+v, %v", list, err)
	}
	if ok, err := cat.PublicWorkspace(ctx); err != nil || ok {
		t.Fatalf("an empty database has a public workspace: %v, %v", ok, err)
	}
	if _, err := cat.Create(ctx, "first", nil); err != nil {
		t.Fatal(err)
	}
	s, err := cat.Open(ctx, "first", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := cat.PublicWorkspace(ctx); err != nil || ok {
		t.Fatalf("creating a workspace made one in public: %v, %v", ok, err)
	}
}

// TestCatalogWithSearchPath: a workspace kept in a schema of its own by a
// connection string's search_path (how one database held several before
// the catalog) is listed under its slug with that schema, and opened from
// a connection string without it.
func TestCatalogWithSearchPath(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE SCHEMA legacy`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	withPath := url + "&search_path=legacy"
	old, err := postgres.Open(ctx, withPath, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.SetServer(ctx, "http://127.0.0.1", "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Import(ctx, source(imports()[0][:50]), portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := snapshotLines(t, old)
	c1, err := postgres.OpenCatalog(ctx, withPath, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := postgres.OpenCatalog(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for _, c := range []*postgres.Catalog{c1, c2} {
		list, err := c.Workspaces(ctx)
		if err != nil || len(list) != 1 || list[0].Slug != "old" || list[0].Schema != "legacy" {
			t.Fatalf("catalog (default schema %s): %+v, %v", c.DefaultSchema(), list, err)
		}
		s, err := c.Open(ctx, "old", postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := snapshotLines(t, s)
		s.Close()
		if len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
			t.Fatalf("the workspace opened through the catalog (default schema %s) has %d lines, want %d", c.DefaultSchema(), len(got), len(want))
		}
	}
	if ok, err := c2.PublicWorkspace(ctx); err != nil || ok {
		t.Fatalf("public holds a workspace: %v %v", ok, err)
	}

	// The two ways of opening it take the same locks: of two writers from
	// one version, one through each, exactly one wins (from version 0,
	// before any live row exists to lock, too).
	viaCatalog, err := c2.Open(ctx, "old", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer viaCatalog.Close()
	for round := 0; round < 4; round++ {
		v, err := old.LiveVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, st := range []*postgres.Store{old, viaCatalog} {
			wg.Go(func() {
				_, errs[i] = st.PutLive(ctx, []byte(fmt.Sprintf(`{"preview_column": %v}`, (round+i)%2 == 0)), v)
			})
		}
		wg.Wait()
		var stale *portal.StaleError
		if !(errs[0] == nil && errors.As(errs[1], &stale)) && !(errs[1] == nil && errors.As(errs[0], &stale)) {
			t.Fatalf("round %d from version %d: %v / %v; want one win and one stale", round, v, errs[0], errs[1])
		}
	}
}

// TestCatalogReady: a database is ready when every workspace it lists
// is: one whose schema lacks a migration, or whose schema is gone, makes
// it not ready, with a sentence naming that workspace (and not the
// others), until it is migrated again.
func TestCatalogReady(t *testing.T) {
	ctx := context.Background()
	acme, url := openPG(t)
	if err := acme.SetServer(ctx, "http://127.0.0.1", "acme"); err != nil {
		t.Fatal(err)
	}
	cat, err := postgres.OpenCatalog(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	for _, slug := range []string{"beta", "gamma"} {
		if _, err := cat.Create(ctx, slug, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := cat.Ready(ctx); err != nil {
		t.Fatalf("three migrated workspaces: %v", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// beta's schema is one migration behind (an older program made it).
	var last string
	if err := conn.QueryRow(ctx, `DELETE FROM ws_beta.schema_migrations WHERE name = (SELECT max(name) FROM ws_beta.schema_migrations) RETURNING name`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	err = cat.Ready(ctx)
	if portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "workspace beta has") || strings.Contains(err.Error(), "gamma") || strings.Contains(err.Error(), "acme") {
		t.Fatalf("beta a migration behind: %v; want EPRECONDITION naming beta alone", err)
	}
	// Migrated again (the row back, as the migration would record it):
	// ready again.
	if _, err := conn.Exec(ctx, `INSERT INTO ws_beta.schema_migrations (name) VALUES ($1)`, last); err != nil {
		t.Fatal(err)
	}
	if err := cat.Ready(ctx); err != nil {
		t.Fatalf("beta migrated again: %v", err)
	}

	// gamma's schema is dropped by hand.
	if _, err := conn.Exec(ctx, `DROP SCHEMA ws_gamma CASCADE`); err != nil {
		t.Fatal(err)
	}
	err = cat.Ready(ctx)
	if portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "workspace gamma has no tables") || strings.Contains(err.Error(), "beta") {
		t.Fatalf("gamma's schema dropped: %v; want EPRECONDITION naming gamma alone", err)
	}
}
