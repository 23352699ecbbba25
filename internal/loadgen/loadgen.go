// Package loadgen is a small, bounded HTTP load generator for the portal
// server's benchmarks: loopback only, a fixed duration and a cap on the
// number of requests, so it always stops by itself.
//
// In open-loop mode (Rate > 0) requests are scheduled at a constant rate
// whatever the server's speed, and each latency is measured from the
// moment the request was due, so a server that falls behind shows it in
// its percentiles (no coordinated omission). In closed-loop mode (Rate 0)
// Workers send back to back: the server's maximum throughput at that
// concurrency.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Target is one request to send.
type Target struct {
	Method string // default GET
	Path   string // appended to the base URL
	// Base, when set, is this target's server instead of Options.BaseURL
	// (replicas side by side); it must be a loopback address too.
	Base   string
	Header http.Header
	// Want is the status the answer must have (default 200); any other
	// counts as an error.
	Want int
}

// Options bound a run.
type Options struct {
	// BaseURL is the server's URL; its host must be a loopback address.
	BaseURL string
	// Targets are sent in turn, round robin.
	Targets []Target
	// Rate is the requests per second of an open-loop run; 0 runs closed
	// loop.
	Rate int
	// Workers is how many requests may be in flight (default 64).
	Workers int
	// Duration bounds the run (default 10 s, at most 5 minutes).
	Duration time.Duration
	// MaxRequests bounds the number of requests (default 1,000,000).
	MaxRequests int
}

// Result is what a run measured.
type Result struct {
	Requests   int
	Errors     int // a transport error or an unexpected status
	FirstError string
	Status     map[int]int
	Elapsed    time.Duration
	Throughput float64 // answered requests per second
	P50, P90   time.Duration
	P99, Max   time.Duration
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests in %s: %.0f req/s, p50 %s, p90 %s, p99 %s, max %s, %d errors",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.Throughput, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), r.Errors)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// Run sends the targets to the server until the duration or the request
// cap is reached, or ctx is done.
func Run(ctx context.Context, opt Options) (Result, error) {
	u, err := url.Parse(opt.BaseURL)
	if err != nil {
		return Result{}, err
	}
	if !loopback(u.Hostname()) {
		return Result{}, fmt.Errorf("loadgen: %s is not a loopback address; the load generator only loads this machine", u.Host)
	}
	if len(opt.Targets) == 0 {
		return Result{}, errors.New("loadgen: no targets")
	}
	for _, t := range opt.Targets {
		if t.Base == "" {
			continue
		}
		if u, err := url.Parse(t.Base); err != nil || !loopback(u.Hostname()) {
			return Result{}, fmt.Errorf("loadgen: target base %s is not a loopback address; the load generator only loads this machine", t.Base)
		}
	}
	if opt.Workers <= 0 {
		opt.Workers = 64
	}
	if opt.Duration <= 0 {
		opt.Duration = 10 * time.Second
	}
	opt.Duration = min(opt.Duration, 5*time.Minute)
	if opt.MaxRequests <= 0 {
		opt.MaxRequests = 1_000_000
	}
	tr := &http.Transport{MaxIdleConns: opt.Workers, MaxIdleConnsPerHost: opt.Workers, IdleConnTimeout: 30 * time.Second, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, cancel := context.WithTimeout(ctx, opt.Duration)
	defer cancel()
	type job struct {
		t   *Target
		due time.Time
	}
	jobs := make(chan job, opt.Workers*4)
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, min(opt.MaxRequests, 1<<20))
		res       = Result{Status: map[int]int{}}
	)
	record := func(d time.Duration, status int, err error, want int) {
		mu.Lock()
		defer mu.Unlock()
		latencies = append(latencies, d)
		res.Requests++
		if err == nil {
			res.Status[status]++
			if status != want {
				err = fmt.Errorf("status %d, want %d", status, want)
			}
		}
		if err != nil {
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
		}
	}
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				start := time.Now()
				if !j.due.IsZero() {
					start = j.due
				}
				status, err := send(ctx, client, opt.BaseURL, j.t)
				if ctx.Err() != nil && err != nil {
					continue // cut by the end of the run: not an answer
				}
				want := j.t.Want
				if want == 0 {
					want = http.StatusOK
				}
				record(time.Since(start), status, err, want)
			}
		}()
	}
	began := time.Now()
	if opt.Rate > 0 {
		interval := time.Second / time.Duration(opt.Rate)
		next := began
	open:
		for i := 0; i < opt.MaxRequests; i++ {
			if d := time.Until(next); d > 0 {
				select {
				case <-ctx.Done():
					break open
				case <-time.After(d):
				}
			}
			select {
			case jobs <- job{t: &opt.Targets[i%len(opt.Targets)], due: next}:
			case <-ctx.Done():
				break open
			}
			next = next.Add(interval)
		}
	} else {
	closed:
		for i := 0; i < opt.MaxRequests; i++ {
			select {
			case jobs <- job{t: &opt.Targets[i%len(opt.Targets)]}:
			case <-ctx.Done():
				break closed
			}
		}
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = min(time.Since(began), opt.Duration)
	if res.Elapsed > 0 {
		res.Throughput = float64(res.Requests-res.Errors) / res.Elapsed.Seconds()
	}
	slices.Sort(latencies)
	res.P50, res.P90, res.P99 = pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99)
	if n := len(latencies); n > 0 {
		res.Max = latencies[n-1]
	}
	return res, nil
}

func send(ctx context.Context, c *http.Client, base string, t *Target) (int, error) {
	m := t.Method
	if m == "" {
		m = http.MethodGet
	}
	if t.Base != "" {
		base = t.Base
	}
	req, err := http.NewRequestWithContext(ctx, m, base+t.Path, nil)
	if err != nil {
		return 0, err
	}
	for k, v := range t.Header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// pct returns the q-quantile of sorted durations (nearest rank).
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
