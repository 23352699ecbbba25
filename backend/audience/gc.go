package audience

import (
	"os"
	"runtime/debug"
)

// KeptGCPercent is the garbage collector's target (GOGC) for a process
// that keeps an engine's columns in memory (Options.Keep: the desktop
// app, the server, the bench's running app).
//
// The columns are most of such a process's heap (122 MB for 1,000,000
// users) and hold no pointers, so a collection marks them for next to
// nothing. At Go's default (100) the heap would grow to twice the
// columns before each collection: 250 MB resident where 150 is the goal,
// and every question in the first minutes after a load would allocate on
// pages the process never touched, each a page fault (about 11 µs on a
// virtual machine that traps them; the impact of a change allocates
// about 500 pages). At 25 the heap grows by a quarter, and the pages of
// that quarter are reused from the first collection on.
const KeptGCPercent = 25

// CollectForKept sets the garbage collector's target to KeptGCPercent,
// unless the environment sets GOGC: call it once in a process that keeps
// an engine's columns, from its composition root.
func CollectForKept() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(KeptGCPercent)
	}
}
