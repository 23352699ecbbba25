package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"portalstudio/backend/portal"
)

// ParseTrustedProxies reads serve's --trusted-proxy: comma-separated
// CIDRs or single addresses.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, portal.Errorf(portal.EINVALID, "--trusted-proxy %q is neither a CIDR (10.0.0.0/8) nor an IP address.", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// forwarded wraps h: a request from a trusted proxy carries, as its
// RemoteAddr, the client X-Forwarded-For names (the right-most address
// that is not a trusted proxy); any other request is left as it came,
// its X-Forwarded-For ignored.
func (s *Server) forwarded(h http.Handler) http.Handler {
	if len(s.trusted) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := s.forwardedClient(r); ok {
			r = r.WithContext(r.Context())
			r.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		h.ServeHTTP(w, r)
	})
}

// forwardedClient is the client a trusted proxy's request is for; false
// when the peer is no trusted proxy, or the header names no client (an
// unreadable entry ends the walk: the proxy is then the client).
func (s *Server) forwardedClient(r *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !s.isTrusted(peer.Addr()) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		if a = a.Unmap(); !s.isTrusted(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// isTrusted reports whether a is a trusted proxy's address.
func (s *Server) isTrusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
