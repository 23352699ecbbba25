// Package teststore is the table of the stores a portal server runs on,
// for tests that run the same suite on each: the SQLite workspace and the
// PostgreSQL store (on a throwaway cluster, package pgtest). A package's
// TestMain calls Main, which runs every test once per store (or only the
// stores named in $PORTALSTUDIO_TEST_STORES, comma-separated); Open opens
// a new, empty store of the current one. Only tests import it.
package teststore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/internal/pgtest"
)

// Store is what a portal server runs on (server.Store), and Close.
type Store interface {
	studio.Store
	audience.Source
	portal.ServerState
	portal.Snapshotter
	Close() error
}

// Maker opens a new, empty store of one kind, closed when the test ends.
type Maker struct {
	Name string
	Open func(tb testing.TB) Store
	// Raw returns every value a query reads from the store's own tables
	// (SQL of that store), for tests of what the database holds.
	Raw func(tb testing.TB, s Store, query string) [][]byte
	// Files are the store's files in dir, for tests of what is on disk
	// (none for a database server).
	Files func(dir string) []string
}

// All are the stores, SQLite first.
var All = []Maker{
	{Name: "sqlite", Open: openSQLite, Raw: rawSQLite, Files: func(dir string) []string { return []string{filepath.Join(dir, sqlite.WorkspaceFile)} }},
	{Name: "postgres", Open: openPostgres, Raw: rawPostgres, Files: func(string) []string { return nil }},
}

// Current is the store the tests run on now (Main sets it).
var Current = All[0]

// Main runs the package's tests once per store and then stops the
// PostgreSQL cluster; call it from TestMain: os.Exit(teststore.Main(m)).
func Main(m *testing.M) int {
	want := map[string]bool{}
	for _, n := range strings.Split(os.Getenv("PORTALSTUDIO_TEST_STORES"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	code := 0
	return pgtest.Main(runner(func() int {
		for _, mk := range All {
			if len(want) > 0 && !want[mk.Name] {
				continue
			}
			Current = mk
			fmt.Printf("=== stores: running the tests on %s\n", mk.Name)
			if c := m.Run(); c != 0 {
				fmt.Printf("--- stores: the tests failed on %s\n", mk.Name)
				code = c
			}
		}
		return code
	}))
}

// runner adapts a function to pgtest.Main's argument.
type runner func() int

func (r runner) Run() int { return r() }

// Open opens a new, empty store of the current kind.
func Open(tb testing.TB) Store {
	tb.Helper()
	return Current.Open(tb)
}

func openSQLite(tb testing.TB) Store {
	tb.Helper()
	ws, err := sqlite.Open(filepath.Join(tb.TempDir(), sqlite.WorkspaceFile))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

// OpenSQLiteIn opens the SQLite store at dir/workspace.db (a server's data
// folder).
func OpenSQLiteIn(tb testing.TB, dir string) Store {
	tb.Helper()
	ws, err := sqlite.Open(filepath.Join(dir, sqlite.WorkspaceFile))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

func openPostgres(tb testing.TB) Store {
	tb.Helper()
	url := pgtest.NewDatabase(tb)
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	urls.Store(s, url)
	tb.Cleanup(func() { s.Close(); urls.Delete(s) })
	return s
}

// OpenPostgresAt opens another store on the database at url (a replica).
func OpenPostgresAt(tb testing.TB, url string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func rawSQLite(tb testing.TB, s Store, query string) [][]byte {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+s.(*sqlite.Workspace).Path()+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var v []byte
		if err := rows.Scan(&v); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// urls are the connection strings of the PostgreSQL stores opened.
var urls sync.Map // *postgres.Store → string

func rawPostgres(tb testing.TB, s Store, query string) [][]byte {
	tb.Helper()
	url, ok := urls.Load(s)
	if !ok {
		tb.Fatal("not a store teststore opened")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url.(string))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, query)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// URL returns the connection string of a PostgreSQL store Open opened.
func URL(s Store) string {
	u, _ := urls.Load(s)
	url, _ := u.(string)
	return url
}

// Audiences returns an audience engine over s, closed when the test
// ends: with keep, a long-running process's (a server's), which loads in
// the background and catches up after every write; else a one-shot
// command's. A SQLite workspace keeps the engine's file beside it; on
// PostgreSQL the engine holds its columns in memory only (Path "").
func Audiences(tb testing.TB, s Store, keep bool) *audience.Engine {
	tb.Helper()
	opt := audience.Options{Keep: keep}
	if ws, ok := s.(*sqlite.Workspace); ok {
		opt.Path = ws.AudiencePath()
	}
	e := audience.NewEngine(s, opt)
	tb.Cleanup(e.Close)
	return e
}
