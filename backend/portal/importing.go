package portal

import "strconv"

// Source is where an imported record came from.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line"` // 1-based line where the record starts
}

// Record is one object read from an import file: exactly one of User,
// Company and Ticket is set. A ticket carries its parts and its type.
type Record struct {
	Source  Source
	User    *User
	Company *Company
	Ticket  *Ticket
	// TicketType is the ticket's type, when the file names one.
	TicketType *TicketType
}

// Kind names the record's object type: "contact", "company" or "ticket".
func (r *Record) Kind() string {
	switch {
	case r.User != nil:
		return "contact"
	case r.Company != nil:
		return "company"
	case r.Ticket != nil:
		return "ticket"
	}
	return ""
}

// ID returns the record's id.
func (r *Record) ID() string {
	switch {
	case r.User != nil:
		return r.User.ID
	case r.Company != nil:
		return r.Company.ID
	case r.Ticket != nil:
		return r.Ticket.ID
	}
	return ""
}

// Rejection is a record that import refused, with why.
type Rejection struct {
	Source
	Kind   string `json:"kind,omitempty"` // contact, company, ticket
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

func (r Rejection) String() string {
	s := r.File
	if r.Line > 0 {
		s += ":" + strconv.Itoa(r.Line)
	}
	if r.Kind != "" {
		s += ": " + r.Kind
		if r.ID != "" {
			s += " " + r.ID
		}
	}
	return s + ": " + r.Reason
}
