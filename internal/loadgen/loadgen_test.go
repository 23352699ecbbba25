package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"portalstudio/internal/loadgen"
)

// TestTargetBase: targets with their own base go to their own server
// (replicas side by side), the others to BaseURL; an unexpected status
// counts as an error; a base that is not loopback is refused before any
// request.
func TestTargetBase(t *testing.T) {
	var hitsA, hitsB atomic.Int64
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hitsA.Add(1) }))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hitsB.Add(1)
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer b.Close()
	res, err := loadgen.Run(context.Background(), loadgen.Options{BaseURL: a.URL, Workers: 2, MaxRequests: 30, Duration: 20 * time.Second,
		Targets: []loadgen.Target{{Path: "/"}, {Path: "/", Base: b.URL}, {Path: "/missing", Base: b.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 30 || hitsA.Load() != 10 || hitsB.Load() != 20 {
		t.Fatalf("%d requests, %d to the base, %d to the target's base; want 30, 10, 20", res.Requests, hitsA.Load(), hitsB.Load())
	}
	if res.Errors != 10 || res.Status[http.StatusNotFound] != 10 || !strings.Contains(res.FirstError, "status 404") {
		t.Fatalf("errors %d, statuses %v, first %q; want the 10 answers 404 counted as errors", res.Errors, res.Status, res.FirstError)
	}
	_, err = loadgen.Run(context.Background(), loadgen.Options{BaseURL: a.URL, MaxRequests: 1, Targets: []loadgen.Target{{Path: "/", Base: "http://192.0.2.1:80"}}})
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("a target base off this machine: %v, want a refusal", err)
	}
	if hitsA.Load() != 10 {
		t.Fatalf("the refused run sent %d requests", hitsA.Load()-10)
	}
}
