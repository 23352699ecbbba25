package app_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"portalstudio/app"
)

// TestDefaultWorkspaceIsPrivate: on first start the app creates its own
// workspace (a demo one) in a folder it makes 0700, and the file and the
// WAL files SQLite keeps beside it while it is open are 0600, even under
// umask 022.
func TestDefaultWorkspaceIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "config", "PortalStudio")
	path := filepath.Join(dir, "workspace.db")
	ws, err := app.OpenWorkspace(context.Background(), path, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	want := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for name, mode := range want {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode().Perm(), mode)
		}
	}
}
