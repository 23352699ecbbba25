//go:build !linux

package audience

// adviseRead does nothing on this system (see advise_linux.go).
func adviseRead([]byte) {}
