// Package postgres is the PostgreSQL store of a Portal Studio workspace:
// the dataset, its attribute schema, the settings with their versions,
// the portal tests and the portal server's state (secrets, session
// generations, sign-outs), in one database that any number of portal
// servers share as replicas. Every SQL statement of it lives here.
//
// The schema is made by the embedded migrations (migrations/*.sql),
// applied once, in order, each in its own transaction, under an advisory
// lock: replicas starting together apply them once. Writes are
// transactions (the If-Match write locks the live settings' row); imports
// stream their rows with COPY into staging tables and merge them in the
// same transaction; search reads a weighted tsvector with a GIN index.
// A lost connection is EUNAVAILABLE with a sentence; the pool reconnects
// by itself when the database is back.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"portalstudio/backend/portal"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a workspace in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// where names the database for people: its URL without the password.
	where string
	// dbName is the database's name.
	dbName string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// notice is Options.Notice.
	notice func(string)
	// notify are the audience engines told of this store's imports.
	notify notifiers
	// schema is the PostgreSQL schema of a workspace the catalog made
	// (every connection's search_path is it alone); "" for the
	// database's first workspace, in the public schema (catalog.go).
	schema string
	// lockSchema is the schema the workspace's tables are in (for
	// schema "", the connection's): its name keys the advisory locks.
	lockSchema string
	// slug is the slug the catalog lists the workspace under ("" for the
	// first workspace before a server records one).
	slug string
	// rc is the parsed live settings and schema (CacheReads).
	rc readCache
}

// Options change how Open opens a store.
type Options struct {
	// MaxConns bounds the pool's connections (default: pool_max_conns of
	// the connection string, else 4 per CPU and 4 more).
	MaxConns int32
	// Notice, when set, is told what opening does that takes time.
	Notice func(message string)
	// MaxConnIdleTime closes a connection idle that long (default:
	// pgxpool's); a server of many workspaces keeps few idle ones.
	MaxConnIdleTime time.Duration
}

// Open connects to the database at url (a PostgreSQL connection string or
// URL) and applies the migrations it lacks. It returns EINVALID for a
// string that is not one, and EUNAVAILABLE when the database cannot be
// reached.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	return open(ctx, url, opt, "", "")
}

// open opens the workspace in schema ("" for the public one) under slug.
func open(ctx context.Context, url string, opt Options, schema, slug string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "the database address is not a PostgreSQL connection string (%v); give one like postgres://user:password@host:5432/dbname", redactErr(err))
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	} else if !strings.Contains(url, "pool_max_conns") {
		// A server answers a few portal requests per CPU at once (and
		// sign-ins and admin requests besides): a connection for each.
		cfg.MaxConns = int32(4*runtime.GOMAXPROCS(0) + 4)
	}
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	// Every statement is prepared once per connection (pgx's statement
	// cache); plan it once too: the portal's list plans in milliseconds
	// (the partial indexes' predicates) and runs in a fraction of that,
	// so re-planning it for each user's parameters costs more than it
	// finds. A connection string that sets plan_cache_mode keeps its own.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	// A connection found broken is dropped, and the next one dials anew:
	// the pool recovers by itself when the database comes back.
	cfg.HealthCheckPeriod = 5 * time.Second
	if opt.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = opt.MaxConnIdleTime
	}
	if schema != "" {
		// Every statement of this store names its tables unqualified:
		// each connection sees this workspace's schema alone (and
		// pg_catalog, always), so no statement can reach another's.
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, dbError(err)
	}
	s := &Store{pool: pool, where: describe(cfg.ConnConfig), dbName: cfg.ConnConfig.Database, Now: time.Now, notice: opt.Notice, schema: schema, slug: slug, lockSchema: schema}
	if schema != "" {
		s.where += " (workspace " + slug + ")"
	} else if err := pool.QueryRow(ctx, `SELECT coalesce(current_schema(), 'public')`).Scan(&s.lockSchema); err != nil {
		pool.Close()
		return nil, dbError(err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, dbError(fmt.Errorf("migrate %s: %w", s.where, err))
	}
	return s, nil
}

// describe names a database for people, without its password.
func describe(c *pgx.ConnConfig) string {
	host := c.Host
	if strings.HasPrefix(host, "/") {
		host = "[" + host + "]"
	}
	u := url.URL{Scheme: "postgres", Host: fmt.Sprintf("%s:%d", host, c.Port), Path: "/" + c.Database}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	return u.String()
}

// redactErr is err's text without anything that looks like a password.
func redactErr(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "password="); i >= 0 {
		msg = msg[:i] + "password=xxx"
	}
	return msg
}

// Close closes the store's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// DatabaseName returns the database's name.
func (s *Store) DatabaseName() string { return s.dbName }

// Location names the database (without its password).
func (s *Store) Location() string { return s.where }

// KeepConnections is the server's tuning hook: pgxpool's size is fixed
// when the pool is made, and Open sizes it for a server (Options.MaxConns).
func (s *Store) KeepConnections(int) {}

// CacheReads is the server's hook: it keeps the live settings and the
// attribute schema parsed between changes (prefetch.go). A PostgreSQL
// store is never its database's only writer, so every read still asks
// the database whether what it holds is current, in the same statement
// that would send the new value: nothing stale is ever answered. The
// values returned are then shared: callers must not modify them.
func (s *Store) CacheReads() {
	s.rc.mu.Lock()
	defer s.rc.mu.Unlock()
	s.rc.on = true
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return dbError(s.pool.Ping(ctx)) }

// Ready reports whether the database answers and has every migration this
// program knows: EUNAVAILABLE or EPRECONDITION with a sentence otherwise.
func (s *Store) Ready(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ANY($1)`, names).Scan(&n); err != nil {
		return dbError(err)
	}
	if n != len(names) {
		return portal.Errorf(portal.EPRECONDITION, "the database has %d of this program's %d migrations; a replica of this version must start once to apply them", n, len(names))
	}
	return nil
}

// migrationLock is the advisory lock key replicas take to apply the
// migrations and to create the server's secrets once (one transaction of
// one replica at a time).
const migrationLock = 0x706f7274616c // "portal"

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies every embedded migration not yet applied, in name
// order, each in one transaction, holding the advisory lock: a replica
// starting meanwhile waits, then finds them applied.
func (s *Store) migrate(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	return s.locked(ctx, func(conn *pgxpool.Conn) error {
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, err := conn.Query(ctx, `SELECT name FROM schema_migrations`)
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		applied := map[string]bool{}
		for _, n := range done {
			applied[n] = true
		}
		for _, name := range names {
			if applied[name] {
				continue
			}
			body, err := migrationFS.ReadFile(name)
			if err != nil {
				return err
			}
			if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if s.schema != "" {
					if err := migrationPath(ctx, tx, s.schema); err != nil {
						return err
					}
				}
				return applyMigration(ctx, tx, name, body)
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyMigration runs one migration in tx and records it.
func applyMigration(ctx context.Context, tx pgx.Tx, name string, body []byte) error {
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name)
	return err
}

// locked runs fn on a connection holding the workspace's advisory lock
// (session level: fn may run several transactions).
func (s *Store) locked(ctx context.Context, fn func(*pgxpool.Conn) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	key := s.lockKey(migrationLock)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
	return fn(conn)
}

// lockKey is the key of one of the workspace's advisory locks: base for
// the workspace in public (the keys every replica has always taken),
// base mixed with the schema's name for the others, so that workspaces
// never wait on each other's locks and every store of one workspace
// (opened by its schema or by a connection string's search_path) takes
// the same keys.
func (s *Store) lockKey(base int64) int64 {
	if s.lockSchema == "" || s.lockSchema == "public" {
		return base
	}
	h := fnv.New64a()
	h.Write([]byte("portalstudio workspace\x00" + s.lockSchema))
	return base ^ int64(h.Sum64())
}

// Locked runs fn while this replica holds the workspace's advisory lock:
// what fn reads and writes through the store is then done by one replica
// at a time (the server's first start creates its secrets under it, so
// two replicas starting at once create them once).
func (s *Store) Locked(ctx context.Context, fn func() error) error {
	err := s.locked(ctx, func(*pgxpool.Conn) error { return fn() })
	return dbError(err)
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return dbError(pgx.BeginFunc(ctx, s.pool, fn))
}

// dbError turns the failures a person can act on into sentences with
// their codes: a database that cannot be reached (EUNAVAILABLE), a full
// disk; errors of the domain pass unchanged, others too (EINTERNAL).
func dbError(err error) error {
	if err == nil {
		return nil
	}
	var pe *portal.Error
	var stale *portal.StaleError
	if errors.As(err, &pe) || errors.As(err, &stale) {
		return err
	}
	if unavailable(err) {
		return &unavailableError{err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "53100": // disk_full
			return portal.Errorf(portal.EPRECONDITION, "the database's disk is full; nothing was changed. Free some space on the database server and try again")
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return portal.Errorf(portal.EINVALID, "a text holds a character the database cannot store (NUL, or not UTF-8); nothing was changed. Remove it and try again")
		case "25006": // read_only_sql_transaction
			return portal.Errorf(portal.EPRECONDITION, "the database is read-only (a standby?); nothing was changed. Point the server at the primary")
		}
	}
	return err
}

// unavailableError is a database that cannot be reached: EUNAVAILABLE
// with a sentence, wrapping the cause for the log.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string {
	return "the database cannot be reached right now (" + e.err.Error() + ")"
}
func (e *unavailableError) Unwrap() error { return e.err }

// As makes the error a *portal.Error of code EUNAVAILABLE for the
// transports, with a sentence that names no address.
func (e *unavailableError) As(target any) bool {
	if p, ok := target.(**portal.Error); ok {
		*p = &portal.Error{Code: portal.EUNAVAILABLE, Message: "The database cannot be reached right now; try again in a moment."}
		return true
	}
	return false
}

// unavailable reports whether err says the database is out of reach
// (refused, reset, shut down, starting up, out of connections), rather
// than refusing the statement.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || // connection_exception
			pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" || // shutdowns, cannot_connect_now
			pgErr.Code == "53300" // too_many_connections
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		pgconn.SafeToRetry(err):
		return true
	}
	return strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "closed pool")
}

// storable reports whether PostgreSQL can hold s as text: valid UTF-8
// without NUL. A key that is not can name nothing stored.
func storable(s ...string) bool {
	for _, x := range s {
		if strings.IndexByte(x, 0) >= 0 || !utf8.ValidString(x) {
			return false
		}
	}
	return true
}

// nullStr returns NULL for "".
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullFold returns the folded s, or NULL for "".
func nullFold(s string) any {
	if s == "" {
		return nil
	}
	return portal.Fold(s)
}

// nullTime returns Unix seconds, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func timeOf(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(*n, 0).UTC()
}

// storableOnly returns the ids PostgreSQL can hold (the others name
// nothing stored).
func storableOnly(ids []string) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if storable(id) {
			out = append(out, id)
		}
	}
	return out
}
