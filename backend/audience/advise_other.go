//go:build !linux

package audience

// adviseRead does nothing on this system (see advise_linux.go).
func adviseRead([]byte) {}

// adviseHuge does nothing on this system (see advise_linux.go).
func adviseHuge([]byte) {}
