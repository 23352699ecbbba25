package demo

import (
	"strconv"

	"portalstudio/backend/portal"
)

const maxUserCompanies = 5

// person is what other records need to know about a user: their name,
// companies and creation time. It is recomputed from the seed and the
// user's index whenever needed, never stored.
type person struct {
	named       bool
	first, last int // indexes into firstNames/lastNames, or into namedUsers (first)
	round       int // 0 for the first use of a name pair, then 1, 2, ...
	companies   [maxUserCompanies]int32
	n           int // how many companies
	freeMail    int // index into freeMailDomains, for users without company
	created     int64
}

func (p *person) has(j int) bool {
	for k := 0; k < p.n; k++ {
		if int(p.companies[k]) == j {
			return true
		}
	}
	return false
}

func (p *person) firstName() string {
	if p.named {
		return namedUsers[p.first].first
	}
	return firstNames[p.first]
}

func (g *generator) personName(p *person) string {
	if p.named {
		u := namedUsers[p.first]
		return u.first + " " + u.last
	}
	return firstNames[p.first] + " " + lastNames[p.last]
}

// email returns first.last@domain, ASCII-folded, with the name round
// appended from the second use of a name pair on ("maria.garcia2"). The
// (first, last, round) triple is unique, so every address is.
func (g *generator) email(p *person) string {
	b := g.buf[:0]
	if p.named {
		b = append(b, namedUsers[p.first].local...)
	} else {
		b = append(b, g.words.firstFolded[p.first]...)
		b = append(b, '.')
		b = append(b, g.words.lastFolded[p.last]...)
		if p.round > 0 {
			b = strconv.AppendInt(b, int64(p.round+1), 10)
		}
	}
	b = append(b, '@')
	if p.n > 0 {
		_, domain, _, _ := g.companyName(int(p.companies[0]))
		b = append(b, domain...)
	} else {
		b = append(b, freeMailDomains[p.freeMail]...)
	}
	g.buf = b
	return string(b)
}

// identity computes user i's person from the start of the user's stream,
// leaving s positioned after it (user generation continues from there).
func (g *generator) identity(s *stream, i int) person {
	s.reset(g.seed, saltUser, i)
	var p person
	if g.companies > 0 {
		// 8% without company, 15% in two to five, the rest in one.
		n := 1
		switch u := s.Float64(); {
		case u < 0.08:
			n = 0
		case u < 0.23:
			n = 2 + s.IntN(maxUserCompanies-1)
		}
		n = min(n, g.companies)
		for k := 0; k < n; k++ {
			// Low company indexes get more users, so some companies are
			// big (Examply has ~5% of all users at the default size).
			for try := 0; try < 10; try++ {
				if j := s.skewed(g.companies, 1.6); !p.has(j) {
					p.companies[p.n] = int32(j)
					p.n++
					break
				}
			}
		}
	}
	p.freeMail = s.IntN(len(freeMailDomains))
	createdU := s.Float64()

	if i < len(namedUsers) {
		u := namedUsers[i]
		p.named, p.first, p.n = true, i, 0
		for _, j := range u.companies {
			if j < g.companies {
				p.companies[p.n] = int32(j)
				p.n++
			}
		}
		p.created = g.now - int64(u.createdDays)*day + 14*3600 + 321*int64(i+1)
		return p
	}

	m := len(firstNames) * len(lastNames)
	p.round = i / m
	combo := g.names.at(i % m)
	p.first, p.last = combo%len(firstNames), combo/len(firstNames)

	// Created within the last three years, after the first company was.
	lo, hi := g.now-3*365*day, g.now-day
	if p.n > 0 {
		lo = max(lo, g.companyCreated(int(p.companies[0])))
	}
	lo = min(lo, hi)
	p.created = lo + int64(createdU*float64(hi-lo))
	return p
}

// user generates user i.
func (g *generator) user(i int) *portal.User {
	s := g.main
	p := g.identity(s, i)

	role := "user"
	if s.chance(0.03) {
		role = "lead"
	}
	signUpDelay := s.Int64N(3 * day)
	seenUnset := s.chance(0.10)
	seenU := s.Float64()
	department := departments[s.IntN(len(departments))]
	isAdmin := s.chance(0.12)
	hasSeats := s.chance(0.4)
	seats := 1 + s.IntN(50)
	hasTrial := s.chance(0.3)

	u := &portal.User{
		ID:         UserID(i),
		ExternalID: paddedID("usr_", i),
		Email:      g.email(&p),
		Name:       g.personName(&p),
		Role:       role,
		CreatedAt:  unixTime(p.created),
		Custom:     make(map[string]portal.Value, 4),
	}
	if p.n > 0 {
		u.CompanyIDs = make([]string, p.n)
		for k := 0; k < p.n; k++ {
			u.CompanyIDs[k] = CompanyID(int(p.companies[k]))
		}
	}

	if p.named {
		nu := namedUsers[i]
		u.Role = "user"
		u.SignedUpAt = unixTime(p.created + 3600)
		u.LastSeenAt = unixTime(g.now - int64(nu.seenHours)*3600)
		u.Custom["department"] = portal.Value{Kind: portal.KindString, Str: nu.department}
		u.Custom["is_admin"] = portal.Value{Kind: portal.KindBoolean, Bool: nu.isAdmin}
		if nu.seats > 0 {
			u.Custom["seats"] = portal.Value{Kind: portal.KindNumber, Num: float64(nu.seats)}
		}
		return u
	}

	since := p.created
	if role == "user" {
		// Leads never signed up.
		since = min(p.created+signUpDelay, g.now)
		u.SignedUpAt = unixTime(since)
	}
	if !seenUnset {
		// Mostly seen recently.
		u.LastSeenAt = unixTime(since + int64((1-seenU*seenU*seenU)*float64(g.now-since)))
	}
	u.Custom["department"] = portal.Value{Kind: portal.KindString, Str: department}
	u.Custom["is_admin"] = portal.Value{Kind: portal.KindBoolean, Bool: isAdmin}
	if hasSeats {
		u.Custom["seats"] = portal.Value{Kind: portal.KindNumber, Num: float64(seats)}
	}
	if hasTrial {
		u.Custom["trial_ends_at"] = portal.Value{Kind: portal.KindDate, Time: unixTime(p.created + 14*day)}
	}
	return u
}
