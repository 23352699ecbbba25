package frontend

import (
	"portalstudio/backend/portal"
	"portalstudio/backend/wire"
)

// The states the action handlers set and the components observe. Values
// are never changed in place: a handler builds a new value and sets it.
const (
	stateOverview   = "studio.overview"
	stateDraft      = "studio.draft"
	stateAccess     = "studio.audience.access"
	stateRestricted = "studio.audience.visibility"
	stateDiff       = "studio.diff"
	statePreview    = "studio.preview"
	stateData       = "studio.data"
)

// Status is where a loaded thing stands.
type Status int

// Statuses.
const (
	NotLoaded Status = iota
	Loading
	Failed
	Loaded
)

// overviewState is the workspace summary.
type overviewState struct {
	Status Status
	Data   *Overview
	Err    *WireError
}

// draftState is the draft settings as the admin edits them. Settings is
// the UI's copy, the truth for rendering; every edit gets the next Seq and
// is saved (ApplySettings) after a short debounce.
type draftState struct {
	Status   Status
	Err      *WireError // loading failed
	Settings *portal.Settings
	Seq      int // the latest edit
	Saved    int // the latest edit saved to the draft
	Saving   bool
	// Problems are the validation problems of the latest save, each with
	// its JSON path; the draft keeps its previous content meanwhile.
	Problems []portal.Problem
	SaveErr  *WireError // a save failed for another reason
	// PortalErr is the sentence under the Enable toggle when enabling was
	// refused, or when the portal was turned off because a prerequisite
	// was (each unmet prerequisite). The next edit clears it.
	PortalErr string
	// Confirmed is set by "Save and set live" once the draft is saved.
	Confirmed bool
}

// problemAt returns the message of the problem at path, or "".
func (d draftState) problemAt(path string) string {
	for _, p := range d.Problems {
		if p.Path == path {
			return p.Message
		}
	}
	return ""
}

// problemsUnder returns the problems at or inside path.
func (d draftState) problemsUnder(path string) []portal.Problem {
	var out []portal.Problem
	for _, p := range d.Problems {
		if p.Path == path || len(p.Path) > len(path) && p.Path[:len(path)] == path && (p.Path[len(path)] == '.' || p.Path[len(path)] == '[') {
			out = append(out, p)
		}
	}
	return out
}

// audienceState is the live preview of one audience (access, or who is
// restricted).
type audienceState struct {
	Status Status
	Seq    int // the request that produced Result
	Result *wire.AudienceResult
	Err    *WireError
}

// diffState is the draft against live.
type diffState struct {
	Status Status
	Data   *wire.DiffResult
	Err    *WireError
}

// previewState holds the two side-by-side panes of the Preview page.
type previewState struct {
	Samples *wire.Samples
	// Example is the pair of Samples.Pairs last put side by side.
	Example int
	Panes   [2]paneState
}

// paneState is one user's portal in the Preview page.
type paneState struct {
	User         *portal.UserSummary // the previewed user; nil before one is picked
	Status       Status
	Seq          int
	Result       *wire.PreviewResult
	Err          *WireError
	Tab          string
	Search       string
	Filter       listFilter // the list's filters and order, as the portal's address holds them
	More         bool       // a next page is loading
	Query        string
	Found        []portal.UserSummary // user search results
	Ticket       *wire.TicketDetail   // the open ticket's page
	TicketStatus Status
	TicketErr    *WireError
}

// dataState is the Data page: the running job, its progress and report.
type dataState struct {
	Running  bool
	What     string
	Progress JobProgress
	Report   *portal.ImportReport
	Err      *WireError
	Done     string // a sentence once a job finished
	// Files is an import's report per file, in the order imported.
	Files []fileReport
}

// fileReport is what importing one file did: its report, or why it was
// not imported (nothing of it was).
type fileReport struct {
	Name   string
	Report *portal.ImportReport
	Err    *WireError
}

// clean reports whether the import went through without a failed file or
// a rejected record.
func (d dataState) clean() bool {
	for _, f := range d.Files {
		if f.Err != nil || f.Report != nil && len(f.Report.Rejected) > 0 {
			return false
		}
	}
	return d.Report == nil || len(d.Report.Rejected) == 0
}
