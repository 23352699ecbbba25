package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// The audience engine's data beside the workspace (<workspace>.audience):
// written by a long-running process, read by any other process while it
// holds the workspace's generation, never used when it is stale, damaged
// or of another version (the SQL path answers, and a long-running process
// rebuilds it).

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

// answersFromFile checks that ws (a one-shot process) answers random
// rules from the columns of the file, exactly as portal.Eval and the SQL
// path do.
func answersFromFile(t *testing.T, ws *sqlite.Workspace, r *rand.Rand, seed uint64, n int) {
	t.Helper()
	ctx := context.Background()
	schema, err := ws.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subjects := allSubjects(t, ws)
	for i := 0; i < n; i++ {
		rule := randomRule(r, schema, 3)
		var want []string
		for _, sub := range subjects {
			if portal.Eval(rule, schema, sub, t0) {
				want = append(want, sub.User.ID)
			}
		}
		sort.Strings(want)
		got, err := ws.AudienceIDsColumns(ctx, rule, schema, t0)
		if err != nil {
			t.Fatalf("seed %d: the columns of the file did not answer %s: %v (%+v)", seed, rule, err, ws.ColumnStats())
		}
		sql, err := ws.AudienceIDsSetSQL(ctx, rule, schema, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || !slices.Equal(sql, want) {
			t.Fatalf("seed %d: %s: file %v, SQL %v, portal.Eval %v", seed, rule, got, sql, want)
		}
		k := 1 + r.IntN(4)
		first, err := ws.AudienceFirstColumns(ctx, rule, nil, schema, t0, k)
		firstSQL, errSQL := ws.AudienceFirstSQL(ctx, rule, nil, schema, t0, k)
		if err != nil || errSQL != nil || !slices.Equal(first, firstSQL) || len(first) != min(k, len(want)) {
			t.Fatalf("seed %d: %s: first %d from the file %v (%v), SQL %v (%v)", seed, rule, k, first, err, firstSQL, errSQL)
		}
	}
	if st := ws.ColumnStats(); !st.Loaded || !st.FromFile || st.On {
		t.Fatalf("a one-shot process's columns: %+v; want loaded from the file", st)
	}
}

// replaceFile puts data at path as the workspace does, by a rename (a
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

// longRunning loads the columns as the app and the server do, and
// returns their state.
func longRunning(t *testing.T, ws *sqlite.Workspace) sqlite.ColumnStats {
	t.Helper()
	if err := ws.LoadColumns(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := ws.ColumnStats()
	if !st.Loaded || st.Err != "" || st.FileErr != "" {
		t.Fatalf("long-running columns: %+v", st)
	}
	return st
}

func TestColumnsFileSecondProcess(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 41))
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, randomDataset(r, t0)...)
	if st := longRunning(t, app); st.FromFile {
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
	if st := cli.ColumnStats(); st.Loaded {
		t.Fatalf("columns before any audience: %+v", st)
	}
	answersFromFile(t, cli, r, seed, 25)
	// A second long-running process reads the file too.
	if st := longRunning(t, openAt(t, path, nil)); !st.FromFile {
		t.Fatalf("a second app built from SQL although the file was fresh: %+v", st)
	}
	// UseColumns(false) keeps the SQL path, file or not.
	off := openAt(t, path, nil)
	off.UseColumns(false)
	if _, err := off.AudienceIDsColumns(context.Background(), portal.Everyone(), nil, t0); err == nil {
		t.Fatal("columns answered with UseColumns(false)")
	}
	// Deleting the file loses nothing: the next long-running process
	// builds it again.
	os.Remove(path + ".audience")
	if st := longRunning(t, openAt(t, path, nil)); st.FromFile {
		t.Fatalf("%+v", st)
	}
	answersFromFile(t, openAt(t, path, nil), r, seed, 5)
}

// An import makes the file stale at once: a one-shot process then runs the
// SQL path (and gives the new answer), and the long-running process
// writes it again.
func TestColumnsFileStaleAfterImport(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 43))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, edgeDataset()...)
	app.UseColumns(true)
	if err := app.WaitColumns(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(app.AudiencePath())
	if err != nil {
		t.Fatal(err)
	}
	pro := portal.Cond("company.plan", portal.OpEquals, "Pro")
	// Another process imports (a one-shot `import`).
	MustImport(t, openAt(t, path, nil), portal.Record{Company: &portal.Company{ID: "c2", Plan: "Pro"}})
	cli := openAt(t, path, nil)
	schema, _ := cli.Schema(ctx)
	if ids, err := cli.AudienceIDsColumns(ctx, pro, schema, t0); err == nil {
		t.Fatalf("a stale file answered: %v", ids)
	}
	if ids, err := cli.AudienceIDs(ctx, pro, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) {
		t.Fatalf("after the import: %v, %v; want u1, u4, u5", ids, err)
	}
	// The app sees the new generation at its next audience and loads
	// again (from SQL: the file is stale), writing the file.
	if _, err := app.AudienceIDs(ctx, pro, schema, t0); err != nil {
		t.Fatal(err)
	}
	if err := app.WaitColumns(ctx); err != nil {
		t.Fatal(err)
	}
	if st := app.ColumnStats(); !st.Loaded || st.FromFile || st.FileErr != "" {
		t.Fatalf("the app after another process's import: %+v", st)
	}
	cli = openAt(t, path, nil)
	if ids, err := cli.AudienceIDsColumns(ctx, pro, schema, t0); err != nil || !slices.Equal(ids, []string{"u1", "u4", "u5"}) {
		t.Fatalf("the file written again: %v, %v", ids, err)
	}
	// The old file, put back (an older generation), is refused.
	replaceFile(t, app.AudiencePath(), old)
	cli = openAt(t, path, nil)
	if ids, err := cli.AudienceIDsColumns(ctx, pro, schema, t0); err == nil {
		t.Fatalf("the file of an older generation answered: %v", ids)
	}
	if st := longRunning(t, openAt(t, path, nil)); st.FromFile {
		t.Fatalf("the long-running process used the older file: %+v", st)
	}
	answersFromFile(t, openAt(t, path, nil), r, seed, 5)
}

// A migration (which may change how rows are stored or folded) makes the
// file stale.
func TestColumnsFileStaleAfterMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	app := openAt(t, path, nil)
	MustImport(t, app, edgeDataset()...)
	longRunning(t, app)
	if _, err := openAt(t, path, nil).AudienceIDsColumns(ctx, portal.Everyone(), nil, t0); err != nil {
		t.Fatalf("the fresh file: %v", err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO migrations (name) VALUES ('9999_later.sql')`); err != nil {
		t.Fatal(err)
	}
	if ids, err := openAt(t, path, nil).AudienceIDsColumns(ctx, portal.Everyone(), nil, t0); err == nil {
		t.Fatalf("the file of the schema before a migration answered: %v", ids)
	}
}

// Two workspaces at the same generation counter hold other data: the
// file of one, copied beside the other, is refused (the generation
// carries a random stamp written with every import).
func TestColumnsFileOfAnotherWorkspace(t *testing.T) {
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
	cli := openAt(t, b, nil)
	if ids, err := cli.AudienceIDsColumns(ctx, portal.Everyone(), nil, t0); err == nil {
		t.Fatalf("workspace b answered from a's file: %v", ids)
	}
	if ids, err := cli.AudienceIDs(ctx, portal.Everyone(), nil, t0); err != nil || !slices.Equal(ids, []string{"ub"}) {
		t.Fatalf("b: %v, %v", ids, err)
	}
}

// A damaged file (truncated, bytes flipped, another format version) is
// detected: a one-shot process runs the SQL path (never a wrong answer,
// never a panic) and notices it; the long-running process rebuilds it.
func TestColumnsFileDamaged(t *testing.T) {
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
	want, err := app.AudienceIDsSQL(ctx, portal.Everyone(), nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	reseal := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
		return b
	}
	damages := map[string]func([]byte) []byte{
		"truncated":       func(b []byte) []byte { return b[:r.IntN(len(b))] },
		"empty":           func(b []byte) []byte { return nil },
		"a byte flipped":  func(b []byte) []byte { b[r.IntN(len(b))] ^= byte(1 + r.IntN(255)); return b },
		"another version": func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 99); return reseal(b) },
	}
	for name, damage := range damages {
		for try := 0; try < 5; try++ {
			replaceFile(t, path+".audience", damage(slices.Clone(good)))
			var notices []string
			cli := openAt(t, path, &notices)
			if ids, err := cli.AudienceIDsColumns(ctx, portal.Everyone(), nil, t0); err == nil {
				t.Fatalf("%s: the damaged file answered: %v", name, ids)
			}
			if ids, err := cli.AudienceIDs(ctx, portal.Everyone(), nil, t0); err != nil || !slices.Equal(ids, want) {
				t.Fatalf("%s: %v, %v; want %v", name, ids, err, want)
			}
			if len(notices) != 1 || !strings.Contains(notices[0], "cannot be used") {
				t.Fatalf("%s: notices %q", name, notices)
			}
			if st := longRunning(t, openAt(t, path, nil)); st.FromFile {
				t.Fatalf("%s: the long-running process used the damaged file: %+v", name, st)
			}
			if b, err := os.ReadFile(path + ".audience"); err != nil || len(b) != len(good) {
				t.Fatalf("%s: not rebuilt: %d bytes (%v), want %d", name, len(b), err, len(good))
			}
		}
	}
	if m, _ := filepath.Glob(path + ".audience.*"); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}
