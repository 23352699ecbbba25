package server

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
	"portalstudio/backend/wire"
)

// The portal's list pages.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// portalOnly answers 404 for a slug that is not this workspace's.
func (s *Server) portalOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("slug") != s.slug {
			s.writeError(w, r, portal.Errorf(portal.ENOTFOUND, "there is no customer portal at %s", r.URL.Path))
			return
		}
		h(w, r)
	}
}

// errTicketNotFound is the one answer for a ticket that does not exist
// and for one the user may not see: the same status and the same body,
// whatever the id, so that nothing leaks.
var errTicketNotFound = portal.Errorf(portal.ENOTFOUND, "This ticket does not exist, or you cannot see it.")

// refusal tells why a portal request the service did not answer is
// refused: EFORBIDDEN when the portal is off, the user has no access, or
// the tab (when given) is not theirs; nil when none of these holds. It
// decides again (with what was prefetched for the request, when pre is
// not nil), so it runs only on the paths of refused requests.
func (s *Server) refusal(r *http.Request, u *portal.User, pre *portal.Prefetched, tab string) error {
	d, enabled, err := s.svc.DecideWith(r.Context(), u, pre, studio.Live)
	switch {
	case err != nil:
		return err
	case !enabled:
		return portal.Errorf(portal.EFORBIDDEN, "This customer portal is turned off.")
	case !d.Access:
		return portal.Errorf(portal.EFORBIDDEN, "You don't have access to this customer portal. Ask your helpdesk if you think you should.")
	case tab != "" && !d.HasTab(tab):
		return portal.Errorf(portal.EFORBIDDEN, "You can see only the tickets you created: ask for tab=mine.")
	}
	return nil
}

// portalUserInfo is the signed-in user as the portal shows them.
type portalUserInfo struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// ticketList is one page of a portal list: the fields of `preview --json`
// a customer may see. It carries no decision trace and no reasons, which
// would show the admin's rules.
type ticketList struct {
	User       portalUserInfo    `json:"user"`
	Access     bool              `json:"access"`
	Restricted bool              `json:"restricted"`
	Tabs       []string          `json:"tabs"`
	Tab        string            `json:"tab"`
	Search     string            `json:"search,omitempty"`
	Tickets    []wire.TicketView `json:"tickets"`
	Total      int               `json:"total"`
	Next       string            `json:"next,omitempty"`
	// Filter is the list's filters and order as applied; Facets counts
	// the tab's tickets per state and type (wire.Facets).
	Filter portal.TicketFilter `json:"filter"`
	Facets wire.Facets         `json:"facets"`
}

// listQuery reads the list's query parameters: tab (all, mine or empty for
// the user's first tab), q, cursor, limit (1 to 100) and the filters and
// order (portal.ParseTicketFilter: state, type, created_after,
// created_before, sort, order).
func listQuery(r *http.Request) (wire.PreviewRequest, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return wire.PreviewRequest{}, portal.Errorf(portal.EINVALID, "the query string is not valid (%v); escape its values", err)
	}
	req := wire.PreviewRequest{Tab: v.Get("tab"), Search: strings.TrimSpace(v.Get("q")), Cursor: v.Get("cursor"), Limit: defaultPageSize, Settings: studio.Live}
	if req.Tab != "" && req.Tab != portal.TabAll && req.Tab != portal.TabMine {
		return wire.PreviewRequest{}, portal.Errorf(portal.EINVALID, "tab must be all or mine, not %q", req.Tab)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPageSize {
			return wire.PreviewRequest{}, portal.Errorf(portal.EINVALID, "limit must be a whole number from 1 to %d, not %q", maxPageSize, l)
		}
		req.Limit = n
	}
	if req.TicketFilter, err = portal.ParseTicketFilter(v); err != nil {
		return wire.PreviewRequest{}, err
	}
	return req, nil
}

// listTickets answers GET /portal/<slug>/api/tickets: one page of the
// user's tab, or of their search on it, under the live settings. A
// restricted user asking for tab=all gets 403: that tab is not theirs.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	u, pre, err := s.portalUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := listQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// One decision on the way of an answer; a refusal is worked out
	// after the fact.
	res, err := s.svc.PreviewUserWith(r.Context(), u, pre, req)
	if err != nil || !res.Access {
		if rerr := s.refusal(r, u, pre, req.Tab); rerr != nil {
			err = rerr
		} else if err == nil {
			// Access came between the two decisions: ask again.
			err = portal.Errorf(portal.ECONFLICT, "The portal's settings changed; try again.")
		}
		s.writeError(w, r, err)
		return
	}
	writeCompactJSON(w, http.StatusOK, ticketList{User: portalUserInfo{Email: u.Email, Name: u.Name}, Access: res.Access, Restricted: res.Restricted,
		Tabs: res.Tabs, Tab: res.Tab, Search: res.Search, Tickets: res.Tickets, Total: res.Total, Next: res.Next,
		Filter: res.Filter, Facets: res.Facets})
}

// getTicket answers GET /portal/<slug>/api/tickets/{id} (the id, or the
// number customers see; with ?by=number the number's ticket wins over
// another whose id is that number, as the pages ask): the ticket's page
// with its customer-visible parts. A ticket the user may not see is errTicketNotFound, exactly like
// one that does not exist.
func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	u, pre, err := s.portalUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.svc.TicketForWith(r.Context(), u, pre, wire.TicketRequest{TicketID: r.PathValue("id"), By: r.URL.Query().Get("by"), Settings: studio.Live})
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		// No access at all is 403; otherwise a ticket the user may not
		// see and one that does not exist are the same 404.
		err = errTicketNotFound
		if rerr := s.refusal(r, u, pre, ""); rerr != nil {
			err = rerr
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeCompactJSON(w, http.StatusOK, t)
}

// sessionInfo answers a new session.
type sessionInfo struct {
	User      portalUserInfo `json:"user"`
	ExpiresAt time.Time      `json:"expires_at"`
}

// startSession answers POST /portal/<slug>/session: it exchanges an
// identity token (a JSON body {"token": ...}, a form field token, or a
// Bearer token) for a session cookie: HttpOnly, SameSite=Lax, Secure over
// https, for the portal's path, living until the token expires and at
// most maxSession. A form post is redirected to the portal (303); a JSON
// request gets the user and the expiry.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request) {
	u, exp, _, err := s.sessionToken(w, r)
	if err != nil {
		s.signInError(w, r, err)
		return
	}
	value, err := s.newSession(r.Context(), u.ID, exp)
	if err != nil {
		s.signInError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     s.portalPath(),
		Expires:  exp,
		MaxAge:   int(exp.Sub(s.now()).Seconds()),
		HttpOnly: true,
		Secure:   s.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
	if isForm(r) {
		http.Redirect(w, r, s.portalPath(), http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, sessionInfo{User: portalUserInfo{Email: u.Email, Name: u.Name}, ExpiresAt: exp.UTC()})
}

// signInError answers a sign-in that failed. The sign-in form posted
// without the WebAssembly (a plain HTML form) is sent back to the sign-in
// page with why (login?refused=<reason>, which the page words for the
// customer; the refusal is logged); the pages' fetch and other
// clients get the JSON error.
func (s *Server) signInError(w http.ResponseWriter, r *http.Request, err error) {
	if !isForm(r) || r.Method != http.MethodPost {
		s.writeError(w, r, err)
		return
	}
	reason := refusalReason(err)
	if portal.ErrorCode(err) == codeTooManyRequests {
		reason = wire.RefusedTooMany
	}
	if reason == "" {
		// A form no page of ours sends (unreadable, too large): the
		// JSON answer.
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, s.portalPath()+"login?refused="+url.QueryEscape(reason), http.StatusSeeOther)
}

// currentSession answers GET /portal/<slug>/session: whom the request's
// session cookie (or Bearer identity token) signs in, and until when;
// 401 with the reason when nobody. Every page asks it to show the
// signed-in name and Sign out, the Help Center's and the no-access page's
// too, which have no other answer naming the user.
func (s *Server) currentSession(w http.ResponseWriter, r *http.Request) {
	u, exp, _, err := s.requestUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionInfo{User: portalUserInfo{Email: u.Email, Name: u.Name}, ExpiresAt: exp.UTC()})
}

// sessionToken reads and verifies the identity token of a session request
// (a Bearer token, a JSON body {"token": ...} or a form field token) and
// returns its user and the session's expiry: the token's, at most
// maxSession ahead.
func (s *Server) sessionToken(w http.ResponseWriter, r *http.Request) (u *portal.User, exp time.Time, form bool, err error) {
	tok := bearer(r)
	if tok == "" {
		if tok, form, err = tokenFromBody(w, r); err != nil {
			return nil, exp, form, err
		}
	}
	if tok == "" {
		return nil, exp, form, &refusal{err: unauthorized("send the identity token: a JSON body {\"token\": ...} or a form field token"), reason: wire.RefusedMissing}
	}
	if u, exp, err = s.verifyToken(r.Context(), tok); err != nil {
		return nil, exp, form, err
	}
	if limit := s.now().Add(maxSession); exp.After(limit) {
		exp = limit
	}
	exp = exp.Truncate(time.Second)
	if !exp.After(s.now()) {
		// Accepted within the clock skew, but too late for a session.
		return nil, exp, form, &refusal{err: unauthorized("the identity token has expired; sign a new one"), reason: wire.RefusedExpired}
	}
	return u, exp, form, nil
}

// checkSession answers POST /portal/<slug>/session/check: whom an
// identity token would sign in, and until when, without signing in. The
// portal's pages ask it when they arrive with a token in their address (a
// sign-in link), so that the customer confirms who they are about to be:
// a link made by someone else with their own token (login CSRF) shows
// that other person's name instead of signing the visitor in silently.
func (s *Server) checkSession(w http.ResponseWriter, r *http.Request) {
	u, exp, _, err := s.sessionToken(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionInfo{User: portalUserInfo{Email: u.Email, Name: u.Name}, ExpiresAt: exp.UTC()})
}

// tokenFromBody reads the identity token of a session request: a JSON
// object's "token", or a form's field token.
func tokenFromBody(w http.ResponseWriter, r *http.Request) (tok string, form bool, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		// ParseMultipartForm would hide ParseForm's error (a body over
		// the limit, cut short) behind ErrNotMultipart: each its own.
		parse := r.ParseForm
		if ct == "multipart/form-data" {
			parse = func() error { return r.ParseMultipartForm(maxFormBody) }
		}
		if err := parse(); err != nil {
			return "", true, portal.Errorf(portal.EINVALID, "the form could not be read; send the field token")
		}
		// A customer may paste the whole sign-in link.
		return wire.SignInCode(r.PostFormValue("token")), true, nil
	}
	b, err := readBody(w, r, maxFormBody, "the session request")
	if err != nil {
		return "", false, err
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return "", false, portal.Errorf(portal.EINVALID, "the body must be a JSON object {\"token\": \"<identity token>\"}")
	}
	return strings.TrimSpace(body.Token), false, nil
}

// endSession answers DELETE /portal/<slug>/session: the session of the
// request's cookie, when it is valid, is recorded as signed out in the
// workspace until it expires (so the same cookie, copied or replayed, is
// refused by every replica), and the cookie is cleared. Only that session
// ends: the user's sessions on other devices go on. A missing or invalid
// cookie has nothing to end: the answer is the same 204.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		ss, err := s.readSession(r.Context(), c.Value)
		if err == nil {
			err = s.ws.RevokeSession(r.Context(), ss.id, time.Unix(ss.exp, 0), s.now())
		}
		if err != nil && portal.ErrorCode(err) != portal.EUNAUTHORIZED {
			s.writeError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: s.portalPath(), MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}
