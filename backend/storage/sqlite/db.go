// Package sqlite is the SQLite store of a Portal Studio workspace: the
// helpdesk dataset, its attribute schema and the draft and live settings,
// in one file. Every SQL statement of the workspace lives here.
// Audiences are computed by the audience engine (package
// audience), which the workspace feeds as its Source
// (audience_source.go).
//
// The file is opened in WAL mode with foreign keys on; the schema is
// created by the embedded migrations, each applied in its own transaction.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"portalstudio/backend/portal"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Workspace is an open workspace file: the stores of its parts, each
// implementing one port of the domain (ports.go), over one shared DB, and
// the file's lifecycle (Open, Close, Path, KeepConnections). The audience
// engine's source (audience_source.go) is its own method set.
type Workspace struct {
	*DB
	DirectoryStore
	ImportStore
	SettingsStore
	CheckStore
	ServerStore
	SearchStore
	SnapshotStore
	// notice is Options.Notice.
	notice func(string)
	// watchers are called after every import (NotifyChanges).
	watchMu  sync.Mutex
	watchers []func()
}

// DB is what the stores of one workspace share: the database, the
// statements of the read paths, the read caches, and the clock.
type DB struct {
	db   *sql.DB
	path string
	// stmts are the statements of the read paths, prepared once (see
	// query); nStmts counts them, up to maxStmts.
	stmts  sync.Map // query text → *sql.Stmt
	nStmts atomic.Int32
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// rc is the read cache of a long-running process, gs the schema of
	// the generation last read (readcache.go).
	rc readCache
	gs genSchema
}

// DirectoryStore reads the people, companies and tickets of the dataset,
// and its attribute schema (users.go, companies.go, tickets.go,
// ticketkey.go, schema.go).
type DirectoryStore struct{ *DB }

// ImportStore writes records into the dataset (import.go).
type ImportStore struct {
	*DB
	// dataChanged, when set, is told after an import committed: the
	// audience columns read before it are stale.
	dataChanged func()
}

// SettingsStore keeps the draft, the live settings and their versions
// (settings.go, versions.go, portalurl.go).
type SettingsStore struct{ *DB }

// CheckStore keeps the portal tests (checks.go).
type CheckStore struct{ *DB }

// ServerStore keeps a server's secrets, addresses and session generations
// (server_state.go, sessions.go).
type ServerStore struct{ *DB }

// SearchStore finds the portal tickets on a user's tab that match a
// search (search.go).
type SearchStore struct{ *DB }

// SnapshotStore reads the whole dataset for another workspace's copy
// (snapshot.go).
type SnapshotStore struct{ *DB }

// newWorkspace composes the stores of a workspace over d.
func newWorkspace(d *DB, notice func(string)) *Workspace {
	ws := &Workspace{DB: d, DirectoryStore: DirectoryStore{d}, SettingsStore: SettingsStore{d}, CheckStore: CheckStore{d},
		ServerStore: ServerStore{d}, SearchStore: SearchStore{d}, SnapshotStore: SnapshotStore{d}, notice: notice}
	ws.ImportStore = ImportStore{DB: d, dataChanged: ws.dataChanged}
	return ws
}

// Options change how OpenWith opens a workspace.
type Options struct {
	// Notice, when set, is told before slow one-time work opening does:
	// a migration that rebuilds an index of a workspace holding data.
	Notice func(message string)
}

// Open opens the workspace at path, creating the file and its schema when
// it does not exist, and applying any migration it lacks. The file and
// those SQLite keeps beside it are readable by their owner only (0600),
// whatever the umask; see makePrivate.
func Open(path string) (*Workspace, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with options.
func OpenWith(path string, opt Options) (*Workspace, error) {
	if path == "" {
		return nil, portal.Errorf(portal.EINVALID, "no workspace file given; pass --workspace FILE")
	}
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, portal.Errorf(portal.EINVALID, "cannot create the workspace %s: the folder %s does not exist", path, dir)
		}
	}
	return open(path, "_journal_mode=WAL&_synchronous=NORMAL", opt)
}

// open opens path with the given journal settings (see Open).
func open(path, journal string, opt Options) (*Workspace, error) {
	if err := makePrivate(path, opt.Notice); err != nil {
		return nil, err
	}
	// _mutex=no: database/sql hands a connection to one goroutine at a
	// time (and so does every Raw use here), so SQLite's lock of each
	// connection, taken on every call (a step, each column read), guarded
	// nothing; it was a tenth of a user's page.
	dsn := "file:" + path + "?" + journal + "&_foreign_keys=on&_busy_timeout=10000&_txlock=immediate&_cache_size=-262144&_mutex=no"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ws := newWorkspace(&DB{db: db, path: path, Now: time.Now}, opt.Notice)
	if err := ws.migrate(); err != nil {
		db.Close()
		var serr sqlite3.Error
		if errors.As(err, &serr) && (serr.Code == sqlite3.ErrNotADB || serr.Code == sqlite3.ErrCorrupt) {
			return nil, portal.Errorf(portal.EINVALID, "%s is not a Portal Studio workspace (not an SQLite database)", path)
		}
		if errors.As(err, &serr) && (serr.Code == sqlite3.ErrReadonly || serr.Code == sqlite3.ErrCantOpen || serr.Code == sqlite3.ErrPerm) {
			if why := notWritable(path); why != "" {
				return nil, portal.Errorf(portal.EINVALID, "the workspace %s is read-only (%s); nothing was changed. Make it writable and try again", path, why)
			}
			return nil, portal.Errorf(portal.EINVALID, "cannot open the workspace %s for writing: %v", path, serr)
		}
		return nil, err
	}
	ws.removeLeftBuild(context.Background())
	return ws, nil
}

// makePrivate makes the workspace at path readable by its owner only.
// A new workspace file is created empty with mode 0600 before SQLite opens
// it: SQLite would create it 0644 (less the umask), and gives the files it
// creates beside it (-wal, -shm, -journal) the mode of the main file. An
// existing file, or one beside it, that others may read (left by an older
// version, or copied) loses its group and other permissions; when that
// fails, notice says so and opening goes on.
func makePrivate(path string, notice func(string)) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return portal.Errorf(portal.EINVALID, "cannot create the workspace %s: %v", path, errReason(err))
	}
	for _, name := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(name)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(name, fi.Mode().Perm()&^0o077); err != nil && notice != nil {
			notice(fmt.Sprintf("%s can be read by other users of this computer (mode %v) and could not be made private: %v; run chmod 600 on it", name, fi.Mode().Perm(), errReason(err)))
		}
	}
	return nil
}

// notWritable says why an existing workspace file, or the folder that
// must hold its WAL files, cannot be written ("" when both can): SQLite
// only says "unable to open database file" (with an unrelated errno) when
// its file system is read-only.
func notWritable(path string) string {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		if os.IsNotExist(err) {
			return ""
		}
		return err.Error()
	}
	f.Close()
	probe, err := os.CreateTemp(filepath.Dir(path), ".portalstudio-write-probe-*")
	if err != nil {
		return "its folder cannot be written: " + err.Error()
	}
	probe.Close()
	os.Remove(probe.Name())
	return ""
}

// Close closes the workspace. Close the audience engines over it first.
func (ws *Workspace) Close() error {
	ws.closeReads()
	ws.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	return ws.db.Close()
}

// stmt returns the prepared statement of query, preparing it the first
// time: the hot read paths (a portal page, a preview) run a handful of
// small statements, and preparing each anew costs as much as running it.
// database/sql prepares it again on each connection it runs on.
func (d *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := d.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	if d.nStmts.Load() >= maxStmts {
		return nil, errNoStmt
	}
	s, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := d.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	d.nStmts.Add(1)
	return s, nil
}

// maxStmts bounds the prepared statements kept (the texts of lists of n
// ids vary with n); past it, statements are prepared for one use.
const maxStmts = 256

var errNoStmt = errors.New("no statement kept")

// query runs a read statement, prepared once.
func (d *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := d.stmt(ctx, query)
	if err != nil {
		return d.db.QueryContext(ctx, query, args...) // unkept, or fails the same way
	}
	return s.QueryContext(ctx, args...)
}

// queryRow runs a read statement of one row, prepared once.
func (d *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := d.stmt(ctx, query)
	if err != nil {
		return d.db.QueryRowContext(ctx, query, args...) // unkept, or fails the same way
	}
	return s.QueryRowContext(ctx, args...)
}

// Path returns the workspace's file name.
func (ws *Workspace) Path() string { return ws.path }

// KeepConnections keeps up to n idle connections open (database/sql keeps
// 2): a server answering n requests at once then reuses warm connections
// (their prepared schema and page cache) instead of opening new ones.
func (ws *Workspace) KeepConnections(n int) { ws.db.SetMaxIdleConns(n) }

// migrationThen is what a migration does after its SQL, in its
// transaction, and what the notice says it does (when the workspace holds
// data).
var migrationThen = map[string]struct {
	run    func(context.Context, *sql.Tx) error
	notice string
}{
	"migrations/006_search_prefix.sql":    {reindexSearch, reindexNotice},
	"migrations/007_search_allowlist.sql": {reindexSearch, reindexNotice},
	// 011 made attribute_values; 012 its helper tables, and fills the three.
	"migrations/012_attribute_values_incremental.sql": {refreshAttributeValues, "counting the values its attributes suggest, once (a few seconds per million users)"},
	"migrations/014_user_search.sql":                  {fillUserSearch, "rebuilding its users' search index, once (about 15 seconds per million users)"},
}

const reindexNotice = "rebuilding its search index, once (about a minute per 2,000,000 tickets)"

// migrate applies every embedded migration not yet applied, in name order,
// each in one transaction. A workspace that has them all is only read:
// opening it takes no write lock, so it never waits for another process's
// long write (an import) to end.
func (ws *Workspace) migrate() error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	applied := map[string]bool{}
	var tables int
	if err := ws.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`).Scan(&tables); err != nil {
		return err
	}
	if tables > 0 {
		rows, err := ws.db.Query(`SELECT name FROM migrations`)
		if err != nil {
			return err
		}
		done, err := scanStrings(rows)
		if err != nil {
			return err
		}
		for _, n := range done {
			applied[n] = true
		}
	}
	for _, name := range names {
		if applied[name] {
			continue
		}
		if _, err := ws.db.Exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
			return err
		}
		// applyMigration checks again inside its write transaction:
		// another process may have applied it meanwhile.
		if err := ws.applyMigration(name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (ws *Workspace) applyMigration(name string) error {
	tx, err := ws.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(body)); err != nil {
		return err
	}
	if then, ok := migrationThen[name]; ok {
		var data bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM tickets)`).Scan(&data); err != nil {
			return err
		}
		if data && ws.notice != nil {
			ws.notice(fmt.Sprintf("upgrading %s: %s…", ws.path, then.notice))
		}
		if err := then.run(context.Background(), tx); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// tx runs fn in a transaction, committing when it returns nil.
func (d *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	return d.run(tx, err, fn)
}

// bulkTx is tx on a connection of its own, closed afterwards rather than
// pooled: a bulk load attaches its search build's file to it
// (searchBuild.finish), which cannot be detached inside the transaction
// that read it.
func (d *DB) bulkTx(ctx context.Context, fn func(*sql.Tx) error) error {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return diskError(err)
	}
	defer func() {
		c.Raw(func(any) error { return driver.ErrBadConn }) // closed, not pooled
		c.Close()
	}()
	tx, err := c.BeginTx(ctx, nil)
	return d.run(tx, err, fn)
}

// run runs fn in tx, begun unless err says why not, and commits it when
// fn returns nil.
func (d *DB) run(tx *sql.Tx, err error, fn func(*sql.Tx) error) error {
	if err != nil {
		return diskError(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return diskError(err)
	}
	err = tx.Commit()
	d.invalidateReads()
	return diskError(err)
}

// diskError turns the storage failures a person can fix (a full disk, a
// read-only file) into sentences; other errors pass unchanged.
func diskError(err error) error {
	var serr sqlite3.Error
	if err == nil || !errors.As(err, &serr) {
		return err
	}
	switch serr.Code {
	case sqlite3.ErrFull:
		return portal.Errorf(portal.EPRECONDITION, "the disk is full; nothing was changed. Free some space and try again")
	case sqlite3.ErrReadonly:
		return portal.Errorf(portal.EPRECONDITION, "the workspace file is read-only; nothing was changed. Make it writable and try again")
	}
	return err
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

func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
