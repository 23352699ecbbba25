package audience_test

import (
	"runtime/debug"
	"testing"

	"portalstudio/backend/audience"
)

// TestCollectForKept: the target is KeptGCPercent, unless GOGC is set
// (the environment then decides).
func TestCollectForKept(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	audience.CollectForKept()
	if got := debug.SetGCPercent(100); got != audience.KeptGCPercent {
		t.Fatalf("GOGC unset: the target is %d, want %d", got, audience.KeptGCPercent)
	}
	t.Setenv("GOGC", "77")
	debug.SetGCPercent(77)
	audience.CollectForKept()
	if got := debug.SetGCPercent(100); got != 77 {
		t.Fatalf("GOGC=77: the target is %d, want 77 (the environment's)", got)
	}
}
