// Package privatefile writes the small files that hold secrets (a
// server's admin token and identity secret, a desktop's saved admin
// token): readable by their owner only, and replaced atomically, so that
// a crash leaves the old file or the new one, never a part.
package privatefile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data, mode 0600 whatever the umask: it writes a
// temporary file beside it, syncs it and renames it into place. On error
// path is unchanged and no temporary file is left.
func Write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("protect %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
