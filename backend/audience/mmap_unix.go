//go:build unix

package audience

import (
	"os"
	"syscall"
)

// canMap is true: mapFile maps files on this system.
const canMap = true

// mapFile maps the file at path into memory, read-only; unmap releases
// it. A one-shot process reads the engine's data this way: no copy, and
// only the pages an audience touches are read. The files are only ever
// replaced by a rename, never changed in place, so a mapping stays whole
// while the process runs.
func mapFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() == 0 || int64(int(fi.Size())) != fi.Size() {
		return []byte{}, func() {}, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	adviseHuge(b)
	return b, func() { syscall.Munmap(b) }, nil
}
