package portal

import (
	"sort"
	"time"
)

// Ticket categories.
const (
	CategoryCustomer   = "Customer"
	CategoryBackOffice = "Back-office"
	CategoryTracker    = "Tracker"
)

// User is a contact of the helpdesk (Intercom's "contact").
type User struct {
	ID         string           `json:"id"`
	ExternalID string           `json:"external_id,omitempty"`
	Email      string           `json:"email,omitempty"`
	Name       string           `json:"name,omitempty"`
	Role       string           `json:"role,omitempty"`
	CreatedAt  time.Time        `json:"created_at,omitzero"`
	SignedUpAt time.Time        `json:"signed_up_at,omitzero"`
	LastSeenAt time.Time        `json:"last_seen_at,omitzero"`
	Custom     map[string]Value `json:"custom_attributes,omitempty"`
	// CompanyIDs are the ids of the companies the user belongs to.
	CompanyIDs []string `json:"company_ids,omitempty"`
}

// Company is a customer organisation.
type Company struct {
	ID           string           `json:"id"`
	CompanyID    string           `json:"company_id,omitempty"`
	Name         string           `json:"name,omitempty"`
	Plan         string           `json:"plan,omitempty"`
	Size         *float64         `json:"size,omitempty"`
	Industry     string           `json:"industry,omitempty"`
	Website      string           `json:"website,omitempty"`
	MonthlySpend *float64         `json:"monthly_spend,omitempty"`
	CreatedAt    time.Time        `json:"created_at,omitzero"`
	Custom       map[string]Value `json:"custom_attributes,omitempty"`
}

// Ticket is a support ticket.
type Ticket struct {
	ID            string    `json:"id"`
	TicketID      string    `json:"ticket_id"`
	Title         string    `json:"title"`
	Description   string    `json:"description,omitempty"`
	Category      string    `json:"category"`
	IsShared      bool      `json:"is_shared"`
	StateCategory string    `json:"state_category,omitempty"`
	StateLabel    string    `json:"state"` // the customer-facing external_label
	TypeID        string    `json:"type_id,omitempty"`
	TypeName      string    `json:"type_name,omitempty"`
	ContactIDs    []string  `json:"contact_ids,omitempty"` // the first is the creator
	CompanyID     string    `json:"company_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Open          bool      `json:"open"`
	Parts         []Part    `json:"parts,omitempty"`
}

// CreatorID returns the id of the contact who created the ticket (the first
// contact), or "".
func (t *Ticket) CreatorID() string {
	if len(t.ContactIDs) == 0 {
		return ""
	}
	return t.ContactIDs[0]
}

// PortalEligible reports whether the ticket may ever appear in the portal:
// a Customer ticket shared with the customer.
func (t *Ticket) PortalEligible() bool {
	return t.Category == CategoryCustomer && t.IsShared
}

// Part is one entry of a ticket's conversation.
type Part struct {
	ID         string    `json:"id"`
	PartType   string    `json:"part_type"`
	Body       string    `json:"body,omitempty"` // HTML
	AuthorType string    `json:"author_type,omitempty"`
	AuthorID   string    `json:"author_id,omitempty"`
	AuthorName string    `json:"author_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// customerPartTypes are the part types a customer sees: an allowlist, so
// a part of a type Intercom adds tomorrow stays hidden until someone
// decides it is meant for customers. "comment" is a message of the
// conversation (the customer's, or a teammate's reply); "quick_reply" a
// teammate's question with answers to pick; "close" a teammate closing
// the ticket, with the message Intercom sends the customer then; "open"
// it being reopened (no body). Types are compared without ASCII case.
var customerPartTypes = map[string]bool{
	"comment":     true,
	"quick_reply": true,
	"close":       true,
	"open":        true,
}

// internalPartTypes are the part types known to be for the team only:
// notes and the helpdesk's own bookkeeping (assignments, snoozes, state and
// attribute changes, whose customer-facing result the ticket page shows
// anyway). Hidden like any type not allowed, they are expected, so an
// import does not report them (see KnownPartType).
var internalPartTypes = map[string]bool{
	"note":                              true,
	"note_and_reopen":                   true,
	"assignment":                        true,
	"default_assignment":                true,
	"away_mode_assignment":              true,
	"assign_and_reopen":                 true,
	"assign_and_unsnooze":               true,
	"snoozed":                           true,
	"unsnoozed":                         true,
	"timer_unsnooze":                    true,
	"ticket_state_updated_by_admin":     true,
	"ticket_state_updated_by_user":      true,
	"ticket_attribute_updated_by_admin": true,
	"ticket_attribute_updated_by_user":  true,
}

// CustomerVisible reports whether a part of this type may be shown to the
// customer: only the types of customerPartTypes, in any ASCII case. Notes
// never are, and neither is a type it does not know.
func CustomerVisible(partType string) bool {
	return customerPartTypes[lowerPartType(partType)]
}

// KnownPartType reports whether the type is one the product knows, shown
// or not; a part of another type is hidden from customers, and an import
// says how many it hid.
func KnownPartType(partType string) bool {
	t := lowerPartType(partType)
	return customerPartTypes[t] || internalPartTypes[t]
}

// lowerPartType lowers the ASCII capitals of a part type only: a type
// spelled with look-alike non-ASCII letters is not the type it mimics.
func lowerPartType(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// TicketType is a kind of ticket, with its category.
type TicketType struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
}

// ValueKind is the type of an attribute or value.
type ValueKind string

// Attribute types.
const (
	KindString  ValueKind = "string"
	KindNumber  ValueKind = "number"
	KindBoolean ValueKind = "boolean"
	KindDate    ValueKind = "date"
)

// Value is a typed attribute value. The zero Value is unset.
type Value struct {
	Kind ValueKind `json:"kind"`
	Str  string    `json:"str,omitempty"`
	Num  float64   `json:"num,omitempty"`
	Bool bool      `json:"bool,omitempty"`
	Time time.Time `json:"time,omitzero"`
}

// IsSet reports whether v holds a value.
func (v Value) IsSet() bool { return v.Kind != "" }

// StringValue returns a string Value, unset for "".
func StringValue(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{Kind: KindString, Str: s}
}

// NumberValue returns a number Value, unset for nil.
func NumberValue(n *float64) Value {
	if n == nil {
		return Value{}
	}
	return Value{Kind: KindNumber, Num: *n}
}

// DateValue returns a date Value, unset for the zero time.
func DateValue(t time.Time) Value {
	if t.IsZero() {
		return Value{}
	}
	return Value{Kind: KindDate, Time: t}
}

// SortTickets sorts tickets as the portal lists them: updated_at newest
// first, then by id for a stable order.
func SortTickets(ts []Ticket) {
	sort.SliceStable(ts, func(i, j int) bool {
		return TicketBefore(&ts[i], &ts[j])
	})
}

// TicketBefore reports whether a is listed before b.
func TicketBefore(a, b *Ticket) bool {
	if !a.UpdatedAt.Equal(b.UpdatedAt) {
		return a.UpdatedAt.After(b.UpdatedAt)
	}
	return a.ID > b.ID
}
