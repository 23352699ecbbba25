package demo_test

import (
	"testing"
	"time"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
)

// BenchmarkGenerate generates a 1% slice of the full size (1,000,000 users,
// 100,000 companies, 2,000,000 tickets) with a callback that does nothing,
// and reports the projected time of the full size.
func BenchmarkGenerate(b *testing.B) {
	opt := demo.Options{Users: 10000, Companies: 1000, Tickets: 20000, Seed: 1}
	_, _, _, parts := demo.Count(opt)
	discard := func(portal.Record) error { return nil }
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		if err := demo.Generate(opt, discard); err != nil {
			b.Fatal(err)
		}
		n++
	}
	per := time.Since(start) / time.Duration(n)
	b.ReportMetric(float64(parts), "parts/op")
	b.ReportMetric((per * 100).Seconds(), "s-projected-full-size")
}

// BenchmarkCount measures Count at the full size.
func BenchmarkCount(b *testing.B) {
	opt := demo.Options{Users: 1000000, Companies: 100000, Tickets: 2000000, Seed: 1}
	for b.Loop() {
		demo.Count(opt)
	}
}
