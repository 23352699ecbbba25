package studio

import (
	"context"
	"fmt"

	"portalstudio/backend/portal/words"
	"portalstudio/backend/textdiff"
	"portalstudio/backend/wire"
)

// Diff compares the draft settings with the live copy the workspace last
// synced, as a unified line diff of their canonical JSON.
func (s *Service) Diff(ctx context.Context) (*wire.DiffResult, error) {
	draft, err := s.Store.Draft(ctx)
	if err != nil {
		return nil, err
	}
	live, err := s.Store.Live(ctx)
	if err != nil {
		return nil, err
	}
	a, b := *live, *draft
	a.Version, b.Version = 0, 0
	u := textdiff.Unified(string(a.Canonical()), string(b.Canonical()),
		fmt.Sprintf("live (version %d)", live.Version), "draft", 3)
	schema, err := s.Store.Schema(ctx)
	if err != nil {
		return nil, err
	}
	summary := words.Changes(live, draft, schema)
	if summary == nil {
		summary = []string{}
	}
	return &wire.DiffResult{Changed: u != "", LiveVersion: live.Version, Unified: u, Summary: summary}, nil
}
