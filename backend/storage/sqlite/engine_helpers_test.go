package sqlite_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// The audience engine over the SQLite workspace, as the processes run
// it: a one-shot command maps the file beside the workspace (or builds
// it), a long-running process keeps the data in memory.

// openAt opens the workspace at path as another process would (a second
// sqlite.Open of the same file), noting its notices.
func openAt(t *testing.T, path string, notices *[]string) *sqlite.Workspace {
	t.Helper()
	ws, err := sqlite.OpenWith(path, sqlite.Options{Notice: func(m string) {
		if notices != nil {
			*notices = append(*notices, m)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// oneShot returns a one-shot command's engine over ws, noting its
// notices.
func oneShot(t *testing.T, ws *sqlite.Workspace, notices *[]string) *audience.Engine {
	t.Helper()
	e := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Notice: func(m string) {
		if notices != nil {
			*notices = append(*notices, m)
		}
	}})
	t.Cleanup(e.Close)
	return e
}

// kept returns a long-running process's engine over ws (loading in the
// background).
func kept(t testing.TB, ws *sqlite.Workspace) *audience.Engine {
	t.Helper()
	e := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: true})
	t.Cleanup(e.Close)
	return e
}

// longRunning loads a long-running process's engine over ws, as the app
// and the server do, and returns it with its state.
func longRunning(t *testing.T, ws *sqlite.Workspace) (*audience.Engine, audience.Stats) {
	t.Helper()
	e := kept(t, ws)
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if !st.Loaded || st.Err != "" || st.FileErr != "" {
		t.Fatalf("long-running engine: %+v", st)
	}
	return e, st
}

// engineIDs returns the ids of the users rule matches and except does
// not, by the engine, sorted.
func engineIDs(ctx context.Context, e *audience.Engine, rule, except *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	set, err := e.Set(ctx, rule, except, s, now)
	if err != nil {
		return nil, err
	}
	users, err := e.Summaries(ctx, set, int(set.GetCardinality()))
	ids, err := idsOf(users, err)
	sort.Strings(ids)
	return ids, err
}

// engineFirst returns the ids of the first n users rule matches and
// except does not, by the engine's first-users path.
func engineFirst(ctx context.Context, e *audience.Engine, rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]string, error) {
	return idsOf(e.AudienceFirst(ctx, rule, except, s, now, n))
}

// idsOf returns the ids of users, in order.
func idsOf(users []portal.UserSummary, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids, nil
}
