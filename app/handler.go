package app

import (
	"embed"
	"io/fs"
	"net/http"

	"portalstudio/webui"
)

// The UI: app.wasm, built by make build into web/ before the Go binary,
// embedded. The handler and the static assets are package webui's, which
// the portal server shares.
//
//go:embed all:web
var embeddedWeb embed.FS

// WebFS returns the embedded web folder (app.wasm, app.wasm.gz).
func WebFS() fs.FS {
	sub, err := fs.Sub(embeddedWeb, "web")
	if err != nil {
		return embeddedWeb
	}
	return sub
}

// HasUI reports whether web holds app.wasm.
func HasUI(web fs.FS) bool { return webui.HasUI(web) }

// UIOptions tune the UI handler.
type UIOptions struct {
	// Compress serves app.wasm gzip-compressed (app.wasm.gz, made by make
	// build). The desktop window's asset server gets plain bytes.
	Compress bool
}

// NewUIHandler returns the handler of the studio's go-app UI over the web
// folder (app.wasm) and the embedded assets.
func NewUIHandler(web fs.FS, opt UIOptions) http.Handler {
	return webui.NewHandler(web, webui.Options{Site: webui.Studio, Compress: opt.Compress})
}
