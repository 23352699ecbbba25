package server

import (
	"context"
	"net/http"
	"time"

	"portalstudio/backend/portal"
)

// The load balancer's probes: GET /healthz answers 200 while the process
// runs; GET /readyz answers 200 when the store answers and has every
// migration this program knows (a store that can tell: Ready) — with a
// Router, when every workspace of the database does (Tenants that can
// tell: Ready) — and 503 with the reason otherwise. They carry no data and answer at any Host
// (a load balancer probes by address), and are not rate-limited.

// readiness is a store that can tell whether it is ready to serve.
type readiness interface {
	Ready(ctx context.Context) error
}

// probes answers /healthz and /readyz (the server's store ready), and
// passes other requests on.
func (s *Server) probes(next http.Handler) http.Handler {
	return s.probesWith(s.ready, next)
}

// ready reports whether the server's store is ready.
func (s *Server) ready(ctx context.Context) error {
	if rd, ok := s.ws.(readiness); ok {
		return rd.Ready(ctx)
	}
	_, err := s.ws.LiveVersion(ctx)
	return err
}

// probesWith is probes with ready telling whether to answer ready.
func (s *Server) probesWith(ready func(context.Context) error, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz":
		default:
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.writeError(w, r, portal.Errorf(codeMethodNotAllowed, "%s answers GET only", r.URL.Path))
			return
		}
		if r.URL.Path == "/healthz" {
			writeJSON(w, http.StatusOK, map[string]string{"status": "up"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			s.writeError(w, r, s.unready(r.Context(), err))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// unready is the answer of a store that is not ready: always 503, with
// the store's sentence when it has one (the cause goes to the log).
func (s *Server) unready(ctx context.Context, err error) error {
	if code := portal.ErrorCode(err); code == portal.EUNAVAILABLE || code == portal.EPRECONDITION {
		return portal.Errorf(portal.EUNAVAILABLE, "not ready: %s", portal.ErrorMessage(err))
	}
	s.log.ErrorContext(ctx, "readiness check failed", "err", err)
	return portal.Errorf(portal.EUNAVAILABLE, "not ready: the store failed a check; the server's log has the details")
}
