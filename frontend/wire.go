package frontend

import (
	"time"

	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The JSON the bindings exchange, as the UI reads and writes it. Each type
// mirrors the studio type of the same name.

// Overview describes the open workspace.
type Overview struct {
	Path       string                                 `json:"path"`
	Name       string                                 `json:"name"`
	Counts     portal.Counts                          `json:"counts"`
	Attributes []portal.Attribute                     `json:"attributes"`
	Operators  map[portal.ValueKind][]portal.Operator `json:"operators"`
}

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
	// Reason is why the portal server refused a sign-in or a session
	// (wire.Refused…).
	Reason string `json:"reason,omitempty"`
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
	User      wire.UserInfo `json:"user"`
	ExpiresAt time.Time     `json:"expires_at"`
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
	SignedIn bool              `json:"signed_in"`
	Tickets  []wire.TicketView `json:"tickets,omitempty"`
	Total    int               `json:"total,omitempty"`
}

// CustomerList is one page of the portal's list (GET
// /portal/<slug>/api/tickets) with its facets.
type CustomerList struct {
	wire.PreviewResult
	// Facets counts the tab's tickets per state category and per type,
	// each with the other filters (and the search) applied: the state
	// counts ignore the state filter, the type counts the type filter.
	// Nil from a server that does not count them.
	Facets *ListFacets `json:"facets,omitempty"`
}

// ListFacets is the list's counts per state category (submitted,
// in_progress, waiting_on_customer, resolved) and per type.
type ListFacets struct {
	State map[string]int `json:"state"`
	Type  []TypeCount    `json:"type"`
}

// TypeCount is how many tickets of the list are of one type.
type TypeCount struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// SyncPushAnswer is a push's result and, when nothing was pushed, why.
type SyncPushAnswer struct {
	Result  *wire.PushResult `json:"result"`
	Refused *WireError       `json:"refused,omitempty"`
}
