package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"portalstudio/backend/portal"
)

// admin wraps an admin API handler: the request must carry the admin
// token as a Bearer token. The token's SHA-256 is compared in constant
// time with the hash the workspace keeps (read on every request, so a
// rotated token takes effect at once on every replica).
func (s *Server) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" {
			s.writeError(w, r, unauthorized("the admin API needs the admin token: send Authorization: Bearer <token> (the server wrote it to <data folder>/admin-token)"))
			return
		}
		want, err := s.ws.Secret(r.Context(), portal.SecretAdminTokenHash)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		got := sha256.Sum256([]byte(tok))
		if len(want) != len(got) || subtle.ConstantTimeCompare(got[:], want) != 1 {
			s.writeError(w, r, unauthorized("the admin token is not this server's; use the one in <data folder>/admin-token"))
			return
		}
		h(w, r)
	})
}

// etag is the ETag of a settings version.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// writeSettings answers with a settings document (canonical JSON) and its
// version as the ETag.
func writeSettings(w http.ResponseWriter, status int, st *portal.Settings) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("ETag", etag(st.Version))
	w.WriteHeader(status)
	w.Write(st.Canonical())
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.ws.Live(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeSettings(w, http.StatusOK, st)
}

// ifMatch reads the If-Match header: the version a write replaces.
// required says whether it must be there; without it, AnyVersion. "*"
// matches any version. A tag that is not a version matches none, so the
// write is refused as stale (RFC 9110).
func ifMatch(r *http.Request, required bool) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		if required {
			return 0, portal.Errorf(codePreconditionRequired, "say which version you are replacing: send If-Match with the ETag of the settings you edited (GET /api/v1/settings)")
		}
		return portal.AnyVersion, nil
	}
	if h == "*" {
		return portal.AnyVersion, nil
	}
	for _, tag := range strings.Split(h, ",") {
		tag = strings.Trim(strings.TrimSpace(tag), `"`)
		if n, err := strconv.Atoi(tag); err == nil && n >= 0 {
			return n, nil
		}
	}
	// No version can match this tag: -2 is never current.
	return -2, nil
}

// readBody reads a request body of at most limit bytes; a larger one is
// ETOOLARGE.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(what, limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge(what, limit)
	}
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "the request body could not be read: %v", err)
	}
	return b, nil
}

func tooLarge(what string, limit int64) error {
	return portal.Errorf(portal.ETOOLARGE, "%s is larger than %s; nothing was changed", what, size(limit))
}

func size(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n>>10, 10) + " KiB"
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) {
	match, err := ifMatch(r, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := readBody(w, r, maxSettingsBody, "the settings document")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.ws.PutLive(r.Context(), doc, match)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "settings put live", "version", st.Version)
	writeSettings(w, http.StatusOK, st)
}

// maxVersionsListed bounds the version list: the newest ones.
const maxVersionsListed = 1000

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.ws.Versions(r.Context(), maxVersionsListed)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cur, err := s.ws.LiveVersion(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"current": cur, "versions": vs})
}

// versionParam reads the {n} of a versions path.
func versionParam(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		return 0, portal.Errorf(portal.EINVALID, "%q is not a settings version; versions are whole numbers", r.PathValue("n"))
	}
	return n, nil
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	n, err := versionParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.ws.Version(r.Context(), n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeSettings(w, http.StatusOK, st)
}

// restoreVersion makes a new version equal to version n. If-Match is
// optional: a restore never rewrites history (it adds a version), and
// with If-Match it is refused (412) when the settings moved on.
func (s *Server) restoreVersion(w http.ResponseWriter, r *http.Request) {
	n, err := versionParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	match, err := ifMatch(r, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.ws.RestoreLive(r.Context(), n, match)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "settings restored", "from", n, "version", st.Version)
	writeSettings(w, http.StatusOK, st)
}

// workspaceInfo is what GET /api/v1/workspace answers: where the portal
// is, the live version and the dataset's size.
type workspaceInfo struct {
	Slug        string        `json:"slug"`
	BaseURL     string        `json:"base_url"`
	PortalURL   string        `json:"portal_url"`
	LiveVersion int           `json:"live_version"`
	Counts      portal.Counts `json:"counts"`
}

func (s *Server) workspace(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	live, err := s.ws.Live(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	base, _, err := s.ws.ServerAddress(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.ws.Counts(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	url := live.Portal.URL
	if url == "" {
		url = strings.TrimSuffix(base, "/") + s.portalPath()
	}
	writeJSON(w, http.StatusOK, workspaceInfo{Slug: s.slug, BaseURL: base, PortalURL: url, LiveVersion: live.Version, Counts: counts})
}
