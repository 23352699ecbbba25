package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"portalstudio/backend/storage/sqlite"
)

// withUmask022 runs the test under the usual umask (022), under which a
// file created without an explicit private mode is readable by everyone.
func withUmask022(t *testing.T) {
	t.Helper()
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

// wantPrivate fails unless every file named exists with mode 0600 (the
// optional ones -wal, -shm, -journal: when present).
func wantPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600: other users of the machine could read the workspace", path, fi.Mode().Perm())
	}
	for _, suf := range []string{"-wal", "-shm", "-journal"} {
		fi, err := os.Stat(path + suf)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600: other users of the machine could read the workspace", path+suf, fi.Mode().Perm())
		}
	}
}

// TestNewWorkspaceIsPrivate: a workspace Open creates, and its WAL files
// while it is open, are 0600 even under umask 022.
func TestNewWorkspaceIsPrivate(t *testing.T) {
	withUmask022(t)
	path := filepath.Join(t.TempDir(), "new.db")
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	MustImport(t, ws, edgeDataset()...)
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no WAL file while the workspace is open (%v): the test would prove nothing", err)
	}
	wantPrivate(t, path)
}

// TestCreatedWorkspaceIsPrivate: a workspace Create builds (demo, bench,
// the app's first start) is 0600 once linked in.
func TestCreatedWorkspaceIsPrivate(t *testing.T) {
	withUmask022(t)
	path := filepath.Join(t.TempDir(), "built.db")
	if err := sqlite.Create(path, func(ws *sqlite.Workspace) error {
		MustImport(t, ws, edgeDataset()...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, path)
	ws, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	MustImport(t, ws, edgeDataset()...)
	wantPrivate(t, path)
}

// TestOpenTightensReadableWorkspace: a workspace left readable by others
// (0644, by an older version or a copy), with the WAL files a crash left
// (with content: SQLite only sets the mode of WAL files it finds empty),
// is made 0600 when opened.
func TestOpenTightensReadableWorkspace(t *testing.T) {
	withUmask022(t)
	live := filepath.Join(t.TempDir(), "live.db")
	ws, err := sqlite.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	MustImport(t, ws, edgeDataset()...)
	// What an older version left: copied while open, so the WAL has
	// content, each file 0644.
	path := filepath.Join(t.TempDir(), "old.db")
	for _, suf := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(live + suf)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suf, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path+suf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the copied WAL is empty or missing (%v): the test would prove nothing", err)
	}
	old, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Counts(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, path)
}
