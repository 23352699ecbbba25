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

// internalPartTypes are the part types the customer never sees: notes and
// the helpdesk's own bookkeeping (assignments, snoozes).
var internalPartTypes = map[string]bool{
	"note":                 true,
	"note_and_reopen":      true,
	"assignment":           true,
	"default_assignment":   true,
	"away_mode_assignment": true,
	"assign_and_reopen":    true,
	"assign_and_unsnooze":  true,
	"snoozed":              true,
	"unsnoozed":            true,
	"timer_unsnooze":       true,
}

// CustomerVisible reports whether a part of this type may be shown to the
// customer. Notes never are.
func CustomerVisible(partType string) bool {
	return !internalPartTypes[partType]
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
