package portal

// A user's state in the portal under one settings document.
const (
	StateNone = "none" // no access
	StateAll  = "all"  // access, sees all of their companies' tickets
	StateOwn  = "own"  // access, restricted to the tickets they created
)

// The impact groups: every user whose state differs between the live
// settings and the draft is in exactly one.
const (
	GainAccess         = "gain_access"         // none → all or own
	LoseAccess         = "lose_access"         // all or own → none
	BecomeRestricted   = "become_restricted"   // all → own
	BecomeUnrestricted = "become_unrestricted" // own → all
)

// ImpactGroups are the groups in the order they are shown.
var ImpactGroups = []string{GainAccess, LoseAccess, BecomeRestricted, BecomeUnrestricted}

// StateCounts counts the users in each state.
type StateCounts struct {
	None int `json:"none"`
	All  int `json:"all"`
	Own  int `json:"own"`
}

// ImpactUser is one user of an impact group.
type ImpactUser struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Before string `json:"before"` // none, all or own
	After  string `json:"after"`
	// TicketsBefore and TicketsAfter are how many tickets the user sees
	// in the portal (every tab) under live and under the draft, when
	// asked for.
	TicketsBefore *int `json:"tickets_before,omitempty"`
	TicketsAfter  *int `json:"tickets_after,omitempty"`
	// Sentence says the change: "Ana had no access; now sees all company
	// tickets (0 tickets → 12 tickets)."
	Sentence string `json:"sentence,omitempty"`
}

// TicketCounts are how many portal tickets a user's tabs hold.
type TicketCounts struct {
	Mine int // created by the user
	All  int // of the user's companies, plus created by the user
}
