package sqlite

/*
#include <stddef.h>
#include <stdint.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

// SQLite's own API, compiled into this binary by mattn/go-sqlite3: the
// numbers are SQLITE_CONFIG_PAGECACHE, SQLITE_CONFIG_PCACHE_HDRSZ and
// SQLITE_STATUS_PAGECACHE_USED / _OVERFLOW (sqlite3.h).
extern int sqlite3_config(int, ...);
extern int sqlite3_status64(int, long long *, long long *, int);

// ps_page_cache gives SQLite a region of `bytes` bytes, aligned to 2 MiB
// and advised for huge pages, as the lines of its page caches (pages of
// page_size bytes). It returns the number of lines, or 0 where it is not
// set up (not Linux, no memory, or SQLite already started).
static int ps_page_cache(size_t bytes, int page_size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	int hdr = 0;
	if (sqlite3_config(24, &hdr) != 0 || hdr <= 0) return 0;
	size_t align = (size_t)2 << 20;
	char *p = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) return 0;
	char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	madvise(a, bytes, MADV_HUGEPAGE);
	int sz = (page_size + hdr + 7) & ~7;
	int n = (int)(bytes / (size_t)sz);
	if (sqlite3_config(7, a, sz, n) != 0) {
		munmap(p, bytes + align);
		return 0;
	}
	return n;
#else
	return 0;
#endif
}

// ps_page_cache_used is how many of those lines hold a page now, and how
// many bytes of pages SQLite had to allocate elsewhere since the last call.
static long long ps_page_cache_used(long long *overflow) {
	long long cur = 0, hi = 0;
	sqlite3_status64(1, &cur, &hi, 0);
	long long ocur = 0;
	sqlite3_status64(2, &ocur, &hi, 0);
	*overflow = ocur;
	return cur;
}
*/
import "C"

// pageCacheBytes is the room given to SQLite's page caches in huge pages
// (pageCache): 4 MiB, about 900 pages of 4 KiB, room for what a one-shot
// command reads (a user's page reads about 250); past it SQLite
// allocates its pages as before. SQLite links every line into its free
// list when it starts, so the whole region is touched, and zeroed by the
// kernel, in every process: 16 MiB cost each command's start-up about
// 2 ms more than 4 MiB, and no command ran faster with it (README's
// Speed, session 13).
const pageCacheBytes = 4 << 20

// pageCacheLines is how many pages the region holds (0 where it is not
// set up).
var pageCacheLines = pageCache()

// pageCache hands SQLite, before it starts, one region of memory for the
// pages its connections read, mapped with huge pages (MADV_HUGEPAGE).
//
// Each page SQLite reads goes into a buffer of its page cache. By
// default every buffer is a malloc of its own, and in a new process (a
// one-shot command) or a new connection, memory the system has never
// given the process: its first touch costs a page fault, about 10 µs on
// a virtual machine whose hypervisor fills each page's entry (the
// machine of README's Speed), three times the read of the page itself.
// A user's page read about 250 pages of the workspace, so about 2.5 ms
// went to those faults alone. In this region, one fault maps 2 MiB, 450
// pages' worth, at once.
//
// The region is touched whole when SQLite starts (above), so it is kept
// small. Connections keep their own caches (SQLite's separate caches in
// a multi-threaded build): the region only replaces where their buffers
// come from.
func pageCache() int {
	return int(C.ps_page_cache(C.size_t(pageCacheBytes), C.int(4096)))
}

// pageCacheUse returns how many of the region's lines hold a page now,
// and the bytes of pages allocated elsewhere (when it is full or not set
// up).
func pageCacheUse() (lines int, overflow int64) {
	var o C.longlong
	n := C.ps_page_cache_used(&o)
	return int(n), int64(o)
}
