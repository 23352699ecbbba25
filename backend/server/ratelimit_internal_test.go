package server

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestLimiterMemory: a flood of clients (one request each from a new
// address) never grows a limiter past maxClients, and idle clients are
// forgotten.
func TestLimiterMemory(t *testing.T) {
	l := newLimiter(Limit{Every: time.Second, Burst: 2})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxClients+500; i++ {
		l.wait("10."+strconv.Itoa(i>>16)+"."+strconv.Itoa(i>>8&255)+"."+strconv.Itoa(i&255), t0)
	}
	if n := l.size(); n != maxClients {
		t.Fatalf("%d clients tracked, want at most %d", n, maxClients)
	}
	// The 500 clients past the bound shared one bucket (a burst of 2): a
	// new one is limited too.
	if d := l.wait("192.0.2.1", t0); d == 0 {
		t.Fatal("the shared overflow bucket let another request through at once")
	}
	// Later than the idle time, everyone is forgotten.
	l.wait("198.51.100.1", t0.Add(2*sweepEvery))
	if n := l.size(); n != 1 {
		t.Fatalf("%d clients tracked after they went idle, want 1", n)
	}
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.5:4000":            "203.0.113.5",
		"[2001:db8:1:2:3:4:5:6]:4000": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ff::1]:1":      "2001:db8:1:2::/64",
		"[::ffff:203.0.113.5]:4000":   "203.0.113.5",
	} {
		r := &http.Request{RemoteAddr: addr}
		if got := clientKey(r); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
}
