package server

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
)

// Body limits.
const (
	maxSettingsBody = 1 << 20   // a settings document is a few kilobytes
	maxImportBody   = 256 << 20 // one import request, read as a stream
	maxFormBody     = 64 << 10  // a session request
)

// Store is what the server needs of its workspace: the studio's ports
// (the portal's decisions), and the server's own state and the snapshot.
type Store interface {
	studio.Store
	portal.ServerState
	portal.Snapshotter
}

// tunable is what a store may offer a server that answers many requests
// at once: connections kept open for them, and reads cached between
// writes (the server being its workspace's only writer).
type tunable interface {
	KeepConnections(n int)
	CacheReads()
}

// Config is what a Server runs with.
type Config struct {
	// Store is the workspace the server serves; its "live" settings are the
	// portal's.
	Store Store
	// Audiences is the audience engine over Store (audience.Engine).
	Audiences studio.Audiences
	// IdentitySecret verifies identity tokens (HS256). Session cookies
	// are signed with a key derived from it and the session generation
	// kept in the workspace (never with a key stored there), so every
	// replica shares it by reading the same secret file.
	IdentitySecret []byte
	// SharedIdentitySecret, for replicas on one database, reads the
	// identity secret from the store (portal.SecretIdentity) on each use
	// instead of IdentitySecret: a rotation by any replica takes effect on
	// all at once.
	SharedIdentitySecret bool
	// MaxTokenLifetime bounds how far ahead an identity token's exp may
	// be; default DefaultMaxTokenLifetime (24 hours).
	MaxTokenLifetime time.Duration
	// Slug is the workspace's slug: the portal is at /portal/<slug>/.
	Slug string
	// BaseURL is the server's public base URL; an https one makes session
	// cookies Secure.
	BaseURL string
	// Logger receives the request log; nil logs nothing.
	Logger *slog.Logger
	// Now returns the current time; tests replace it. Default time.Now.
	Now func() time.Time
	// MaxImportBody bounds one import request; default 256 MiB.
	MaxImportBody int64
	// Web is the UI's web folder (app.wasm): with it the server serves
	// the customer portal's pages; nil serves the JSON APIs only.
	Web fs.FS
	// AllowedHosts are the host names (no port) the server answers at,
	// besides loopback (localhost, 127.0.0.1, ::1: always); nil means the
	// host of BaseURL. A request for any other Host is refused (421), so
	// a DNS-rebinding page cannot reach the server.
	AllowedHosts []string
	// RateLimits bound sign-ins and searches per client; the zero value
	// limits nothing (serve uses DefaultRateLimits).
	RateLimits RateLimits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for rate limits): only a connection from one of them is
	// believed, and the client is the right-most address the header lists
	// that is not itself a trusted proxy. None (the default): the header
	// is ignored.
	TrustedProxies []netip.Prefix
}

// Server answers the admin API and the customer portal's JSON API.
type Server struct {
	trusted          []netip.Prefix // reverse proxies whose X-Forwarded-For is believed
	ws               Store
	svc              *studio.Service
	identitySecret   []byte
	sharedSecret     bool
	maxTokenLifetime time.Duration
	slug             string
	baseURL          string
	log              *slog.Logger
	now              func() time.Time
	maxImport        int64
	mux              *http.ServeMux
	// slots bounds the portal API requests doing database work at once;
	// the others wait their turn in Go (cheap) rather than in SQLite.
	slots chan struct{}
	// hosts are the host names answered besides loopback.
	hosts map[string]bool
	// signIns and searches limit clients; nil limits nothing.
	signIns, searches *limiter
}

// New returns a server over cfg.Store. It checks the configuration, not the
// workspace.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no workspace")
	}
	if cfg.Audiences == nil {
		return nil, errors.New("server: no audience engine")
	}
	if len(cfg.IdentitySecret) < 16 && !cfg.SharedIdentitySecret {
		return nil, portal.Errorf(portal.EINVALID, "the identity-verification secret must be at least 16 bytes")
	}
	if cfg.MaxTokenLifetime < 0 {
		return nil, portal.Errorf(portal.EINVALID, "the identity tokens' maximum lifetime must be positive, not %s", cfg.MaxTokenLifetime)
	}
	if cfg.Slug == "" {
		return nil, portal.Errorf(portal.EINVALID, "the server needs the workspace's slug")
	}
	s := &Server{ws: cfg.Store, identitySecret: cfg.IdentitySecret, sharedSecret: cfg.SharedIdentitySecret, maxTokenLifetime: cfg.MaxTokenLifetime, slug: cfg.Slug,
		baseURL: strings.TrimSuffix(cfg.BaseURL, "/"), log: cfg.Logger, now: cfg.Now, maxImport: cfg.MaxImportBody, mux: http.NewServeMux()}
	s.hosts = allowedHosts(cfg)
	s.trusted = cfg.TrustedProxies
	s.signIns, s.searches = newLimiter(cfg.RateLimits.SignIn), newLimiter(cfg.RateLimits.Search)
	if s.maxTokenLifetime == 0 {
		s.maxTokenLifetime = DefaultMaxTokenLifetime
	}
	if s.maxImport <= 0 {
		s.maxImport = maxImportBody
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.slots = make(chan struct{}, portalSlots())
	if t, ok := cfg.Store.(tunable); ok {
		t.KeepConnections(cap(s.slots) + 2)
		// The server is its workspace's only writer: keep the live
		// settings, the schema and the users last seen parsed between
		// writes.
		t.CacheReads()
	}
	s.svc = studio.New(cfg.Store, cfg.Audiences)
	s.svc.Now = s.now
	s.routes()
	if cfg.Web != nil {
		s.pageRoutes(cfg.Web)
	}
	return s, nil
}

// routes registers every route.
func (s *Server) routes() {
	admin := func(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, s.admin(h)) }
	admin("GET /api/v1/settings", s.getSettings)
	admin("PUT /api/v1/settings", s.putSettings)
	admin("GET /api/v1/settings/versions", s.listVersions)
	admin("GET /api/v1/settings/versions/{n}", s.getVersion)
	admin("POST /api/v1/settings/versions/{n}/restore", s.restoreVersion)
	admin("POST /api/v1/import", s.importData)
	admin("GET /api/v1/snapshot", s.snapshot)
	admin("GET /api/v1/workspace", s.workspace)

	// Sessions change state: only from the portal's own pages.
	s.mux.HandleFunc("POST /portal/{slug}/session", s.portalOnly(s.sameOrigin(s.rateLimited(s.signIns, "sign-in attempts", nil, s.startSession))))
	s.mux.HandleFunc("POST /portal/{slug}/session/check", s.portalOnly(s.sameOrigin(s.rateLimited(s.signIns, "sign-in attempts", nil, s.checkSession))))
	s.mux.HandleFunc("DELETE /portal/{slug}/session", s.portalOnly(s.sameOrigin(s.endSession)))
	s.mux.HandleFunc("GET /portal/{slug}/session", s.portalOnly(s.limited(s.currentSession)))
	s.mux.HandleFunc("GET /portal/{slug}/api/tickets", s.portalOnly(s.rateLimited(s.searches, "searches", isSearch, s.limited(s.listTickets))))
	s.mux.HandleFunc("GET /portal/{slug}/api/tickets/{id}", s.portalOnly(s.limited(s.getTicket)))
	// What the Help Center and Messenger pages read (JSON, served with or
	// without the pages).
	s.mux.HandleFunc("GET /portal/{slug}/api/help-center", s.portalOnly(s.helpCenter))
	s.mux.HandleFunc("GET /portal/{slug}/api/messenger", s.portalOnly(s.limited(s.messenger)))
}

// Handle adds a route (the portal's pages, say) to the server's mux. Call
// it before serving.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler returns the server's HTTP handler: every route, JSON errors for
// unknown routes (404) and methods (405), the guards (only the server's
// own Host; nosniff and HSTS on every answer), the load balancer's
// probes (/healthz, /readyz: at any Host) and the request log.
func (s *Server) Handler() http.Handler {
	return readsBegin(s.forwarded(s.logged(s.probes(s.guarded(routed(s.mux, s))))))
}

// readsBegin marks each request's context with the moment it came
// (portal.BeginReads): the store's cached reads of one request then
// share one check for commits made since.
func readsBegin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(portal.BeginReads(r.Context())))
	})
}

// portalPath is the path of the portal: /portal/<slug>/.
func (s *Server) portalPath() string { return "/portal/" + s.slug + "/" }

// secure reports whether cookies must be Secure: the request came over
// TLS, or the server's public URL is https (behind a proxy).
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.baseURL, "https://")
}

// portalSlots is how many portal API requests do database work at once:
// a few per CPU, enough to keep them busy while others wait on I/O.
func portalSlots() int { return 4 * runtime.GOMAXPROCS(0) }

// limited runs h once one of the portal's slots is free (or answers 503
// when the client has gone meanwhile).
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.slots <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-s.slots }()
		h(w, r)
	}
}
