package testkit

import (
	"fmt"
	"math/rand/v2"
	"time"

	"portalstudio/backend/portal"
)

// TicketChurn makes random imports that move tickets about: between
// companies (or none), states, types, the Customer and Back-office
// categories and sharing, new ids and ids seen before, an id twice in
// one import. Its users (some in several companies, one in none) see
// them on their tabs.
type TicketChurn struct {
	r         *rand.Rand
	number    int
	Companies []string
	// Users are the users' ids and their companies.
	Users map[string][]string
	// At is when the tickets are made (the latest creation date).
	At time.Time
}

// NewTicketChurn returns a churn drawn from r.
func NewTicketChurn(r *rand.Rand, at time.Time) *TicketChurn {
	return &TicketChurn{r: r, At: at, Companies: []string{"c0", "c1", "c2", "c3"},
		Users: map[string][]string{"u0": {"c0", "c1"}, "u1": {"c1", "c2", "c3"}, "u2": nil, "u3": {"c3"}}}
}

// Base returns the companies and the users: the records every replacing
// import starts with.
func (c *TicketChurn) Base() []portal.Record {
	var recs []portal.Record
	for _, id := range c.Companies {
		recs = append(recs, portal.Record{Company: &portal.Company{ID: id, Name: "Company " + id}})
	}
	for _, id := range []string{"u0", "u1", "u2", "u3"} {
		recs = append(recs, portal.Record{User: &portal.User{ID: id, Email: id + "@examply.com", CompanyIDs: c.Users[id]}})
	}
	return recs
}

// Ticket returns a random record of the ticket with that id.
func (c *TicketChurn) Ticket(id string) portal.Record {
	r := c.r
	c.number++
	states := []string{"submitted", "in_progress", "waiting_on_customer", "resolved"}
	state := states[r.IntN(len(states))]
	typ := fmt.Sprint(90 + r.IntN(3))
	t := &portal.Ticket{ID: id, TicketID: fmt.Sprint(c.number), Title: "Ticket " + id, Category: "Customer", IsShared: r.IntN(6) > 0,
		StateCategory: state, StateLabel: state, TypeID: typ, TypeName: "Type " + typ,
		ContactIDs: []string{fmt.Sprint("u", r.IntN(4))}, CreatedAt: c.At.Add(-time.Duration(r.IntN(1000)) * time.Hour), Open: state != "resolved"}
	t.UpdatedAt = t.CreatedAt.Add(time.Duration(r.IntN(100)) * time.Hour)
	if r.IntN(8) == 0 {
		t.Category = "Back-office"
	}
	if r.IntN(6) > 0 {
		t.CompanyID = c.Companies[r.IntN(len(c.Companies))]
	}
	return portal.Record{Ticket: t}
}

// Round returns 1 to max random ticket records, their ids among the
// first ids ones ("t0"…): tickets seen before, new ones, and the same id
// twice.
func (c *TicketChurn) Round(max, ids int) []portal.Record {
	var recs []portal.Record
	for range 1 + c.r.IntN(max) {
		recs = append(recs, c.Ticket(fmt.Sprint("t", c.r.IntN(ids))))
	}
	return recs
}
