package wire

import (
	"encoding/json"

	"portalstudio/backend/portal"
)

// The answers of settings sync with the portal server (package sync), as
// the command line, the desktop bindings and the UI carry them.

// Change is a field that one side changed and the other did not: the
// merge takes it.
type SyncChange struct {
	Path string          `json:"path"`
	Side string          `json:"side"` // TakeLive or TakeDraft: who changed it
	From json.RawMessage `json:"from"`
	To   json.RawMessage `json:"to"`
}

// Conflict is a field both sides changed, differently.
type SyncConflict struct {
	Path  string          `json:"path"`
	Base  json.RawMessage `json:"base"`
	Live  json.RawMessage `json:"live"`
	Draft json.RawMessage `json:"draft"`
}

// Merge is a three-way merge of settings documents.
type SyncMerge struct {
	// Merged is the result, when there is no conflict or take chose a
	// side for every conflict; nil otherwise.
	Merged *portal.Settings `json:"-"`
	// Changes are the fields only one side changed, in path order.
	Changes []SyncChange `json:"changes"`
	// Conflicts are the fields both sides changed, in path order.
	Conflicts []SyncConflict `json:"conflicts"`
	// LiveDiff and DraftDiff are unified line diffs of the canonical
	// documents: base to live, and base to draft.
	LiveDiff  string `json:"live_diff"`
	DraftDiff string `json:"draft_diff"`
	// LiveSummary and DraftSummary say the same changes in sentences
	// (backend/portal/words), one per area.
	LiveSummary  []string `json:"live_summary"`
	DraftSummary []string `json:"draft_summary"`
}

// PullResult says what a pull did.
type PullResult struct {
	Server string `json:"server"`
	// PreviousVersion is the version of the live copy before the pull.
	PreviousVersion int `json:"previous_version"`
	// LiveVersion is the version pulled.
	LiveVersion int    `json:"live_version"`
	PortalURL   string `json:"portal_url"`
	// DraftFollowed is true when the draft had no local edits and now
	// equals the new live settings; DraftKept when it had edits and was
	// kept as it was (push merges them).
	DraftFollowed bool `json:"draft_followed"`
	DraftKept     bool `json:"draft_kept"`
	// Data is the report of the dataset import (pull --data).
	Data *portal.ImportReport `json:"data,omitempty"`
}

// PushResult says what a push did.
type PushResult struct {
	Server string `json:"server"`
	// BaseVersion is the live version the draft was based on.
	BaseVersion int `json:"base_version"`
	// Version is the new live version, when the push went through.
	Version int  `json:"version"`
	Pushed  bool `json:"pushed"`
	// NothingToPush: the draft has no edits against its base.
	NothingToPush bool `json:"nothing_to_push"`
	// Merge is the three-way merge, when the server had moved on.
	Merge *SyncMerge `json:"merge,omitempty"`
	// LiveVersion is the server's version the draft was merged with.
	LiveVersion int `json:"live_version,omitempty"`
	// Checks is the portal tests' report on the last document checked.
	Checks *CheckReport `json:"checks,omitempty"`
	// ChecksOverridden is true when tests failed and the push went on.
	ChecksOverridden bool `json:"checks_overridden,omitempty"`
}

// Status is where a workspace stands with its portal server.
type SyncStatus struct {
	// Server is the URL remembered for the workspace, or "".
	Server string `json:"server"`
	// HasToken is true when an admin token is remembered; TokenIn says
	// where (InKeyring or InFile).
	HasToken bool   `json:"has_token"`
	TokenIn  string `json:"token_in,omitempty"`
	// Connected: both are known, so pull and push need nothing more.
	Connected bool `json:"connected"`
	// LiveVersion is the version of the workspace's live copy (0 before
	// the first sync).
	LiveVersion int `json:"live_version"`
}
