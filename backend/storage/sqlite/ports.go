package sqlite

import "portalstudio/backend/portal"

// The workspace implements every port of the domain (backend/portal): the
// services see it only through them.
var (
	_ portal.Directory     = (*Workspace)(nil)
	_ portal.TicketSearch  = (*Workspace)(nil)
	_ portal.Importer      = (*Workspace)(nil)
	_ portal.Snapshotter   = (*Workspace)(nil)
	_ portal.SettingsStore = (*Workspace)(nil)
	_ portal.CheckStore    = (*Workspace)(nil)
	_ portal.ServerState   = (*Workspace)(nil)

	_ portal.Directory     = (*DirectoryStore)(nil)
	_ portal.Importer      = (*ImportStore)(nil)
	_ portal.SettingsStore = (*SettingsStore)(nil)
	_ portal.CheckStore    = (*CheckStore)(nil)
	_ portal.ServerState   = (*ServerStore)(nil)
	_ portal.TicketSearch  = (*SearchStore)(nil)
	_ portal.Snapshotter   = (*SnapshotStore)(nil)
)

// Location returns the workspace file's path.
func (ws *Workspace) Location() string { return ws.path }

// WorkspaceFile is the workspace's file in a portal server's data folder.
const WorkspaceFile = "workspace.db"

// AudiencePath returns where the audience engine keeps its data for this
// workspace: a file beside it (audience.Options.Path).
func (ws *Workspace) AudiencePath() string { return ws.path + ".audience" }
