package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/klauspost/compress/gzhttp"
)

// cookieName holds the one-time secret after the first visit.
const cookieName = "portalstudio_secret"

// BrowserServer is browser mode: the same UI and the HTTP transport onto
// the same bindings, on loopback, behind a one-time secret. The URL it
// prints carries the secret (/?s=SECRET); that first visit trades it for an
// HttpOnly, SameSite=Strict cookie, and every request after must carry the
// cookie or the secret. Anything else gets 403, so no other local user and
// no web page in the browser can drive the studio.
type BrowserServer struct {
	Secret  string
	handler http.Handler
}

// NewBrowserServer returns the browser-mode handler over the bindings and
// the web folder (app.wasm).
func NewBrowserServer(b *Bindings, web fs.FS) (*BrowserServer, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("browser mode: make a secret: %w", err)
	}
	s := &BrowserServer{Secret: hex.EncodeToString(raw)}
	mux := http.NewServeMux()
	mux.Handle("/api/", NewHTTPTransport(b))
	ui := NewUIHandler(web, UIOptions{Compress: true})
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		return nil, fmt.Errorf("browser mode: %w", err)
	}
	mux.Handle("/", gz(ui))
	s.handler = s.gate(mux)
	return s, nil
}

// ServeHTTP serves the UI and the transport to the holder of the secret.
func (s *BrowserServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *BrowserServer) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if q := r.URL.Query().Get("s"); q != "" && s.valid(q) {
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.Secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if r.Method == http.MethodGet && r.URL.Path == "/" {
				// Drop the secret from the address bar and history.
				http.Redirect(w, r, "/", http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(cookieName); err == nil && s.valid(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "Forbidden: open the address Portal Studio printed when it started (it holds a one-time secret).\n")
	})
}

func (s *BrowserServer) valid(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.Secret)) == 1
}

// ServeBrowser serves browser mode on 127.0.0.1 at a free port (or addr)
// until ctx is done, prints the URL to out and opens it in the default
// browser when asked and one is there.
func ServeBrowser(ctx context.Context, b *Bindings, web fs.FS, addr string, open bool, out io.Writer) error {
	s, err := NewBrowserServer(b, web)
	if err != nil {
		return err
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("browser mode: cannot listen on %s: %w", addr, err)
	}
	url := fmt.Sprintf("http://%s/?s=%s", ln.Addr(), s.Secret)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "Portal Studio is running in your browser at:\n\n    %s\n\nThis address holds a one-time secret: do not share it. Press Ctrl-C to quit.\n", url)
	if open {
		openBrowser(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("browser mode: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	fmt.Fprintln(out, "Portal Studio stopped.")
	return nil
}

// openBrowser opens url in the default browser, if there is one; failure
// is fine (the URL is printed).
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		if _, err := exec.LookPath("xdg-open"); err != nil {
			return
		}
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err == nil {
		go cmd.Wait()
	}
}
