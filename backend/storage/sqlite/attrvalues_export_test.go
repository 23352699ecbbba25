package sqlite

import (
	"context"
	"database/sql"
)

// RefreshAttributeValues refills the suggested values in a transaction of
// its own, as every import does at its end: the benchmarks time it.
func (ws *Workspace) RefreshAttributeValues(ctx context.Context) error {
	return ws.tx(ctx, func(tx *sql.Tx) error { return refreshAttributeValues(ctx, tx) })
}
