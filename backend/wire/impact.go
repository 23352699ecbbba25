package wire

import (
	"time"

	"portalstudio/backend/portal"
)

// ImpactRequest asks whom the draft changes, against the live settings.
type ImpactRequest struct {
	// Group lists the users of this group only ("" for every group).
	Group string `json:"group"`
	// Limit is how many users to list per group (0: 20; at most 1,000).
	Limit int `json:"limit"`
	// Offset skips that many users of each listed group (paging).
	Offset int `json:"offset"`
	// Tickets also counts, for each listed user, the tickets they see
	// before and after (a few index lookups per listed user).
	Tickets bool      `json:"tickets"`
	Now     time.Time `json:"now"`
}

// ImpactGroup is the users of one group: how many, and one page of them
// in workspace order.
type ImpactGroup struct {
	// Sentence says the group with its size: "12 users gain access".
	Sentence string              `json:"sentence"`
	Count    int                 `json:"count"`
	Offset   int                 `json:"offset"`
	Users    []portal.ImpactUser `json:"users"`
}

// ImpactResult is whom the draft changes against the live settings.
type ImpactResult struct {
	LiveVersion int `json:"live_version"`
	// Users is how many users the workspace holds; Changed how many of
	// them the draft changes.
	Users   int                `json:"users"`
	Changed int                `json:"changed"`
	Before  portal.StateCounts `json:"before"`
	After   portal.StateCounts `json:"after"`
	// Summary says it in a sentence: "This change restricts 1,204 users
	// and removes access for 3."
	Summary            string      `json:"summary"`
	GainAccess         ImpactGroup `json:"gain_access"`
	LoseAccess         ImpactGroup `json:"lose_access"`
	BecomeRestricted   ImpactGroup `json:"become_restricted"`
	BecomeUnrestricted ImpactGroup `json:"become_unrestricted"`
}

// Group returns the group of that name, or nil.
func (r *ImpactResult) Group(name string) *ImpactGroup {
	switch name {
	case portal.GainAccess:
		return &r.GainAccess
	case portal.LoseAccess:
		return &r.LoseAccess
	case portal.BecomeRestricted:
		return &r.BecomeRestricted
	case portal.BecomeUnrestricted:
		return &r.BecomeUnrestricted
	}
	return nil
}

// UserImpactRequest asks how the draft changes one user's portal.
type UserImpactRequest struct {
	User string    `json:"user"` // email, id or external_id
	Now  time.Time `json:"now"`
}

// UserImpact is one user's portal under live and under the draft.
type UserImpact struct {
	User          portal.UserSummary `json:"user"`
	Before        string             `json:"before"`
	After         string             `json:"after"`
	Group         string             `json:"group,omitempty"` // "" when unchanged
	TicketsBefore int                `json:"tickets_before"`
	TicketsAfter  int                `json:"tickets_after"`
	// Gained and Lost are how many tickets the user starts and stops
	// seeing (a change of state only adds or removes tickets).
	Gained int `json:"gained"`
	Lost   int `json:"lost"`
}

// ExplainRequest asks why a user does or does not see a ticket.
type ExplainRequest struct {
	User     string    `json:"user"`     // email, id or external_id
	Ticket   string    `json:"ticket"`   // the ticket's id, or its number
	Settings string    `json:"settings"` // draft (default) or live
	Now      time.Time `json:"now"`
}

// ExplainStep is one step of the decision. OK says whether it lets the
// user see the ticket (or, for a step that cannot, whether it is met).
type ExplainStep struct {
	Step string `json:"step"` // portal, access, ticket, restriction, creator, company
	OK   bool   `json:"ok"`
	Text string `json:"text"`
	// Sentence is the step said with the schema's labels (for access and
	// restriction, the condition that decided it and whose value did).
	Sentence string        `json:"sentence,omitempty"`
	Trace    *portal.Trace `json:"trace,omitempty"`
}

// ExplainTicket describes the ticket being explained.
type ExplainTicket struct {
	ID          string `json:"id"`
	TicketID    string `json:"ticket_id"`
	Title       string `json:"title"`
	Category    string `json:"category"`
	IsShared    bool   `json:"is_shared"`
	CompanyID   string `json:"company_id,omitempty"`
	CompanyName string `json:"company_name,omitempty"`
	CreatorID   string `json:"creator_id,omitempty"`
	CreatorName string `json:"creator_name,omitempty"`
}

// ExplainResult says whether the user sees the ticket, in one sentence,
// and why, step by step.
type ExplainResult struct {
	User     UserInfo      `json:"user"`
	Ticket   ExplainTicket `json:"ticket"`
	Settings string        `json:"settings"`
	Visible  bool          `json:"visible"`
	// Tabs are the user's tabs the ticket is listed on.
	Tabs    []string      `json:"tabs"`
	Verdict string        `json:"verdict"`
	Steps   []ExplainStep `json:"steps"`
}

// Kinds of portal tests.
const (
	CheckCanAccess      = "can_access"
	CheckCannotAccess   = "cannot_access"
	CheckRestricted     = "restricted"
	CheckNotRestricted  = "not_restricted"
	CheckSeesTicket     = "sees_ticket"
	CheckNotSeesTicket  = "not_sees_ticket"
	CheckCompanyIsolate = "company_isolation"
	CheckMaxRestricted  = "max_restricted_percent"
	CheckMinAccess      = "min_access"
)

// CheckExample is one kind of portal test as an admin writes it.
type CheckExample struct {
	Kind string // one of the kinds above
	Text string // a sentence of that kind
	Says string // what it expects, in words
}

// CheckExamples holds one sentence of every kind of portal test: the help
// the studio shows and the words of an error about a sentence that is not
// a test. (A test of package studio parses each back to its kind.)
var CheckExamples = []CheckExample{
	{CheckCanAccess, "alice@examply.com can access", "this user may enter the portal"},
	{CheckCannotAccess, "bob@contractor.io cannot access", "this user may not enter the portal"},
	{CheckRestricted, "bob@contractor.io is restricted", "this user sees only the tickets they created"},
	{CheckNotRestricted, "alice@examply.com is not restricted", "this user sees all of their companies' tickets"},
	{CheckSeesTicket, "alice@examply.com sees ticket 1042", "this user finds ticket #1042 in the portal"},
	{CheckNotSeesTicket, "bob@contractor.io does not see ticket 1042", "this user never sees ticket #1042"},
	{CheckCompanyIsolate, "no user of company Acme sees tickets of company Globex", "no one at the first company sees a ticket of the second"},
	{CheckMaxRestricted, "at most 20% of users are restricted", "a ceiling on how many users are restricted"},
	{CheckMinAccess, "at least 100 users have access", "a floor on how many users may enter"},
}

// Check is one portal test: an expectation kept with the workspace.
// Text is its sentence, the form it is written, stored and shown in.
type Check struct {
	ID      int     `json:"id"`
	Text    string  `json:"text"`
	Kind    string  `json:"kind"`
	User    string  `json:"user,omitempty"`
	Ticket  string  `json:"ticket,omitempty"`
	Company string  `json:"company,omitempty"`
	Other   string  `json:"other_company,omitempty"`
	Number  float64 `json:"number,omitempty"`
}

// CheckList is the workspace's portal tests; `check list --json` prints
// it and `check import` reads it back.
type CheckList struct {
	Checks []Check `json:"checks"`
}

// CheckOutcome is one portal test run against a settings document.
type CheckOutcome struct {
	Check
	Pass bool `json:"pass"`
	// Message says what was found: why it passes or, for a failure,
	// what broke it.
	Message string `json:"message"`
}

// CheckReport is every portal test run against one settings document.
type CheckReport struct {
	Settings string         `json:"settings"` // draft, live, or pushed
	Passed   int            `json:"passed"`
	Failed   int            `json:"failed"`
	Results  []CheckOutcome `json:"results"`
}

// Failures returns the failed outcomes.
func (r *CheckReport) Failures() []CheckOutcome {
	var out []CheckOutcome
	for _, o := range r.Results {
		if !o.Pass {
			out = append(out, o)
		}
	}
	return out
}

// CompareRequest asks which tickets one user sees and another does not.
type CompareRequest struct {
	A        string    `json:"a"` // email, id or external_id
	B        string    `json:"b"`
	Settings string    `json:"settings"` // draft (default) or live
	Now      time.Time `json:"now"`
}

// CompareResult is the tickets two users see, compared.
type CompareResult struct {
	A portal.UserSummary `json:"a"`
	B portal.UserSummary `json:"b"`
	// Both is how many tickets both see; OnlyACount and OnlyBCount how
	// many only one of them sees, the first of which are listed.
	Both       int          `json:"both"`
	OnlyACount int          `json:"only_a_count"`
	OnlyBCount int          `json:"only_b_count"`
	OnlyA      []TicketView `json:"only_a"`
	OnlyB      []TicketView `json:"only_b"`
	// Truncated is set when a user sees more tickets than are compared.
	Truncated bool `json:"truncated,omitempty"`
}
