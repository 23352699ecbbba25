package portal

// What the dataset holds, as every part of the product counts and lists it.

// Counts are the sizes of the dataset.
type Counts struct {
	Users       int `json:"users"`
	Companies   int `json:"companies"`
	Tickets     int `json:"tickets"`
	TicketTypes int `json:"ticket_types"`
	// PortalTickets are the shared Customer tickets: the only ones the
	// portal ever shows.
	PortalTickets int `json:"portal_tickets"`
}

// UserSummary is a user as audience lists show them.
type UserSummary struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// ImportReport says what an import did.
type ImportReport struct {
	Contacts  int         `json:"contacts"`
	Companies int         `json:"companies"`
	Tickets   int         `json:"tickets"`
	Parts     int         `json:"parts"`
	Rejected  []Rejection `json:"rejected"`
	// HiddenPartTypes counts, by part_type, the parts of types the product
	// does not know: imported, but hidden from customers (never shown or
	// searched in the portal). Not a rejection.
	HiddenPartTypes map[string]int `json:"hidden_part_types,omitempty"`
	// Committed is true when the records were written.
	Committed bool `json:"committed"`
}

// SnapshotHeader describes a dataset snapshot before its records: how
// many there are, and the attribute schema and ticket types, which
// records alone cannot rebuild exactly (the first type seen for a custom
// attribute is its type, whatever order records come in).
type SnapshotHeader struct {
	Counts      Counts       `json:"counts"`
	Attributes  []Attribute  `json:"attributes"`
	TicketTypes []TicketType `json:"ticket_types"`
}
