package cli_test

// The files the product writes hold the helpdesk's data and the server's
// secrets: each is 0600, in a 0700 folder when the product makes the
// folder, whatever the umask (these tests run the binary under 022, the
// usual one, under which a file made without a private mode is readable
// by every user of the machine).

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"portalstudio/backend/cli"
)

// umask022 sets the test process's umask (which the binary inherits) to
// 022 for the test.
func umask022(t *testing.T) {
	t.Helper()
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

// wantMode fails unless the file exists with mode want.
func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
	}
}

// wantWorkspacePrivate fails unless the workspace and the -wal / -shm /
// -journal files beside it (those present; need lists those that must
// be) are 0600.
func wantWorkspacePrivate(t *testing.T, path string, need ...string) {
	t.Helper()
	wantMode(t, path, 0o600)
	for _, suf := range need {
		if _, err := os.Stat(path + suf); err != nil {
			t.Fatalf("no %s while the workspace is open (%v): the check would prove nothing", path+suf, err)
		}
	}
	for _, suf := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suf); err == nil {
			wantMode(t, path+suf, 0o600)
		}
	}
}

// TestServeDataIsPrivate: serve --data DIR makes DIR 0700 and every file
// in it 0600, the workspace's WAL files included, while it runs and after
// an import.
func TestServeDataIsPrivate(t *testing.T) {
	umask022(t)
	t.Setenv("PORTALSTUDIO_NO_KEYRING", "1")
	dir := filepath.Join(t.TempDir(), "acme")
	srv := startServer(t, dir)
	ws := filepath.Join(dir, "workspace.db")
	ok(t, "import", "--workspace", ws, fixture("contact.json"), fixture("ticket.json"))
	wantMode(t, dir, 0o700)
	wantWorkspacePrivate(t, ws, "-wal", "-shm")
	wantMode(t, filepath.Join(dir, "admin-token"), 0o600)
	wantMode(t, filepath.Join(dir, "identity-secret"), 0o600)
	srv.stop(t)
	wantWorkspacePrivate(t, ws)
}

// TestServeExistingFolderIsPrivate: in a data folder that existed (0755:
// its mode is the admin's choice and stays), the files serve writes are
// 0600, and a workspace someone left 0644 is tightened to 0600.
func TestServeExistingFolderIsPrivate(t *testing.T) {
	umask022(t)
	t.Setenv("PORTALSTUDIO_NO_KEYRING", "1")
	dir := filepath.Join(t.TempDir(), "acme")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "workspace.db")
	ok(t, "import", "--workspace", ws, fixture("contact.json"), fixture("ticket.json"))
	if err := os.Chmod(ws, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, dir)
	wantMode(t, dir, 0o755)
	wantWorkspacePrivate(t, ws, "-wal", "-shm")
	wantMode(t, filepath.Join(dir, "admin-token"), 0o600)
	wantMode(t, filepath.Join(dir, "identity-secret"), 0o600)
	srv.stop(t)
}

// TestDemoWorkspaceIsPrivate: portalstudio demo builds a 0600 workspace;
// so do import and bench when they create one.
func TestDemoWorkspaceIsPrivate(t *testing.T) {
	umask022(t)
	ws := newDemo(t, demoSeed)
	wantWorkspacePrivate(t, ws)
	imported := filepath.Join(t.TempDir(), "imported.db")
	ok(t, "import", "--workspace", imported, fixture("contact.json"))
	wantWorkspacePrivate(t, imported)
}

// TestDefaultWorkspaceFolderIsPrivate: the folder of the app's own
// workspace, in the user's config folder, is created 0700.
func TestDefaultWorkspaceFolderIsPrivate(t *testing.T) {
	umask022(t)
	cfg := filepath.Join(t.TempDir(), "config")
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	path, err := cli.DefaultWorkspace()
	if err != nil {
		t.Fatal(err)
	}
	wantMode(t, filepath.Dir(path), 0o700)
}
