package audience

import (
	"os"
	"syscall"
	"unsafe"
)

// madvPopulateRead is MADV_POPULATE_READ (Linux 5.14): fault the pages in
// now, as if read.
const madvPopulateRead = 22

// adviseRead asks the system for the pages of b, a part of a mapped
// file about to be read whole, at once: one call instead of a page fault
// every few pages. Only a hint: an error (an older kernel) changes
// nothing.
func adviseRead(b []byte) {
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	page := uintptr(os.Getpagesize())
	lo := start &^ (page - 1)
	syscall.Syscall(syscall.SYS_MADVISE, lo, start+uintptr(len(b))-lo, madvPopulateRead)
}
