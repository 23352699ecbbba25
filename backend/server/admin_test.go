package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"portalstudio/backend/server"
	"portalstudio/backend/wire"
	"portalstudio/internal/teststore"
)

var adminEndpoints = []struct{ method, path string }{
	{"GET", "/api/v1/settings"},
	{"PUT", "/api/v1/settings"},
	{"GET", "/api/v1/settings/versions"},
	{"GET", "/api/v1/settings/versions/1"},
	{"POST", "/api/v1/settings/versions/1/restore"},
	{"POST", "/api/v1/import"},
	{"GET", "/api/v1/snapshot"},
	{"GET", "/api/v1/workspace"},
}

func TestAdminNeedsToken(t *testing.T) {
	f := newFixture(t)
	for _, e := range adminEndpoints {
		for name, auth := range map[string][]string{
			"Missing":   nil,
			"Wrong":     {"Authorization", "Bearer " + strings.Repeat("x", 43)},
			"NotBearer": {"Authorization", "Basic " + f.token},
			// The identity secret is not the admin token.
			"IdentitySecret": {"Authorization", "Bearer " + string(f.secret)},
		} {
			t.Run(e.method+" "+e.path+" "+name, func(t *testing.T) {
				r := do(t, e.method, f.url+e.path, strings.NewReader(`{}`), append(auth, "If-Match", `"1"`)...)
				if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" || r.header.Get("WWW-Authenticate") == "" {
					t.Fatalf("status %d, body %s; want 401 with a JSON error", r.status, r.body)
				}
			})
		}
	}
	if v := f.liveVersion(t); v != 1 {
		t.Fatalf("live version %d after refused requests, want 1", v)
	}
	// The database keeps only a hash of the token: not in the workspace
	// file, nor in any value of the tables that hold secrets and settings.
	for _, file := range teststore.Current.Files(f.dir) {
		db, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(db, []byte(f.token)) {
			t.Fatal("the workspace file holds the admin token itself")
		}
	}
	for _, q := range []string{`SELECT value FROM server_secrets`, `SELECT value FROM meta`, `SELECT doc FROM settings`, `SELECT doc FROM settings_versions`} {
		for _, v := range teststore.Current.Raw(t, f.ws, q) {
			if bytes.Contains(v, []byte(f.token)) {
				t.Fatalf("%s reads the admin token itself", q)
			}
		}
	}
}

func TestGetSettings(t *testing.T) {
	f := newFixture(t)
	r := f.admin(t, "GET", "/api/v1/settings", "")
	if r.status != 200 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("status %d, ETag %q", r.status, r.header.Get("ETag"))
	}
	doc := r.json(t)
	if doc["version"] != float64(1) || doc["portal"].(map[string]any)["url"] != "http://portal.test/portal/acme/" {
		t.Fatalf("settings %s", r.body)
	}
	// Canonical JSON: two-space indent, stable order.
	if !bytes.HasPrefix(r.body, []byte("{\n  \"version\": 1,\n  \"portal\": {")) {
		t.Fatalf("not canonical JSON:\n%s", r.body)
	}
}

func TestPutSettings(t *testing.T) {
	f := newFixture(t)
	cur := f.admin(t, "GET", "/api/v1/settings", "")
	edited := strings.Replace(string(cur.body), `"preview_column": true`, `"preview_column": false`, 1)

	t.Run("NoIfMatch", func(t *testing.T) {
		r := f.admin(t, "PUT", "/api/v1/settings", edited)
		if r.status != http.StatusPreconditionRequired || r.errorCode(t) != "precondition_required" {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("Stale", func(t *testing.T) {
		for _, tag := range []string{`"0"`, `"7"`, `W/"1"x`, `"abc"`} {
			r := f.admin(t, "PUT", "/api/v1/settings", edited, "If-Match", tag)
			if r.status != http.StatusPreconditionFailed || r.errorCode(t) != "precondition" {
				t.Fatalf("If-Match %s: status %d: %s", tag, r.status, r.body)
			}
			current, ok := r.json(t)["current"].(map[string]any)
			if !ok || current["version"] != float64(1) || current["preview_column"] != true || r.header.Get("ETag") != `"1"` {
				t.Fatalf("If-Match %s: the 412 does not carry the current document: %s", tag, r.body)
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		bad := strings.Replace(edited, `"preview_column": false`, `"preview_column": "no", "colour": 1`, 1)
		bad = strings.Replace(bad, `"value": "blocked"`, `"value": 12`, 1)
		r := f.admin(t, "PUT", "/api/v1/settings", bad, "If-Match", `"1"`)
		if r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "invalid" {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var body struct {
			Error struct {
				Problems []struct{ Path, Message string }
			}
		}
		json.Unmarshal(r.body, &body)
		paths := map[string]bool{}
		for _, p := range body.Error.Problems {
			paths[p.Path] = true
		}
		for _, want := range []string{"preview_column", "colour", "access.rule.all[0].value"} {
			if !paths[want] {
				t.Errorf("the problems %+v do not name %s", body.Error.Problems, want)
			}
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		for _, body := range []string{`{"preview_column": `, `not json`, `[1, 2]`, ``, `{} {}`} {
			r := f.admin(t, "PUT", "/api/v1/settings", body, "If-Match", `"1"`)
			if r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
				t.Fatalf("body %q: status %d: %s", body, r.status, r.body)
			}
			r.errorCode(t)
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		huge := `{"help_center": {"live": true, "sections": [` + strings.Repeat(`{"id": "x", "title": "t", "kind": "collection", "visible": true},`, 20000) + `]}}`
		r := f.admin(t, "PUT", "/api/v1/settings", huge, "If-Match", `"1"`)
		if r.status != http.StatusRequestEntityTooLarge || r.errorCode(t) != "too_large" {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		// Without a Content-Length: the limit holds while reading.
		req, _ := http.NewRequest("PUT", f.url+"/api/v1/settings", io.MultiReader(strings.NewReader(huge)))
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set("If-Match", `"1"`)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked: status %d", resp.StatusCode)
		}
	})
	if v := f.liveVersion(t); v != 1 {
		t.Fatalf("live version %d after refused writes, want 1", v)
	}
	t.Run("OK", func(t *testing.T) {
		r := f.admin(t, "PUT", "/api/v1/settings", edited, "If-Match", `"1"`)
		if r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("status %d, ETag %q: %s", r.status, r.header.Get("ETag"), r.body)
		}
		doc := r.json(t)
		if doc["version"] != float64(2) || doc["preview_column"] != false {
			t.Fatalf("answer %s", r.body)
		}
		if got := f.admin(t, "GET", "/api/v1/settings", "").json(t); got["preview_column"] != false || got["version"] != float64(2) {
			t.Fatalf("GET after PUT: %v", got)
		}
	})
}

// Two writers from the same version: exactly one wins, the other gets 412
// with the winner's document.
func TestConcurrentPuts(t *testing.T) {
	f := newFixture(t)
	cur := string(f.admin(t, "GET", "/api/v1/settings", "").body)
	docs := []string{
		strings.Replace(cur, `"preview_column": true`, `"preview_column": false`, 1),
		strings.Replace(cur, `"tickets_space": false`, `"tickets_space": true`, 1),
	}
	results := make([]response, len(docs))
	var wg sync.WaitGroup
	for i, doc := range docs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.admin(t, "PUT", "/api/v1/settings", doc, "If-Match", `"1"`)
		}()
	}
	wg.Wait()
	var won, lost int
	for _, r := range results {
		switch r.status {
		case 200:
			won++
		case http.StatusPreconditionFailed:
			lost++
			if r.json(t)["current"].(map[string]any)["version"] != float64(2) {
				t.Errorf("the loser's 412 does not carry version 2: %s", r.body)
			}
		default:
			t.Errorf("status %d: %s", r.status, r.body)
		}
	}
	if won != 1 || lost != 1 || f.liveVersion(t) != 2 {
		t.Fatalf("%d won, %d lost, live version %d; want exactly one winner", won, lost, f.liveVersion(t))
	}
}

func TestVersions(t *testing.T) {
	f := newFixture(t)
	cur := string(f.admin(t, "GET", "/api/v1/settings", "").body)
	for i, doc := range []string{
		strings.Replace(cur, `"preview_column": true`, `"preview_column": false`, 1),
		strings.Replace(cur, `"tickets_space": false`, `"tickets_space": true`, 1),
	} {
		if r := f.admin(t, "PUT", "/api/v1/settings", doc, "If-Match", fmt.Sprintf(`"%d"`, i+1)); r.status != 200 {
			t.Fatalf("put %d: %d %s", i, r.status, r.body)
		}
	}
	var list struct {
		Current  int
		Versions []struct {
			Version   int
			CreatedAt string `json:"created_at"`
			Summary   string
		}
	}
	r := f.admin(t, "GET", "/api/v1/settings/versions", "")
	if err := json.Unmarshal(r.body, &list); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if list.Current != 3 || len(list.Versions) != 3 || list.Versions[0].Version != 3 || list.Versions[2].Version != 1 ||
		list.Versions[1].Summary != "changed preview_column" || list.Versions[0].CreatedAt == "" {
		t.Fatalf("versions %+v", list)
	}
	r = f.admin(t, "GET", "/api/v1/settings/versions/2", "")
	if r.status != 200 || r.header.Get("ETag") != `"2"` || r.json(t)["preview_column"] != false {
		t.Fatalf("version 2: %d %s", r.status, r.body)
	}
	for path, want := range map[string]int{"/api/v1/settings/versions/9": 404, "/api/v1/settings/versions/abc": 400, "/api/v1/settings/versions/-1": 400} {
		if r := f.admin(t, "GET", path, ""); r.status != want {
			t.Errorf("GET %s: %d, want %d: %s", path, r.status, want, r.body)
		} else {
			r.errorCode(t)
		}
	}

	t.Run("Restore", func(t *testing.T) {
		if r := f.admin(t, "POST", "/api/v1/settings/versions/1/restore", "", "If-Match", `"2"`); r.status != http.StatusPreconditionFailed {
			t.Fatalf("restore with a stale If-Match: %d %s", r.status, r.body)
		}
		if r := f.admin(t, "POST", "/api/v1/settings/versions/8/restore", ""); r.status != 404 {
			t.Fatalf("restore 8: %d %s", r.status, r.body)
		}
		r := f.admin(t, "POST", "/api/v1/settings/versions/1/restore", "", "If-Match", `"3"`)
		if r.status != 200 || r.header.Get("ETag") != `"4"` {
			t.Fatalf("restore 1: %d %s", r.status, r.body)
		}
		v1 := f.admin(t, "GET", "/api/v1/settings/versions/1", "").json(t)
		v4 := r.json(t)
		delete(v1, "version")
		delete(v4, "version")
		if fmt.Sprint(v1) != fmt.Sprint(v4) {
			t.Fatalf("version 4 %v is not version 1 %v", v4, v1)
		}
		// Without If-Match a restore still adds a version: history is kept.
		if r := f.admin(t, "POST", "/api/v1/settings/versions/2/restore", ""); r.status != 200 || r.header.Get("ETag") != `"5"` {
			t.Fatalf("restore 2 without If-Match: %d %s", r.status, r.body)
		}
		json.Unmarshal(f.admin(t, "GET", "/api/v1/settings/versions", "").body, &list)
		if len(list.Versions) != 5 || !strings.HasPrefix(list.Versions[0].Summary, "restored version 2") {
			t.Fatalf("history after restores: %+v", list)
		}
	})
}

func counts(t *testing.T, f *fixture) string {
	t.Helper()
	r := f.admin(t, "GET", "/api/v1/workspace", "")
	var info struct {
		Counts struct{ Users, Companies, Tickets int }
	}
	if err := json.Unmarshal(r.body, &info); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d users, %d companies, %d tickets", info.Counts.Users, info.Counts.Companies, info.Counts.Tickets)
}

func TestImport(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.MaxImportBody = 64 << 10 })
	before := counts(t, f)
	contact := func(id string) string {
		return fmt.Sprintf(`{"type": "contact", "id": "%s", "email": "%s@new.example", "external_id": "x-%s"}`, id, id, id)
	}
	t.Run("OK", func(t *testing.T) {
		body := contact("n1") + "\n" + contact("n2") + "\n" + `{"type": "contact", "email": "no-id@new.example"}` + "\n" + `{"type": "admin", "id": "a1"}`
		r := f.admin(t, "POST", "/api/v1/import?name=people.jsonl", body)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var rep struct {
			Contacts  int
			Committed bool
			Rejected  []struct {
				File   string
				Line   int
				Reason string
			}
		}
		json.Unmarshal(r.body, &rep)
		if rep.Contacts != 2 || !rep.Committed || len(rep.Rejected) != 2 || rep.Rejected[0].File != "people.jsonl" || rep.Rejected[0].Line != 3 {
			t.Fatalf("report %s", r.body)
		}
	})
	after := counts(t, f)
	if after == before {
		t.Fatal("the import wrote nothing")
	}
	for name, c := range map[string]struct {
		body   io.Reader
		length int64
		query  string
		status int
	}{
		"Malformed":       {strings.NewReader(contact("m1") + "\n{\"type\": \"contact\", \"id\": "), -1, "", 400},
		"NotJSON":         {strings.NewReader(contact("m2") + "\nhello"), -1, "", 400},
		"StrictRejection": {strings.NewReader(contact("m3") + "\n" + `{"type": "contact"}`), -1, "?strict=true", 400},
		"BadStrict":       {strings.NewReader(contact("m4")), -1, "?strict=maybe", 400},
		// Valid records past the limit, streamed (no Content-Length) and
		// announced.
		"TooLargeStreamed":  {strings.NewReader(strings.Repeat(contact("m5")+"\n", 2000)), -1, "", 413},
		"TooLargeAnnounced": {strings.NewReader(strings.Repeat(contact("m6")+"\n", 2000)), int64(2000 * (len(contact("m6")) + 1)), "", 413},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", f.url+"/api/v1/import"+c.query, c.body)
			req.ContentLength = c.length
			req.Header.Set("Authorization", "Bearer "+f.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			r := response{status: resp.StatusCode, header: resp.Header, body: b}
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			r.errorCode(t)
			if name == "StrictRejection" && !strings.Contains(string(b), `"rejected"`) {
				t.Errorf("a strict import's refusal does not list the rejected records: %s", b)
			}
			if got := counts(t, f); got != after {
				t.Fatalf("a refused import changed the dataset: %s, was %s", got, after)
			}
		})
	}
}

func TestSnapshotEndpoint(t *testing.T) {
	f := newFixture(t)
	r := f.admin(t, "GET", "/api/v1/snapshot", "")
	if r.status != 200 || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %q", r.status, r.header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	sc.Buffer(nil, 1<<20)
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not JSON: %s", len(lines)+1, sc.Bytes())
		}
		lines = append(lines, m)
	}
	if len(lines) != 1+2+6+5 {
		t.Fatalf("%d lines, want a header and 13 objects", len(lines))
	}
	h := lines[0]
	if h["type"] != wire.SnapshotType || h["format"] != float64(wire.SnapshotFormat) || h["counts"].(map[string]any)["tickets"] != float64(5) {
		t.Fatalf("header %v", h)
	}
	kinds := ""
	for _, l := range lines[1:] {
		kinds += l["type"].(string)[:2]
	}
	if kinds != strings.Repeat("co", 2+6)+strings.Repeat("ti", 5) {
		t.Fatalf("objects in order %s; want companies, contacts, tickets", kinds)
	}
}

func TestWorkspaceEndpoint(t *testing.T) {
	f := newFixture(t)
	m := f.admin(t, "GET", "/api/v1/workspace", "").json(t)
	if m["slug"] != "acme" || m["base_url"] != "http://portal.test" || m["portal_url"] != "http://portal.test/portal/acme/" || m["live_version"] != float64(1) {
		t.Fatalf("workspace %v", m)
	}
}

func TestRouting(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/nope", 404, "not_found"},
		{"GET", "/api/v2/settings", 404, "not_found"},
		{"DELETE", "/api/v1/settings", 405, "method_not_allowed"},
		{"POST", "/api/v1/snapshot", 405, "method_not_allowed"},
		{"PUT", "/portal/acme/api/tickets", 405, "method_not_allowed"},
		{"GET", "/portal/other/api/tickets", 404, "not_found"},
	} {
		r := f.admin(t, c.method, c.path, "")
		if r.status != c.status || r.errorCode(t) != c.code {
			t.Errorf("%s %s: %d %s; want %d %s", c.method, c.path, r.status, r.body, c.status, c.code)
		}
		if c.status == 405 && r.header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", c.method, c.path)
		}
	}
}
