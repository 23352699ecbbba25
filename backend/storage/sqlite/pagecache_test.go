package sqlite_test

import (
	"context"
	"runtime"
	"testing"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// On Linux SQLite keeps the pages it reads in the region given to it at
// start-up (in huge pages; see pagecache.go), not in buffers malloc'd one
// by one: reading a workspace fills some of its lines, and its pages'
// answers are the same (every other test reads through it).
func TestPageCacheRegion(t *testing.T) {
	lines, _, _ := sqlite.PageCacheUse()
	if runtime.GOOS != "linux" {
		if lines != 0 {
			t.Fatalf("a page-cache region of %d lines outside Linux", lines)
		}
		return
	}
	if lines < 800 {
		t.Fatalf("the page-cache region holds %d lines; want about 900 (4 MiB of 4 KiB pages)", lines)
	}
	ctx := context.Background()
	ws := MustOpen(t)
	if _, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return nil, demo.Generate(demo.Options{Users: 300, Companies: 30, Tickets: 600, Seed: 5}, emit)
	}, portal.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	n, err := ws.CountSQL(ctx, `SELECT count(*) FROM tickets`)
	if err != nil || n != 600 {
		t.Fatalf("count = %d, %v; want 600", n, err)
	}
	if _, used, _ := sqlite.PageCacheUse(); used == 0 || used > lines {
		t.Fatalf("%d of the region's %d lines hold a page after reading the workspace; want some", used, lines)
	}
}
