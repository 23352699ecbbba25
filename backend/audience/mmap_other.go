//go:build !unix

package audience

import "os"

// canMap is false: this system's mapFile reads the file into memory.
const canMap = false

// mapFile reads the file at path (no memory mapping on this system).
func mapFile(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}
