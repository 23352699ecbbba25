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

// adviseHuge asks the system to map the file mapped at b with huge pages
// (MADV_HUGEPAGE) where its page cache holds them: the file is written in
// aligned blocks of hugeBlock bytes (datafile.go), which the page cache
// keeps as folios of that size, and a page read in after the cache lost
// them is read in as one. A one-shot process then maps each 2 MiB of the
// file at once instead of 512 pages one by one: on a virtual machine
// whose hypervisor fills each page's entry on its first touch (about
// 2 µs here), the count of a typical rule went from about 10,000 such
// touches to about 20. Only a hint: an error changes nothing.
func adviseHuge(b []byte) {
	if len(b) == 0 {
		return
	}
	syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), syscall.MADV_HUGEPAGE)
}
