package fake

import (
	"context"

	"portalstudio/backend/portal"
)

var _ portal.CheckStore = (*CheckStore)(nil)

// CheckStore is a portal.CheckStore whose methods call its fields.
type CheckStore struct {
	ChecksFn        func(ctx context.Context) ([]portal.StoredCheck, error)
	AddChecksFn     func(ctx context.Context, texts []string) ([]int, error)
	ReplaceChecksFn func(ctx context.Context, texts []string) ([]int, error)
	RemoveChecksFn  func(ctx context.Context, ids []int) error
}

// Checks calls ChecksFn.
func (s *CheckStore) Checks(ctx context.Context) ([]portal.StoredCheck, error) {
	return s.ChecksFn(ctx)
}

// AddChecks calls AddChecksFn.
func (s *CheckStore) AddChecks(ctx context.Context, texts []string) ([]int, error) {
	return s.AddChecksFn(ctx, texts)
}

// ReplaceChecks calls ReplaceChecksFn.
func (s *CheckStore) ReplaceChecks(ctx context.Context, texts []string) ([]int, error) {
	return s.ReplaceChecksFn(ctx, texts)
}

// RemoveChecks calls RemoveChecksFn.
func (s *CheckStore) RemoveChecks(ctx context.Context, ids []int) error {
	return s.RemoveChecksFn(ctx, ids)
}
