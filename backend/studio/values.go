package studio

import (
	"context"

	"portalstudio/backend/portal"
)

// AttributeValues suggests values for a condition on a text attribute:
// the workspace's values that begin with prefix (letter case and accents
// aside), each with how many users (a person attribute) or companies (a
// company attribute) hold it, most held first; at most limit (0: 20).
// Returns EINVALID for an attribute that is unknown or not text, or a
// limit above 100.
func (s *Service) AttributeValues(ctx context.Context, attr, prefix string, limit int) ([]portal.ValueCount, error) {
	if limit == 0 {
		limit = 20
	}
	return s.Store.AttributeValues(ctx, attr, prefix, limit)
}
