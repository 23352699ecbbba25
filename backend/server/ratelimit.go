package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"portalstudio/backend/portal"
)

// Limit is a token bucket: Burst requests at once, then one every Every.
// The zero Limit limits nothing.
type Limit struct {
	Every time.Duration
	Burst int
}

// on reports whether l limits anything.
func (l Limit) on() bool { return l.Every > 0 && l.Burst > 0 }

// RateLimits bound what one client (one remote IP address; one /64 for
// IPv6) may ask of the portal. The zero value limits nothing: tests and
// load tests build servers without limits; `portalstudio serve` uses
// DefaultRateLimits.
//
// The client is the connection's remote address: behind a reverse proxy
// every client shares the proxy's address (and its limits). The server
// never reads X-Forwarded-For, which any client can forge.
type RateLimits struct {
	// SignIn bounds POST /portal/<slug>/session.
	SignIn Limit
	// Search bounds the portal's list requests with a search (non-empty q).
	Search Limit
}

// DefaultRateLimits are serve's: 10 sign-ins a minute (a burst of 10) and
// 5 searches a second (a burst of 20) per client.
var DefaultRateLimits = RateLimits{
	SignIn: Limit{Every: 6 * time.Second, Burst: 10},
	Search: Limit{Every: 200 * time.Millisecond, Burst: 20},
}

// Bounds of a limiter's memory.
const (
	// maxClients is how many clients a limiter tracks; past it the new
	// ones share one bucket until idle clients are dropped.
	maxClients = 50000
	// sweepEvery is how often idle clients are dropped.
	sweepEvery = time.Minute
)

// limiter is one Limit per client, in bounded memory: a client idle long
// enough for its bucket to be full again is forgotten (it would start
// full anyway).
type limiter struct {
	limit    Limit
	idle     time.Duration
	mu       sync.Mutex
	clients  map[string]*client
	overflow *client
	swept    time.Time
}

type client struct {
	bucket *rate.Limiter
	seen   time.Time
}

// newLimiter returns a limiter for l, or nil when l limits nothing.
func newLimiter(l Limit) *limiter {
	if !l.on() {
		return nil
	}
	idle := l.Every * time.Duration(l.Burst)
	if idle < sweepEvery {
		idle = sweepEvery
	}
	return &limiter{limit: l, idle: idle, clients: map[string]*client{}}
}

// wait returns how long the client must wait before its next request: 0
// when it may go now (and the request is counted).
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= sweepEvery {
		l.sweep(now)
	}
	c := l.clients[key]
	if c == nil {
		c = l.newClient(key)
	}
	c.seen = now
	res := c.bucket.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// newClient adds a client, or returns the shared overflow bucket when
// the limiter is full.
func (l *limiter) newClient(key string) *client {
	if len(l.clients) >= maxClients {
		if l.overflow == nil {
			l.overflow = &client{bucket: rate.NewLimiter(rate.Every(l.limit.Every), l.limit.Burst)}
		}
		return l.overflow
	}
	c := &client{bucket: rate.NewLimiter(rate.Every(l.limit.Every), l.limit.Burst)}
	l.clients[key] = c
	return c
}

// sweep forgets the clients idle for longer than it takes their bucket
// to fill.
func (l *limiter) sweep(now time.Time) {
	l.swept = now
	for k, c := range l.clients {
		if now.Sub(c.seen) > l.idle {
			delete(l.clients, k)
		}
	}
	if l.overflow != nil && now.Sub(l.overflow.seen) > l.idle {
		l.overflow = nil
	}
}

// size is how many clients the limiter tracks.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientKey is the client a request is counted against: the remote IP
// address, or its /64 for IPv6 (one host's usual share).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// rateLimited wraps h: a request that counts (when counts says so; nil:
// every request) and comes too soon after the client's others is
// answered 429 with Retry-After. A nil limiter passes everything.
func (s *Server) rateLimited(l *limiter, what string, counts func(*http.Request) bool, h http.HandlerFunc) http.HandlerFunc {
	if l == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if counts == nil || counts(r) {
			if d := l.wait(clientKey(r), time.Now()); d > 0 {
				secs := int(math.Ceil(d.Seconds()))
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				s.signInError(w, r, portal.Errorf(codeTooManyRequests, "too many %s from your address; wait %d seconds and try again", what, secs))
				return
			}
		}
		h(w, r)
	}
}

// isSearch reports whether a list request searches (a non-empty q).
func isSearch(r *http.Request) bool {
	req, err := listQuery(r)
	return err == nil && req.Search != ""
}
