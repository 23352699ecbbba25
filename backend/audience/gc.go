package audience

import (
	"os"
	"runtime/debug"
	"sync/atomic"
)

// The garbage collector of a process that keeps engines' columns in
// memory (Options.Keep: the desktop app and the bench's running app; the
// server keeps Go's default until it is measured under load).
//
// Only columns on the Go heap count (view.heapBytes): a long-running
// engine with a file maps it and keeps its columns in the file's pages
// (readKept), which the collector never sees, so its heap stays small and
// Go's default target stands. Columns are on the heap when there is no
// file (a PostgreSQL replica without a data folder), or the file could
// not be written or mapped: they are then most of the process's heap
// (122 MB for 1,000,000 users) and hold no pointers, so a collection
// marks them for next to nothing. At Go's default target (GOGC 100) the heap would grow to twice
// the columns before each collection: 250 MB resident where 150 is the
// goal, and every question in the first minutes after a load would
// allocate on pages the process never touched, each a page fault (about
// 11 µs on a virtual machine that traps them; the impact of a change
// allocates about 400 pages). So the target is set from the columns
// kept: the heap may grow by keptHeadroom past them (GOGC 10 for a
// million users, measured against 25: the app's impact 13.2 and 10.3 ms
// against 7.4 and 5.5, a user's page 1.84 and 0.73 ms against 0.62 and
// 0.57), and by Go's default for a small workspace, whose collections
// would otherwise come every few hundred kilobytes.

// keptHeadroom is how far the heap may grow past the columns kept.
const keptHeadroom = 12 << 20

var (
	// keptGC is set by CollectForKept.
	keptGC atomic.Bool
	// keptBytes is the size of the columns the engines keep.
	keptBytes atomic.Int64
)

// CollectForKept makes the garbage collector's target follow the
// columns this process's engines keep (KeptGCPercent), unless the
// environment sets GOGC: call it once, from the composition root of a
// process that keeps engines' columns.
func CollectForKept() {
	if os.Getenv("GOGC") == "" {
		keptGC.Store(true)
		debug.SetGCPercent(KeptGCPercent(keptBytes.Load()))
	}
}

// KeptGCPercent is the target (GOGC) for a process keeping columns of
// so many bytes: keptHeadroom past them, from 10 to Go's default 100.
func KeptGCPercent(bytes int64) int {
	if bytes <= 0 {
		return 100
	}
	return int(min(100, max(10, 100*keptHeadroom/bytes)))
}

// kept records that an engine keeps columns of size bytes where it kept
// was before, and sets the target when CollectForKept asked for it.
func kept(was, bytes int64) {
	total := keptBytes.Add(bytes - was)
	if keptGC.Load() {
		debug.SetGCPercent(KeptGCPercent(total))
	}
}
