package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"portalstudio/backend/portal"
)

// Many workspaces in one database. The catalog (the table
// portalstudio.workspaces) lists them, each with its slug and the schema
// that holds its tables:
//   - the connection's schema (public, unless the connection string sets
//     search_path) holds the workspace a server makes on its first start
//     on an empty database, and the one every database made before
//     workspaces holds: it is listed under its slug once a server has
//     recorded one (its tables and advisory locks are as they always
//     were, so such a database needs no migration);
//   - every workspace `workspace create` makes has its own schema,
//     ws_<slug>, made with its migrations, its secrets and its catalog
//     row in one transaction: a workspace is listed whole or not at all.
// A store of a workspace of its own schema sets search_path to that
// schema alone on every connection: its statements, which name tables
// unqualified, cannot reach another workspace's tables (pg_trgm, which
// its indexes use, lives in public and is named only while migrating).

// catalogLock is the advisory lock taken to change the catalog and to
// start a server (which picks the workspace whose secrets it prepares):
// always before a workspace's own locks, never after.
const catalogLock = 0x636174616c6f67 // "catalog"

// catalogSchema holds the catalog.
const catalogSchema = "portalstudio"

// maxSlug bounds a slug: its schema's name (ws_<slug>) stays within
// PostgreSQL's 63 bytes.
const maxSlug = 50

// Workspace is one workspace of a database.
type Workspace struct {
	// Slug is the workspace's slug: its portal is at /portal/<slug>/.
	Slug string
	// Schema is the PostgreSQL schema of its tables ("public" for the
	// database's first workspace, unless the connection string sets
	// search_path).
	Schema string
	// Created is when it was listed.
	Created time.Time
}

// Catalog is the list of a database's workspaces, and opens them.
type Catalog struct {
	pool   *pgxpool.Pool
	url    string
	opt    Options
	where  string
	dbName string
	// home is the connection's schema: that of the workspace Open opens.
	home string
}

// OpenCatalog connects to the database at url, makes the catalog when it
// has none and lists the workspace of the connection's schema (public,
// unless url sets search_path) under its slug when a server has recorded
// one. Errors are those of Open.
func OpenCatalog(ctx context.Context, url string, opt Options) (*Catalog, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "the database address is not a PostgreSQL connection string (%v); give one like postgres://user:password@host:5432/dbname", redactErr(err))
	}
	// The catalog answers a few small queries: when a server starts, and
	// for a slug or an admin token no workspace it serves has.
	cfg.MaxConns = 4
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	cfg.HealthCheckPeriod = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, dbError(err)
	}
	c := &Catalog{pool: pool, url: url, opt: opt, where: describe(cfg.ConnConfig), dbName: cfg.ConnConfig.Database}
	err = c.Locked(ctx, func() error {
		if err := c.pool.QueryRow(ctx, `SELECT coalesce(current_schema(), 'public')`).Scan(&c.home); err != nil {
			return err
		}
		_, err := c.pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+catalogSchema+`;
			CREATE TABLE IF NOT EXISTS `+catalogSchema+`.workspaces (
				slug        text COLLATE "C" PRIMARY KEY,
				schema_name text NOT NULL UNIQUE,
				created_at  bigint NOT NULL
			)`)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient_privilege
			return portal.Errorf(portal.EPRECONDITION, "the database role may not create the schema %s (the list of workspaces); grant it CREATE on the database, or create that schema once for it (CREATE SCHEMA %s AUTHORIZATION <role>)", catalogSchema, catalogSchema)
		}
		if err != nil {
			return err
		}
		slug, err := c.publicSlug(ctx)
		if err != nil || slug == "" {
			return err
		}
		return c.Register(ctx, slug)
	})
	if err != nil {
		pool.Close()
		return nil, dbError(fmt.Errorf("the workspace catalog of %s: %w", c.where, err))
	}
	return c, nil
}

// Close closes the catalog's connections (not the stores it opened).
func (c *Catalog) Close() { c.pool.Close() }

// DatabaseName returns the database's name.
func (c *Catalog) DatabaseName() string { return c.dbName }

// Location names the database (without its password).
func (c *Catalog) Location() string { return c.where }

// Locked runs fn while holding the catalog's lock: what fn reads of the
// catalog stays so until it returns (one server starting at a time).
// Do not call Create in fn: it takes the lock itself.
func (c *Catalog) Locked(ctx context.Context, fn func() error) error {
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		return dbError(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(catalogLock)); err != nil {
		return dbError(err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(catalogLock))
	return dbError(fn())
}

// publicSlug returns the slug recorded in the connection's schema's
// workspace, "" when it has none (or there is no such workspace).
func (c *Catalog) publicSlug(ctx context.Context) (string, error) {
	home := pgx.Identifier{c.home}.Sanitize()
	var exists bool
	if err := c.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, home+".meta").Scan(&exists); err != nil || !exists {
		return "", err
	}
	var slug string
	err := c.pool.QueryRow(ctx, `SELECT coalesce((SELECT value FROM `+home+`.meta WHERE key = 'slug'), '')`).Scan(&slug)
	return slug, err
}

// DefaultSchema is the connection's schema (public, unless the
// connection string sets search_path): that of the workspace Open opens.
func (c *Catalog) DefaultSchema() string { return c.home }

// PublicWorkspace reports whether the connection's schema holds a
// workspace (its migrations table), listed or not.
func (c *Catalog) PublicWorkspace(ctx context.Context) (bool, error) {
	var ok bool
	err := c.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, pgx.Identifier{c.home}.Sanitize()+".schema_migrations").Scan(&ok)
	return ok, dbError(err)
}

// Register lists the connection's schema's workspace (Open's) under slug
// (its server recorded it); it does nothing when that workspace is
// listed already. It returns ECONFLICT when another workspace has the
// slug.
func (c *Catalog) Register(ctx context.Context, slug string) error {
	tag, err := c.pool.Exec(ctx, `INSERT INTO `+catalogSchema+`.workspaces (slug, schema_name, created_at)
		SELECT $1, $2::text, $3 WHERE NOT EXISTS (SELECT 1 FROM `+catalogSchema+`.workspaces WHERE schema_name = $2::text)
		ON CONFLICT (slug) DO NOTHING`, slug, c.home, time.Now().Unix())
	if err != nil {
		return dbError(err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	w, err := c.Lookup(ctx, slug)
	if err == nil && w.Schema != c.home {
		return taken(slug)
	}
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return nil // the workspace is listed under another slug
	}
	return err
}

func taken(slug string) error {
	return portal.Errorf(portal.ECONFLICT, "this database already has a workspace with the slug %q; pick another slug", slug)
}

// Workspaces returns the listed workspaces, by slug.
func (c *Catalog) Workspaces(ctx context.Context) ([]Workspace, error) {
	rows, err := c.pool.Query(ctx, `SELECT slug, schema_name, created_at FROM `+catalogSchema+`.workspaces ORDER BY slug`)
	if err != nil {
		return nil, dbError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Workspace, error) {
		var w Workspace
		var created int64
		err := r.Scan(&w.Slug, &w.Schema, &created)
		w.Created = time.Unix(created, 0).UTC()
		return w, err
	})
	return out, dbError(err)
}

// Lookup returns the workspace with the slug; ENOTFOUND when there is
// none.
func (c *Catalog) Lookup(ctx context.Context, slug string) (Workspace, error) {
	w := Workspace{Slug: slug}
	if !storable(slug) {
		return w, noWorkspace(slug)
	}
	var created int64
	err := c.pool.QueryRow(ctx, `SELECT schema_name, created_at FROM `+catalogSchema+`.workspaces WHERE slug = $1`, slug).Scan(&w.Schema, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, noWorkspace(slug)
	}
	w.Created = time.Unix(created, 0).UTC()
	return w, dbError(err)
}

func noWorkspace(slug string) error {
	return portal.Errorf(portal.ENOTFOUND, "this database has no workspace with the slug %q", slug)
}

// Open opens the store of the workspace with the slug (applying the
// migrations it lacks); ENOTFOUND when there is none. opt is the
// catalog's with MaxConns and MaxConnIdleTime from this call's.
func (c *Catalog) Open(ctx context.Context, slug string, opt Options) (*Store, error) {
	w, err := c.Lookup(ctx, slug)
	if err != nil {
		return nil, err
	}
	if opt.Notice == nil {
		opt.Notice = c.opt.Notice
	}
	if w.Schema == c.home {
		return open(ctx, c.url, opt, "", "")
	}
	return open(ctx, c.url, opt, w.Schema, w.Slug)
}

// ValidSlug returns EINVALID with a sentence unless slug is a slug: lower
// case ASCII letters and digits in words joined by single hyphens, at
// most 50 characters.
func ValidSlug(slug string) error {
	ok := slug != "" && len(slug) <= maxSlug && slug[0] != '-' && slug[len(slug)-1] != '-' && !strings.Contains(slug, "--")
	for _, r := range slug {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			ok = false
		}
	}
	if !ok {
		return portal.Errorf(portal.EINVALID, "%q is not a slug: use lower-case letters, digits and single hyphens (like acme or acme-eu), at most %d characters", slug, maxSlug)
	}
	return nil
}

// workspaceSchema is the schema of a new workspace: ws_ and the slug, its
// hyphens as underscores (a slug has none, so no two slugs share one).
func workspaceSchema(slug string) string { return "ws_" + strings.ReplaceAll(slug, "-", "_") }

// Create makes a workspace with the slug in its own schema: the schema,
// every migration, the secrets given (portal.SecretAdminTokenHash,
// portal.SecretIdentity…, stored as the store's SetSecret would) and its
// catalog row, in one transaction under the catalog's lock. It returns
// EINVALID for a slug that is not one and ECONFLICT for one taken.
func (c *Catalog) Create(ctx context.Context, slug string, secrets map[string][]byte) (Workspace, error) {
	if err := ValidSlug(slug); err != nil {
		return Workspace{}, err
	}
	names, err := migrationNames()
	if err != nil {
		return Workspace{}, err
	}
	w := Workspace{Slug: slug, Schema: workspaceSchema(slug), Created: time.Unix(time.Now().Unix(), 0).UTC()}
	err = c.Locked(ctx, func() error {
		if _, err := c.Lookup(ctx, slug); err == nil {
			return taken(slug)
		} else if portal.ErrorCode(err) != portal.ENOTFOUND {
			return err
		}
		if public, err := c.publicSlug(ctx); err != nil {
			return err
		} else if public == slug {
			return taken(slug)
		}
		return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
			schema := pgx.Identifier{w.Schema}.Sanitize()
			if _, err := tx.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && pgErr.Code == "42P06" { // duplicate_schema
					return portal.Errorf(portal.ECONFLICT, "the database already has a schema %s, which no workspace owns; pick another slug, or drop that schema if it is a leftover", w.Schema)
				}
				return err
			}
			if err := migrationPath(ctx, tx, w.Schema); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
				return err
			}
			for _, name := range names {
				body, err := migrationFS.ReadFile(name)
				if err != nil {
					return err
				}
				if err := applyMigration(ctx, tx, name, body); err != nil {
					return err
				}
			}
			keys := make([]string, 0, len(secrets))
			for k := range secrets {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.server_secrets (name, value, updated_at) VALUES ($1, $2, $3)`, k, secrets[k], w.Created.Unix()); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.meta (key, value) VALUES ('slug', $1)`, slug); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO `+catalogSchema+`.workspaces (slug, schema_name, created_at) VALUES ($1, $2, $3)`, slug, w.Schema, w.Created.Unix())
			return err
		})
	})
	if err != nil {
		return Workspace{}, err
	}
	return w, nil
}

// migrationPath sets tx's search_path to the workspace's schema and the
// schema of pg_trgm (creating the extension in public when the database
// has none yet): the migrations' trigram indexes name its operator
// classes.
func migrationPath(ctx context.Context, tx pgx.Tx, schema string) error {
	var ext string
	err := tx.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`).Scan(&ext)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := tx.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`); err != nil {
			return err
		}
		ext, err = "public", nil
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, pgx.Identifier{schema}.Sanitize()+", "+pgx.Identifier{ext}.Sanitize())
	return err
}

// AdminTokenHashes returns the SHA-256 of each listed workspace's admin
// token, by slug (a workspace without one is left out), in one query.
func (c *Catalog) AdminTokenHashes(ctx context.Context) (map[string][]byte, error) {
	// Only the workspaces whose table is there: a schema dropped by hand
	// costs its own workspace its admin API, not everyone's.
	rows, err := c.pool.Query(ctx, `SELECT slug, schema_name FROM `+catalogSchema+`.workspaces
		WHERE to_regclass(quote_ident(schema_name) || '.server_secrets') IS NOT NULL ORDER BY slug`)
	if err != nil {
		return nil, dbError(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Workspace, error) {
		var w Workspace
		err := r.Scan(&w.Slug, &w.Schema)
		return w, err
	})
	if err != nil || len(list) == 0 {
		return map[string][]byte{}, dbError(err)
	}
	var q strings.Builder
	args := []any{portal.SecretAdminTokenHash}
	for i, w := range list {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		args = append(args, w.Slug)
		fmt.Fprintf(&q, `SELECT $%d::text, value FROM %s.server_secrets WHERE name = $1`, len(args), pgx.Identifier{w.Schema}.Sanitize())
	}
	rows, err = c.pool.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, dbError(err)
	}
	out := map[string][]byte{}
	var slug string
	var hash []byte
	_, err = pgx.ForEachRow(rows, []any{&slug, &hash}, func() error {
		out[slug] = append([]byte(nil), hash...)
		return nil
	})
	return out, dbError(err)
}

// Ready reports whether every listed workspace is ready to serve: the
// database answers, and each workspace's schema holds its tables with
// every migration this program knows. It returns EUNAVAILABLE when the
// database cannot be reached and EPRECONDITION naming the workspaces
// that are not ready (a schema dropped or never migrated, migrations
// missing) otherwise: a replica behind a load balancer is ready only
// when it can serve every portal of its database.
func (c *Catalog) Ready(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	rows, err := c.pool.Query(ctx, `SELECT slug, schema_name, to_regclass(quote_ident(schema_name) || '.schema_migrations') IS NOT NULL
		FROM `+catalogSchema+`.workspaces ORDER BY slug`)
	if err != nil {
		return dbError(err)
	}
	type listed struct {
		Workspace
		migrated bool
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (listed, error) {
		var w listed
		err := r.Scan(&w.Slug, &w.Schema, &w.migrated)
		return w, err
	})
	if err != nil {
		return dbError(err)
	}
	var problems []string
	var q strings.Builder
	args := []any{names}
	for _, w := range list {
		if !w.migrated {
			problems = append(problems, fmt.Sprintf("the workspace %s has no tables (its schema %s is missing or was never migrated)", w.Slug, w.Schema))
			continue
		}
		if q.Len() > 0 {
			q.WriteString(" UNION ALL ")
		}
		args = append(args, w.Slug)
		fmt.Fprintf(&q, `SELECT $%d::text, count(*) FROM %s.schema_migrations WHERE name = ANY($1)`, len(args), pgx.Identifier{w.Schema}.Sanitize())
	}
	if q.Len() > 0 {
		rows, err := c.pool.Query(ctx, q.String()+` ORDER BY 1`, args...)
		if err != nil {
			return dbError(err)
		}
		var slug string
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&slug, &n}, func() error {
			if n != len(names) {
				problems = append(problems, fmt.Sprintf("the workspace %s has %d of this program's %d migrations (a replica of this version applies them when it opens the workspace)", slug, n, len(names)))
			}
			return nil
		}); err != nil {
			return dbError(err)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return portal.Errorf(portal.EPRECONDITION, "%s", strings.Join(problems, "; "))
	}
	return nil
}
