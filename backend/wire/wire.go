// Package wire holds the requests and answers that Portal Studio's
// operations exchange: the command line prints them as JSON, the desktop
// bindings and the browser bridge carry them, and the portal server sends
// them. Pure Go with no cgo, so the WebAssembly UI shares them.
package wire

import (
	"time"

	"portalstudio/backend/portal"
)

// AudienceRequest asks who a rule of the settings matches.
type AudienceRequest struct {
	Of       string `json:"of"`       // access (default) or visibility
	Settings string `json:"settings"` // draft (default) or live
	Limit    int    `json:"limit"`    // how many users to list; default 20
	// ListOnly lists the first users without counting them all (the
	// result's Count is then -1): at a million users, the first page of a
	// list comes faster than its count.
	ListOnly bool `json:"list_only,omitempty"`
}

// AudienceResult is how many users match and the first of them.
type AudienceResult struct {
	Of   string `json:"of"`
	Rule string `json:"rule"` // the rule, as written
	// Sentence is the rule with the schema's labels: "Plan is Pro".
	Sentence string               `json:"sentence,omitempty"`
	Count    int                  `json:"count"` // -1: not counted (ListOnly)
	Users    []portal.UserSummary `json:"users"`
	// Note explains an audience that is empty for a reason other than the
	// rule's conditions (no rule, visibility off).
	Note string `json:"note,omitempty"`
}

// DiffResult is the draft settings against the live ones.
type DiffResult struct {
	Changed     bool   `json:"changed"`
	LiveVersion int    `json:"live_version"`
	Unified     string `json:"unified"` // a unified line diff, "" when equal
	// Summary says the changes in sentences, one per area ("Access: now
	// also users whose department is IT."), shown above the diff.
	Summary []string `json:"summary"`
}

// PreviewRequest asks for the portal as one user sees it.
type PreviewRequest struct {
	User     string    `json:"user"`     // email, id or external_id
	Tab      string    `json:"tab"`      // all or mine; default: the user's first tab
	Search   string    `json:"search"`   // search terms, or ""
	Cursor   string    `json:"cursor"`   // the next page of a previous answer
	Limit    int       `json:"limit"`    // tickets per page; default 20
	Settings string    `json:"settings"` // draft (default) or live
	Now      time.Time `json:"now"`      // the time of the preview; default now
	// The list's filters and order, under the portal API's query
	// parameters' names: state, type, created_after, created_before,
	// sort, order (portal.ParseTicketFilter reads them from a URL).
	portal.TicketFilter
}

// UserInfo describes the previewed user.
type UserInfo struct {
	ID         string        `json:"id"`
	ExternalID string        `json:"external_id,omitempty"`
	Email      string        `json:"email"`
	Name       string        `json:"name"`
	Companies  []CompanyInfo `json:"companies"`
}

// CompanyInfo names one of the user's companies.
type CompanyInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TicketView is a ticket as the portal lists it.
type TicketView struct {
	ID        string    `json:"id"`
	TicketID  string    `json:"ticket_id"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by,omitempty"`
	Preview   *Snippet  `json:"preview,omitempty"`
}

// Snippet is the Preview column of a search result.
type Snippet struct {
	Snippet string `json:"snippet"` // HTML: escaped text with <mark> around matches
	Author  string `json:"author"`
	Ago     string `json:"ago"`
}

// PreviewResult is the portal as the user sees it, with why.
type PreviewResult struct {
	User             UserInfo `json:"user"`
	Settings         string   `json:"settings"`
	Access           bool     `json:"access"`
	AccessReason     string   `json:"access_reason"`
	Restricted       bool     `json:"restricted"`
	RestrictedReason string   `json:"restricted_reason"`
	// AccessSentence and RestrictedSentence are the same decisions said
	// with the schema's labels and the values that decided them ("Has
	// access: Plan is Pro — Acme has Pro."), as the studio shows them.
	AccessSentence     string       `json:"access_sentence,omitempty"`
	RestrictedSentence string       `json:"restricted_sentence,omitempty"`
	Tabs               []string     `json:"tabs"`
	Tab                string       `json:"tab,omitempty"`
	Search             string       `json:"search,omitempty"`
	Tickets            []TicketView `json:"tickets"`
	Total              int          `json:"total"`
	Next               string       `json:"next,omitempty"`
	// Filter is the filter and order the list is in, as applied.
	Filter portal.TicketFilter `json:"filter"`
	// Facets counts the tab's tickets per state and type (see Facets);
	// empty without access.
	Facets   Facets          `json:"facets"`
	Decision portal.Decision `json:"decision"`
}

// Facets counts a list's tickets per state category and per type, each
// with the list's other filters (and search) applied: the state counts
// ignore the state filter, the type counts the type filter; only the
// tickets the user sees on the tab count (portal.Facets says it all).
type Facets struct {
	// State has every state category (submitted, in_progress,
	// waiting_on_customer, resolved), 0 included.
	State map[string]int `json:"state"`
	// Type has every type of the tab's tickets (matching the search),
	// whatever their state and dates, by name then id; counts may be 0.
	Type []TypeFacet `json:"type"`
}

// TypeFacet is how many tickets of a list are of one type.
type TypeFacet struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// FacetsOf returns the wire form of a store's facets.
func FacetsOf(f portal.Facets) Facets {
	out := Facets{State: map[string]int{}, Type: []TypeFacet{}}
	for _, s := range portal.StateCategories {
		out.State[s] = f.State[s]
	}
	for _, t := range f.Types {
		out.Type = append(out.Type, TypeFacet{ID: t.ID, Name: t.Name, Count: t.Count})
	}
	return out
}

// TicketRequest asks for one ticket's page as a user sees it.
type TicketRequest struct {
	User     string    `json:"user"`      // email, id or external_id
	TicketID string    `json:"ticket_id"` // the ticket's id, or its number (ticket_id) when no id matches
	Settings string    `json:"settings"`  // draft (default) or live
	Now      time.Time `json:"now"`
	// By says which wins when TicketID is both a ticket's id and another's
	// number, both visible to the user: "" or "id" the id's, "number" the
	// number's (the portal's pages, which address tickets by number).
	By string `json:"by,omitempty"`
}

// TicketDetail is a ticket's page in the portal.
type TicketDetail struct {
	TicketView
	Description string     `json:"description"`
	Open        bool       `json:"open"`
	TypeName    string     `json:"type_name"`
	Parts       []PartView `json:"parts"`
}

// PartView is one customer-visible part of a ticket's conversation.
type PartView struct {
	ID         string    `json:"id"`
	Author     string    `json:"author"`
	AuthorType string    `json:"author_type"`
	Body       string    `json:"body"` // plain text: the HTML body reduced to text
	CreatedAt  time.Time `json:"created_at"`
	Ago        string    `json:"ago"`
}

// Samples are users picked to show both sides of the visibility settings.
type Samples struct {
	// Restricted has access and sees only their own tickets.
	Restricted *portal.UserSummary `json:"restricted"`
	// Unrestricted has access and sees all their company's tickets.
	Unrestricted *portal.UserSummary `json:"unrestricted"`
	// NoAccess does not match the access rule.
	NoAccess *portal.UserSummary `json:"no_access"`
	// Pairs are the examples that show what restricting does, the best
	// first: the Preview cycles through them. Restricted and
	// Unrestricted are the first pair's when there is one.
	Pairs []SamplePair `json:"pairs,omitempty"`
}

// SamplePair is a restricted user whose companies have tickets they cannot
// see, beside an unrestricted colleague of one of those companies, who
// sees them.
type SamplePair struct {
	Restricted   *portal.UserSummary `json:"restricted"`
	Unrestricted *portal.UserSummary `json:"unrestricted"`
	// Company is the company they share: its name, else its id.
	Company string `json:"company"`
	// Hidden is how many tickets of the restricted user's companies they
	// did not create, so cannot see.
	Hidden int `json:"hidden"`
}
