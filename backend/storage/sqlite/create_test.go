package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// leftovers lists the files of dir other than want.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{}
	for _, w := range want {
		keep[w] = true
	}
	var out []string
	for _, e := range ents {
		if !keep[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ws.db")
	err := sqlite.Create(path, func(ws *sqlite.Workspace) error {
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the workspace is visible at %s while it is built: %v", path, err)
		}
		MustImport(t, ws, portal.Record{User: &portal.User{ID: "u1", Email: "a@examply.com"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if extra := leftovers(t, dir, "ws.db"); len(extra) > 0 {
		t.Errorf("Create left %v beside the workspace", extra)
	}
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if c, err := ws.Counts(ctx); err != nil || c.Users != 1 {
		t.Errorf("the created workspace holds %+v, %v; want its one user", c, err)
	}
	if mode, err := ws.JournalMode(ctx); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v; want wal", mode, err)
	}

	// An existing path is never replaced.
	before, _ := os.ReadFile(path)
	err = sqlite.Create(path, func(*sqlite.Workspace) error { t.Error("build ran for an existing path"); return nil })
	if portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("Create over an existing workspace: %v, want ECONFLICT", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("Create over an existing workspace changed it")
	}
}

func TestCreateFailedLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ws.db")
	boom := errors.New("boom")
	err := sqlite.Create(path, func(ws *sqlite.Workspace) error {
		MustImport(t, ws, portal.Record{User: &portal.User{ID: "u1"}})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Create: %v, want the build's error", err)
	}
	if extra := leftovers(t, dir); len(extra) > 0 {
		t.Errorf("a failed build left %v", extra)
	}
}

func TestCreateLockedAndStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ws.db")
	// Another build in progress holds the lock: refused.
	f, err := os.OpenFile(path+".building", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	err = sqlite.Create(path, func(*sqlite.Workspace) error { t.Error("build ran while another held the lock"); return nil })
	if portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("Create while another build runs: %v, want ECONFLICT", err)
	}
	// A killed build left garbage and no lock: started afresh.
	if _, err := f.WriteString("not a database"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(path+".building-journal", []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Create(path, func(ws *sqlite.Workspace) error {
		MustImport(t, ws, portal.Record{User: &portal.User{ID: "u1"}})
		return nil
	}); err != nil {
		t.Fatalf("Create after a killed build: %v", err)
	}
	if extra := leftovers(t, dir, "ws.db"); len(extra) > 0 {
		t.Errorf("Create left %v", extra)
	}
}

// TestOpenDuringAWrite opens a workspace while another connection holds
// its write lock (as another process's long import does): opening takes
// no write lock, so it neither waits nor fails, and reads work.
func TestOpenDuringAWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	MustImport(t, ws, portal.Record{User: &portal.User{ID: "u1"}})
	ws.Close()

	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=100")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `ROLLBACK`)
	if _, err := conn.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('held', 'x')`); err != nil {
		t.Fatal(err)
	}

	other, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("opening while another connection writes: %v", err)
	}
	defer other.Close()
	if c, err := other.Counts(ctx); err != nil || c.Users != 1 {
		t.Fatalf("reading while another connection writes: %+v, %v", c, err)
	}
}
