package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"testing"

	"portalstudio/app"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
	"portalstudio/internal/testkit"
)

// BenchmarkAttributeValuesBinding measures one keystroke of the rule
// builder's value box as the UI makes it in browser mode: POST
// /api/AttributeValues through the HTTP transport and the binding to the
// workspace, and the JSON answer read back. It runs on the workspace
// named by PORTALSTUDIO_BENCH_WORKSPACE (make bench passes the
// 1,000,000-user one; only read), else on a new 2,000-user demo
// workspace. Each op types a value letter by letter; ms/keystroke is the
// figure to hold to the 20 ms goal. The first keystroke's answer must
// list values: a benchmark of empty answers would prove nothing.
func BenchmarkAttributeValuesBinding(b *testing.B) {
	var bindings *app.Bindings
	if path := os.Getenv("PORTALSTUDIO_BENCH_WORKSPACE"); path != "" {
		ws, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ws.Close() })
		bindings = app.NewBindings(context.Background(), testkit.Service(b, ws), ws)
	} else {
		_, bindings = newWorkspace(b, 2000)
	}
	s, srv := serveBrowser(b, bindings, os.DirFS(b.TempDir()))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(srv.URL + "/?s=" + s.Secret)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	keystroke := func(attr, typed string) []portal.ValueCount {
		body, _ := json.Marshal([]any{attr, typed, 20})
		r, _ := http.NewRequest("POST", srv.URL+"/api/AttributeValues", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", srv.URL)
		resp, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("AttributeValues(%s, %q): %d %s", attr, typed, resp.StatusCode, out)
		}
		var got []portal.ValueCount
		if err := json.Unmarshal(out, &got); err != nil {
			b.Fatalf("AttributeValues(%s, %q): %v in %s", attr, typed, err, out)
		}
		return got
	}
	for _, c := range []struct{ attr, typed string }{
		{"company.plan", "Pro"},
		{"company.custom.sla_tier", "Premier"},
		{"user.role", "user"},
		{"user.custom.department", "Engineering"},
	} {
		b.Run(c.attr, func(b *testing.B) {
			if got := keystroke(c.attr, ""); len(got) == 0 {
				b.Fatalf("%s suggests nothing on this workspace", c.attr)
			}
			keys := 0
			for b.Loop() {
				for i := 0; i <= len(c.typed); i++ {
					keystroke(c.attr, c.typed[:i])
					keys++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(keys)/1e6, "ms/keystroke")
		})
	}
}
