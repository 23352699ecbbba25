package sqlite_test

import (
	"context"
	"testing"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
)

// A bulk load (a Replace import: the demo, `sync pull --data`, `import
// --replace`) lets each full-text index gather 64 MiB before it writes a
// segment, then gives it back FTS5's 1 MiB, so that the imports after it
// keep their memory small; a bulk load that fails changes neither. Both
// indexes answer as they did (the search and user search tests run on
// such workspaces).
func TestBulkLoadRestoresFullTextMemory(t *testing.T) {
	ctx := context.Background()
	ws := MustOpen(t)
	hashSizes := func() []int {
		t.Helper()
		var out []int
		for _, table := range []string{"ticket_fts", "user_trgm"} {
			n, err := ws.CountSQL(ctx, `SELECT coalesce((SELECT v FROM `+table+`_config WHERE k = 'hashsize'), 1048576)`)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	load := func(fail bool) error {
		_, err := ws.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			err := demo.Generate(demo.Options{Users: 300, Companies: 30, Tickets: 600, Seed: 3}, emit)
			if err == nil && fail {
				err = portal.Errorf(portal.EINVALID, "the file ends early")
			}
			return nil, err
		}, portal.ImportOptions{Replace: true})
		return err
	}
	automerge := func() int {
		t.Helper()
		n := 4
		for _, table := range []string{"ticket_fts", "user_trgm"} {
			m, err := ws.CountSQL(ctx, `SELECT coalesce((SELECT v FROM `+table+`_config WHERE k = 'automerge'), 4)`)
			if err != nil {
				t.Fatal(err)
			}
			if m != 4 {
				n = m
			}
		}
		return n
	}
	if err := load(false); err != nil {
		t.Fatal(err)
	}
	if got := hashSizes(); got[0] != 1<<20 || got[1] != 1<<20 {
		t.Fatalf("after a bulk load the full-text indexes keep %v bytes, want FTS5's 1 MiB", got)
	}
	// The full-text indexes merged their segments once, at the end, and
	// merge as they go again after it.
	if got := automerge(); got != 4 {
		t.Fatalf("after a bulk load the search index's automerge is %d, want FTS5's 4", got)
	}
	if err := load(true); err == nil {
		t.Fatal("a bulk load whose source fails succeeded")
	}
	if got := hashSizes(); got[0] != 1<<20 || got[1] != 1<<20 {
		t.Fatalf("after a failed bulk load the full-text indexes keep %v bytes, want FTS5's 1 MiB", got)
	}
	if got := automerge(); got != 4 {
		t.Fatalf("after a failed bulk load the search index's automerge is %d, want FTS5's 4", got)
	}
	for _, word := range []string{"thanks", "th"} {
		n, err := ws.CountSQL(ctx, `SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?`, word+"*")
		if err != nil || n == 0 {
			t.Fatalf("the search index finds no ticket for %s* after the loads: %d (%v)", word, n, err)
		}
	}
	hits, err := ws.StringsSQL(ctx, `SELECT rowid FROM user_trgm WHERE user_trgm MATCH 'examply' LIMIT 1`)
	if err != nil || len(hits) == 0 {
		t.Fatalf("the users' trigram index finds no examply user after the loads (%v)", err)
	}
}
