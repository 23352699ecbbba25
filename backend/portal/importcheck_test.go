package portal_test

import (
	"testing"

	"portalstudio/backend/portal"
)

// TestRecordChecks: the store-independent checks of an imported record
// and the reasons the stores report.
func TestRecordChecks(t *testing.T) {
	ticket := func(id, number, category string) portal.Record {
		return portal.Record{Ticket: &portal.Ticket{ID: id, TicketID: number, Category: category}}
	}
	for _, c := range []struct {
		rec        portal.Record
		problem    string
		field, key string
		takenByX   string
	}{
		{portal.Record{User: &portal.User{ID: "u1", ExternalID: "e1"}}, "", "external_id", "e1", `external_id "e1" already belongs to contact x`},
		{portal.Record{User: &portal.User{ID: " "}}, "id is missing", "external_id", "", `external_id "" already belongs to contact x`},
		{portal.Record{Company: &portal.Company{ID: "c1", CompanyID: "k"}}, "", "company_id", "k", `company_id "k" already belongs to company x`},
		{portal.Record{Company: &portal.Company{}}, "id is missing", "company_id", "", `company_id "" already belongs to company x`},
		{ticket("t1", "7", portal.CategoryCustomer), "", "ticket_id", "7", `ticket_id "7" already belongs to ticket x`},
		{ticket("t1", "7", portal.CategoryTracker), "", "ticket_id", "7", `ticket_id "7" already belongs to ticket x`},
		{ticket("t1", "7", portal.CategoryBackOffice), "", "ticket_id", "7", `ticket_id "7" already belongs to ticket x`},
		{ticket("", "7", portal.CategoryCustomer), "id is missing", "ticket_id", "7", `ticket_id "7" already belongs to ticket x`},
		{ticket("t1", "", portal.CategoryCustomer), "ticket_id is missing", "ticket_id", "", `ticket_id "" already belongs to ticket x`},
		{ticket("t1", "7", "Nope"), `category "Nope" is not one of Customer, Back-office, Tracker`, "ticket_id", "7", `ticket_id "7" already belongs to ticket x`},
		{portal.Record{}, "the record holds no contact, company or ticket", "", "", ""},
	} {
		field, key := c.rec.UniqueKey()
		if got := c.rec.Problem(); got != c.problem || field != c.field || key != c.key || (c.field != "" && c.rec.KeyTaken("x") != c.takenByX) {
			t.Errorf("%+v: problem %q, key %s=%q, taken %q; want %q, %s=%q, %q", c.rec, got, field, key, c.rec.KeyTaken("x"), c.problem, c.field, c.key, c.takenByX)
		}
	}
}
