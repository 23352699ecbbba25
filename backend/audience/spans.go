package audience

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The long scans (a string column's values, the users' first companies)
// are split over the cores: each span is a run of whole 64-row words, so
// the spans set bits in words of their own and never share one.
var (
	// spanMin is how many rows a scan must cover to be split.
	spanMin = 1 << 16
	// spanWays is into how many spans at most.
	spanWays = runtime.GOMAXPROCS(0)
)

// inSpans calls fn over [0, n) in spans of whole words, on goroutines of
// their own when there are several (n at least spanMin, several cores),
// and returns when every span is done.
func inSpans(n int, fn func(lo, hi int)) {
	words := (n + 63) / 64
	ways := min(spanWays, words)
	if n < spanMin || ways < 2 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < ways; i++ {
		lo, hi := words*i/ways*64, min(n, words*(i+1)/ways*64)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, min(n, words/ways*64))
	wg.Wait()
}

// onCores calls fn(i) for every i in [0, n), on as many goroutines as
// there are cores, each taking the next i until none is left, and
// returns when all are done.
func onCores(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
