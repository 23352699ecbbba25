package server

import (
	"context"
	"io/fs"
	"net/http"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
	"portalstudio/webui"
)

// The customer-facing pages: the go-app UI (package frontend, the very
// components of the studio's preview) prerendered by package webui; the
// Help Center and Messenger pages read two small JSON endpoints (routes,
// in server.go). The pages hold no customer data: once the WebAssembly runs they fetch
// it from the portal's JSON API with the session cookie, so every answer
// is decided on the server.

// pageCSP is the pages' Content-Security-Policy. go-app's pages have no
// inline script: scripts, styles, icons, the manifest and app.wasm all
// come from the server itself; 'wasm-unsafe-eval' lets the WebAssembly
// compile (and allows no JavaScript eval); the UI sets styles through the
// DOM, which needs no 'unsafe-inline'. Nothing may frame the pages, and
// forms post only to the server. The pages test in Chromium fails on any
// violation.
const pageCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pageRoutes registers the pages under /portal/<slug>/ and the UI's
// static files at the root, where go-app's page refers to them
// (/app.js, /wasm_exec.js, /app-worker.js, /manifest.webmanifest,
// /app.css, /web/…: app.wasm under a content-hashed URL, gzip-compressed,
// immutable).
func (s *Server) pageRoutes(web fs.FS) {
	ui := webui.NewHandler(web, webui.Options{Site: webui.Portal, Compress: true, BaseURL: s.baseURL})
	page := s.portalOnly(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The sign-in address may carry an identity token: never send it
		// on as a Referer; and the pages are not to be framed.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", pageCSP)
		ui.ServeHTTP(w, r)
	})
	for _, p := range []string{"/portal/{slug}/{$}", "/portal/{slug}/tickets/{id}", "/portal/{slug}/login", "/portal/{slug}/help", "/portal/{slug}/messenger"} {
		s.mux.HandleFunc("GET "+p, page)
	}
	s.mux.HandleFunc("GET /portal/{slug}", s.portalOnly(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.portalPath(), http.StatusMovedPermanently)
	}))
	static := func(w http.ResponseWriter, r *http.Request) {
		// The service worker (app-worker.js) runs under its own answer's
		// policy: the pages'.
		w.Header().Set("Content-Security-Policy", pageCSP)
		ui.ServeHTTP(w, r)
	}
	for _, p := range []string{"/app.js", "/wasm_exec.js", "/app-worker.js", "/manifest.webmanifest", "/app.css", "/web/"} {
		s.mux.HandleFunc("GET "+p, static)
	}
}

// portalURL is the portal's public URL: the live settings' (made when the
// portal was first enabled), else this server's.
func (s *Server) portalURL(st *portal.Settings) string {
	if st.Portal.URL != "" {
		return st.Portal.URL
	}
	return s.baseURL + s.portalPath()
}

// helpSection is one section of the Help Center homepage.
type helpSection struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	URL   string `json:"url,omitempty"`
}

// helpCenterPage is the Help Center homepage.
type helpCenterPage struct {
	Sections []helpSection `json:"sections"`
}

// helpCenter answers GET /portal/<slug>/api/help-center: the live
// settings' visible sections in their saved order; the Customer portal
// card only while the portal is enabled. A Help Center that is not live
// is 404. It is public, as a Help Center is: it shows no user's data.
func (s *Server) helpCenter(w http.ResponseWriter, r *http.Request) {
	st, err := s.liveSettings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !st.HelpCenter.Live {
		s.writeError(w, r, portal.Errorf(portal.ENOTFOUND, "This Help Center is not live yet."))
		return
	}
	out := helpCenterPage{Sections: []helpSection{}}
	for _, sec := range st.HelpCenter.Sections {
		if !sec.Visible {
			continue
		}
		hs := helpSection{ID: sec.ID, Title: sec.Title, Kind: sec.Kind}
		if sec.Kind == portal.SectionCustomerPortal {
			if !st.Portal.Enabled {
				continue
			}
			hs.URL = s.portalURL(st)
		}
		out.Sections = append(out.Sections, hs)
	}
	writeJSON(w, http.StatusOK, out)
}

// messengerPage is the Messenger's tickets space.
type messengerPage struct {
	TicketsSpace bool   `json:"tickets_space"`
	PortalURL    string `json:"portal_url,omitempty"`
	// For a signed-in user, when the tickets space is on: the user and
	// their tickets (the newest messengerTickets of Total).
	SignedIn bool              `json:"signed_in"`
	User     *portalUserInfo   `json:"user,omitempty"`
	Tickets  []wire.TicketView `json:"tickets,omitempty"`
	Total    int               `json:"total,omitempty"`
}

// messengerTickets is how many tickets the tickets space lists.
const messengerTickets = 20

// messenger answers GET /portal/<slug>/api/messenger: whether the tickets
// space is on and, when it is and the portal is enabled, the portal URL
// its banner links to; and, when it is on and the request is signed in
// (a session cookie or an identity token; a forged or expired one is
// 401), the user's own tickets. The portal's access rule and ticket
// visibility do not apply to the Messenger.
func (s *Server) messenger(w http.ResponseWriter, r *http.Request) {
	st, err := s.liveSettings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := messengerPage{TicketsSpace: st.Messenger.TicketsSpace}
	if out.TicketsSpace && st.Portal.Enabled {
		out.PortalURL = s.portalURL(st)
	}
	if out.TicketsSpace && signedIn(r) {
		u, _, err := s.portalUser(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if out.Tickets, out.Total, err = s.svc.MessengerTickets(r.Context(), u, messengerTickets); err != nil {
			s.writeError(w, r, err)
			return
		}
		out.SignedIn, out.User = true, &portalUserInfo{Email: u.Email, Name: u.Name}
	}
	writeJSON(w, http.StatusOK, out)
}

// signedIn reports whether a request carries credentials (valid or not).
func signedIn(r *http.Request) bool {
	if bearer(r) != "" {
		return true
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && c.Value != ""
}

// liveSettings returns the live settings.
func (s *Server) liveSettings(ctx context.Context) (*portal.Settings, error) {
	return s.ws.Live(ctx)
}
