// Package webui builds the HTTP handler of the go-app UI (package
// frontend) for both places that serve it: the studio (the desktop
// window's asset server and browser mode, package app) and the customer
// portal's pages (package backend/server). It prerenders pages natively,
// serves the embedded stylesheets and icons, and serves app.wasm
// gzip-compressed under a URL that carries its content's hash, so
// browsers keep it for good.
//
// The web folder holding app.wasm (and app.wasm.gz when make built it) is
// given by the caller: the binary embeds it in package app, tests build
// it into a temporary folder.
package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/frontend"
)

//go:embed assets
var embeddedAssets embed.FS

// Assets returns the embedded static assets: stylesheets and icons.
func Assets() fs.FS {
	sub, err := fs.Sub(embeddedAssets, "assets")
	if err != nil {
		return embeddedAssets
	}
	return sub
}

// HasUI reports whether web holds app.wasm.
func HasUI(web fs.FS) bool {
	if web == nil {
		return false
	}
	_, err := fs.Stat(web, "app.wasm")
	return err == nil
}

func init() {
	// Every page, the studio's and the portal's: the prerendering
	// handler and the WebAssembly build register the same routes.
	frontend.Routes()
}

// workerJS replaces go-app's caching service worker: pages are served by
// the app itself, fresh each time, so nothing should come from a stale
// cache.
const workerJS = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
`

// Site says which UI a handler serves.
type Site int

// Sites.
const (
	// Studio is the admin's studio (desktop window, browser mode).
	Studio Site = iota
	// Portal is the customer portal's pages on the portal server.
	Portal
)

// Options tune a handler.
type Options struct {
	Site Site
	// Compress serves app.wasm gzip-compressed to clients that accept it:
	// app.wasm.gz when the web folder has it (make build), else app.wasm
	// compressed once in memory. The desktop window's asset server wants
	// plain bytes.
	Compress bool
	// BaseURL is the public URL (scheme and host) the pages' Open Graph
	// tags (og:url, og:image) are absolute under; without one they are
	// left out, as go-app, knowing no domain, would write "https:///…".
	BaseURL string
}

// NewHandler returns the go-app handler of the UI over web (app.wasm) and
// the embedded assets. Without app.wasm it answers a page saying how to
// build the UI.
func NewHandler(web fs.FS, opt Options) http.Handler {
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
	if opt.Site == Portal {
		h.Name, h.ShortName, h.Title = "Customer portal", "Support", "Customer portal"
		h.Description = "Your support tickets."
		h.Author = "Support"
		h.LoadingLabel = "Loading… {progress}%"
		h.Styles = []string{"/web/studio.css", "/web/portal.css"}
	}
	h.Image = "/web/icon-512.png"
	return &openGraph{h: h, base: strings.TrimRight(opt.BaseURL, "/")}
}

// ogTag matches go-app's Open Graph URL tags (their attributes come in
// either order); ogNoHost their content when made without a domain:
// "https://" and the path.
var (
	ogTag    = regexp.MustCompile(`<meta [^>]*property="og:(?:url|image)"[^>]*>`)
	ogNoHost = regexp.MustCompile(`content="https://(/[^"]*)?"`)
)

// openGraph serves go-app's pages with their Open Graph URLs under the
// base URL, or without them when there is none; everything else as is.
type openGraph struct {
	h    *goapp.Handler
	base string
}

func (o *openGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if path.Ext(r.URL.Path) != "" || strings.HasPrefix(r.URL.Path, "/web/") {
		// A file (app.wasm, scripts, styles, icons): not a page.
		o.h.ServeHTTP(w, r)
		return
	}
	rec := &pageRecorder{header: w.Header()}
	o.h.ServeHTTP(rec, r)
	if !rec.html() {
		rec.flush(w)
		return
	}
	body := ogTag.ReplaceAllFunc(rec.body.Bytes(), func(tag []byte) []byte {
		m := ogNoHost.FindSubmatch(tag)
		switch {
		case m == nil:
			return tag
		case o.base == "":
			return nil
		}
		return ogNoHost.ReplaceAll(tag, slices.Concat([]byte(`content="`+o.base), bytes.ReplaceAll(m[1], []byte("$"), []byte("$$")), []byte(`"`)))
	})
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.code)
	w.Write(body)
}

// pageRecorder holds an answer: a page to rewrite, or anything else to
// write on as it came.
type pageRecorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }

func (p *pageRecorder) WriteHeader(code int) {
	if p.code == 0 {
		p.code = code
	}
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	if p.code == 0 {
		p.code = http.StatusOK
	}
	return p.body.Write(b)
}

// html reports whether the answer is a page.
func (p *pageRecorder) html() bool {
	return p.code == http.StatusOK && strings.HasPrefix(p.header.Get("Content-Type"), "text/html")
}

// flush writes the held answer as it came.
func (p *pageRecorder) flush(w http.ResponseWriter) {
	if p.code != 0 {
		w.WriteHeader(p.code)
	}
	w.Write(p.body.Bytes())
}

func noUI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Path != "/" {
		w.WriteHeader(http.StatusNotFound)
	}
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

	gzOnce sync.Once
	gz     []byte // app.wasm gzip-compressed; nil when that failed
}

func newResources(web fs.FS, compress bool) *resources {
	r := &resources{web: web, assets: Assets(), compress: compress}
	sum := sha256.New()
	if f, err := web.Open("app.wasm"); err == nil {
		n, _ := io.Copy(sum, f)
		f.Close()
		r.wasmSize = strconv.FormatInt(n, 10)
	}
	r.version = hex.EncodeToString(sum.Sum(nil))[:16]
	if compress {
		go r.gzipped() // ready before the first page asks for it
	}
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

// serveWasm serves app.wasm, compressed when the client accepts gzip.
// Its URL carries its content's hash, so it is cached for good.
func (r *resources) serveWasm(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Vary", "Accept-Encoding")
	w.Header().Set("ETag", `"`+r.version+`"`)
	if r.compress && acceptsGzip(req) {
		if gz := r.gzipped(); gz != nil {
			w.Header().Set("Content-Encoding", "gzip")
			http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(gz))
			return
		}
	}
	b, err := fs.ReadFile(r.web, "app.wasm")
	if err != nil {
		http.NotFound(w, req)
		return
	}
	http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(b))
}

// gzipped returns app.wasm gzip-compressed: app.wasm.gz when the web
// folder has it, else app.wasm compressed once and kept.
func (r *resources) gzipped() []byte {
	r.gzOnce.Do(func() {
		if b, err := fs.ReadFile(r.web, "app.wasm.gz"); err == nil {
			r.gz = b
			return
		}
		raw, err := fs.ReadFile(r.web, "app.wasm")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if _, err := zw.Write(raw); err != nil || zw.Close() != nil {
			return
		}
		r.gz = buf.Bytes()
	})
	return r.gz
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(req *http.Request) bool {
	for _, part := range strings.Split(req.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q = strings.ReplaceAll(strings.TrimSpace(q), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
