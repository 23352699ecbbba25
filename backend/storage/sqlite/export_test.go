package sqlite

import (
	"context"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
)

// SetFilterMax changes how few candidates make an "all" group test its
// other conditions on the candidates only, and returns a function that
// restores it: tests run both evaluation strategies.
func SetFilterMax(n uint64) (restore func()) {
	old := filterMax
	filterMax = n
	return func() { filterMax = old }
}

// AudienceIDsColumns is AudienceIDs by the in-memory columns only: it
// fails when they are not loaded or do not match the dataset, or cannot
// evaluate the rule, instead of falling back to the SQL path.
func (ws *Workspace) AudienceIDsColumns(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	c := ws.freshColumns(ctx)
	if c == nil {
		return nil, errNoColumns
	}
	set, err := c.Audience(rule, nil, s, now)
	if err != nil {
		return nil, err
	}
	return ws.idsOf(ctx, set)
}

// AudienceIDsSetSQL is AudienceIDs by the indexed SQL set path only.
func (ws *Workspace) AudienceIDsSetSQL(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	set, err := ws.audienceSQL(ctx, rule, nil, s, now, nil)
	if err != nil {
		return nil, err
	}
	return ws.idsOf(ctx, set)
}

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

// SetFirstLimits changes the bounds of the first-users paths (see
// first.go) and returns a function that restores them.
func SetFirstLimits(scanDiv, scanMin, batchMin, driveMax int) (restore func()) {
	restoreScan := audience.SetFirstScan(scanDiv, scanMin)
	c, d := firstBatchMin, firstDriveMax
	firstBatchMin, firstDriveMax = batchMin, driveMax
	return func() { restoreScan(); firstBatchMin, firstDriveMax = c, d }
}

// AudienceFirstSQL is AudienceFirst by SQL only, as ids.
func (ws *Workspace) AudienceFirstSQL(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]string, error) {
	return IDsOf(ws.firstSQL(ctx, rule, except, s, now, n))
}

// AudienceFirstColumns is AudienceFirst by the columns only, as ids.
func (ws *Workspace) AudienceFirstColumns(ctx context.Context, rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]string, error) {
	c := ws.freshColumns(ctx)
	if c == nil {
		return nil, errNoColumns
	}
	seqs, err := c.First(rule, except, s, now, n)
	if err != nil {
		return nil, err
	}
	return IDsOf(ws.summaries(ctx, seqs))
}

// IDsOf returns the ids of users, in order.
func IDsOf(users []portal.UserSummary, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids, nil
}

// AudienceIDsSQLPerUser is AudienceIDsSQL with company conditions
// compiled per user (as the SQL first-users path runs them).
func (ws *Workspace) AudienceIDsSQLPerUser(ctx context.Context, rule *portal.Rule, s *portal.Schema, now time.Time) ([]string, error) {
	return ws.audienceIDsWhere(ctx, rule, s, now, true)
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
