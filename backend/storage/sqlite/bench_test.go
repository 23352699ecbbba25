package sqlite_test

import (
	"context"
	"testing"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
)

// BenchmarkImportDemo measures writing a demo dataset of 10,000 users,
// 1,000 companies and 20,000 tickets into a new workspace.
func BenchmarkImportDemo(b *testing.B) {
	opt := demo.Options{Users: 10000, Companies: 1000, Tickets: 20000, Seed: 1}
	for i := 0; i < b.N; i++ {
		ws := MustOpen(b)
		_, err := ws.Import(context.Background(), func(emit func(portal.Record) error) ([]portal.Rejection, error) {
			return nil, demo.Generate(opt, emit)
		}, portal.ImportOptions{Replace: true})
		if err != nil {
			b.Fatal(err)
		}
	}
}
