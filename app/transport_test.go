package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"portalstudio/app"
	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/backend/wire"
	"portalstudio/frontend"
)

// browserClient starts browser mode and returns its URL and a client that
// has visited the secret URL (so it holds the cookie).
func browserClient(t *testing.T, b *app.Bindings, web string) (string, *http.Client, *app.BrowserServer) {
	t.Helper()
	var fsys = os.DirFS(t.TempDir())
	if web != "" {
		fsys = os.DirFS(web)
	}
	s, srv := serveBrowser(t, b, fsys)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.URL + "/?s=" + s.Secret)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return srv.URL, c, s
}

func call(t *testing.T, c *http.Client, base, method string, args ...any) (int, []byte) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	body, _ := json.Marshal(args)
	r, _ := http.NewRequest("POST", base+"/api/"+method, bytes.NewReader(body))
	// What the UI's fetch sends.
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", base)
	resp, err := c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The HTTP transport answers exactly what calling the binding answers.
func TestHTTPTransportMatchesBindings(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	svc, b := newWorkspace(t, 120)
	base, c, _ := browserClient(t, b, "")
	samples, err := b.SampleUsers("draft")
	if err != nil || samples.Restricted == nil || samples.Unrestricted == nil {
		t.Fatalf("samples: %v %+v", err, samples)
	}
	_ = svc
	cases := []struct {
		method string
		args   []any
		direct func() (any, error)
	}{
		{"Overview", nil, func() (any, error) { return b.Overview() }},
		{"Settings", []any{"draft"}, func() (any, error) { return b.Settings("draft") }},
		{"Audience", []any{wire.AudienceRequest{Of: "visibility", Limit: 5}}, func() (any, error) {
			return b.Audience(wire.AudienceRequest{Of: "visibility", Limit: 5})
		}},
		{"Diff", nil, func() (any, error) { return b.Diff() }},
		{"SaveDraft", []any{json.RawMessage(`{"access": {"rule": {"attribute": "user.role", "operator": "equals", "value": 3}}}`)}, func() (any, error) {
			return b.SaveDraft(json.RawMessage(`{"access": {"rule": {"attribute": "user.role", "operator": "equals", "value": 3}}}`))
		}},
		{"FindUsers", []any{"mart", 5}, func() (any, error) { return b.FindUsers("mart", 5) }},
		{"SampleUsers", []any{"draft"}, func() (any, error) { return b.SampleUsers("draft") }},
		{"AttributeValues", []any{"company.plan", "", 10}, func() (any, error) { return b.AttributeValues("company.plan", "", 10) }},
		{"Preview", []any{wire.PreviewRequest{User: samples.Unrestricted.ID, Limit: 3}}, func() (any, error) {
			return b.Preview(wire.PreviewRequest{User: samples.Unrestricted.ID, Limit: 3})
		}},
		{"Progress", nil, func() (any, error) { return b.Progress() }},
		{"Impact", []any{wire.ImpactRequest{Limit: 3, Tickets: true}}, func() (any, error) {
			return b.Impact(wire.ImpactRequest{Limit: 3, Tickets: true})
		}},
		{"Compare", []any{wire.CompareRequest{A: samples.Restricted.ID, B: samples.Unrestricted.ID}}, func() (any, error) {
			return b.Compare(wire.CompareRequest{A: samples.Restricted.ID, B: samples.Unrestricted.ID})
		}},
		{"Checks", nil, func() (any, error) { return b.Checks() }},
		{"RunChecks", []any{"draft"}, func() (any, error) { return b.RunChecks("draft") }},
		{"SyncStatus", nil, func() (any, error) { return b.SyncStatus() }},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			status, got := call(t, c, base, tc.method, tc.args...)
			if status != 200 {
				t.Fatalf("status %d: %s", status, got)
			}
			v, err := tc.direct()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(v)
			var g, w any
			json.Unmarshal(got, &g)
			json.Unmarshal(want, &w)
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("HTTP answer differs from the binding's (-binding +http):\n%s", diff)
			}
		})
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		status, got := call(t, c, base, "ApplySettings", json.RawMessage(`{"access": {"rule": {"attribute": "user.nope", "operator": "equals", "value": "x"}}}`))
		if status != 400 {
			t.Fatalf("status %d, want 400: %s", status, got)
		}
		var e struct{ Error app.WireError }
		json.Unmarshal(got, &e)
		_, derr := b.ApplySettings(json.RawMessage(`{"access": {"rule": {"attribute": "user.nope", "operator": "equals", "value": "x"}}}`))
		if want := app.ToWire(derr); !cmp.Equal(*want, e.Error) {
			t.Errorf("error %+v, want %+v", e.Error, *want)
		}
		if e.Error.Code != portal.EINVALID || len(e.Error.Problems) == 0 || e.Error.Problems[0].Path != "access.rule.attribute" {
			t.Errorf("error %+v: want invalid with the JSON path of the problem", e.Error)
		}
	})
	t.Run("ErrUnknownMethod", func(t *testing.T) {
		if status, got := call(t, c, base, "DropTables"); status != 404 {
			t.Errorf("status %d, want 404: %s", status, got)
		}
	})
	t.Run("ErrArguments", func(t *testing.T) {
		if status, got := call(t, c, base, "FindUsers", "x"); status != 400 || !strings.Contains(string(got), "takes 2 argument") {
			t.Errorf("status %d: %s", status, got)
		}
	})
}

// The sync bindings answer the same through HTTP as called directly,
// against a real portal server, errors included.
func TestHTTPTransportMatchesSyncBindings(t *testing.T) {
	t.Setenv(remote.NoKeyringEnv, "1")
	srv := newSyncServer(t)
	b := emptyDesktop(t)
	base, c, _ := browserClient(t, b, "")
	// Connected once, every call below answers the same when repeated.
	if _, err := b.SyncConnect(srv.url, srv.token); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method string
		args   []any
		direct func() (any, error)
	}{
		{"SyncStatus", nil, func() (any, error) { return b.SyncStatus() }},
		{"SyncConnect", []any{srv.url, srv.token}, func() (any, error) { return b.SyncConnect(srv.url, srv.token) }},
		{"SyncPull", []any{false}, func() (any, error) { return b.SyncPull(false) }},
		{"SyncPull", []any{true}, func() (any, error) { return b.SyncPull(true) }},
		{"SyncPush", []any{"", false}, func() (any, error) { return b.SyncPush("", false) }},
		{"SyncPush", []any{"mine", false}, func() (any, error) { return b.SyncPush("mine", false) }},
		{"SyncConnect", []any{srv.url, "wrong"}, func() (any, error) { return b.SyncConnect(srv.url, "wrong") }},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			status, got := call(t, c, base, tc.method, tc.args...)
			v, err := tc.direct()
			var want []byte
			if err != nil {
				want, _ = json.Marshal(map[string]any{"error": app.ToWire(err)})
				if status == 200 {
					t.Fatalf("HTTP answered 200 where the binding failed: %v", err)
				}
			} else {
				want, _ = json.Marshal(v)
				if status != 200 {
					t.Fatalf("status %d: %s", status, got)
				}
			}
			var g, w any
			json.Unmarshal(got, &g)
			json.Unmarshal(want, &w)
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("HTTP answer differs from the binding's (-binding +http):\n%s", diff)
			}
		})
	}
}

// Without the cookie the secret was traded for, every request is
// refused; the secret itself opens nothing but the first page.
func TestBrowserModeRefusesWithoutSecret(t *testing.T) {
	_, b := newWorkspace(t, 20)
	base, c, s := browserClient(t, b, "")
	for _, req := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/web/app.wasm"}, {"GET", "/app.js"}, {"POST", "/api/Overview"}, {"GET", "/?s=wrong"},
	} {
		r, _ := http.NewRequest(req.method, base+req.path, strings.NewReader("[]"))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s without the secret: %d, want 403", req.method, req.path, resp.StatusCode)
		}
	}
	// With it: the cookie set by the first visit opens the API.
	if status, body := call(t, c, base, "Overview"); status != 200 {
		t.Errorf("with the cookie: %d %s", status, body)
	}
	r, _ := http.NewRequest("POST", base+"/api/Overview?s="+s.Secret, strings.NewReader("[]"))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", base)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("with ?s= and no cookie: %d, want 403", resp.StatusCode)
	}
}

// The UI's wire types read every field the bindings answer: a field added
// to a studio result without its mirror in frontend/wire.go fails here.
func TestWireTypesMatchStudio(t *testing.T) {
	_, b := newWorkspace(t, 60)
	samples, _ := b.SampleUsers("draft")
	prev, err := b.Preview(wire.PreviewRequest{User: samples.Unrestricted.ID, Search: "invoice", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	tick := ""
	if len(prev.Tickets) == 0 {
		p2, _ := b.Preview(wire.PreviewRequest{User: samples.Unrestricted.ID, Limit: 1})
		prev.Tickets = p2.Tickets
	}
	tick = prev.Tickets[0].ID
	ov, _ := b.Overview()
	aud, _ := b.Audience(wire.AudienceRequest{Limit: 2})
	diff, _ := b.Diff()
	td, err := b.Ticket(wire.TicketRequest{User: samples.Unrestricted.ID, TicketID: tick})
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := b.Progress()
	rep, err := b.ImportData("bad.jsonl", `{"type":"contact","id":"c-new","email":"new@example.com","role":"user"}`+"\n"+`{"type":"contact"}`)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]any{
		"Overview":       {ov, &frontend.Overview{}},
		"AudienceResult": {aud, &wire.AudienceResult{}},
		"DiffResult":     {diff, &wire.DiffResult{}},
		"Samples":        {samples, &wire.Samples{}},
		"PreviewResult":  {prev, &wire.PreviewResult{}},
		"TicketDetail":   {td, &wire.TicketDetail{}},
		"JobProgress":    {prog, &frontend.JobProgress{}},
		"ImportReport":   {rep, &portal.ImportReport{}},
	} {
		b, _ := json.Marshal(pair[0])
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(pair[1]); err != nil {
			t.Errorf("%s: the UI cannot read the binding's answer: %v", name, err)
			continue
		}
		again, _ := json.Marshal(pair[1])
		var x, y any
		json.Unmarshal(b, &x)
		json.Unmarshal(again, &y)
		if d := cmp.Diff(x, y); d != "" {
			t.Errorf("%s: the UI's copy differs (-binding +ui):\n%s", name, d)
		}
	}
	if len(rep.Rejected) != 1 {
		t.Errorf("import report: %+v, want one rejected record", rep)
	}
}
