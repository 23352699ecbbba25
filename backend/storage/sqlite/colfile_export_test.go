package sqlite

import (
	"context"
	"time"
)

// RewriteColumnsFile builds the columns from SQL and writes them beside
// the workspace, n times (a test of writes interrupted by SIGKILL),
// calling ready before the first write.
func (ws *Workspace) RewriteColumnsFile(ctx context.Context, n int, ready func()) error {
	_, c, err := ws.readColumns(ctx)
	if err != nil {
		return err
	}
	ready()
	for i := 0; i < n; i++ {
		if err := ws.writeColumnsFile(c); err != nil {
			return err
		}
	}
	return nil
}

// Generation returns the dataset's generation.
func (ws *Workspace) Generation(ctx context.Context) (string, error) { return generation(ctx, ws.db) }

// SetStaleTemp changes the age past which a temporary file of the
// audience data is removed.
func SetStaleTemp(d time.Duration) (restore func()) {
	old := staleTemp
	staleTemp = d
	return func() { staleTemp = old }
}
