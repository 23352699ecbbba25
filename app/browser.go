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
	"mime"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"portalstudio/backend/portal"
)

// SecretLifetime is how long after start the printed address can be
// used: its secret opens one browser, once, within this time.
const SecretLifetime = 5 * time.Minute

// contentSecurityPolicy lets the page run only its own scripts, compile
// its own WebAssembly ('wasm-unsafe-eval': no eval of scripts), load
// nothing from elsewhere and be framed by nobody. go-app's page has no
// inline script; the UI sets one style attribute (the width of a progress
// bar), hence 'unsafe-inline' for styles only.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// BrowserServer is browser mode: the same UI and the HTTP transport onto
// the same bindings, on loopback, behind a one-time secret.
//
// The URL it prints carries the secret (/?s=SECRET). The first visit of
// that page within SecretLifetime trades it for an HttpOnly,
// SameSite=Strict cookie holding a separate random value and redirects to
// /; the secret then works no more, and nowhere but on that first page.
// Every request must name the server's own loopback address as its Host
// (no DNS rebinding) and carry the cookie; every API call must also come
// from the page itself (a same-origin Origin, or Sec-Fetch-Site:
// same-origin) and be JSON. Anything else gets 403 (415 for a call that
// is not JSON), so no other local user and no other web page, not even
// one on another port of 127.0.0.1, can drive the studio.
type BrowserServer struct {
	// Secret is the one-time secret of the printed address.
	Secret string
	// Expires is when the secret stops working: SecretLifetime after
	// NewBrowserServer.
	Expires time.Time
	// Addr is the address the server listens on (host:port); requests
	// must name it, or localhost at its port when it is a loopback
	// address, as their Host. ServeBrowser sets it; set it before serving.
	Addr string
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	handler http.Handler

	mu      sync.Mutex
	used    bool   // the secret was traded
	session string // the cookie's value, once traded
}

// NewBrowserServer returns the browser-mode handler over the bindings and
// the web folder (app.wasm). Set Addr before serving it.
func NewBrowserServer(b *Bindings, web fs.FS) (*BrowserServer, error) {
	secret, err := randomHex()
	if err != nil {
		return nil, fmt.Errorf("browser mode: make a secret: %w", err)
	}
	s := &BrowserServer{Secret: secret, Expires: time.Now().Add(SecretLifetime)}
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

// randomHex returns 32 random bytes in hex.
func randomHex() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return hex.EncodeToString(raw), nil
}

// ServeHTTP serves the UI and the transport to the holder of the cookie.
func (s *BrowserServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *BrowserServer) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		api := strings.HasPrefix(r.URL.Path, "/api/")
		if !s.hostAllowed(r.Host) {
			refuse(w, api, http.StatusForbidden, fmt.Sprintf("Forbidden: Portal Studio answers only at the address it printed (http://%s/), not at %q.", s.Addr, r.Host))
			return
		}
		signedIn := s.hasSession(r)
		if r.URL.Path == "/" && r.URL.Query().Has("s") {
			s.firstVisit(w, r, signedIn)
			return
		}
		if !signedIn && r.URL.Path == "/manifest.webmanifest" && r.Method == http.MethodGet && r.URL.RawQuery == "" {
			// The web app manifest holds nothing but the app's name,
			// colours and icon paths, and browsers fetch it without
			// cookies: it is the one thing served without the session.
			next.ServeHTTP(w, r)
			return
		}
		if !signedIn {
			refuse(w, api, http.StatusForbidden, "Forbidden: open the address Portal Studio printed when it started (it holds a one-time secret).")
			return
		}
		if api {
			if msg := sameOrigin(r); msg != "" {
				refuse(w, true, http.StatusForbidden, msg)
				return
			}
			if r.Method == http.MethodPost && !isJSON(r.Header.Get("Content-Type")) {
				refuse(w, true, http.StatusUnsupportedMediaType, "Send the call's arguments as a JSON array with Content-Type: application/json.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// firstVisit trades the secret for the cookie, once, and drops the secret
// from the address bar and the history. A browser that holds the cookie
// already is sent on to the page.
func (s *BrowserServer) firstVisit(w http.ResponseWriter, r *http.Request, signedIn bool) {
	if signedIn {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if r.Method != http.MethodGet {
		refuse(w, false, http.StatusForbidden, "Forbidden: open the address Portal Studio printed in a browser.")
		return
	}
	session, msg := s.trade(r.URL.Query().Get("s"))
	if msg != "" {
		refuse(w, false, http.StatusForbidden, msg)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: session, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// trade checks the secret and, the first time within its lifetime, makes
// the session; else it says why not.
func (s *BrowserServer) trade(secret string) (session, refusal string) {
	if subtle.ConstantTimeCompare([]byte(secret), []byte(s.Secret)) != 1 {
		return "", "Forbidden: this is not the address Portal Studio printed; open the one it printed when it started."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used {
		return "", "Forbidden: this address has been used already: restart Portal Studio to get a new one."
	}
	if !s.now().Before(s.Expires) {
		return "", fmt.Sprintf("Forbidden: this address worked only for %d minutes after Portal Studio started: restart Portal Studio to get a new one.", int(SecretLifetime.Minutes()))
	}
	session, err := randomHex()
	if err != nil {
		return "", "Forbidden: Portal Studio could not make a session; try again."
	}
	s.used, s.session = true, session
	return session, ""
}

func (s *BrowserServer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// hasSession reports whether the request carries the cookie the secret
// was traded for.
func (s *BrowserServer) hasSession(r *http.Request) bool {
	s.mu.Lock()
	session := s.session
	s.mu.Unlock()
	if session == "" {
		return false
	}
	c, err := r.Cookie(s.cookieName())
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(session)) == 1
}

// cookieName is per port: cookies ignore ports, and two studios (two
// workspaces) must not overwrite each other's.
func (s *BrowserServer) cookieName() string {
	_, port, _ := net.SplitHostPort(s.Addr)
	return "portalstudio_session_" + port
}

// hostAllowed reports whether host (a request's Host) names this server:
// its listening address, or localhost at its port when that address is
// a loopback one. Any other name is DNS rebinding or a misdirected
// request.
func (s *BrowserServer) hostAllowed(host string) bool {
	lhost, port, err := net.SplitHostPort(s.Addr)
	if err != nil || host == "" {
		return false
	}
	names := []string{lhost}
	if ip := net.ParseIP(lhost); ip != nil && ip.IsLoopback() {
		names = append(names, "localhost")
	}
	for _, name := range names {
		// Browsers leave out the default port.
		if strings.EqualFold(host, net.JoinHostPort(name, port)) || port == "80" && strings.EqualFold(host, name) {
			return true
		}
	}
	return false
}

// sameOrigin says why an API call does not come from the page itself, or
// "" when it does: its Origin is the server's own (as addressed by the
// Host, which the gate allowed), or, without Origin, Sec-Fetch-Site says
// same-origin.
func sameOrigin(r *http.Request) string {
	if origin := r.Header.Get("Origin"); origin != "" {
		if strings.EqualFold(origin, "http://"+r.Host) {
			return ""
		}
		return fmt.Sprintf("Forbidden: calls come only from Portal Studio's own page (Origin http://%s), not from %q.", r.Host, origin)
	}
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return ""
	}
	return "Forbidden: a call must come from Portal Studio's own page, with its Origin header (or Sec-Fetch-Site: same-origin)."
}

// isJSON reports whether a Content-Type is application/json.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// refuse answers a refusal: a JSON error on the API (the UI shows its
// sentence), plain text elsewhere.
func refuse(w http.ResponseWriter, api bool, status int, msg string) {
	if api {
		code := portal.EFORBIDDEN
		if status == http.StatusUnsupportedMediaType {
			code = portal.EINVALID
		}
		writeError(w, portal.Errorf(code, "%s", msg), status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
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
	s.Addr = ln.Addr().String()
	url := fmt.Sprintf("http://%s/?s=%s", s.Addr, s.Secret)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "Portal Studio is running in your browser at:\n\n    %s\n\nThis address holds a one-time secret: it opens one browser, once, within %d minutes. Press Ctrl-C to quit.\n", url, int(SecretLifetime.Minutes()))
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
