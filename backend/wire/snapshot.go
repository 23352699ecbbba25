package wire

import "portalstudio/backend/portal"

// SnapshotType and SnapshotFormat mark the first line of a snapshot.
const (
	SnapshotType   = "portalstudio.snapshot"
	SnapshotFormat = 1
)

// SnapshotHeader is the first line of GET /api/v1/snapshot. The lines
// after it are Intercom REST API objects (companies, contacts, tickets),
// which intercom.Read imports like any helpdesk export.
type SnapshotHeader struct {
	Type   string `json:"type"`   // SnapshotType
	Format int    `json:"format"` // SnapshotFormat
	portal.SnapshotHeader
}
