package webui_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"portalstudio/webui"
)

func TestPortalHandler(t *testing.T) {
	wasm := bytes.Repeat([]byte("\x00asm not really "), 4096)
	h := webui.NewHandler(fstest.MapFS{"app.wasm": {Data: wasm}}, webui.Options{Site: webui.Portal, Compress: true})
	get := func(path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	t.Run("PrerenderedPage", func(t *testing.T) {
		w := get("/portal/acme/")
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%d", w.Code)
		}
		for _, want := range []string{`class="customer-site"`, `id="mobile-notice"`, "not supported on mobile devices yet", `/web/portal.css`, "Your tickets"} {
			if !strings.Contains(body, want) {
				t.Errorf("the prerendered page lacks %q", want)
			}
		}
	})

	t.Run("WasmGzipImmutable", func(t *testing.T) {
		page := get("/app.js").Body.String()
		m := regexp.MustCompile(`/web/app\.wasm\?v=[0-9a-f]{16}`).FindString(page)
		if m == "" {
			t.Fatalf("app.js does not load a content-hashed app.wasm")
		}
		w := get(m, "Accept-Encoding", "gzip, deflate, br")
		if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Content-Type") != "application/wasm" {
			t.Fatalf("%d %v", w.Code, w.Header())
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Fatalf("Cache-Control %q", cc)
		}
		if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
			t.Fatal("no Vary: Accept-Encoding")
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, wasm) || w.Body.Len() >= len(wasm) {
			t.Fatalf("gzip body: %d bytes of %d, equal %v", w.Body.Len(), len(wasm), bytes.Equal(got, wasm))
		}
		plain := get(m)
		if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), wasm) {
			t.Fatal("without Accept-Encoding: gzip the wasm must come plain")
		}
	})
}

// TestOpenGraphURL: go-app knows no domain, so its og:url and og:image
// would read "https:///…". With the server's base URL they carry its
// scheme and host; without one they are left out.
func TestOpenGraphURL(t *testing.T) {
	wasm := []byte("\x00asm")
	page := func(base string) string {
		h := webui.NewHandler(fstest.MapFS{"app.wasm": {Data: wasm}}, webui.Options{Site: webui.Portal, BaseURL: base})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/portal/acme/tickets/12", nil))
		if w.Code != 200 {
			t.Fatalf("%d", w.Code)
		}
		body := w.Body.String()
		if got, want := w.Header().Get("Content-Length"), strconv.Itoa(len(body)); got != want {
			t.Fatalf("Content-Length %s, body %s bytes", got, want)
		}
		if strings.Contains(body, `"https://"`) || strings.Contains(body, "https:///") {
			t.Fatalf("a URL without a host:\n%s", body)
		}
		return body
	}
	body := page("http://127.0.0.1:8080")
	for prop, want := range map[string]string{"og:url": "http://127.0.0.1:8080/portal/acme/tickets/12", "og:image": "http://127.0.0.1:8080/web/icon-512.png"} {
		if got := metaContent(body, prop); got != want {
			t.Errorf("%s is %q, want %q", prop, got, want)
		}
	}
	body = page("")
	if strings.Contains(body, "og:url") || strings.Contains(body, "og:image") {
		t.Errorf("without a base URL the page still has og:url or og:image")
	}
	if !strings.Contains(body, "og:title") {
		t.Errorf("the other Open Graph tags went too")
	}
}

// metaContent is the content of the page's meta tag of that property
// (its attributes in either order).
func metaContent(page, prop string) string {
	tag := regexp.MustCompile(`<meta [^>]*property="` + regexp.QuoteMeta(prop) + `"[^>]*>`).FindString(page)
	m := regexp.MustCompile(`content="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return m[1]
}
