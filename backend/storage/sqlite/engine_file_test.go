package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// The audience engine's data beside the workspace (<workspace>.audience):
// written by whichever process built it, read by any other process while
// it holds the workspace's generation, never used when it is stale,
// damaged or of another version (the engine then builds it again from
// the workspace and writes it).

// answersFromFile checks that e (a one-shot process's engine) answers
// random rules from the file, exactly as portal.Eval does.
func answersFromFile(t *testing.T, ws *sqlite.Workspace, e *audience.Engine, r *rand.Rand, seed uint64, n int) {
	t.Helper()
	ctx := context.Background()
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subjects := allSubjects(t, ws)
	for i := 0; i < n; i++ {
		rule := randomRule(r, schema, 3)
		want := []string{}
		for _, sub := range subjects {
			if portal.Eval(rule, schema, sub, t0) {
				want = append(want, sub.User.ID)
			}
		}
		sort.Strings(want)
		got, err := engineIDs(ctx, e, rule, nil, schema, t0)
		if err != nil {
			t.Fatalf("seed %d: the engine did not answer %s: %v (%+v)", seed, rule, err, e.Stats())
		}
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: %s: file %v, portal.Eval %v", seed, rule, got, want)
		}
		k := 1 + r.IntN(4)
		first, err := engineFirst(ctx, e, rule, nil, schema, t0, k)
		_, head, errHead := e.Audience(ctx, rule, schema, t0, k)
		headIDs, _ := idsOf(head, nil)
		if err != nil || errHead != nil || !slices.Equal(first, headIDs) || len(first) != min(k, len(want)) {
			t.Fatalf("seed %d: %s: first %d from the file %v (%v), head %v (%v)", seed, rule, k, first, err, headIDs, errHead)
		}
	}
	if st := e.Stats(); !st.Loaded || st.From != "file" {
		t.Fatalf("a one-shot process's engine: %+v; want loaded from the file", st)
	}
}

// replaceFile puts data at path as the engine does, by a rename (a
// process may have the old file mapped).
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

func TestEngineFileSecondProcess(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 41))
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, randomDataset(r, t0)...)
	if _, st := longRunning(t, app); st.From != "store" {
		t.Fatalf("the first load came from a file that did not exist: %+v", st)
	}
	fi, err := os.Stat(app.AudiencePath())
	if err != nil {
		t.Fatalf("no file beside the workspace: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("the audience file has mode %v, want 0600", fi.Mode().Perm())
	}
	if app.AudiencePath() != path+".audience" {
		t.Fatalf("the file is %s", app.AudiencePath())
	}
	// A second process (a one-shot command) answers from the file.
	cli := openAt(t, path, nil)
	e := oneShot(t, cli, nil)
	if st := e.Stats(); st.Loaded {
		t.Fatalf("an engine loaded before any audience: %+v", st)
	}
	answersFromFile(t, cli, e, r, seed, 25)
	// A second long-running process reads the file too.
	if _, st := longRunning(t, openAt(t, path, nil)); st.From != "file" {
		t.Fatalf("a second app built from the workspace although the file was fresh: %+v", st)
	}
	// Deleting the file loses nothing: the next process builds it again
	// (saying so) and writes it.
	os.Remove(path + ".audience")
	var notices []string
	ws := openAt(t, path, nil)
	e = oneShot(t, ws, &notices)
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); st.From != "store" || len(notices) != 1 || !strings.Contains(notices[0], "building the audience data") {
		t.Fatalf("%+v, notices %q", st, notices)
	}
	ws = openAt(t, path, nil)
	answersFromFile(t, ws, oneShot(t, ws, nil), r, seed, 5)
}

// An import makes the file stale at once: a one-shot process then builds
// it again (and gives the new answer), and so does the long-running
// process at its next audience.
func TestEngineFileStaleAfterImport(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 43))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, edgeDataset()...)
	appEng, _ := longRunning(t, app)
	old, err := os.ReadFile(app.AudiencePath())
	if err != nil {
		t.Fatal(err)
	}
	pro := portal.Cond("company.plan", portal.OpEquals, "Pro")
	// Another process imports (a one-shot `import`).
	MustImport(t, openAt(t, path, nil), portal.Record{Company: &portal.Company{ID: "c2", Plan: "Pro"}})
	cli := openAt(t, path, nil)
	schema, _ := cli.Schema(ctx)
	e := oneShot(t, cli, nil)
	if ids, err := engineIDs(ctx, e, pro, nil, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) {
		t.Fatalf("after the import: %v, %v; want u1, u4, u5", ids, err)
	}
	if st := e.Stats(); st.From == "file" {
		t.Fatalf("a stale file answered: %+v", st)
	}
	// The app sees the new generation at its next audience and catches
	// up: from the file the one-shot process wrote.
	if ids, err := engineIDs(ctx, appEng, pro, nil, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) {
		t.Fatalf("the app after another process's import: %v, %v", ids, err)
	}
	if st := appEng.Stats(); !st.Loaded || st.FileErr != "" {
		t.Fatalf("the app after another process's import: %+v", st)
	}
	cli = openAt(t, path, nil)
	e = oneShot(t, cli, nil)
	if ids, err := engineIDs(ctx, e, pro, nil, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) || e.Stats().From != "file" {
		t.Fatalf("the file written again: %v, %v, %+v", ids, err, e.Stats())
	}
	// The old file, put back (an older generation), is never taken for
	// the current data: the engine catches up from it with the users
	// the import changed (read from the workspace's changes log, or from
	// the changes file beside it), or reads everything.
	for _, changesFile := range []bool{true, false} {
		if !changesFile {
			os.Remove(app.AudiencePath() + audience.ChangesSuffix)
		}
		replaceFile(t, app.AudiencePath(), old)
		cli = openAt(t, path, nil)
		e = oneShot(t, cli, nil)
		if ids, err := engineIDs(ctx, e, pro, nil, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) || (e.Stats().Changed == 0 && e.Stats().From != "store") {
			t.Fatalf("the file of an older generation: %v, %v, %+v", ids, err, e.Stats())
		}
		replaceFile(t, app.AudiencePath(), old)
		if _, st := longRunning(t, openAt(t, path, nil)); st.Changed == 0 && st.From != "store" {
			t.Fatalf("the long-running process used the older file alone: %+v", st)
		}
	}
	ws := openAt(t, path, nil)
	answersFromFile(t, ws, oneShot(t, ws, nil), r, seed, 5)
}

// A migration (which may change how rows are stored or folded) makes the
// file stale.
func TestEngineFileStaleAfterMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, edgeDataset()...)
	longRunning(t, app)
	e := oneShot(t, openAt(t, path, nil), nil)
	if _, err := engineIDs(ctx, e, portal.Everyone(), nil, nil, t0); err != nil || e.Stats().From != "file" {
		t.Fatalf("the fresh file: %v, %+v", err, e.Stats())
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO migrations (name) VALUES ('9999_later.sql')`); err != nil {
		t.Fatal(err)
	}
	e = oneShot(t, openAt(t, path, nil), nil)
	if ids, err := engineIDs(ctx, e, portal.Everyone(), nil, nil, t0); err != nil || len(ids) != 5 || e.Stats().From == "file" {
		t.Fatalf("the file of the schema before a migration: %v, %v, %+v", ids, err, e.Stats())
	}
}

// Two workspaces at the same generation counter hold other data: the
// file of one, copied beside the other, is refused (the generation
// carries a random stamp written with every import).
func TestEngineFileOfAnotherWorkspace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	wa, wb := openAt(t, a, nil), openAt(t, b, nil)
	MustImport(t, wa, portal.Record{User: &portal.User{ID: "ua", Email: "a@examply.com"}})
	MustImport(t, wb, portal.Record{User: &portal.User{ID: "ub", Email: "b@examply.com"}})
	longRunning(t, wa)
	data, err := os.ReadFile(wa.AudiencePath())
	if err != nil {
		t.Fatal(err)
	}
	replaceFile(t, wb.AudiencePath(), data)
	e := oneShot(t, openAt(t, b, nil), nil)
	if ids, err := engineIDs(ctx, e, portal.Everyone(), nil, nil, t0); err != nil || !slices.Equal(ids, []string{"ub"}) || e.Stats().From == "file" {
		t.Fatalf("b: %v, %v, %+v", ids, err, e.Stats())
	}
}

// A damaged file (truncated, bytes flipped, another format version) is
// detected: the engine notices it and builds the data again (never a
// wrong answer, never a panic), and writes it whole. A long-running
// process checks the whole file when it reads it; a one-shot process
// checks the file's index at once and each part of it when a rule first
// reads it: a rule that reads no damaged part answers from the file, the
// first rule that reads one makes the engine build the data again.
func TestEngineFileDamaged(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 47))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, randomDataset(r, t0)...)
	longRunning(t, app)
	good, err := os.ReadFile(app.AudiencePath())
	if err != nil {
		t.Fatal(err)
	}
	want := allIDs(t, app)
	schema, err := app.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A rule that reads every part of the file: every attribute is_set,
	// the company ones through the memberships.
	var every []*portal.Rule
	for _, a := range schema.Attributes() {
		every = append(every, portal.Cond(a.Name, portal.OpIsSet, nil))
	}
	everyRule := portal.AnyOf(every...)
	var wantEvery []string
	for _, sub := range allSubjects(t, app) {
		if portal.Eval(everyRule, schema, sub, t0) {
			wantEvery = append(wantEvery, sub.User.ID)
		}
	}
	sort.Strings(wantEvery)
	damages := map[string]func([]byte) []byte{
		"truncated":      func(b []byte) []byte { return b[:r.IntN(len(b))] },
		"empty":          func(b []byte) []byte { return nil },
		"a byte flipped": func(b []byte) []byte { b[r.IntN(len(b))] ^= byte(1 + r.IntN(255)); return b },
		// The version is read first: nothing else of the file is.
		"another version": func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 99); return b },
	}
	for name, damage := range damages {
		for try := 0; try < 5; try++ {
			for _, keep := range []bool{false, true} {
				replaceFile(t, path+".audience", damage(slices.Clone(good)))
				var notices []string
				ws := openAt(t, path, nil)
				e := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: keep, Notice: func(m string) { notices = append(notices, m) }})
				ids, err := engineIDs(ctx, e, portal.Everyone(), nil, nil, t0)
				if err != nil || !slices.Equal(ids, want) {
					t.Fatalf("%s: %v, %v; want %v", name, ids, err, want)
				}
				if !keep && e.Stats().From == "file" && len(notices) != 0 {
					t.Fatalf("%s: answered from the file after notices %q", name, notices)
				}
				if ids, err = engineIDs(ctx, e, everyRule, nil, schema, t0); err != nil || !slices.Equal(ids, wantEvery) {
					t.Fatalf("%s: every part read: %v, %v; want %v", name, ids, err, wantEvery)
				}
				st := e.Stats()
				e.Close()
				if st.From != "store" {
					t.Fatalf("%s: the damaged file was used: %+v", name, st)
				}
				if len(notices) != 2 || !strings.Contains(notices[0], "cannot be used") || !strings.Contains(notices[1], "building") {
					t.Fatalf("%s: notices %q", name, notices)
				}
				if b, err := os.ReadFile(path + ".audience"); err != nil || len(b) != len(good) {
					t.Fatalf("%s: not rebuilt: %d bytes (%v), want %d", name, len(b), err, len(good))
				}
			}
		}
	}
	if m, _ := filepath.Glob(path + ".audience.*"); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}

// allIDs returns the ids of every user of the workspace, sorted, read
// from its snapshot.
func allIDs(t *testing.T, ws *sqlite.Workspace) []string {
	t.Helper()
	ids := []string{}
	err := ws.Snapshot(context.Background(), func(portal.SnapshotHeader) error { return nil }, func(r portal.Record) error {
		if r.User != nil {
			ids = append(ids, r.User.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// The changes file beside the data (the users changed since it) is used
// only whole and for the generation it names: damaged, truncated, or of
// another generation, it is ignored and the changes are read again from
// the workspace's log; never a wrong answer.
func TestEngineChangesFileDamaged(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 59))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, edgeDataset()...)
	appEng, _ := longRunning(t, app)
	MustImport(t, app, portal.Record{Company: &portal.Company{ID: "c2", Plan: "Pro"}})
	pro := portal.Cond("company.plan", portal.OpEquals, "Pro")
	schema, _ := app.Schema(ctx)
	if ids, err := engineIDs(ctx, appEng, pro, nil, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) {
		t.Fatalf("after the import: %v, %v", ids, err)
	}
	changes := app.AudiencePath() + audience.ChangesSuffix
	good, err := os.ReadFile(changes)
	if err != nil {
		t.Fatalf("no changes file: %v", err)
	}
	e := oneShot(t, openAt(t, path, nil), nil)
	if _, err := engineIDs(ctx, e, pro, nil, schema, t0); err != nil || e.Stats().From != "file" || e.Stats().Changed == 0 {
		t.Fatalf("the changes file whole: %v, %+v", err, e.Stats())
	}
	damages := map[string]func([]byte) []byte{
		"truncated":      func(b []byte) []byte { return b[:r.IntN(len(b))] },
		"a byte flipped": func(b []byte) []byte { b[r.IntN(len(b))] ^= byte(1 + r.IntN(255)); return b },
		"the base file":  func([]byte) []byte { b, _ := os.ReadFile(app.AudiencePath()); return b },
	}
	for name, damage := range damages {
		for try := 0; try < 5; try++ {
			replaceFile(t, changes, damage(slices.Clone(good)))
			e := oneShot(t, openAt(t, path, nil), nil)
			ids, err := engineIDs(ctx, e, pro, nil, schema, t0)
			if err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) {
				t.Fatalf("%s: %v, %v", name, ids, err)
			}
			if st := e.Stats(); st.From != "changes" || st.Changed == 0 {
				t.Fatalf("%s: %+v; want the changes read again from the workspace", name, st)
			}
		}
	}
}
