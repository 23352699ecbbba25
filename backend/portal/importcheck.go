package portal

import (
	"fmt"
	"strings"
)

// This file holds the checks of an imported record that do not depend on
// the store: a store rejects a record with Problem's reason, then with
// KeyTaken's when another object holds its UniqueKey (looked up in its
// own tables and among the records before it).

// Problem returns why the record cannot be imported whatever the
// workspace holds, or "": its id is missing; a ticket without a
// ticket_id or of an unknown category; a record with no object.
func (r *Record) Problem() string {
	switch {
	case r.User != nil:
		if strings.TrimSpace(r.User.ID) == "" {
			return "id is missing"
		}
	case r.Company != nil:
		if strings.TrimSpace(r.Company.ID) == "" {
			return "id is missing"
		}
	case r.Ticket != nil:
		t := r.Ticket
		if strings.TrimSpace(t.ID) == "" {
			return "id is missing"
		}
		if t.TicketID == "" {
			return "ticket_id is missing"
		}
		switch t.Category {
		case CategoryCustomer, CategoryBackOffice, CategoryTracker:
		default:
			return fmt.Sprintf("category %q is not one of Customer, Back-office, Tracker", t.Category)
		}
	default:
		return "the record holds no contact, company or ticket"
	}
	return ""
}

// UniqueKey returns the record's key that no second object of its kind
// may hold, and its field: a contact's external_id, a company's
// company_id, a ticket's ticket_id. The value is "" when it has none.
func (r *Record) UniqueKey() (field, value string) {
	switch {
	case r.User != nil:
		return "external_id", r.User.ExternalID
	case r.Company != nil:
		return "company_id", r.Company.CompanyID
	case r.Ticket != nil:
		return "ticket_id", r.Ticket.TicketID
	}
	return "", ""
}

// KeyTaken is the rejection reason of a record whose unique key the
// object other (its id) holds.
func (r *Record) KeyTaken(other string) string {
	field, value := r.UniqueKey()
	return fmt.Sprintf("%s %q already belongs to %s %s", field, value, r.Kind(), other)
}
