package remote_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"portalstudio/backend/portal"
	"portalstudio/backend/remote"
	"portalstudio/internal/testkit"
)

// dialRecorder is a transport that records every request it is asked to
// send and sends none: it proves whether a connection would be made.
type dialRecorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

var errNotSent = errors.New("recorded, not sent")

func (d *dialRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reqs = append(d.reqs, r)
	return nil, errNotSent
}

func (d *dialRecorder) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.reqs)
}

// The attack: the server answers every request with a redirect to another
// port of the same host, where a recorder waits for the admin token. Go's
// client keeps Authorization on a same-host redirect; the sync client
// follows no redirect at all, with its own HTTP client or the caller's,
// and names the address it was pointed to.
func TestRedirectCarriesNoToken(t *testing.T) {
	ctx := context.Background()
	rec := testkit.NewAuthRecorder(t)
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, rec.URL+r.URL.Path, code)
		}))
		defer redirector.Close()
		for _, hc := range []*http.Client{nil, {}, http.DefaultClient} {
			c, err := remote.NewClient(redirector.URL, "secret-admin-token")
			if err != nil {
				t.Fatal(err)
			}
			c.HTTP = hc
			_, err = c.Live(ctx)
			if portal.ErrorCode(err) != portal.EPRECONDITION || !strings.Contains(err.Error(), "redirect to "+rec.URL+"/api/v1/settings") ||
				!strings.Contains(err.Error(), "("+rec.URL+") as --server") {
				t.Errorf("%d redirect: %v", code, err)
			}
		}
	}
	if got := rec.Seen(); len(got) != 0 {
		t.Fatalf("the recorder at the redirect's target received %d requests, Authorization %q", len(got), got)
	}
}

// The attack: plain http to another machine would carry the admin token
// across the network in clear text. NewClient refuses it, and so does a
// Client made by hand, before any connection is attempted.
func TestPlainHTTPRefused(t *testing.T) {
	for _, u := range []string{"http://example.com", "http://10.1.2.3:8080", "HTTP://10.1.2.3:8080/", "http://localhost.example.com",
		"http://127.0.0.1.nip.io", "http://[2001:db8::1]:8080", "http://0.0.0.0:8080"} {
		_, err := remote.NewClient(u, "secret-admin-token")
		if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "use https://") || !strings.Contains(err.Error(), "--insecure") {
			t.Errorf("NewClient(%q): %v", u, err)
		}
	}
	rt := &dialRecorder{}
	c := &remote.Client{URL: "http://10.1.2.3:8080", Token: "secret-admin-token", HTTP: &http.Client{Transport: rt}}
	if _, err := c.Live(context.Background()); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "--insecure") {
		t.Errorf("a hand-made client over plain http: %v", err)
	}
	if n := rt.count(); n != 0 {
		t.Fatalf("%d requests were handed to the transport", n)
	}
}
