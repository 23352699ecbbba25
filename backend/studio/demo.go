package studio

import (
	"context"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
)

// Demo replaces the workspace's dataset with a generated demo dataset (in
// one transaction) and gives a never-edited draft the demo settings.
// progress, when set, is called now and then with the records written and
// the total.
func (s *Service) Demo(ctx context.Context, opt demo.Options, progress func(done, total int)) (portal.ImportReport, error) {
	nc, nu, nt, _ := demo.Count(opt)
	total := nc + nu + nt
	if progress != nil {
		progress(0, total)
	}
	rep, err := s.Store.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		// Import runs the generator on its own goroutine, a batch ahead
		// of the writer.
		return nil, demo.Generate(opt, emit)
	}, portal.ImportOptions{Replace: true, Progress: func(n int) {
		if progress != nil {
			progress(n, total)
		}
	}})
	if rep.Rejected == nil {
		rep.Rejected = []portal.Rejection{}
	}
	if err != nil {
		return rep, err
	}
	if progress != nil {
		progress(total, total)
	}
	return rep, s.SeedDemoSettings(ctx)
}
