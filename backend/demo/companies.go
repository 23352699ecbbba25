package demo

import (
	"strconv"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

const day = 86400 // seconds

// generator holds what every record derives from, plus reusable scratch
// space. It keeps nothing per record.
type generator struct {
	seed                      uint64
	now                       int64 // unix seconds
	users, companies, tickets int
	names                     permutation // over firstNames × lastNames
	brandNames                permutation // over brands × descriptors
	words                     *wordLists
	main                      *stream // the record being generated
	aux                       *stream // records looked up meanwhile
	buf                       []byte
	vars                      [numVars]string
	line                      int
	partSeq                   int64
	ticketStart, ticketSpan   int64
	firstTicketNumber         int
}

func newGenerator(opt Options) *generator {
	g := &generator{seed: uint64(opt.Seed), main: newStream(), aux: newStream(), words: words()}
	g.users, g.companies, g.tickets = opt.sizes()
	now := opt.Now
	if now.IsZero() {
		now = DefaultNow
	}
	g.now = now.Unix()
	g.names = newPermutation(len(firstNames)*len(lastNames), g.seed, saltNames)
	g.brandNames = newPermutation(len(g.words.brands)*len(descriptors), g.seed, saltBrands)
	// Tickets are created over the two years before now, the last one at
	// least an hour before now so that its replies fit before now too.
	g.ticketStart = g.now - 730*day
	g.ticketSpan = 730*day - 3600
	g.firstTicketNumber = 1001
	g.buf = make([]byte, 0, 512)
	return g
}

// unixTime converts unix seconds to a UTC time.
func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// Id prefixes: ten hex digits, followed by fourteen of the index. They look
// like Intercom's 24-hex-digit ids and never collide across kinds.
const (
	companyIDPrefix = "65a1c3e0b7"
	userIDPrefix    = "6762f0d01b"
)

const hexDigits = "0123456789abcdef"

func hexID(prefix string, n int) string {
	var b [24]byte
	copy(b[:], prefix)
	u := uint64(n)
	for k := 23; k >= len(prefix); k-- {
		b[k] = hexDigits[u&15]
		u >>= 4
	}
	return string(b[:])
}

// paddedID returns prefix and n with at least six digits: "cmp_000123".
func paddedID(prefix string, n int) string {
	var b [32]byte
	out := append(b[:0], prefix...)
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(n), 10)
	for k := len(d); k < 6; k++ {
		out = append(out, '0')
	}
	out = append(out, d...)
	return string(out)
}

// CompanyID returns the id of company j (0-based).
func CompanyID(j int) string { return hexID(companyIDPrefix, j) }

// UserID returns the id of user i (0-based).
func UserID(i int) string { return hexID(userIDPrefix, i) }

// companyName returns the name and domain of company j, and the region and
// industry they imply ("" when they imply none). It depends only on the
// seed and j.
func (g *generator) companyName(j int) (name, domain, region, industry string) {
	if j < len(famousCompanies) {
		c := famousCompanies[j]
		return c.name, c.domain, c.region, c.industry
	}
	k := j - len(famousCompanies)
	m := len(g.words.brands) * len(descriptors)
	round := k / m
	combo := g.brandNames.at(k % m)
	b, d := combo/len(descriptors), combo%len(descriptors)
	desc := descriptors[d]
	var nb, db []byte
	nb = append(nb, g.words.brands[b]...)
	db = append(db, g.words.brandsFolded[b]...)
	if desc.word != "" {
		nb = append(append(nb, ' '), desc.word...)
		db = append(append(db, '-'), strings.ToLower(desc.word)...)
	}
	switch {
	case round == 0:
		tld := roundZeroTLDs[hashOf(g.seed, saltBrands, k)%uint64(len(roundZeroTLDs))]
		db = append(append(db, '.'), tld...)
	case round <= len(legalSuffixes):
		l := legalSuffixes[round-1]
		nb = append(nb, l.name...)
		db = append(append(db, '.'), l.tld...)
		region = l.region
	default:
		nb = strconv.AppendInt(append(nb, ' '), int64(round), 10)
		db = append(strconv.AppendInt(db, int64(round), 10), ".com"...)
	}
	return string(nb), string(db), region, desc.industry
}

// companyPlan returns the plan of company j: 45% Starter, 30% Pro, 15%
// Premium, 10% Enterprise.
func (g *generator) companyPlan(j int) string {
	if j < len(fixedCompanies) {
		return fixedCompanies[j].plan
	}
	r := int(hashOf(g.seed, saltCompany^saltHash, j) % 100)
	for p, c := range planCumulative {
		if r < c {
			return plans[p]
		}
	}
	return plans[0]
}

// companyCreated returns when company j was created: four months to ten
// years before now.
func (g *generator) companyCreated(j int) int64 {
	if j < len(fixedCompanies) {
		return g.now - int64(fixedCompanies[j].createdDays)*day + 9*3600 + 1234
	}
	u := unit(hashOf(g.seed, saltCompany^saltHash^1, j))
	return g.now - 120*day - int64(u*float64((3650-120)*day))
}

// fixedCompany gives companies 0-2 attributes that tests can rely on.
type fixedCompany struct {
	plan        string
	size, seats int
	spend       float64
	region, sla string
	partner     bool
	createdDays int
}

var fixedCompanies = []fixedCompany{
	{plan: "Pro", size: 120, seats: 25, spend: 975, region: "EMEA", sla: "Priority", createdDays: 2190},
	{plan: "Enterprise", size: 4200, seats: 850, spend: 72250, region: "AMER", sla: "Premier", partner: true, createdDays: 3285},
	{plan: "Starter", size: 45, seats: 8, spend: 120, region: "AMER", sla: "Standard", createdDays: 1460},
}

// Per plan: seat range, list price per seat per month, SLA tiers.
var planSeats = map[string][2]float64{
	"Starter": {1, 10}, "Pro": {5, 60}, "Premium": {20, 250}, "Enterprise": {100, 3000},
}
var planPrice = map[string]float64{"Starter": 15, "Pro": 39, "Premium": 69, "Enterprise": 99}
var planSLA = map[string][]string{
	"Starter": {"Standard"}, "Pro": {"Standard", "Standard", "Priority"},
	"Premium": {"Priority"}, "Enterprise": {"Priority", "Premier", "Premier"},
}

var regions = []string{"AMER", "EMEA", "APAC"}
var regionWeights = []int{45, 40, 15}

// company generates company j.
func (g *generator) company(j int) *portal.Company {
	s := g.main
	s.reset(g.seed, saltCompany, j)
	name, domain, region, industry := g.companyName(j)
	plan := g.companyPlan(j)
	created := g.companyCreated(j)

	// Every draw happens for every company, fixed ones included, so the
	// stream's layout never depends on the branch taken.
	sr := planSeats[plan]
	seats := int(s.logUniform(sr[0], sr[1]) + 0.5)
	size := float64(seats + int(float64(seats)*3*s.Float64()) + s.IntN(5))
	spend := float64(seats) * planPrice[plan] * (0.8 + 0.2*s.Float64())
	spend = float64(int64(spend*100+0.5)) / 100
	if industry == "" {
		industry = industries[s.IntN(len(industries))]
	} else {
		s.IntN(len(industries))
	}
	if r := regions[s.weighted(regionWeights)]; region == "" {
		region = r
	}
	slas := planSLA[plan]
	sla := slas[s.IntN(len(slas))]
	partner := s.chance(0.06)

	if j < len(fixedCompanies) {
		f := fixedCompanies[j]
		seats, size, spend, region, sla, partner = f.seats, float64(f.size), f.spend, f.region, f.sla, f.partner
	}

	// Renewal: the next anniversary of the company's creation.
	createdT := unixTime(created)
	years := int((g.now-created)/(365*day)) - 1
	if years < 0 {
		years = 0
	}
	renewal := createdT.AddDate(years, 0, 0)
	for renewal.Unix() <= g.now {
		years++
		renewal = createdT.AddDate(years, 0, 0)
	}

	return &portal.Company{
		ID:           CompanyID(j),
		CompanyID:    paddedID("cmp_", j),
		Name:         name,
		Plan:         plan,
		Size:         &size,
		Industry:     industry,
		Website:      "https://" + domain,
		MonthlySpend: &spend,
		CreatedAt:    createdT,
		Custom: map[string]portal.Value{
			"seats":      {Kind: portal.KindNumber, Num: float64(seats)},
			"region":     {Kind: portal.KindString, Str: region},
			"sla_tier":   {Kind: portal.KindString, Str: sla},
			"is_partner": {Kind: portal.KindBoolean, Bool: partner},
			"renewal_at": {Kind: portal.KindDate, Time: renewal},
		},
	}
}
