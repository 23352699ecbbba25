package frontend

import (
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The JSON the bindings exchange, as the UI reads and writes it. Each type
// mirrors the studio type of the same name.

// Counts are the sizes of the dataset.
type Counts = portal.Counts

// Overview describes the open workspace.
type Overview struct {
	Path       string                                 `json:"path"`
	Name       string                                 `json:"name"`
	Counts     Counts                                 `json:"counts"`
	Attributes []portal.Attribute                     `json:"attributes"`
	Operators  map[portal.ValueKind][]portal.Operator `json:"operators"`
}

// UserSummary is a user as lists show them.
type UserSummary = portal.UserSummary

// AudienceRequest asks who a rule of the draft matches.
type AudienceRequest = wire.AudienceRequest

// AudienceResult is how many users match and the first of them.
type AudienceResult = wire.AudienceResult

// DiffResult is the draft against the live settings.
type DiffResult = wire.DiffResult

// Samples are users picked to show both sides of the visibility settings.
type Samples = wire.Samples

// PreviewRequest asks for the portal as one user sees it.
type PreviewRequest = wire.PreviewRequest

// CompanyInfo names one of the user's companies.
type CompanyInfo = wire.CompanyInfo

// UserInfo describes the previewed user.
type UserInfo = wire.UserInfo

// Snippet is the Preview column of a search result. Snippet is HTML: text
// escaped by the backend, with <mark> around the matches.
type Snippet = wire.Snippet

// TicketView is a ticket as the portal lists it.
type TicketView = wire.TicketView

// PreviewResult is the portal as the user sees it, with why.
type PreviewResult = wire.PreviewResult

// TicketRequest asks for one ticket's page as a user sees it.
type TicketRequest = wire.TicketRequest

// PartView is one customer-visible part of a ticket's conversation.
type PartView = wire.PartView

// TicketDetail is a ticket's page in the portal.
type TicketDetail = wire.TicketDetail

// ImportReport says what an import (or demo generation) did.
type ImportReport = portal.ImportReport

// DemoRequest sizes a demo dataset.
type DemoRequest struct {
	Users     int   `json:"users"`
	Companies int   `json:"companies"`
	Tickets   int   `json:"tickets"`
	Seed      int64 `json:"seed"`
}

// JobProgress is how far a long job has come.
type JobProgress struct {
	Running bool   `json:"running"`
	What    string `json:"what"`
	Done    int64  `json:"done"`
	Total   int64  `json:"total"`
}

// WireError is an error from the backend: a code and a sentence, with the
// JSON path of each validation problem.
type WireError struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Problems []portal.Problem `json:"problems,omitempty"`
}

func (e *WireError) Error() string { return e.Message }

// Error codes the UI treats specially.
const (
	codeCanceled = "canceled"
	codeInvalid  = "invalid"
	codeInternal = "internal"
	// A push refused for the admin to choose: conflicts, failing tests.
	codeConflict     = "conflict"
	codePrecondition = "precondition"
)

// The customer portal's pages read these from the portal server's JSON
// API (package backend/server).

// SessionInfo answers a sign-in (POST /portal/<slug>/session).
type SessionInfo struct {
	User      UserInfo  `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
}

// HelpCenterPage is the Help Center homepage: its visible sections in
// their saved order (GET /portal/<slug>/api/help-center).
type HelpCenterPage struct {
	Sections []HelpSection `json:"sections"`
}

// HelpSection is one section of the Help Center homepage. URL is set on
// the Customer portal card: the portal URL.
type HelpSection struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	URL   string `json:"url,omitempty"`
}

// MessengerPage is the Messenger's tickets space (GET
// /portal/<slug>/api/messenger). PortalURL is set when the banner linking
// to the portal shows: the tickets space is on and the portal enabled.
type MessengerPage struct {
	TicketsSpace bool   `json:"tickets_space"`
	PortalURL    string `json:"portal_url,omitempty"`
	// For a signed-in user: their own tickets, the newest of Total.
	SignedIn bool         `json:"signed_in"`
	Tickets  []TicketView `json:"tickets,omitempty"`
	Total    int          `json:"total,omitempty"`
}

// SyncStatus is where the workspace stands with its portal server.
type SyncStatus = wire.SyncStatus

// PullResult says what a pull did.
type PullResult = wire.PullResult

// SyncChange is a field only one side changed since the common base.
type SyncChange = wire.SyncChange

// SyncConflict is a field both the server and the draft changed.
type SyncConflict = wire.SyncConflict

// SyncMerge is a push's three-way merge: base→live and base→draft as
// unified line diffs, what merged and what conflicts.
type SyncMerge = wire.SyncMerge

// PushResult says what a push did.
type PushResult = wire.PushResult

// SyncPushAnswer is a push's result and, when nothing was pushed, why.
type SyncPushAnswer struct {
	Result  *PushResult `json:"result"`
	Refused *WireError  `json:"refused,omitempty"`
}
