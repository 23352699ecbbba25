package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// A bulk load builds its search index in a file beside the workspace
// (searchbuild.go): the file is gone after it, whether it succeeded or
// failed; one left by a process killed meanwhile does not stop the next;
// a failed load leaves the search index as it was; the built index
// passes FTS5's check and answers as the one before it for the same data.
func TestSearchBuildFile(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	build := sqlite.SearchBuildPath(ws.Path())
	load := func(seed int64, fail bool) error {
		_, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			n := 0
			err := demo.Generate(demo.Options{Users: 200, Companies: 20, Tickets: 400, Seed: seed}, func(r portal.Record) error {
				if n++; fail && n == 500 {
					return errors.New("the file ends early")
				}
				return emit(r)
			})
			return nil, err
		}, portal.ImportOptions{Replace: true})
		return err
	}
	gone := func(when string) {
		t.Helper()
		for _, p := range []string{build, build + "-journal"} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s: %s is still there (%v)", when, p, err)
			}
		}
		// Nor does any connection hold it open (the load's own, which
		// attached it, is closed): its disk space is given back.
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range fds {
			if target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); strings.HasPrefix(target, build) {
				t.Fatalf("%s: %s is still open (%s)", when, target, fd.Name())
			}
		}
	}
	found := func() []string {
		t.Helper()
		ids, err := ws.StringsSQL(ctx, `SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH 'the OR invoice OR login' ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// What a process killed during a build leaves.
	if err := os.WriteFile(build, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := load(7, false); err != nil {
		t.Fatal(err)
	}
	gone("after a bulk load over a leftover build")
	if err := ws.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	before := found()
	if len(before) == 0 {
		t.Fatal("the built search index finds nothing")
	}
	if err := load(8, true); err == nil {
		t.Fatal("a bulk load whose source fails succeeded")
	}
	gone("after a failed bulk load")
	if got := found(); len(got) != len(before) || got[0] != before[0] || got[len(got)-1] != before[len(before)-1] {
		t.Fatalf("a failed bulk load changed the search index: %d entries, was %d", len(got), len(before))
	}
	// The same data loaded again gives the same index.
	if err := load(7, false); err != nil {
		t.Fatal(err)
	}
	gone("after a second bulk load")
	if got := found(); len(got) != len(before) {
		t.Fatalf("the same data loaded again: %d entries, was %d", len(got), len(before))
	}
	if err := ws.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSearchBuildLeftAtOpen: opening a workspace removes the search
// build a killed bulk load left beside it, but not while another process
// holds the workspace's write lock (a bulk load running there owns its
// build), and the open does not wait for that lock.
func TestSearchBuildLeftAtOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
	build := sqlite.SearchBuildPath(path)
	there := func() bool {
		_, err := os.Stat(build)
		return err == nil
	}
	if err := os.WriteFile(build, []byte("what a killed bulk load left"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Another process writing: its transaction holds the write lock.
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	ws, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("open while another process writes: %v", err)
	}
	ws.Close()
	if !there() {
		t.Fatal("an open removed the search build while another process held the write lock")
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}

	ws, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if there() {
		t.Fatal("an open left the search build of a killed bulk load")
	}
}
