package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"portalstudio/backend/portal"
)

// One process, many workspaces: a Router answers for every workspace of
// a database, each served by its own Server (its store, audience engine,
// slug and secrets). It only picks the Server; that Server decides and
// answers exactly as it does alone:
//   - /portal/<slug>/… goes to the workspace with that slug;
//   - the admin API (/api/…) goes to the workspace whose admin token the
//     request carries: the token's SHA-256 is compared, in constant time,
//     with each workspace's, and that workspace's Server checks it again.
//     The admin API's paths and the sync client stay as they are;
//   - the rest (the UI's static files, the probes, unknown paths,
//     slugs and tokens) goes to the front Server, whose answers are the
//     404s and 401s a single server gives.
// A slug or token no served workspace has is looked up in the store's
// catalog (Tenants): a workspace made while the process runs is served
// from its first request, without a restart.

// Tenants are the workspaces a Router serves.
type Tenants interface {
	// Open returns the Server of the workspace with the slug, made for
	// this process (the Router calls it once per slug); ENOTFOUND when
	// there is no such workspace.
	Open(ctx context.Context, slug string) (*Server, error)
	// AdminTokenHashes returns the SHA-256 of every workspace's admin
	// token, by slug.
	AdminTokenHashes(ctx context.Context) (map[string][]byte, error)
}

// Tenants may also tell whether every workspace is ready to be served
// (Ready(ctx) error: EUNAVAILABLE or EPRECONDITION with a sentence when
// not); the Router's /readyz then asks it.

// Router serves many workspaces (see above).
type Router struct {
	front   *Server
	tenants Tenants
	// mu guards served; opening is held while a workspace is opened (so
	// each is opened once, and requests for those served never wait).
	mu      sync.Mutex
	served  map[string]*Server
	opening sync.Mutex
}

// NewRouter returns a router whose front Server (the workspace the
// process started with) answers what no workspace takes.
func NewRouter(front *Server, tenants Tenants) *Router {
	return &Router{front: front, tenants: tenants, served: map[string]*Server{front.slug: front}}
}

// Handler returns the router's HTTP handler: the front's request log,
// probes and guards (only the server's own Host), then the Server the
// request belongs to.
func (rt *Router) Handler() http.Handler {
	f := rt.front
	return f.logged(f.probesWith(rt.ready, f.guarded(http.HandlerFunc(rt.dispatch))))
}

// ready reports whether the router can serve every workspace: the
// front's store is ready and, when the tenants can tell (a Ready
// method), every workspace of the database is (reachable, its
// migrations current). A load balancer then sends requests only to a
// replica that serves every portal.
func (rt *Router) ready(ctx context.Context) error {
	if err := rt.front.ready(ctx); err != nil {
		return err
	}
	if rd, ok := rt.tenants.(readiness); ok {
		return rd.Ready(ctx)
	}
	return nil
}

func (rt *Router) dispatch(w http.ResponseWriter, r *http.Request) {
	srv := rt.front
	var err error
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/portal/"):
		slug, _, _ := strings.Cut(strings.TrimPrefix(p, "/portal/"), "/")
		srv, err = rt.server(r.Context(), slug)
	case strings.HasPrefix(p, "/api/"):
		if tok := bearer(r); tok != "" {
			srv, err = rt.byToken(r.Context(), tok)
		}
	}
	if err != nil {
		rt.front.writeError(w, r, err)
		return
	}
	routed(srv.mux, srv).ServeHTTP(w, r)
}

// server returns the Server of the slug, opening it on first use; the
// front for a slug no workspace has (whose answer is 404).
func (rt *Router) server(ctx context.Context, slug string) (*Server, error) {
	if s := rt.lookup(slug); s != nil {
		return s, nil
	}
	if !looksLikeSlug(slug) {
		return rt.front, nil
	}
	rt.opening.Lock()
	defer rt.opening.Unlock()
	if s := rt.lookup(slug); s != nil {
		return s, nil
	}
	// Opening outlives a client that goes away meanwhile: the next
	// request finds the workspace open.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), openTimeout)
	defer cancel()
	s, err := rt.tenants.Open(ctx, slug)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return rt.front, nil
	}
	if err != nil {
		rt.front.log.ErrorContext(ctx, "cannot open a workspace", "slug", slug, "err", err)
		if portal.ErrorCode(err) != portal.EUNAVAILABLE {
			err = portal.Errorf(portal.EUNAVAILABLE, "the workspace %q cannot be opened right now; try again in a moment (the server's log says why)", slug)
		}
		return nil, err
	}
	rt.mu.Lock()
	rt.served[slug] = s
	rt.mu.Unlock()
	return s, nil
}

// openTimeout bounds opening a workspace (connecting, checking its
// migrations).
const openTimeout = 30 * time.Second

func (rt *Router) lookup(slug string) *Server {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.served[slug]
}

// byToken returns the Server of the workspace whose admin token tok is,
// or the front (which refuses it) when it is none's.
func (rt *Router) byToken(ctx context.Context, tok string) (*Server, error) {
	hashes, err := rt.tenants.AdminTokenHashes(ctx)
	if err != nil {
		return nil, err
	}
	got := sha256.Sum256([]byte(tok))
	owner := ""
	// Every hash is compared, each in constant time: how long this takes
	// tells nothing of which workspace, if any, the token is.
	for slug, want := range hashes {
		if len(want) == len(got) && subtle.ConstantTimeCompare(got[:], want) == 1 {
			owner = slug
		}
	}
	if owner == "" {
		return rt.front, nil
	}
	return rt.server(ctx, owner)
}

// looksLikeSlug reports whether s may be a slug (lower-case ASCII
// letters, digits, hyphens; at most 63 bytes): nothing else is looked up.
func looksLikeSlug(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// NewSecrets are the secrets of a workspace made while servers run
// (portalstudio workspace create).
type NewSecrets struct {
	AdminToken     string
	IdentitySecret string
	// Stored is what the workspace keeps: the admin token's SHA-256 and
	// the identity secret, by name (portal.SecretAdminTokenHash,
	// portal.SecretIdentity).
	Stored map[string][]byte
	// Files are the files written (dir/admin-token, dir/identity-secret).
	Files []string
}

// MakeSecrets makes a new workspace's admin token and identity secret
// and, when dir is not "", writes them to dir/admin-token and
// dir/identity-secret (0600). A folder that holds either file already is
// refused (each workspace has its own); on failure nothing stays written.
func MakeSecrets(dir string) (*NewSecrets, error) {
	token, err := newSecret()
	if err != nil {
		return nil, err
	}
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(token))
	ns := &NewSecrets{AdminToken: token, IdentitySecret: secret,
		Stored: map[string][]byte{portal.SecretAdminTokenHash: sum[:], portal.SecretIdentity: []byte(secret)}}
	if dir == "" {
		return ns, nil
	}
	files := []struct{ name, value string }{{AdminTokenFile, token}, {IdentitySecretFile, secret}}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			return nil, portal.Errorf(portal.EPRECONDITION, "%s already holds %s (another workspace's?); give each workspace its own --data folder", dir, f.name)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, portal.Errorf(portal.EPRECONDITION, "cannot read %s: %v", dir, err)
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := writeSecretFile(p, f.value); err != nil {
			ns.RemoveFiles()
			return nil, err
		}
		ns.Files = append(ns.Files, p)
	}
	return ns, nil
}

// RemoveFiles removes the files MakeSecrets wrote (the workspace was not
// made after all).
func (ns *NewSecrets) RemoveFiles() {
	for _, p := range ns.Files {
		os.Remove(p)
	}
	ns.Files = nil
}
