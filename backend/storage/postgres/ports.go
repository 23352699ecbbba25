package postgres

import "portalstudio/backend/portal"

// The store implements every port of the domain (backend/portal).
var (
	_ portal.Directory     = (*Store)(nil)
	_ portal.TicketSearch  = (*Store)(nil)
	_ portal.Importer      = (*Store)(nil)
	_ portal.Snapshotter   = (*Store)(nil)
	_ portal.SettingsStore = (*Store)(nil)
	_ portal.CheckStore    = (*Store)(nil)
	_ portal.ServerState   = (*Store)(nil)
	_ portal.Prefetcher    = (*Store)(nil)
)
