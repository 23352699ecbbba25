package studio

import (
	"context"

	"portalstudio/backend/demo"
	"portalstudio/backend/portal"
	"portalstudio/backend/storage/sqlite"
)

// Demo replaces the workspace's dataset with a generated demo dataset (in
// one transaction) and gives a never-edited draft the demo settings.
// progress, when set, is called now and then with the records written and
// the total.
func (s *Service) Demo(ctx context.Context, opt demo.Options, progress func(done, total int)) (sqlite.ImportReport, error) {
	nc, nu, nt, _ := demo.Count(opt)
	total := nc + nu + nt
	if progress != nil {
		progress(0, total)
	}
	rep, err := s.WS.Import(ctx, func(emit func(portal.Record) error) ([]portal.Rejection, error) {
		return nil, generateAhead(ctx, opt, emit)
	}, sqlite.ImportOptions{Replace: true, Progress: func(n int) {
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

// generateAhead runs the generator on its own goroutine, a batch of
// records ahead of emit, so generating and writing use both cores.
func generateAhead(ctx context.Context, opt demo.Options, emit func(portal.Record) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	recs := make(chan portal.Record, 4096)
	genErr := make(chan error, 1)
	go func() {
		defer close(recs)
		genErr <- demo.Generate(opt, func(r portal.Record) error {
			select {
			case recs <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for r := range recs {
		if err := emit(r); err != nil {
			cancel()
			for range recs {
			}
			<-genErr
			return err
		}
	}
	return <-genErr
}
