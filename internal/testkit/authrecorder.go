package testkit

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// AuthRecorder is a server on loopback that records the Authorization
// header of every request it receives (also as an HTTP proxy) and answers
// 401: the place a leaked token would arrive.
type AuthRecorder struct {
	URL  string
	mu   sync.Mutex
	auth []string
}

// NewAuthRecorder starts a recorder, closed when the test ends.
func NewAuthRecorder(tb testing.TB) *AuthRecorder {
	tb.Helper()
	rec := &AuthRecorder{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.auth = append(rec.auth, r.Header.Get("Authorization"))
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error": {"code": "unauthorized", "message": "wrong admin token"}}`))
	}))
	tb.Cleanup(hs.Close)
	rec.URL = hs.URL
	return rec
}

// Seen returns the Authorization headers received so far.
func (rec *AuthRecorder) Seen() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.auth...)
}
