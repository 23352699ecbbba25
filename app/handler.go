package app

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/frontend"
)

// The UI: app.wasm (built by make build into web/, before the Go binary)
// and the static assets (stylesheet, icons), embedded.
var (
	//go:embed all:web
	embeddedWeb embed.FS
	//go:embed assets
	embeddedAssets embed.FS
)

// WebFS returns the embedded web folder (app.wasm, app.wasm.gz).
func WebFS() fs.FS {
	sub, err := fs.Sub(embeddedWeb, "web")
	if err != nil {
		return embeddedWeb
	}
	return sub
}

// HasUI reports whether web holds app.wasm.
func HasUI(web fs.FS) bool {
	_, err := fs.Stat(web, "app.wasm")
	return err == nil
}

// workerJS replaces go-app's caching service worker: the UI is served by
// the app itself, fresh each run, so nothing should be served from a
// stale cache.
const workerJS = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
`

func init() {
	frontend.Routes()
}

// UIOptions tune the UI handler.
type UIOptions struct {
	// Compress serves app.wasm gzip-compressed (app.wasm.gz, made by make
	// build) and compresses the rest. The desktop window's asset server
	// gets plain bytes.
	Compress bool
}

// NewUIHandler returns the handler of the go-app UI over the web folder
// (app.wasm) and the embedded assets.
func NewUIHandler(web fs.FS, opt UIOptions) http.Handler {
	if !HasUI(web) {
		return http.HandlerFunc(noUI)
	}
	res := newResources(web, opt.Compress)
	h := &goapp.Handler{
		Name:            "Portal Studio",
		ShortName:       "Portal Studio",
		Title:           "Portal Studio",
		Description:     "Draft, preview and ship a helpdesk's customer portal settings.",
		Author:          "Portal Studio",
		Lang:            "en",
		BackgroundColor: "#f6f7fb",
		ThemeColor:      "#151827",
		LoadingLabel:    "Loading Portal Studio… {progress}%",
		Icon: goapp.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-192.png",
			SVG:      "/web/icon.svg",
		},
		Styles:                []string{"/web/studio.css"},
		Resources:             res,
		Version:               res.version,
		WasmContentLength:     res.wasmSize,
		ServiceWorkerTemplate: workerJS,
	}
	return h
}

func noUI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!doctype html><meta charset="utf-8"><title>Portal Studio</title>
<body style="font-family:sans-serif;padding:40px"><h1>Portal Studio</h1>
<p>The user interface was not built into this binary. Build it with <code>make build</code> and start build/bin/portalstudio again.</p>`)
}

// resources serves the web folder and the assets under /web/ for go-app,
// and resolves app.wasm to a URL that changes with its content, so the
// browser may keep it forever.
type resources struct {
	web      fs.FS
	assets   fs.FS
	version  string
	wasmSize string // uncompressed, for go-app's loading progress
	compress bool
}

func newResources(web fs.FS, compress bool) *resources {
	assets, _ := fs.Sub(embeddedAssets, "assets")
	r := &resources{web: web, assets: assets, compress: compress}
	sum := sha256.New()
	if f, err := web.Open("app.wasm"); err == nil {
		n, _ := io.Copy(sum, f)
		f.Close()
		r.wasmSize = strconv.FormatInt(n, 10)
	}
	r.version = hex.EncodeToString(sum.Sum(nil))[:16]
	return r
}

// Resolve implements go-app's ResourceResolver.
func (r *resources) Resolve(p string) string {
	if p == "/web/app.wasm" {
		return p + "?v=" + r.version
	}
	return p
}

func (r *resources) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name := strings.TrimPrefix(path.Clean(req.URL.Path), "/web/")
	if name == "app.wasm" {
		r.serveWasm(w, req)
		return
	}
	b, err := fs.ReadFile(r.assets, name)
	if err != nil {
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, req, name, time.Time{}, bytes.NewReader(b))
}

// serveWasm serves app.wasm, precompressed when the client accepts gzip.
// Its URL carries its content's hash, so it is cached for good.
func (r *resources) serveWasm(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Vary", "Accept-Encoding")
	name := "app.wasm"
	if r.compress && strings.Contains(req.Header.Get("Accept-Encoding"), "gzip") {
		if _, err := fs.Stat(r.web, "app.wasm.gz"); err == nil {
			name = "app.wasm.gz"
			w.Header().Set("Content-Encoding", "gzip")
		}
	}
	b, err := fs.ReadFile(r.web, name)
	if err != nil {
		http.NotFound(w, req)
		return
	}
	if name == "app.wasm" {
		w.Header().Del("Content-Encoding")
	}
	http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(b))
}
