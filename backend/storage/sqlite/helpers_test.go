package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// MustOpen opens a new workspace in a temporary folder.
func MustOpen(tb testing.TB) *sqlite.Workspace {
	tb.Helper()
	ws, err := sqlite.Open(filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

// MustImport imports records, failing the test on any rejection.
func MustImport(tb testing.TB, ws *sqlite.Workspace, recs ...portal.Record) portal.ImportReport {
	tb.Helper()
	return MustImportWith(tb, ws, portal.ImportOptions{}, recs...)
}

// MustImportWith imports records with opt (a Replace import: a bulk
// load), failing the test on any error.
func MustImportWith(tb testing.TB, ws *sqlite.Workspace, opt portal.ImportOptions, recs ...portal.Record) portal.ImportReport {
	tb.Helper()
	rep, err := ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, opt)
	if err != nil {
		tb.Fatalf("import: %v (%v)", err, rep.Rejected)
	}
	return rep
}

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func f64(f float64) *float64 { return &f }

// reopenAfter closes ws, runs stmts on the file at path as an older
// version left it (a migration's table dropped, its row in migrations
// deleted: the schema before it), and opens the workspace again with opt,
// applying what it lacks. The workspace is closed at the test's end.
func reopenAfter(tb testing.TB, ws *sqlite.Workspace, path string, opt sqlite.Options, stmts ...string) *sqlite.Workspace {
	tb.Helper()
	ws.Close()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			db.Close()
			tb.Fatalf("%s: %v", q, err)
		}
	}
	var before int
	err = db.QueryRow(`SELECT count(*) FROM migrations`).Scan(&before)
	db.Close()
	if err != nil {
		tb.Fatal(err)
	}
	ws, err = sqlite.OpenWith(path, opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	// The test is of a migration only if opening applied one.
	if after, err := ws.StringsSQL(context.Background(), `SELECT name FROM migrations`); err != nil || len(after) <= before {
		tb.Fatalf("opening applied no migration (%d before, %d after, %v): the statements took nothing back", before, len(after), err)
	}
	return ws
}
