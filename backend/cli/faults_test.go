package cli_test

// Fault injection through the built binary: the process is killed
// (SIGKILL) at random points of an import, a settings apply and the
// server's writes, and the workspace must then pass PRAGMA integrity_check
// with every change all or nothing. A full disk and a read-only workspace
// must give a clear error and lose nothing.
//
//	FAULT_KILLS=n  kills per test (default 6; `make soak` runs 60)
//	FAULT_SEED=n   replay one run

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

func faultEnv(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// writeDataset writes a JSON Lines import of n contacts (with companies)
// and n/3 tickets with parts, ids offset by base.
func writeDataset(t *testing.T, path string, base, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < n/20+1; i++ {
		fmt.Fprintf(w, `{"type":"company","id":"c%d","name":"Company %d","plan":{"type":"plan","name":"Pro"},"custom_attributes":{"seats":%d}}`+"\n", base+i, base+i, i%30)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, `{"type":"contact","id":"u%d","external_id":"e%d","email":"user%d@examply.com","name":"Élodie %d","custom_attributes":{"tier":"gold"},"companies":{"type":"list","data":[{"type":"company","id":"c%d"}]}}`+"\n", base+i, base+i, base+i, i, base+i/20)
	}
	for i := 0; i < n/3; i++ {
		fmt.Fprintf(w, `{"type":"ticket","id":"t%d","ticket_id":"%d","category":"Customer","is_shared":true,"company_id":"c%d","created_at":1700000000,"updated_at":%d,`+
			`"ticket_attributes":{"_default_title_":"Invoice export %d","_default_description_":"The café invoice export fails"},"ticket_type":{"id":"ty","name":"Bug","category":"Customer"},`+
			`"contacts":{"type":"contact.list","contacts":[{"type":"contact","id":"u%d"}]},"ticket_parts":{"type":"ticket_part.list","ticket_parts":[`+
			`{"type":"ticket_part","id":"p%d","part_type":"comment","body":"<p>Thanks, looking into the invoice</p>","created_at":1700000100,"author":{"type":"admin","id":"a1","name":"Agent"}},`+
			`{"type":"ticket_part","id":"q%d","part_type":"note","body":"internal note","created_at":1700000200,"author":{"type":"admin","id":"a1","name":"Agent"}}]}}`+"\n",
			base+i, base+i, base+i/60, 1700000000+i, i, base+i, base+i, base+i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// wsState is what all-or-nothing is checked on.
type wsState struct {
	users, companies, tickets, parts int
	draft, live                      string
	liveVersion, history             int
}

// inspect opens the workspace file directly (recovering its WAL as any
// next open would), runs PRAGMA integrity_check and reads the counts and
// the settings.
func inspect(t *testing.T, path string) wsState {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check of %s: %q %v", path, ok, err)
	}
	var s wsState
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&s.users, `SELECT count(*) FROM users`}, {&s.companies, `SELECT count(*) FROM companies`},
		{&s.tickets, `SELECT count(*) FROM tickets`}, {&s.parts, `SELECT count(*) FROM parts`},
		{&s.history, `SELECT coalesce(max(version), 0) FROM settings_versions`},
	} {
		if err := db.QueryRow(q.sql).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	_ = db.QueryRow(`SELECT doc FROM settings WHERE name = 'draft'`).Scan(&s.draft)
	_ = db.QueryRow(`SELECT doc, version FROM settings WHERE name = 'live'`).Scan(&s.live, &s.liveVersion)
	return s
}

func sameData(a, b wsState) bool {
	return a.users == b.users && a.companies == b.companies && a.tickets == b.tickets && a.parts == b.parts
}

// copyWorkspace copies a closed workspace file (and its WAL, if any).
func copyWorkspace(t *testing.T, from, to string) {
	t.Helper()
	for _, suf := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(from + suf)
		if os.IsNotExist(err) && suf != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suf, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// killAfter runs the binary and kills it with SIGKILL after d; it reports
// whether the process had already finished (exit code) or was killed.
func killAfter(t *testing.T, d time.Duration, args ...string) (killed bool, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return false, ee.ExitCode()
		}
		return false, 0
	case <-time.After(d):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return true, -1
	}
}

func timed(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	if _, errOut, code := run(t, args...); code != 0 {
		t.Fatalf("portalstudio %s: %d %s", strings.Join(args, " "), code, errOut)
	}
	return time.Since(start)
}

// faultBase makes a workspace holding a small dataset and a big import
// file for it (the file holds the small dataset's records too, changed).
func faultBase(t *testing.T) (dir, base, big string) {
	t.Helper()
	dir = t.TempDir()
	base = filepath.Join(dir, "base.db")
	small := filepath.Join(dir, "small.jsonl")
	big = filepath.Join(dir, "big.jsonl")
	writeDataset(t, small, 0, 200)
	writeDataset(t, big, 100, 6000)
	timed(t, "import", "--workspace", base, small)
	return dir, base, big
}

func TestKillImport(t *testing.T) {
	seed := faultEnv("FAULT_SEED", time.Now().UnixNano())
	kills := int(faultEnv("FAULT_KILLS", 6))
	r := rand.New(rand.NewSource(seed))
	dir, base, big := faultBase(t)
	before := inspect(t, base)
	full := filepath.Join(dir, "full.db")
	copyWorkspace(t, base, full)
	took := timed(t, "import", "--workspace", full, big)
	after := inspect(t, full)
	if sameData(before, after) {
		t.Fatal("the big import changed nothing")
	}
	var killed, finished, old, new int
	for i := 0; i < kills; i++ {
		ws := filepath.Join(dir, fmt.Sprintf("k%d.db", i))
		copyWorkspace(t, base, ws)
		d := time.Duration(r.Int63n(int64(took)*6/5 + 1))
		k, code := killAfter(t, d, "import", "--workspace", ws, big)
		if k {
			killed++
		} else {
			finished++
			if code != 0 {
				t.Fatalf("import exited %d", code)
			}
		}
		got := inspect(t, ws)
		switch {
		case sameData(got, before):
			old++
		case sameData(got, after):
			new++
		default:
			t.Fatalf("seed %d: kill after %s left a partial import: %+v (before %+v, after %+v)", seed, d, got, before, after)
		}
		// The workspace works after the kill: the same import completes.
		if i == 0 {
			timed(t, "import", "--workspace", ws, big)
			if got := inspect(t, ws); !sameData(got, after) {
				t.Fatalf("re-import after a kill: %+v, want %+v", got, after)
			}
		}
	}
	t.Logf("import (%s full run): %d kills, %d runs finished first; %d workspaces as before, %d as after; seed %d", took.Round(time.Millisecond), killed, finished, old, new, seed)
}

// TestKillDemoNew kills `portalstudio demo` building a new workspace at
// random instants: the workspace is then either absent or complete (it is
// built beside its path and linked in only when done), and the next run
// builds it.
func TestKillDemoNew(t *testing.T) {
	seed := faultEnv("FAULT_SEED", time.Now().UnixNano())
	kills := int(faultEnv("FAULT_KILLS", 6))
	r := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	size := []string{"--users", "4000", "--companies", "400", "--tickets", "8000"}
	full := filepath.Join(dir, "full.db")
	took := timed(t, append([]string{"demo", "--workspace", full}, size...)...)
	want := inspect(t, full)
	var absent, complete int
	for i := 0; i < kills; i++ {
		ws := filepath.Join(dir, fmt.Sprintf("k%d.db", i))
		d := time.Duration(r.Int63n(int64(took)*6/5 + 1))
		killAfter(t, d, append([]string{"demo", "--workspace", ws}, size...)...)
		if _, err := os.Stat(ws); err != nil {
			absent++
			// The next run builds it, over what the killed one left.
			timed(t, append([]string{"demo", "--workspace", ws}, size...)...)
		} else {
			complete++
		}
		if got := inspect(t, ws); !sameData(got, want) || got.draft == "" {
			t.Fatalf("seed %d: kill after %s: the workspace holds %+v, want %+v", seed, d, got, want)
		}
		if _, err := os.Stat(ws + ".building"); err == nil {
			t.Errorf("seed %d: %s.building is left after a complete run", seed, ws)
		}
	}
	t.Logf("demo into a new workspace (%s full run): %d kills left no workspace, %d a complete one; seed %d", took.Round(time.Millisecond), absent, complete, seed)
}

func TestKillSettingsApply(t *testing.T) {
	seed := faultEnv("FAULT_SEED", time.Now().UnixNano())
	kills := int(faultEnv("FAULT_KILLS", 6))
	r := rand.New(rand.NewSource(seed))
	dir, base, _ := faultBase(t)
	docA := filepath.Join(dir, "a.json")
	docB := filepath.Join(dir, "b.json")
	os.WriteFile(docA, []byte(`{"preview_column": true, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "contains", "value": "aaaa"}]}}}`), 0o600)
	os.WriteFile(docB, []byte(`{"preview_column": false, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "contains", "value": "bbbb"}]}}}`), 0o600)
	timed(t, "settings", "apply", docA, "--workspace", base)
	scratch := filepath.Join(dir, "scratch.db")
	copyWorkspace(t, base, scratch)
	took := timed(t, "settings", "apply", docB, "--workspace", scratch)
	var old, new int
	for i := 0; i < kills; i++ {
		ws := filepath.Join(dir, fmt.Sprintf("s%d.db", i))
		copyWorkspace(t, base, ws)
		d := time.Duration(r.Int63n(int64(took) + 1))
		killAfter(t, d, "settings", "apply", docB, "--workspace", ws)
		s := inspect(t, ws)
		isA := strings.Contains(s.draft, `"aaaa"`) && strings.Contains(s.draft, `"preview_column": true`)
		isB := strings.Contains(s.draft, `"bbbb"`) && strings.Contains(s.draft, `"preview_column": false`)
		switch {
		case isA:
			old++
		case isB:
			new++
		default:
			t.Fatalf("seed %d: kill after %s left a draft that is neither: %s", seed, d, s.draft)
		}
	}
	t.Logf("settings apply: %d kills; %d drafts old, %d new; seed %d", kills, old, new, seed)
}

// TestKillServerWrites kills `portalstudio serve` while it answers a PUT
// of the settings and a POST of an import, then checks the workspace and
// starts the server again on it.
func TestKillServerWrites(t *testing.T) {
	seed := faultEnv("FAULT_SEED", time.Now().UnixNano())
	kills := int(faultEnv("FAULT_KILLS", 6)) / 2
	if kills < 2 {
		kills = 2
	}
	r := rand.New(rand.NewSource(seed))
	_, base, bigFile := faultBase(t)
	big, err := os.ReadFile(bigFile)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	copyWorkspace(t, base, filepath.Join(data, "workspace.db"))
	fullWS := filepath.Join(data, "full.db")
	copyWorkspace(t, base, fullWS)
	timed(t, "import", "--workspace", fullWS, bigFile)
	full := inspect(t, fullWS)
	var old, new, dataOld, dataNew int
	for i := 0; i < kills; i++ {
		p := startServer(t, data)
		token, err := os.ReadFile(filepath.Join(data, "admin-token"))
		if err != nil {
			t.Fatal(err)
		}
		tok := strings.TrimSpace(string(token))
		before := inspect(t, filepath.Join(data, "workspace.db"))
		doc := fmt.Sprintf(`{"preview_column": %v, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "contains", "value": "v%d"}]}}}`, i%2 == 0, i)
		start := time.Now()
		results := make(chan string, 2)
		go func() {
			req, _ := http.NewRequest(http.MethodPut, p.url+"/api/v1/settings", strings.NewReader(doc))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("If-Match", "*")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				results <- "put " + resp.Status
				return
			}
			results <- "put cut"
		}()
		go func() {
			req, _ := http.NewRequest(http.MethodPost, p.url+"/api/v1/import", strings.NewReader(string(big)))
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				results <- "import " + resp.Status
				return
			}
			results <- "import cut"
		}()
		time.Sleep(time.Duration(r.Int63n(int64(1500 * time.Millisecond))))
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		<-results
		<-results
		after := inspect(t, filepath.Join(data, "workspace.db"))
		// Settings: the old version and document, or the next with the new.
		switch {
		case after.liveVersion == before.liveVersion && after.live == before.live:
			old++
		case after.liveVersion == before.liveVersion+1 && strings.Contains(after.live, fmt.Sprintf(`"v%d"`, i)):
			new++
		default:
			t.Fatalf("seed %d: kill after %s: live settings v%d → v%d, neither old nor new:\n%s", seed, time.Since(start), before.liveVersion, after.liveVersion, after.live)
		}
		if after.history != after.liveVersion {
			t.Fatalf("seed %d: the history's last version is %d, the live one %d", seed, after.history, after.liveVersion)
		}
		// Data: an import that changed nothing, or all of it.
		switch {
		case sameData(after, before):
			dataOld++
		case sameData(after, full):
			dataNew++
		default:
			t.Fatalf("seed %d: kill after %s left a partial import: %+v (before %+v)", seed, time.Since(start), after, before)
		}
	}
	// The server starts again on the workspace and answers.
	p := startServer(t, data)
	token, _ := os.ReadFile(filepath.Join(data, "admin-token"))
	if code, body := call(t, http.MethodGet, p.url+"/api/v1/settings", strings.TrimSpace(string(token)), ""); code != http.StatusOK {
		t.Fatalf("after the kills GET settings: %d %s", code, body)
	}
	p.stop(t)
	t.Logf("server writes: %d kills; settings %d old, %d new; imports %d old, %d new; seed %d", kills, old, new, dataOld, dataNew, seed)
}

// mountTmpfs mounts a tmpfs of size bytes at dir, or reports why it cannot.
func mountTmpfs(t *testing.T, dir string, size int) error {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		return err
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return nil
}

// TestDiskFull imports into a workspace on a nearly full file system (a
// small tmpfs; where mounting is not allowed, a file-size limit on the
// process, which makes writes fail with EFBIG): the import fails with a
// clear error and the workspace is as before.
func TestDiskFull(t *testing.T) {
	dir, base, big := faultBase(t)
	before := inspect(t, base)
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o700)
	st, _ := os.Stat(base)
	var ws string
	var args []string
	if err := mountTmpfs(t, mnt, int(st.Size())+256<<10); err == nil {
		ws = filepath.Join(mnt, "workspace.db")
		copyWorkspace(t, base, ws)
		args = []string{"import", "--workspace", ws, big}
	} else {
		t.Logf("no tmpfs (%v): limiting the file size instead", err)
		ws = filepath.Join(dir, "limited.db")
		copyWorkspace(t, base, ws)
		args = []string{"prlimit", fmt.Sprintf("--fsize=%d", st.Size()+256<<10), "--", bin, "import", "--workspace", ws, big}
	}
	var out []byte
	var err error
	if args[0] == "prlimit" {
		cmd := exec.Command(args[0], args[1:]...)
		out, err = cmd.CombinedOutput()
	} else {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home)
		out, err = cmd.CombinedOutput()
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("import on a full disk: %v, want exit 1\n%s", err, out)
	}
	msg := strings.TrimSpace(string(out))
	if !strings.Contains(msg, "disk is full") || !strings.Contains(msg, "nothing was changed") || strings.Count(msg, "\n") > 0 {
		t.Errorf("the error is not one clear line about the full disk: %q", msg)
	}
	if got := inspect(t, ws); !sameData(got, before) {
		t.Fatalf("a failed import on a full disk changed the data: %+v, want %+v", got, before)
	}
	// The workspace still answers.
	if _, errOut, code := run(t, "audience", "--workspace", ws, "--json"); code != 0 {
		t.Fatalf("audience after a full disk: %d %s", code, errOut)
	}
}

// TestReadOnlyWorkspace runs writes on a workspace whose file system is
// read-only: each fails with a clear error and the data is intact.
func TestReadOnlyWorkspace(t *testing.T) {
	dir, base, big := faultBase(t)
	before := inspect(t, base)
	mnt := filepath.Join(dir, "ro")
	os.Mkdir(mnt, 0o700)
	if err := mountTmpfs(t, mnt, 64<<20); err != nil {
		t.Skipf("cannot mount a tmpfs to make read-only (%v); needs root", err)
	}
	ws := filepath.Join(mnt, "workspace.db")
	copyWorkspace(t, base, ws)
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only: %v", err)
	}
	doc := filepath.Join(dir, "doc.json")
	os.WriteFile(doc, []byte(`{"preview_column": false}`), 0o600)
	for _, args := range [][]string{
		{"import", "--workspace", ws, big},
		{"settings", "apply", doc, "--workspace", ws},
	} {
		_, errOut, code := run(t, args...)
		msg := strings.TrimSpace(errOut)
		if code != 1 || !strings.Contains(strings.ToLower(msg), "read-only") || strings.Contains(msg, "\n") {
			t.Errorf("portalstudio %s on a read-only workspace: exit %d, %q; want exit 1 and one line saying it is read-only", args[0], code, msg)
		}
	}
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT, ""); err != nil {
		t.Fatal(err)
	}
	if got := inspect(t, ws); !sameData(got, before) || got.draft != before.draft {
		t.Fatalf("writes on a read-only workspace changed it: %+v, want %+v", got, before)
	}
}

// pushDoc is the draft of the i-th push of TestKillSyncPush: a marker the
// server's settings can be recognised by.
func pushDoc(i int) string {
	return fmt.Sprintf(`{"identity_verification": true, "preview_column": %v, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "contains", "value": "push%d"}]}}}`, i%2 == 0, i)
}

func pushMarker(i int) string { return fmt.Sprintf(`"push%d"`, i) }

// TestKillSyncPush kills `portalstudio sync push` (and, in the second
// part, the `serve` it pushes to) with SIGKILL at random instants of a
// push to a real server. After each kill the server's live settings are
// the old version or the next with the pushed document (the history ends
// at the live version), both workspaces pass integrity_check, the
// desktop's live copy is the server's old or new version and its draft
// still holds the edit, and a second push completes (or reports a clean
// conflict) and leaves desktop and server at the same version.
func TestKillSyncPush(t *testing.T) {
	seed := faultEnv("FAULT_SEED", time.Now().UnixNano())
	kills := int(faultEnv("FAULT_KILLS", 6))
	r := rand.New(rand.NewSource(seed))
	data := t.TempDir()
	srvWS := filepath.Join(data, "workspace.db")
	desk := filepath.Join(t.TempDir(), "desk.db")
	tokenFile := filepath.Join(data, "admin-token")
	p := startServer(t, data)
	ok(t, "sync", "pull", "--workspace", desk, "--server", p.url, "--token-file", tokenFile)
	push := func(url string) []string {
		return []string{"sync", "push", "--workspace", desk, "--server", url, "--token-file", tokenFile}
	}
	// One full push, to know how long a push takes.
	n := 0
	draftWith(t, desk, pushDoc(n))
	took := timed(t, push(p.url)...)

	var counts struct{ old, new, cleanConflicts, killedPush, killedServer int }
	// check verifies the state after the i-th kill and pushes again.
	check := func(i int, before wsState, url, what string) {
		t.Helper()
		after := inspect(t, srvWS)
		switch {
		case after.liveVersion == before.liveVersion && after.live == before.live:
			counts.old++
		case after.liveVersion == before.liveVersion+1 && strings.Contains(after.live, pushMarker(i)):
			counts.new++
		default:
			t.Fatalf("seed %d: %s: the server's live settings v%d → v%d, neither old nor new:\n%s", seed, what, before.liveVersion, after.liveVersion, after.live)
		}
		if after.history != after.liveVersion {
			t.Fatalf("seed %d: %s: the server's history ends at %d, the live version is %d", seed, what, after.history, after.liveVersion)
		}
		d := inspect(t, desk)
		if d.liveVersion != before.liveVersion && d.liveVersion != after.liveVersion {
			t.Fatalf("seed %d: %s: the desktop's live copy is v%d; the server went v%d → v%d", seed, what, d.liveVersion, before.liveVersion, after.liveVersion)
		}
		if d.liveVersion == after.liveVersion && after.liveVersion != before.liveVersion && !strings.Contains(d.live, pushMarker(i)) {
			t.Fatalf("seed %d: %s: the desktop's live copy is v%d but not the pushed document:\n%s", seed, what, d.liveVersion, d.live)
		}
		if !strings.Contains(d.draft, pushMarker(i)) {
			t.Fatalf("seed %d: %s: the desktop's draft lost the edit:\n%s", seed, what, d.draft)
		}
		// A second push completes, or refuses with a clean conflict.
		_, errOut, code := run(t, push(url)...)
		switch {
		case code == 0:
		case code == 1 && (strings.Contains(errOut, "conflict") || strings.Contains(errOut, "--take")):
			counts.cleanConflicts++
			if s := inspect(t, srvWS); s.liveVersion != after.liveVersion || s.live != after.live {
				t.Fatalf("seed %d: %s: a refused push changed the server", seed, what)
			}
			return
		default:
			t.Fatalf("seed %d: %s: the second push: exit %d %s", seed, what, code, errOut)
		}
		s, d2 := inspect(t, srvWS), inspect(t, desk)
		if !strings.Contains(s.live, pushMarker(i)) || s.history != s.liveVersion || d2.liveVersion != s.liveVersion || !strings.Contains(d2.live, pushMarker(i)) {
			t.Fatalf("seed %d: %s: after the second push the server is v%d (history %d), the desktop's live copy v%d:\nserver %s\ndesktop %s",
				seed, what, s.liveVersion, s.history, d2.liveVersion, s.live, d2.live)
		}
	}

	// The push killed (a push is quick: twice the kills).
	for k := 0; k < 2*kills; k++ {
		n++
		before := inspect(t, srvWS)
		draftWith(t, desk, pushDoc(n))
		d := time.Duration(r.Int63n(int64(took)*11/10 + 1))
		if killed, _ := killAfter(t, d, push(p.url)...); killed {
			counts.killedPush++
		}
		check(n, before, p.url, fmt.Sprintf("push killed after %s", d))
	}
	p.stop(t)

	// The server killed during the push.
	for k := 0; k < max(2, kills/2); k++ {
		n++
		p := startServer(t, data)
		before := inspect(t, srvWS)
		draftWith(t, desk, pushDoc(n))
		cmd := exec.Command(bin, push(p.url)...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pushed := make(chan error, 1)
		go func() { pushed <- cmd.Wait() }()
		d := time.Duration(r.Int63n(int64(took)*6/5 + 1))
		time.Sleep(d)
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		select {
		case <-pushed:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("seed %d: sync push did not end within 30 s of the server's death", seed)
		}
		counts.killedServer++
		q := startServer(t, data)
		check(n, before, q.url, fmt.Sprintf("server killed after %s", d))
		q.stop(t)
	}
	t.Logf("sync push (%s full run): %d pushes killed, %d servers killed mid-push; server settings %d old, %d new; %d second pushes refused with a clean conflict; seed %d",
		took.Round(time.Millisecond), counts.killedPush, counts.killedServer, counts.old, counts.new, counts.cleanConflicts, seed)
}
