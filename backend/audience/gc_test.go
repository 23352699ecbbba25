package audience_test

import (
	"context"
	"runtime/debug"
	"testing"

	"portalstudio/backend/audience"
)

// TestKeptGCPercent: the heap may grow 12 MiB past the columns kept,
// within Go's default and a floor.
func TestKeptGCPercent(t *testing.T) {
	for _, c := range []struct {
		bytes int64
		want  int
	}{{0, 100}, {1 << 20, 100}, {12 << 20, 100}, {24 << 20, 50}, {48 << 20, 25}, {122 << 20, 10}, {1 << 30, 10}} {
		if got := audience.KeptGCPercent(c.bytes); got != c.want {
			t.Errorf("KeptGCPercent(%d MiB) = %d, want %d", c.bytes>>20, got, c.want)
		}
	}
}

// TestCollectForKept: the target follows the columns, unless GOGC is set
// (the environment then decides).
func TestCollectForKept(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "77")
	debug.SetGCPercent(77)
	audience.CollectForKept()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Fatalf("GOGC=77: the target is %d, want 77 (the environment's)", got)
	}
	t.Setenv("GOGC", "")
	audience.CollectForKept()
	if got := debug.SetGCPercent(100); got != audience.KeptGCPercent(audience.KeptBytes()) {
		t.Fatalf("GOGC unset: the target is %d, want %d", got, audience.KeptGCPercent(audience.KeptBytes()))
	}
}

// TestKeptEngineSetsTarget: with CollectForKept, a keeping engine's load
// counts its columns and sets the target from them; closing it takes
// them away again. One-shot engines count for nothing.
func TestKeptEngineSetsTarget(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	audience.CollectForKept()
	before := audience.KeptBytes()
	src := &fakeSource{gen: "g0", base: "g0", users: map[uint32]string{}}
	for s := uint32(0); s < 20000; s++ {
		src.users[s] = "a.com"
	}
	ctx := context.Background()
	oneShot := audience.NewEngine(src, audience.Options{})
	defer oneShot.Close()
	if err := oneShot.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := audience.KeptBytes(); got != before {
		t.Fatalf("a one-shot engine counted: %d bytes kept, want %d", got, before)
	}
	e := audience.NewEngine(src, audience.Options{Keep: true})
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	cols := e.Stats().Bytes
	if got := audience.KeptBytes(); cols <= 0 || got != before+cols {
		t.Fatalf("%d bytes kept after the load, want %d + the engine's %d", got, before, cols)
	}
	if got, want := debug.SetGCPercent(100), audience.KeptGCPercent(before+cols); got != want {
		t.Fatalf("the target is %d after the load, want %d", got, want)
	}
	e.Close()
	if got := audience.KeptBytes(); got != before {
		t.Fatalf("%d bytes kept after Close, want %d", got, before)
	}
}
