package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"portalstudio/backend/audience"
)

// The audience engine's data beside the workspace: <workspace>.audience,
// the columns in the engine's persisted form (audience.Columns.Save),
// stamped with the generation of the data they were built from. It is
// derived data: the workspace stays the one source of truth, so deleting
// or losing the file loses nothing (it is built again), and a file that
// is missing, damaged, of another format version or of another
// generation is never used. It is written atomically (a temporary file,
// synced, renamed over the old one, the folder synced): a process killed
// while writing leaves the old file or the new one, never a mix. Its
// mode is 0600, like the workspace's: it holds the users' attributes.

// audienceSuffix names the file beside the workspace.
const audienceSuffix = ".audience"

// AudiencePath returns the path of the audience engine's data beside the
// workspace.
func (ws *Workspace) AudiencePath() string { return ws.path + audienceSuffix }

// readColumnsFile reads the columns from the file beside the workspace,
// when it holds generation gen. A damaged file, or one of another format
// version, is noticed (it is rebuilt by a long-running process); a
// missing or stale one is the normal case after a write.
//
// A one-shot process maps the file (mapped: the columns use its pages in
// place, and it is never unmapped: the process ends soon); a long-running
// one reads it into memory, as it reads the columns again after every
// write and a mapping could not be released safely while an audience may
// still scan it.
func (ws *Workspace) readColumnsFile(gen string, mapped bool) (*columns, error) {
	start := time.Now()
	path := ws.AudiencePath()
	var b []byte
	unmap := func() {}
	var err error
	if mapped {
		b, unmap, err = mapFile(path)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	eng, err := audience.ReadColumns(b, gen)
	if err != nil {
		unmap()
		if ws.notice != nil && !errors.Is(err, audience.ErrStale) {
			ws.notice(fmt.Sprintf("the audience data %s cannot be used (%v): audiences are computed from the workspace until it is rebuilt", path, err))
		}
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		os.Chmod(path, fi.Mode().Perm()&^0o077)
	}
	return &columns{gen: gen, loadTime: time.Since(start), fromFile: true, Columns: eng}, nil
}

// writeColumnsFile writes c beside the workspace, atomically. Columns of
// a generation without a stamp (a workspace not written since stamps
// came, and which could not be stamped) are not written: their
// generation does not name their data.
func (ws *Workspace) writeColumnsFile(c *columns) error {
	if !stamped(c.gen) {
		return errors.New("the workspace's data has no generation stamp yet")
	}
	path := ws.AudiencePath()
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeStaleTemps(dir, base)
	f, err := os.CreateTemp(dir, base+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("write the audience data: %w", err)
	}
	tmp := f.Name()
	_, err = c.Save(f, c.gen)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write the audience data: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// staleTemp is the age past which a temporary file of the audience data
// is a killed writer's (a write takes seconds at most).
var staleTemp = 10 * time.Minute

// removeStaleTemps removes the temporary files that writers killed while
// writing left in dir.
func removeStaleTemps(dir, base string) {
	names, _ := filepath.Glob(filepath.Join(dir, base+".*.tmp"))
	for _, name := range names {
		if fi, err := os.Stat(name); err == nil && time.Since(fi.ModTime()) >= staleTemp {
			os.Remove(name)
		}
	}
}

// loadColumns reads the columns for a long-running process: from the
// file beside the workspace when it holds the current generation, else
// from SQL, and then writes the file.
func (ws *Workspace) loadColumns(ctx context.Context) (string, *columns, error) {
	ws.ensureStamp(ctx)
	if gen, err := generation(ctx, ws.db); err == nil {
		if c, err := ws.readColumnsFile(gen, false); err == nil {
			return gen, c, nil
		}
	}
	gen, c, err := ws.readColumns(ctx)
	if err != nil {
		return gen, nil, err
	}
	if err := ws.writeColumnsFile(c); err != nil {
		c.fileErr = err.Error()
	}
	return gen, c, nil
}

// ensureStamp gives the data a generation stamp when it has none yet (a
// workspace not written since stamps came), so that its columns can be
// written beside it. It does nothing when the workspace cannot be
// written.
func (ws *Workspace) ensureStamp(ctx context.Context) {
	gen, err := generation(ctx, ws.db)
	if err != nil || stamped(gen) {
		return
	}
	ws.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, stampKey, newStamp())
}

// oneShotColumns reads, once per generation, the columns of a one-shot
// process from the file beside the workspace; nil when it is missing,
// damaged or stale (the SQL path answers: a one-shot process never waits
// for a build).
func (ws *Workspace) oneShotColumns(gen string) *columns {
	ws.cols.mu.Lock()
	if ws.cols.closed || ws.cols.tried == gen {
		ws.cols.mu.Unlock()
		return nil
	}
	ws.cols.tried = gen
	ws.cols.mu.Unlock()
	c, err := ws.readColumnsFile(gen, true)
	if err != nil {
		return nil
	}
	ws.cols.mu.Lock()
	defer ws.cols.mu.Unlock()
	if ws.cols.on || ws.cols.off || ws.cols.closed {
		return nil
	}
	ws.cols.cur = c
	return c
}
