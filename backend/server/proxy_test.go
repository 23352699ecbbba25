package server_test

import (
	"net/http"
	"net/netip"
	"strconv"
	"testing"

	"portalstudio/backend/server"
)

// signInAttempts posts n forged sign-ins with that X-Forwarded-For (none
// when empty) and returns the last answer's status.
func signInAttempts(t *testing.T, f *fixture, n int, xff string) int {
	t.Helper()
	var last response
	for i := 0; i < n; i++ {
		h := []string{"Content-Type", "application/json"}
		if xff != "" {
			h = append(h, "X-Forwarded-For", xff)
		}
		last = do(t, "POST", f.url+"/portal/acme/session", jsonBody(map[string]string{"token": "forged." + strconv.Itoa(i) + ".x"}), h...)
	}
	return last.status
}

// TestTrustedProxy: X-Forwarded-For names the client only when the
// connection comes from a trusted proxy.
func TestTrustedProxy(t *testing.T) {
	limits := func(trusted ...string) func(*server.Config) {
		return func(c *server.Config) {
			c.RateLimits = server.DefaultRateLimits
			for _, p := range trusted {
				c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(p))
			}
		}
	}
	t.Run("SpoofedFromUntrustedPeer", func(t *testing.T) {
		// The test client (loopback) is no trusted proxy: an attacker
		// changing X-Forwarded-For each time stays one client.
		f := newFixture(t, limits("10.0.0.0/8"))
		for i := 0; i < 10; i++ {
			if st := signInAttempts(t, f, 1, "203.0.113."+strconv.Itoa(i+1)); st != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, st)
			}
		}
		if st := signInAttempts(t, f, 1, "198.51.100.7"); st != http.StatusTooManyRequests {
			t.Fatalf("the 11th attempt with a new forwarded address: %d, want 429", st)
		}
	})
	t.Run("TwoClientsBehindTrustedProxy", func(t *testing.T) {
		f := newFixture(t, limits("127.0.0.0/8", "10.0.0.0/8"))
		// The right-most untrusted address is the client: what it put
		// on the left itself does not count, nor do trusted hops.
		if st := signInAttempts(t, f, 11, "1.2.3.4, 203.0.113.1, 10.1.1.1"); st != http.StatusTooManyRequests {
			t.Fatalf("client 1's 11th attempt: %d, want 429", st)
		}
		if st := signInAttempts(t, f, 1, "9.9.9.9, 203.0.113.1"); st != http.StatusTooManyRequests {
			t.Fatalf("client 1 with a forged left-most address: %d, want 429", st)
		}
		if st := signInAttempts(t, f, 10, "203.0.113.2"); st != http.StatusUnauthorized {
			t.Fatalf("client 2 (its own limit): %d, want 401", st)
		}
		// Without the header, the proxy itself is the client.
		if st := signInAttempts(t, f, 10, ""); st != http.StatusUnauthorized {
			t.Fatalf("the proxy's own requests: %d, want 401", st)
		}
	})
}
