package cli_test

// End-to-end tests of `portalstudio serve --database`: replicas of the
// built binary on one throwaway PostgreSQL database (package pgtest),
// each on its own free loopback port.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	audiences "portalstudio/backend/audience"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/backend/studio"
	"portalstudio/internal/pgtest"
)

// replicaArgs are the flags of a replica on db.
func replicaArgs(db, name string) []string {
	return []string{"--database", db, "--replica", name, "--slug", "acme", "--base-url", "http://127.0.0.1"}
}

// settingsVersion reads the live version through a server.
func settingsVersion(t *testing.T, url, token string) int {
	t.Helper()
	status, body := call(t, "GET", url+"/api/v1/settings", token, "")
	if status != 200 {
		t.Fatalf("settings: %d %s", status, body)
	}
	var doc struct{ Version int }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Version
}

// accessDoc is live settings whose access rule names value, so that each
// version can be told apart.
func accessDoc(value string) string {
	return `{"portal": {"enabled": true}, "identity_verification": true, "access": {"rule": {"all": [{"attribute": "user.email", "operator": "not_contains", "value": "` + value + `"}]}}}`
}

// TestReplicas: two replicas on one database started at once create the
// secrets once; data imported through one is served by the other; a
// session made on one is valid on the other, and signing out on one ends
// it on both; of two If-Match writes from one version on the two, exactly
// one wins; a replica killed (SIGKILL) in the middle of writes loses
// nothing it acknowledged and leaves no import half-written, and the
// other keeps serving.
func TestReplicas(t *testing.T) {
	db := pgtest.NewDatabase(t)
	dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	var a, b *serverProc
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { a, errA = tryServer(t, dirA, replicaArgs(db, "one")...) })
	wg.Go(func() { b, errB = tryServer(t, dirB, replicaArgs(db, "two")...) })
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("starting two replicas at once: %v / %v", errA, errB)
	}
	// One replica created the secrets, in its own folder.
	made := ""
	for _, dir := range []string{dirA, dirB} {
		_, err1 := os.Stat(filepath.Join(dir, "admin-token"))
		_, err2 := os.Stat(filepath.Join(dir, "identity-secret"))
		switch {
		case err1 == nil && err2 == nil:
			if made != "" {
				t.Fatalf("both replicas created secrets (%s and %s)", made, dir)
			}
			made = dir
		case err1 == nil || err2 == nil:
			t.Fatalf("%s holds one secret file of two", dir)
		}
	}
	if made == "" {
		t.Fatalf("no replica wrote the secrets:\n%s\n%s", a.log(), b.log())
	}
	token := adminToken(t, made)
	secretBytes, err := os.ReadFile(filepath.Join(made, "identity-secret"))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(string(secretBytes))
	for _, p := range []*serverProc{a, b} {
		if !strings.Contains(p.log(), "replica=") {
			t.Fatalf("the log does not name the replica:\n%s", p.log())
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if status, body := call(t, "GET", p.url+path, "", ""); status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
		}
	}

	// Imported through one, served by the other.
	if status, body := call(t, "POST", a.url+"/api/v1/import", token, serverData); status != 200 || !strings.Contains(body, `"tickets": 3`) {
		t.Fatalf("import through A: %d %s", status, body)
	}
	if status, body := call(t, "PUT", b.url+"/api/v1/settings", token, portalLive, "If-Match", `"0"`); status != 200 {
		t.Fatalf("settings through B: %d %s", status, body)
	}
	_, wsA := call(t, "GET", a.url+"/api/v1/workspace", token, "")
	_, wsB := call(t, "GET", b.url+"/api/v1/workspace", token, "")
	if wsA != wsB || !strings.Contains(wsB, `"tickets": 3`) {
		t.Fatalf("the replicas disagree:\n%s\n%s", wsA, wsB)
	}
	annTok := tokenFor(t, secret, "ann", time.Hour)
	_, listA := call(t, "GET", a.url+"/portal/acme/api/tickets?tab=all", annTok, "")
	status, listB := call(t, "GET", b.url+"/portal/acme/api/tickets?tab=all", annTok, "")
	if status != 200 || listA != listB || !strings.Contains(listB, `"ticket_id":"101"`) {
		t.Fatalf("Ann's tickets: A\n%s\nB (%d)\n%s", listA, status, listB)
	}

	// A session made on A is valid on B; signed out on B, it is over on A.
	cookie := signIn(t, a.url, annTok)
	if s := sessionStatus(t, b.url, cookie); s != 200 {
		t.Fatalf("A's session on B: %d", s)
	}
	if status, body := call(t, "DELETE", b.url+"/portal/acme/session", "", "", "Cookie", cookie.Name+"="+cookie.Value); status >= 300 {
		t.Fatalf("sign out on B: %d %s", status, body)
	}
	if s := sessionStatus(t, a.url, cookie); s != 401 {
		t.Fatalf("the session signed out on B, on A: %d; want 401", s)
	}

	// If-Match races across the replicas: exactly one wins each time.
	for round := 0; round < 6; round++ {
		v := settingsVersion(t, a.url, token)
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i, p := range []*serverProc{a, b} {
			wg.Go(func() {
				statuses[i], _ = call(t, "PUT", p.url+"/api/v1/settings", token, accessDoc(fmt.Sprintf("race-%d-%d", round, i)), "If-Match", fmt.Sprintf(`"%d"`, v))
			})
		}
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 412) && !(statuses[0] == 412 && statuses[1] == 200) {
			t.Fatalf("round %d from version %d: statuses %v; want one 200 and one 412", round, v, statuses)
		}
		if got := settingsVersion(t, b.url, token); got != v+1 {
			t.Fatalf("round %d: version %d, want %d", round, got, v+1)
		}
	}

	// SIGKILL A in the middle of writes: settings written one after the
	// other, and an import streamed slowly.
	_, before := call(t, "GET", b.url+"/api/v1/workspace", token, "")
	acked := map[int]string{} // version → the value its document names
	var ackMu sync.Mutex
	stop := make(chan struct{})
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			value := fmt.Sprintf("kill-%d", i)
			req, _ := http.NewRequest("PUT", a.url+"/api/v1/settings", strings.NewReader(accessDoc(value)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("If-Match", "*")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the replica is gone
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				continue
			}
			var doc struct{ Version int }
			if json.Unmarshal(body, &doc) == nil {
				ackMu.Lock()
				acked[doc.Version] = value
				ackMu.Unlock()
			}
		}
	}()
	pr, pw := io.Pipe()
	importDone := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", a.url+"/api/v1/import", pr)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			importDone <- 0
			return
		}
		resp.Body.Close()
		importDone <- resp.StatusCode
	}()
	// Feed the import, then kill A while it reads and the writer writes.
	for i := 0; i < 3000; i++ {
		if _, err := fmt.Fprintf(pw, `{"type": "contact", "id": "bulk-%d", "email": "bulk%d@examply.com"}`+"\n", i, i); err != nil {
			t.Fatal(err)
		}
	}
	for {
		ackMu.Lock()
		n := len(acked)
		ackMu.Unlock()
		if n >= 10 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.done
	close(stop)
	<-writer
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if s := <-importDone; s == 200 {
		t.Fatal("the import through the killed replica was acknowledged")
	}
	// B: every acknowledged version is there with its document; the
	// import left nothing; B goes on serving.
	ackMu.Lock()
	defer ackMu.Unlock()
	for v, value := range acked {
		status, body := call(t, "GET", fmt.Sprintf("%s/api/v1/settings/versions/%d", b.url, v), token, "")
		if status != 200 || !strings.Contains(body, `"`+value+`"`) {
			t.Fatalf("acknowledged version %d (%s) through B: %d %s", v, value, status, body)
		}
	}
	if _, after := call(t, "GET", b.url+"/api/v1/workspace", token, ""); !sameCounts(t, before, after) {
		t.Fatalf("a killed import changed the data:\nbefore %s\nafter %s", before, after)
	}
	if status, body := call(t, "GET", b.url+"/readyz", "", ""); status != 200 {
		t.Fatalf("B after A was killed: readyz %d %s", status, body)
	}
	if status, _ := call(t, "GET", b.url+"/portal/acme/api/tickets?tab=all", annTok, ""); status != 200 {
		t.Fatalf("B after A was killed: Ann's tickets %d", status)
	}
	v := settingsVersion(t, b.url, token)
	if status, body := call(t, "PUT", b.url+"/api/v1/settings", token, portalLive, "If-Match", fmt.Sprintf(`"%d"`, v)); status != 200 {
		t.Fatalf("a write through B after A was killed: %d %s", status, body)
	}
}

// sameCounts compares the counts of two /api/v1/workspace answers.
func sameCounts(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y struct{ Counts map[string]int }
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		t.Fatalf("not workspace answers:\n%s\n%s", a, b)
	}
	return reflect.DeepEqual(x.Counts, y.Counts)
}

// TestMoveToPostgres: a SQLite server's dataset and live settings move
// into a PostgreSQL database with `sync pull --data --database`; a
// replica started on it with the old data folder keeps the admin token
// and the identity secret; the counts and every user's decision are the
// same as on the SQLite server. Then back: `sync pull --data --database
// --workspace` reads the database into a new workspace file with the
// same counts, live settings and decisions.
func TestMoveToPostgres(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "acme")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ok(t, "demo", "--workspace", filepath.Join(dir, sqlite.WorkspaceFile), "--users", "300", "--companies", "30", "--tickets", "600")
	old := startServer(t, dir)
	token := adminToken(t, dir)
	live := `{"portal": {"enabled": true}, "identity_verification": true,
		"access": {"rule": {"any": [{"attribute": "company.plan", "operator": "equals", "value": "Pro"}, {"attribute": "user.role", "operator": "equals", "value": "user"}]}},
		"visibility": {"restrict_to_own": true, "conditions": {"all": [{"attribute": "user.email", "operator": "contains", "value": "a"}]}}}`
	v := settingsVersion(t, old.url, token)
	if status, body := call(t, "PUT", old.url+"/api/v1/settings", token, live, "If-Match", fmt.Sprintf(`"%d"`, v)); status != 200 {
		t.Fatalf("live settings: %d %s", status, body)
	}
	_, oldWS := call(t, "GET", old.url+"/api/v1/workspace", token, "")
	_, oldLive := call(t, "GET", old.url+"/api/v1/settings", token, "")

	db := pgtest.NewDatabase(t)
	out := ok(t, "sync", "pull", "--data", "--database", db, "--server", old.url, "--token-file", filepath.Join(dir, "admin-token"))
	if !strings.Contains(out, "Replaced the dataset") {
		t.Fatalf("pull into the database:\n%s", out)
	}
	old.stop(t)

	// Every user's decision, from the SQLite workspace and the database.
	ws, err := sqlite.Open(filepath.Join(dir, sqlite.WorkspaceFile))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	pg, err := postgres.Open(ctx, db, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	ea, eb := audiences.NewEngine(ws, audiences.Options{Path: ws.AudiencePath()}), audiences.NewEngine(pg, audiences.Options{})
	defer ea.Close()
	defer eb.Close()
	a, b := studio.New(ws, ea), studio.New(pg, eb)
	var users []*portal.User
	err = ws.Snapshot(ctx, func(portal.SnapshotHeader) error { return nil }, func(r portal.Record) error {
		if r.User != nil {
			users = append(users, r.User)
		}
		return nil
	})
	if err != nil || len(users) != 300 {
		t.Fatalf("%d users, %v", len(users), err)
	}
	kinds := map[string]int{}
	for _, u := range users {
		da, ea, errA := a.Decide(ctx, u, studio.Live)
		db, eb, errB := b.Decide(ctx, u, studio.Live)
		if errA != nil || errB != nil || ea != eb || da.Access != db.Access || da.Restricted != db.Restricted || !reflect.DeepEqual(da.Tabs, db.Tabs) {
			t.Fatalf("user %s: sqlite %+v %v %v; postgres %+v %v %v", u.ID, da, ea, errA, db, eb, errB)
		}
		kinds[fmt.Sprint(da.Access, da.Restricted)]++
	}
	if len(kinds) != 3 {
		t.Fatalf("the settings give users of %d kinds (%v); want all three", len(kinds), kinds)
	}

	// A replica on the database, with the old data folder: same token,
	// same counts, same live settings, same portal URL.
	pg.Close()
	rep := startServer(t, dir, "--database", db)
	if !strings.Contains(rep.log(), "adopted the existing admin token") || !strings.Contains(rep.log(), "adopted the existing identity-verification secret") {
		t.Fatalf("the replica did not adopt the folder's secrets:\n%s", rep.log())
	}
	if _, newWS := call(t, "GET", rep.url+"/api/v1/workspace", token, ""); !sameCounts(t, oldWS, newWS) {
		t.Fatalf("counts differ:\nsqlite %s\npostgres %s", oldWS, newWS)
	}
	if status, newLive := call(t, "GET", rep.url+"/api/v1/settings", token, ""); status != 200 || newLive != oldLive {
		t.Fatalf("live settings differ: %d\n%s\nwant\n%s", status, newLive, oldLive)
	}

	// And back: from the database itself into a new workspace file (the
	// replica still running), with the same counts, live settings and
	// every user's decision as the original workspace.
	back := filepath.Join(t.TempDir(), "back.db")
	if msg := fails(t, 2, "sync", "pull", "--data", "--database", db, "--workspace", back, "--server", rep.url); !strings.Contains(msg, "not all three") {
		t.Fatalf("pull with --server, --database and --workspace: %s", msg)
	}
	out = ok(t, "sync", "pull", "--data", "--database", db, "--workspace", back)
	if !strings.Contains(out, "Replaced the dataset with the database's") {
		t.Fatalf("pull from the database:\n%s", out)
	}
	rep.stop(t)
	moved, err := sqlite.Open(back)
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	wantCounts, err := ws.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := moved.Counts(ctx); err != nil || got != wantCounts {
		t.Fatalf("counts moved back: %+v, %v; want %+v", got, err, wantCounts)
	}
	wantLive, err := ws.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := moved.Live(ctx); err != nil || got.Version != wantLive.Version || string(got.Canonical()) != string(wantLive.Canonical()) {
		t.Fatalf("live settings moved back: %v, %v; want version %d", got, err, wantLive.Version)
	}
	em := audiences.NewEngine(moved, audiences.Options{Path: moved.AudiencePath()})
	defer em.Close()
	m := studio.New(moved, em)
	for _, u := range users {
		da, ea, errA := a.Decide(ctx, u, studio.Live)
		dm, em, errM := m.Decide(ctx, u, studio.Live)
		if errA != nil || errM != nil || ea != em || da.Access != dm.Access || da.Restricted != dm.Restricted || !reflect.DeepEqual(da.Tabs, dm.Tabs) {
			t.Fatalf("user %s: before %+v %v %v; moved back %+v %v %v", u.ID, da, ea, errA, dm, em, errM)
		}
	}
}

// TestReplicaRotation: rotating the identity secret and the admin token
// on a replica that starts with the flags takes effect on the replicas
// already running: the old token and identity tokens signed with the old
// secret are refused there, the new ones accepted, sessions made before
// are over.
func TestReplicaRotation(t *testing.T) {
	db := pgtest.NewDatabase(t)
	dirA, dirC := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "c")
	a := startServer(t, dirA, replicaArgs(db, "one")...)
	token := adminToken(t, dirA)
	oldSecret, _ := os.ReadFile(filepath.Join(dirA, "identity-secret"))
	if status, body := call(t, "POST", a.url+"/api/v1/import", token, serverData); status != 200 {
		t.Fatalf("import: %d %s", status, body)
	}
	if status, body := call(t, "PUT", a.url+"/api/v1/settings", token, portalLive, "If-Match", `"0"`); status != 200 {
		t.Fatalf("settings: %d %s", status, body)
	}
	oldTok := tokenFor(t, strings.TrimSpace(string(oldSecret)), "ann", time.Hour)
	cookie := signIn(t, a.url, oldTok)
	// Another replica starts with both rotations; its folder receives the
	// new files.
	c := startServer(t, dirC, append(replicaArgs(db, "three"), "--rotate-identity-secret", "--rotate-admin-token")...)
	newToken := adminToken(t, dirC)
	newSecret, err := os.ReadFile(filepath.Join(dirC, "identity-secret"))
	if err != nil || newToken == token || strings.TrimSpace(string(newSecret)) == strings.TrimSpace(string(oldSecret)) {
		t.Fatalf("the rotating replica's folder: token changed %v, secret %q, %v", newToken != token, newSecret, err)
	}
	newTok := tokenFor(t, strings.TrimSpace(string(newSecret)), "ann", time.Hour)
	for _, p := range []*serverProc{a, c} {
		if status, _ := call(t, "GET", p.url+"/api/v1/settings", token, ""); status != 401 {
			t.Fatalf("the old admin token: %d", status)
		}
		if status, _ := call(t, "GET", p.url+"/api/v1/settings", newToken, ""); status != 200 {
			t.Fatalf("the new admin token: %d", status)
		}
		if status, _ := call(t, "GET", p.url+"/portal/acme/api/tickets", oldTok, ""); status != 401 {
			t.Fatalf("an identity token of the old secret: %d", status)
		}
		if status, body := call(t, "GET", p.url+"/portal/acme/api/tickets", newTok, ""); status != 200 {
			t.Fatalf("an identity token of the new secret: %d %s", status, body)
		}
		if s := sessionStatus(t, p.url, cookie); s != 401 {
			t.Fatalf("a session from before the rotation: %d", s)
		}
	}
}
