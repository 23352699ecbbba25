package demo

import (
	"math"
	"strconv"
	"time"

	"portalstudio/backend/portal"
)

// ticketType is a fixed ticket type with the templates of its tickets.
type ticketType struct {
	portal.TicketType
	voice     int
	templates []ticketTemplate
}

var ticketTypes = []ticketType{
	{portal.TicketType{ID: "2851301", Name: "Bug report", Category: portal.CategoryCustomer}, voiceProblem, bugReports},
	{portal.TicketType{ID: "2851302", Name: "Billing question", Category: portal.CategoryCustomer}, voiceBilling, billingQuestions},
	{portal.TicketType{ID: "2851303", Name: "Feature request", Category: portal.CategoryCustomer}, voiceFeature, featureRequests},
	{portal.TicketType{ID: "2851304", Name: "Account access", Category: portal.CategoryCustomer}, voiceProblem, accountAccess},
	{portal.TicketType{ID: "2851305", Name: "Refund review", Category: portal.CategoryBackOffice}, voiceBilling, refundReviews},
	{portal.TicketType{ID: "2851306", Name: "Contract change", Category: portal.CategoryBackOffice}, voiceBilling, contractChanges},
	{portal.TicketType{ID: "2851307", Name: "Incident", Category: portal.CategoryTracker}, voiceProblem, incidents},
}

// Categories: 70% Customer, 20% Back-office, 10% Tracker; and per category
// the ticket types (indexes into ticketTypes) with their weights.
var (
	categories      = []string{portal.CategoryCustomer, portal.CategoryBackOffice, portal.CategoryTracker}
	categoryWeights = []int{70, 20, 10}
	categoryTypes   = [][]int{{0, 1, 2, 3}, {4, 5}, {6}}
	typeWeights     = [][]int{{40, 20, 20, 20}, {60, 40}, {1}}
)

// Ticket states.
const (
	stateSubmitted = iota
	stateInProgress
	stateWaiting
	stateResolved
)

var states = []struct{ category, label string }{
	{"submitted", "Submitted"},
	{"in_progress", "In progress"},
	{"waiting_on_customer", "Waiting on you"},
	{"resolved", "Resolved"},
}

// State weights by age: fresh tickets are mostly open, old ones resolved.
var (
	stateWeightsFresh  = []int{50, 30, 10, 10} // under 2 days old
	stateWeightsRecent = []int{10, 35, 25, 30} // under 2 weeks
	stateWeightsOld    = []int{2, 5, 5, 88}
)

// Number of parts by state: partMin[state] + a weighted draw. About three
// on average over a whole dataset, from 0 to 8.
var (
	partMin     = []int{0, 1, 2, 0}
	partWeights = [][]int{
		stateSubmitted:  {55, 30, 15},
		stateInProgress: {20, 30, 25, 15, 10},
		stateWaiting:    {25, 30, 25, 12, 8},
		stateResolved:   {4, 12, 26, 24, 14, 9, 6, 3, 2},
	}
)

const maxParts = 8

// noteShare is the share of internal notes among parts, by category.
var noteShare = []float64{0.12, 0.4, 0.4}

// shape is what decides a ticket's part count; Count replays just this.
type shape struct {
	created         int64
	category, state int
	parts           int
}

// shape positions s at the start of ticket i's stream and draws its shape.
func (g *generator) shape(s *stream, i int) shape {
	s.reset(g.seed, saltTicket, i)
	// Creation times grow with the index (ticket numbers are given in
	// order) and volume grows gently over the two years.
	x := (float64(i) + s.Float64()) / float64(g.tickets)
	sh := shape{created: g.ticketStart + int64(math.Pow(x, 0.8)*float64(g.ticketSpan))}
	sh.category = s.weighted(categoryWeights)
	switch age := g.now - sh.created; {
	case age < 2*day:
		sh.state = s.weighted(stateWeightsFresh)
	case age < 14*day:
		sh.state = s.weighted(stateWeightsRecent)
	default:
		sh.state = s.weighted(stateWeightsOld)
	}
	sh.parts = partMin[sh.state] + s.weighted(partWeights[sh.state])
	return sh
}

// pickCreator picks who created a ticket: some users create many tickets,
// and a creator existed when the ticket was created. It returns the user's
// index and person.
func (g *generator) pickCreator(s *stream, created int64) (int, person) {
	for try := 0; try < 10; try++ {
		i := s.skewed(g.users, 1.3)
		if p := g.identity(g.aux, i); p.created <= created {
			return i, p
		}
	}
	// User 0 was created before any ticket.
	return 0, g.identity(g.aux, 0)
}

// Part kinds while building a ticket.
const (
	kindNote = iota
	kindAdmin
	kindCustomer
)

// ticket generates ticket i with its parts, and its type.
func (g *generator) ticket(i int) (*portal.Ticket, *portal.TicketType) {
	s := g.main
	sh := g.shape(s, i)

	creatorIdx, creator := g.pickCreator(s, sh.created)
	company := -1
	if creator.n > 0 && !s.chance(0.05) {
		if creator.n == 1 || s.chance(0.65) {
			company = int(creator.companies[0])
		} else {
			company = int(creator.companies[1+s.IntN(creator.n-1)])
		}
	}
	var shared bool
	if categories[sh.category] == portal.CategoryCustomer {
		shared = s.chance(0.8)
	} else {
		shared = s.chance(0.08)
	}
	typeIdx := categoryTypes[sh.category][s.weighted(typeWeights[sh.category])]
	typ := &ticketTypes[typeIdx]
	tpl := &typ.templates[s.IntN(len(typ.templates))]
	adm := &admins[s.IntN(len(admins))]

	// A colleague sometimes joins the ticket.
	second, secondIdx := person{}, -1
	if s.chance(0.08) && g.users > 1 {
		if j := s.IntN(g.users); j != creatorIdx {
			if p := g.identity(g.aux, j); p.created <= sh.created {
				second, secondIdx = p, j
			}
		}
	}

	companyName := "our company"
	plan := plans[s.IntN(len(plans))]
	if company >= 0 {
		companyName, _, _, _ = g.companyName(company)
		plan = g.companyPlan(company)
	}
	g.fillVars(s, &creator, adm, companyName, plan, sh.created)
	g.buf = appendFill(g.buf[:0], tpl.topic, &g.vars, false)
	g.vars[vTopic] = string(g.buf)

	t := &portal.Ticket{
		ID:            strconv.Itoa(700000001 + i),
		TicketID:      strconv.Itoa(g.firstTicketNumber + i),
		Category:      categories[sh.category],
		IsShared:      shared,
		StateCategory: states[sh.state].category,
		StateLabel:    states[sh.state].label,
		TypeID:        typ.ID,
		TypeName:      typ.Name,
		CreatedAt:     unixTime(sh.created),
		Open:          sh.state != stateResolved,
	}
	t.ContactIDs = make([]string, 1, 2)
	t.ContactIDs[0] = UserID(creatorIdx)
	if secondIdx >= 0 {
		t.ContactIDs = append(t.ContactIDs, UserID(secondIdx))
	}
	if company >= 0 {
		t.CompanyID = CompanyID(company)
	}

	g.buf = appendFill(g.buf[:0], tpl.title, &g.vars, false)
	t.Title = string(g.buf)
	g.buf = appendFill(g.buf[:0], tpl.descs[s.IntN(len(tpl.descs))], &g.vars, false)
	closer := s.IntN(len(customerClosers))
	if categories[sh.category] == portal.CategoryCustomer && s.chance(0.5) {
		g.buf = append(g.buf, ' ')
		g.buf = appendFill(g.buf, customerClosers[closer], &g.vars, false)
	}
	t.Description = string(g.buf)

	last := g.parts(s, t, sh, &creator, creatorIdx, &second, secondIdx, adm, typ.voice, company >= 0)

	// The state last changed shortly after the last activity.
	t.UpdatedAt = unixTime(min(last+s.Int64N(600), g.now))
	tt := typ.TicketType
	return t, &tt
}

// fillVars draws the placeholder values of one ticket.
func (g *generator) fillVars(s *stream, creator *person, adm *admin, company, plan string, created int64) {
	v := &g.vars
	v[vFirst] = creator.firstName()
	v[vAdmin] = adm.first
	v[vAdmin2] = admins[(adm.index+1+s.IntN(len(admins)-1))%len(admins)].first
	area := areas[s.IntN(len(areas))]
	v[vArea], v[vAreaLower] = area[0], area[1]
	v[vCode] = httpCodes[s.IntN(len(httpCodes))]
	v[vErr] = errCodes[s.IntN(len(errCodes))]
	v[vIntegration] = integrations[s.IntN(len(integrations))]
	v[vBrowser] = browsers[s.IntN(len(browsers))]
	v[vPlan] = plan
	p2 := plans[(planIndex(plan)+1+s.IntN(len(plans)-1))%len(plans)]
	v[vPlan2] = p2
	v[vMonth] = time.Month(1 + (int(unixTime(created).Month())+11-s.IntN(2))%12).String()
	v[vN] = smallCounts[s.IntN(len(smallCounts))]
	v[vMB] = fileSizes[s.IntN(len(fileSizes))]
	g.buf = strconv.AppendInt(append(g.buf[:0], "INV-"...), int64(100000+s.IntN(900000)), 10)
	v[vInvoice] = string(g.buf)
	v[vIdp] = idps[s.IntN(len(idps))]
	v[vCity] = cities[s.IntN(len(cities))]
	v[vEng] = strconv.Itoa(1000 + s.IntN(9000))
	v[vCompany] = company
	v[vEndpoint] = endpoints[s.IntN(len(endpoints))]
	v[vArticle] = articles[s.IntN(len(articles))]
}

func planIndex(plan string) int {
	for i, p := range plans {
		if p == plan {
			return i
		}
	}
	return 0
}

// parts generates the conversation of t and returns the time of its last
// activity (its creation when it has no parts).
func (g *generator) parts(s *stream, t *portal.Ticket, sh shape, creator *person, creatorIdx int,
	second *person, secondIdx int, adm *admin, voice int, hasCompany bool) int64 {
	n := sh.parts
	if n == 0 {
		return sh.created
	}

	// Who writes each part: internal notes (12% on Customer tickets, 40%
	// on internal ones, ~20% overall); comments alternate
	// between support and customer, support first, except that nobody
	// from support has answered a submitted ticket yet.
	var kinds [maxParts]int
	lastComment := -1
	nextAdmin := sh.state != stateSubmitted
	for k := 0; k < n; k++ {
		if s.chance(noteShare[sh.category]) {
			kinds[k] = kindNote
			continue
		}
		if nextAdmin {
			kinds[k] = kindAdmin
		} else {
			kinds[k] = kindCustomer
		}
		if sh.state != stateSubmitted && s.chance(0.8) {
			nextAdmin = !nextAdmin
		}
		lastComment = k
	}
	// The last word fits the state: support asks when waiting on the
	// customer, and mostly closes resolved tickets.
	switch sh.state {
	case stateWaiting:
		if lastComment >= 0 {
			kinds[lastComment] = kindAdmin
		}
	case stateResolved:
		if lastComment >= 0 && s.chance(0.7) {
			kinds[lastComment] = kindAdmin
		}
	}

	// Gaps: notes come quickly, support answers within hours, customers
	// within a day; squeezed to fit before now.
	var gaps [maxParts]int64
	var total int64
	for k := 0; k < n; k++ {
		mean := 12 * 3600.0
		switch kinds[k] {
		case kindNote:
			mean = 1800
		case kindAdmin:
			mean = 5 * 3600
		}
		gaps[k] = 30 + int64(s.ExpFloat64()*mean)
		total += gaps[k]
	}
	if window := (g.now - sh.created) * 9 / 10; total > window {
		scale := float64(window) / float64(total)
		for k := 0; k < n; k++ {
			gaps[k] = max(1, int64(float64(gaps[k])*scale))
		}
	}

	t.Parts = make([]portal.Part, n)
	at := sh.created
	adminSpoke := false
	for k := 0; k < n; k++ {
		at += gaps[k]
		p := &t.Parts[k]
		g.partSeq++
		p.ID = strconv.FormatInt(1000000000+g.partSeq, 10)
		p.CreatedAt = unixTime(at)
		var body tmpl
		v := &voices[voice]
		switch kinds[k] {
		case kindNote:
			p.PartType = "note"
			p.AuthorType, p.AuthorID, p.AuthorName = "admin", adm.id, adm.name
			if s.chance(0.5) {
				body = v.notes[s.IntN(len(v.notes))]
			} else if n := s.IntN(len(genericNotes)); n > 0 || hasCompany {
				body = genericNotes[n]
			} else {
				body = genericNotes[1]
			}
		case kindAdmin:
			p.PartType = "comment"
			p.AuthorType, p.AuthorID, p.AuthorName = "admin", adm.id, adm.name
			switch {
			case k == lastComment && sh.state == stateWaiting:
				body = v.adminWaiting[s.IntN(len(v.adminWaiting))]
			case k == lastComment && sh.state == stateResolved:
				body = v.adminResolved[s.IntN(len(v.adminResolved))]
			case !adminSpoke:
				body = v.adminFirst[s.IntN(len(v.adminFirst))]
			default:
				body = v.adminFollowUp[s.IntN(len(v.adminFollowUp))]
			}
			adminSpoke = true
		default:
			p.PartType = "comment"
			p.AuthorType = "user"
			if secondIdx >= 0 && s.chance(0.3) {
				p.AuthorID, p.AuthorName = UserID(secondIdx), g.personName(second)
			} else {
				p.AuthorID, p.AuthorName = UserID(creatorIdx), g.personName(creator)
			}
			switch {
			case k == lastComment && sh.state == stateResolved:
				body = customerThanks[s.IntN(len(customerThanks))]
			case s.chance(0.015):
				body = customerOddities[s.IntN(len(customerOddities))]
			default:
				body = v.customer[s.IntN(len(v.customer))]
			}
		}
		g.buf = appendFill(g.buf[:0], body, &g.vars, true)
		p.Body = string(g.buf)
	}
	return at
}
