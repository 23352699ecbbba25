package audience

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// The engine's data in files beside the store: Options.Path holds every
// user's columns (Columns.Save), stamped with the generation they were
// read at; Path+ChangesSuffix, when there, the columns of the users
// changed since, stamped with both generations. They are derived data:
// the store stays the one source of truth, so deleting or losing them
// loses nothing (they are built again), and a file that is missing,
// damaged, of another format version or of another generation is never
// used. Each is written atomically (a temporary file, synced, renamed
// over the old one, the folder synced): a process killed while writing
// leaves the old file or the new one, never a mix. Their mode is 0600:
// they hold the users' attributes.

// ChangesSuffix names the file of the changes beside Options.Path.
const ChangesSuffix = "-changes"

func changesPath(path string) string { return path + ChangesSuffix }

// changesKey is the generation stamped on a changes file: the base's and
// the data's.
func changesKey(baseGen, gen string) string { return baseGen + "\n" + gen }

// errNoFile says the file is not there (the normal case before the first
// build).
var errNoFile = errors.New("no audience data file")

// How readData reads the engine's file.
type readMode int

const (
	// readLazy maps the file and checks each part at its first use
	// (OpenColumns), for a one-shot process: the mapping is never
	// released, the process ends soon.
	readLazy readMode = iota
	// readMapped maps the file and checks every part now (ReadColumns),
	// for a one-shot process.
	readMapped
	// readKept maps the file and checks every part now, for a
	// long-running engine: the columns hold the mapping (Columns.file),
	// released when the last view on them is (view.release).
	readKept
	// readWhole reads the file into memory and checks every part now.
	readWhole
)

// readData reads the columns saved at path, which must hold generation
// want ("": any, returned), as mode says. Columns read with readKept
// come held once (Columns.file): the caller drops that hold once the
// views it made from them hold their own.
func readData(path string, mode readMode, want string) (*Columns, string, error) {
	var b []byte
	unmap := func() {}
	var err error
	mapped, lazy := mode != readWhole, mode == readLazy
	if mapped {
		b, unmap, err = mapFile(path)
	} else {
		b, err = os.ReadFile(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", errNoFile
	}
	if err != nil {
		return nil, "", err
	}
	gen := want
	if gen == "" {
		if gen, err = SavedGeneration(b); err != nil {
			unmap()
			return nil, "", err
		}
	}
	var c *Columns
	if lazy {
		c, err = openColumns(b, gen, adviseRead)
	} else {
		if mapped {
			adviseRead(b) // every part is read now: the pages in one call
		}
		c, err = ReadColumns(b, gen)
	}
	if err != nil {
		unmap()
		return nil, "", err
	}
	if mode == readKept && canMap { // elsewhere the columns are a copy on the heap
		keptMappings.Add(1)
		c.file = &mapping{unmap: func() { unmap(); keptMappings.Add(-1) }}
		c.file.refs.Store(1)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		os.Chmod(path, fi.Mode().Perm()&^0o077)
	}
	return c, gen, nil
}

// mapping is the engine's file mapped by a long-running engine (readKept),
// whose columns use its pages in place. Each view on those columns holds
// it (held), and it is unmapped when the last hold is dropped: no
// question, load or view of the engine reads it any more. Nothing the
// engine returns points into it: sets, users and counts are made anew.
type mapping struct {
	refs  atomic.Int64
	unmap func()
}

// keptMappings counts the files long-running engines hold mapped.
var keptMappings atomic.Int64

// hold keeps the mapping; nil (columns in memory, or a one-shot
// process's mapping, never released) holds nothing.
func (m *mapping) hold() {
	if m != nil {
		m.refs.Add(1)
	}
}

// drop lets a hold go, and unmaps the file with the last one.
func (m *mapping) drop() {
	if m == nil {
		return
	}
	switch n := m.refs.Add(-1); {
	case n == 0:
		m.unmap()
	case n < 0:
		panic("audience: the engine's file was let go more often than held")
	}
}

// writeData writes c, stamped with gen, to path, atomically.
func writeData(path string, c *Columns, gen string) error {
	if strings.TrimSpace(gen) == "" {
		return errors.New("the data has no generation to stamp the file with")
	}
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
	bw := &blockWriter{w: f, buf: make([]byte, 0, hugeBlock)}
	_, err = c.Save(bw, gen)
	if err == nil {
		err = bw.flush()
	}
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

// hugeBlock is the size of the blocks the engine's file is written in:
// a huge page (2 MiB on x86-64 and arm64), so that the page cache keeps
// the file in folios of that size, which a process mapping the file maps
// whole (adviseHuge).
const hugeBlock = 2 << 20

// blockWriter writes to w in blocks of cap(buf) bytes, each at an offset
// that is a multiple of it, the last one shorter (flush).
type blockWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (b *blockWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && b.err == nil {
		k := copy(b.buf[len(b.buf):cap(b.buf)], p)
		b.buf, p = b.buf[:len(b.buf)+k], p[k:]
		if len(b.buf) == cap(b.buf) {
			b.err = b.flush()
		}
	}
	if b.err != nil {
		return 0, b.err
	}
	return n, nil
}

// flush writes what is buffered.
func (b *blockWriter) flush() error {
	if b.err == nil && len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
	return b.err
}

// removeFile removes a file of the engine's data that no longer holds.
func removeFile(path string) { os.Remove(path) }

// staleTemp is the age past which a temporary file of the engine's data
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
