package sqlite_test

import (
	"context"
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
