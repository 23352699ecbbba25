package server_test

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"portalstudio/backend/server"
)

// TestPageOpenGraphURL: the served pages' og:url is under the server's
// base URL, never "https:///…".
func TestPageOpenGraphURL(t *testing.T) {
	f := newFixture(t, func(cfg *server.Config) { cfg.Web = fstest.MapFS{"app.wasm": {Data: []byte("\x00asm")}} })
	r := f.portal(t, "/tickets/101", "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	body := string(r.body)
	tag := regexp.MustCompile(`<meta [^>]*property="og:url"[^>]*>`).FindString(body)
	if want := `content="http://portal.test/portal/acme/tickets/101"`; !strings.Contains(tag, want) {
		t.Fatalf("og:url is %q, want %s", tag, want)
	}
	if strings.Contains(body, "https:///") || strings.Contains(body, `"https://"`) {
		t.Fatalf("a URL without a host:\n%s", body)
	}
}
