package demo

import (
	"time"

	"portalstudio/backend/portal"
)

// Default sizes, used for a zero Options field.
const (
	DefaultUsers     = 2000
	DefaultCompanies = 200
	DefaultTickets   = 4000
)

// None, given as a size, asks for no records of that kind (0 means the
// default size).
const None = -1

// DefaultNow is the reference time of a zero Options.Now. It is fixed, not
// the clock, so that a seed always gives the same dataset.
var DefaultNow = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// SourceFile is the Source.File of every generated record; Source.Line is
// the record's 1-based position in the stream.
const SourceFile = "demo"

// Options say what to generate.
type Options struct {
	// Users, Companies and Tickets are how many of each to make: 0 means
	// the default (2000 users, 200 companies, 4000 tickets), a negative
	// number (None) means none. Without users there are no tickets, since
	// every ticket has a creator.
	Users, Companies, Tickets int
	// Seed selects the dataset: the same seed and options always give
	// byte-identical records.
	Seed int64
	// Now is the reference time: tickets fall in the two years before it,
	// users in the three years before it. Zero means DefaultNow. It is
	// used at one-second precision.
	Now time.Time
}

// sizes returns the effective sizes.
func (o Options) sizes() (users, companies, tickets int) {
	size := func(n, def int) int {
		switch {
		case n == 0:
			return def
		case n < 0:
			return 0
		}
		return n
	}
	users = size(o.Users, DefaultUsers)
	companies = size(o.Companies, DefaultCompanies)
	tickets = size(o.Tickets, DefaultTickets)
	if users == 0 {
		tickets = 0
	}
	return users, companies, tickets
}

// Generate streams the dataset to fn: first every company, then every user
// (with CompanyIDs), then every ticket (with its Parts, and TicketType set
// on the Record). Each Record and what it points to is freshly allocated,
// so fn may keep it. Generate stops at the first error of fn and returns
// it; it returns no error of its own.
func Generate(opt Options, fn func(portal.Record) error) error {
	g := newGenerator(opt)
	for j := 0; j < g.companies; j++ {
		if err := fn(g.record(portal.Record{Company: g.company(j)})); err != nil {
			return err
		}
	}
	for i := 0; i < g.users; i++ {
		if err := fn(g.record(portal.Record{User: g.user(i)})); err != nil {
			return err
		}
	}
	for i := 0; i < g.tickets; i++ {
		t, typ := g.ticket(i)
		if err := fn(g.record(portal.Record{Ticket: t, TicketType: typ})); err != nil {
			return err
		}
	}
	return nil
}

// Count returns how many records of each kind Generate emits for opt, and
// how many ticket parts they hold in all, without generating them (it
// replays only the draws that decide each ticket's number of parts).
func Count(opt Options) (companies, users, tickets, parts int) {
	g := newGenerator(opt)
	for i := 0; i < g.tickets; i++ {
		parts += g.shape(g.main, i).parts
	}
	return g.companies, g.users, g.tickets, parts
}

// TicketTypes returns the fixed ticket types the generator uses.
func TicketTypes() []portal.TicketType {
	out := make([]portal.TicketType, len(ticketTypes))
	for i, t := range ticketTypes {
		out[i] = t.TicketType
	}
	return out
}

func (g *generator) record(r portal.Record) portal.Record {
	g.line++
	r.Source = portal.Source{File: SourceFile, Line: g.line}
	return r
}
