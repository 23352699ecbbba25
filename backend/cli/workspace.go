package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/backend/storage/postgres"
)

// `portalstudio workspace create|list --database URL`: the workspaces of
// a PostgreSQL database, which every `serve --database URL` on it serves,
// each under its slug.

func runWorkspace(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usagef("workspace: say create or list")
	}
	switch args[0] {
	case "create":
		return runWorkspaceCreate(ctx, env, args[1:])
	case "list":
		return runWorkspaceList(ctx, env, args[1:])
	}
	return usagef("workspace: unknown subcommand %q; use create or list", args[0])
}

// databaseFlag is --database with $PORTALSTUDIO_DATABASE as its default.
func databaseFlag(cmd, flagValue string) (string, error) {
	url := strings.TrimSpace(flagValue)
	if url == "" {
		url = strings.TrimSpace(os.Getenv(DatabaseEnv))
	}
	if url == "" {
		return "", usagef("%s: --database URL is required (or $%s)", cmd, DatabaseEnv)
	}
	return url, nil
}

func runWorkspaceCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("workspace create", env)
	database := fs.String("database", "", "the PostgreSQL database (a connection string; default $"+DatabaseEnv+")")
	slug := fs.String("slug", "", "the new workspace's slug: its portal is at /portal/<slug>/ (lower-case letters, digits, hyphens)")
	data := fs.String("data", "", "a folder to receive the workspace's admin-token and identity-secret files (0600); without it they are printed")
	jsonOut := fs.Bool("json", false, "print one JSON document")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	dbURL, err := databaseFlag("workspace create", *database)
	if err != nil {
		return err
	}
	if *slug == "" {
		return usagef("workspace create: --slug is required")
	}
	if err := postgres.ValidSlug(*slug); err != nil {
		return err
	}
	dir := ""
	if *data != "" {
		if err := os.MkdirAll(*data, 0o700); err != nil {
			return portal.Errorf(portal.EPRECONDITION, "cannot create the folder %s: %v", *data, errReason(err))
		}
		if dir, err = filepath.Abs(*data); err != nil {
			return err
		}
	}
	cat, err := postgres.OpenCatalog(ctx, dbURL, postgres.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	// The files first, then the workspace in one transaction: when that
	// fails (the slug taken meanwhile), the files go again, and nothing
	// is left half-made.
	sec, err := server.MakeSecrets(dir)
	if err != nil {
		return err
	}
	token, secret := sec.AdminToken, sec.IdentitySecret
	w, err := cat.Create(ctx, *slug, sec.Stored)
	if err != nil {
		sec.RemoveFiles()
		return err
	}
	out := map[string]any{"slug": w.Slug, "schema": w.Schema, "database": cat.Location()}
	if dir != "" {
		out["admin_token_file"] = filepath.Join(dir, server.AdminTokenFile)
		out["identity_secret_file"] = filepath.Join(dir, server.IdentitySecretFile)
	} else {
		out["admin_token"], out["identity_secret"] = token, secret
	}
	if *jsonOut {
		return printJSON(env.Stdout, out)
	}
	fmt.Fprintf(env.Stdout, "Created the workspace %s (schema %s) in %s.\n", w.Slug, w.Schema, cat.Location())
	if dir != "" {
		fmt.Fprintf(env.Stdout, "Its admin token is in %s and its identity-verification secret in %s (mode 0600).\n", out["admin_token_file"], out["identity_secret_file"])
	} else {
		fmt.Fprintf(env.Stdout, "Admin token: %s\nIdentity-verification secret: %s\nKeep them safe: they are shown once (the database keeps the admin token's hash only).\n", token, secret)
	}
	fmt.Fprintf(env.Stdout, "Every server on this database serves it at <base URL>/portal/%s/ from its first request; import its data with its admin token (POST /api/v1/import).\n", w.Slug)
	return nil
}

func runWorkspaceList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("workspace list", env)
	database := fs.String("database", "", "the PostgreSQL database (a connection string; default $"+DatabaseEnv+")")
	jsonOut := fs.Bool("json", false, "print one JSON document")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	dbURL, err := databaseFlag("workspace list", *database)
	if err != nil {
		return err
	}
	cat, err := postgres.OpenCatalog(ctx, dbURL, postgres.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	list, err := cat.Workspaces(ctx)
	if err != nil {
		return err
	}
	if *jsonOut {
		out := make([]map[string]any, len(list))
		for i, w := range list {
			out[i] = map[string]any{"slug": w.Slug, "schema": w.Schema, "created_at": w.Created.Format(time.RFC3339)}
		}
		return printJSON(env.Stdout, map[string]any{"workspaces": out})
	}
	if len(list) == 0 {
		fmt.Fprintf(env.Stdout, "%s holds no workspace yet: make one with portalstudio workspace create, or start portalstudio serve on it.\n", cat.Location())
		return nil
	}
	for _, w := range list {
		fmt.Fprintf(env.Stdout, "%s\t%s\t%s\n", w.Slug, w.Schema, w.Created.Format(time.RFC3339))
	}
	return nil
}

// replicaTenants opens the workspaces of a replica's database as its
// router asks for them (server.Tenants), and closes them at the end.
type replicaTenants struct {
	cat       *postgres.Catalog
	base      string
	log       *slog.Logger
	newServer func(servedStore, *slog.Logger) (*server.Server, *audience.Engine, error)

	mu      sync.Mutex
	closers []func()
}

// idleConnTime closes the connections of a workspace idle that long: a
// replica serving many workspaces keeps connections for the busy ones.
const idleConnTime = time.Minute

// Open opens the store of the workspace with the slug, records this
// replica's base URL in it, pins its portal URL and makes its server.
func (t *replicaTenants) Open(ctx context.Context, slug string) (*server.Server, error) {
	pg, err := t.cat.Open(ctx, slug, postgres.Options{MaxConnIdleTime: idleConnTime})
	if err != nil {
		return nil, err
	}
	log := t.log.With("workspace", slug)
	if _, _, err := recordAddress(ctx, pg, t.base, slug); err != nil {
		pg.Close()
		return nil, err
	}
	if err := pinPortalURL(ctx, log, pg, t.base+"/portal/"+slug+"/"); err != nil {
		pg.Close()
		return nil, err
	}
	srv, aud, err := t.newServer(servedStore{store: pg, base: t.base, slug: slug}, log)
	if err != nil {
		pg.Close()
		return nil, err
	}
	t.keep(pg, aud)
	log.Info("serving a workspace", "portal", t.base+"/portal/"+slug+"/")
	return srv, nil
}

// AdminTokenHashes returns every workspace's admin token hash.
func (t *replicaTenants) AdminTokenHashes(ctx context.Context) (map[string][]byte, error) {
	return t.cat.AdminTokenHashes(ctx)
}

// Ready reports whether every workspace of the database is ready to be
// served (reachable, its migrations current): the replica's /readyz.
func (t *replicaTenants) Ready(ctx context.Context) error {
	return t.cat.Ready(ctx)
}

// keep remembers a store and its engine, to close them at the end.
func (t *replicaTenants) keep(st interface{ Close() error }, aud *audience.Engine) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closers = append(t.closers, func() { aud.Close(); st.Close() })
}

// close closes every workspace opened.
func (t *replicaTenants) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.closers {
		c()
	}
	t.closers = nil
}

var _ server.Tenants = (*replicaTenants)(nil)
