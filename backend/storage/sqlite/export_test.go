package sqlite

import (
	"context"

	"portalstudio/backend/audience"
)

// SetFirstScan changes how many users the engine's first-users path
// tests before it computes the whole set, and returns a function that
// restores it.
func SetFirstScan(div, min int) (restore func()) { return audience.SetFirstScan(div, min) }

// SetColFilterDiv changes how few candidates (rows/div) make an "all"
// group of the column path test the rest user by user, and returns a
// function that restores it.
func SetColFilterDiv(div int) (restore func()) { return audience.SetFilterDiv(div) }

// SetColumnForms forces the forms of the columns read next: strings in
// an arena (not a dictionary), layout 1 dense / 2 sparse (0: the smaller),
// fixed-width arenas whenever possible (when a layout is forced) or
// never, numbers as float64. It returns a function that restores the
// automatic choice.
func SetColumnForms(arena bool, layout int, noFixed, float bool) (restore func()) {
	return audience.ForceForms(arena, layout, noFixed, float)
}

// CountSQL runs a query of one integer (a count), for the benchmarks'
// hand-written naive SQL.
func (ws *Workspace) CountSQL(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := ws.db.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// StringsSQL runs a query of one text column, for the benchmarks'
// hand-written naive SQL.
func (ws *Workspace) StringsSQL(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := ws.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// JournalMode returns the workspace's journal mode.
func (ws *Workspace) JournalMode(ctx context.Context) (string, error) {
	var mode string
	err := ws.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	return mode, err
}

// SetSeqsDenseMin changes how many values the SQL path reads into a dense
// bitmap first, and returns a function that restores it.
func SetSeqsDenseMin(n int) (restore func()) {
	old := seqsDenseMin
	seqsDenseMin = n
	return func() { seqsDenseMin = old }
}

// CellsDrift returns the cells of ticket_cells that differ from a count
// of the tickets, one per line ("" when they agree).
func (ws *Workspace) CellsDrift(ctx context.Context) (string, error) {
	var drift string
	err := ws.db.QueryRowContext(ctx, `WITH counted AS (
			SELECT company_id, state_category, type_id, count(*) AS n FROM tickets
			WHERE company_id IS NOT NULL AND category = 'Customer' AND is_shared = 1
			GROUP BY company_id, state_category, type_id),
		both AS (
			SELECT k.company_id, k.state_category, k.type_id, k.n AS kept, c.n AS counted FROM ticket_cells k
			LEFT JOIN counted c USING (company_id, state_category, type_id)
			UNION ALL
			SELECT c.company_id, c.state_category, c.type_id, NULL, c.n FROM counted c
			WHERE NOT EXISTS (SELECT 1 FROM ticket_cells k WHERE k.company_id = c.company_id AND k.state_category = c.state_category AND k.type_id = c.type_id))
		SELECT coalesce(group_concat(company_id || ' ' || state_category || ' ' || type_id || ': ' || coalesce(kept, 'none') || ' kept, ' ||
			coalesce(counted, 'none') || ' counted', char(10)), '') FROM both WHERE kept IS NOT counted`).Scan(&drift)
	return drift, err
}

// PageCacheUse returns the lines of SQLite's page-cache region
// (pagecache.go), how many hold a page now, and the bytes of pages
// allocated elsewhere.
func PageCacheUse() (lines, used int, overflow int64) {
	used, overflow = pageCacheUse()
	return pageCacheLines, used, overflow
}

// SearchBuildPath is the file beside a workspace that a bulk load builds
// its search index in (searchbuild.go).
var SearchBuildPath = searchBuildPath

// CheckSearchIndex runs FTS5's own check of the search index's
// structure.
func (ws *Workspace) CheckSearchIndex(ctx context.Context) error {
	_, err := ws.db.ExecContext(ctx, `INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 0)`)
	return err
}

// ReadChecks returns how many times the read cache asked SQLite whether
// anything was committed.
func (ws *Workspace) ReadChecks() int {
	ws.rc.checkMu.Lock()
	defer ws.rc.checkMu.Unlock()
	return ws.rc.checks
}

// StablePlansOn reports whether a new SQLite connection has the query
// planner stability guarantee on (planner.go).
func StablePlansOn() bool { return stablePlansOn() }

// MemoryCounted reports whether SQLite counts the memory it holds.
func MemoryCounted() bool { return memoryCounted() }

// PlanOf returns the lines of SQLite's plan of query (EXPLAIN QUERY
// PLAN) with args bound, on one of the workspace's connections.
func (ws *Workspace) PlanOf(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := ws.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}
