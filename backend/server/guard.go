package server

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"portalstudio/backend/portal"
)

// The guards every answer passes: the server answers only at its own
// host names (no DNS rebinding), marks every answer nosniff (and, over
// https, HSTS), and takes state-changing portal requests only from its
// own pages (no cross-site request forgery, login CSRF included).

// hstsHeader is the Strict-Transport-Security the server sends over https:
// one year, this host only (the server does not speak for its parent
// domain's other hosts).
const hstsHeader = "max-age=31536000"

// allowedHosts returns the host names the server answers to (lower case,
// no port) besides loopback: cfg.AllowedHosts, else the host of BaseURL.
func allowedHosts(cfg Config) map[string]bool {
	hosts := cfg.AllowedHosts
	if hosts == nil && cfg.BaseURL != "" {
		if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
			hosts = []string{u.Hostname()}
		}
	}
	out := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		if h = hostName(h); h != "" {
			out[h] = true
		}
	}
	return out
}

// hostName returns the name of a Host header (or a host:port) in lower
// case, without port, brackets or a trailing dot.
func hostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	return strings.ToLower(h)
}

// isLoopback reports whether a host name is localhost or a loopback IP.
func isLoopback(name string) bool {
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// hostAllowed reports whether the server answers at the request's Host.
// A request without Host (HTTP/1.0, or one made in the process) is let
// through: a browser always sends the Host it resolved, which is what a
// DNS-rebinding page cannot change.
func (s *Server) hostAllowed(r *http.Request) bool {
	if r.Host == "" {
		return true
	}
	name := hostName(r.Host)
	return isLoopback(name) || s.hosts[name]
}

// guarded is the outermost handler after the request log: it adds the
// headers every answer carries and refuses a Host that is not the
// server's own (421) before any route runs.
func (s *Server) guarded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// What is not a page (JSON above all) may run and load nothing,
		// nor be framed; the pages set their own policy (pageCSP).
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		if s.secure(r) {
			h.Set("Strict-Transport-Security", hstsHeader)
		}
		if !s.hostAllowed(r) {
			s.writeError(w, r, portal.Errorf(codeMisdirected,
				"this server does not answer for the host %q; use its address (%s), or start it with --allow-host %s",
				r.Host, s.ownAddress(), hostName(r.Host)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ownAddress is the server's public base URL for messages, or a hint
// when it has none.
func (s *Server) ownAddress() string {
	if s.baseURL != "" {
		return s.baseURL
	}
	return "its loopback address"
}

// sameOrigin wraps the portal's state-changing routes (starting and
// ending a session): a browser's request must come from the server's own
// pages. See checkOrigin and checkSessionBody.
func (s *Server) sameOrigin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form := isForm(r)
		if err := s.checkOrigin(r, form); err != nil {
			s.writeError(w, r, err)
			return
		}
		if r.Method == http.MethodPost {
			if err := checkSessionBody(r, form); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		h(w, r)
	}
}

// checkOrigin decides whether a state-changing request may come from
// where it says it comes from:
//   - an Origin header must be the server's own origin (its base URL's,
//     or the request's own Host, which the guard already allowed);
//   - without Origin, Sec-Fetch-Site must be same-origin or none (the
//     user typed it); same-site and cross-site are refused;
//   - with neither header the request is not from a modern browser
//     (browsers send Origin on every POST and DELETE, and Sec-Fetch-Site
//     on every request), so it cannot be forged by a web page: a server
//     or script calling the API is let through, except a form post,
//     which must always carry a same-origin Origin.
func (s *Server) checkOrigin(r *http.Request, form bool) error {
	if origin := r.Header.Get("Origin"); origin != "" {
		if s.ownOrigin(origin, r) {
			return nil
		}
		return portal.Errorf(portal.EFORBIDDEN, "this request came from another site (Origin %s) and was refused; sign in and out from the portal's own pages at %s", origin, s.ownAddress())
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return portal.Errorf(portal.EFORBIDDEN, "this request came from another site (Sec-Fetch-Site: %s) and was refused; sign in and out from the portal's own pages at %s", site, s.ownAddress())
	}
	if !form {
		return nil
	}
	return portal.Errorf(portal.EFORBIDDEN, "a sign-in form must come from the portal's own pages, and this one carries no Origin header; post it from %s", s.ownAddress())
}

// ownOrigin reports whether an Origin header names this server: the
// origin of its base URL, or the very scheme, host and port the request
// was sent to.
func (s *Server) ownOrigin(origin string, r *http.Request) bool {
	o, ok := canonicalOrigin(origin)
	if !ok {
		return false
	}
	if s.baseURL != "" {
		if b, ok := canonicalOrigin(s.baseURL); ok && b == o {
			return true
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	h, ok := canonicalOrigin(scheme + "://" + r.Host)
	return ok && h == o
}

// canonicalOrigin returns scheme://host[:port] of an http(s) URL in lower
// case, without the scheme's default port; ok is false for anything else
// (the "null" origin of sandboxed frames among them).
func canonicalOrigin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return scheme + "://" + host, true
	}
	return scheme + "://" + host + ":" + port, true
}

// isForm reports whether a request's body is an HTML form.
func isForm(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data"
}

// checkSessionBody refuses a session request whose body is neither JSON
// nor a form (415): a text/plain body is what a cross-site page can send
// without asking the browser first, so it is never read as JSON. A
// request with no body (the token in Authorization) needs no type.
func checkSessionBody(r *http.Request, form bool) error {
	if form {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt == "application/json" {
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return portal.Errorf(codeUnsupportedMediaType, "the session request's body must be JSON sent with Content-Type: application/json (or a form from the portal's pages), not Content-Type %s", ct)
}
