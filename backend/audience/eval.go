package audience

import (
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
)

// colEval evaluates a rule over the columns, to the set of users' seqs it
// matches, with exactly portal.Eval's semantics: a positive operator on an
// unset value (or one of another kind) is false, a negative operator is
// the negation of its positive twin over all users, and a company
// condition holds when at least one of the user's companies in the
// workspace satisfies it.
type colEval struct {
	c   *Columns
	s   *portal.Schema
	now time.Time
	// heads, when not nil (First), has the users' columns and the
	// memberships read by their head, checked up to the rows reached.
	heads *heads
	// pre holds the users of each condition a trigram index answered
	// (indexed), for the positive operator; nil for one it does not.
	pre map[*portal.Condition]bitset
}

// ErrUnsupported says the columns cannot evaluate a rule: it names an
// unknown attribute, or an operator or value that does not fit the
// attribute's type. The caller reports the problem in its own words
// (today the SQL path does, when it runs the rule instead).
var ErrUnsupported = errors.New("the columns cannot evaluate this condition")

// colFilterDiv says how few candidates (rows/colFilterDiv) make an "all"
// group test its other conditions user by user on the candidates instead
// of scanning whole columns.
var colFilterDiv = 16

// leaf is one positive condition ready to run over the columns.
type leaf struct {
	e       *colEval
	negated bool
	// For a user attribute: the column (nil: no user has a value).
	str  *strColumn
	num  *numColumn
	sp   strPred
	np   numPred
	comp bool     // a company attribute
	cset bitset   // the companies satisfying the positive operator
	mem  *members // a company attribute's: the memberships
	// known, when not nil (First, and no set kept for the condition), has
	// the companies cset was decided for: First tests a company when it
	// reaches a user of it (company), not every company at once; ctest
	// tests one.
	known bitset
	ctest func(x uint32) bool
	// pre, when not nil, holds the users for whom the positive operator
	// holds, found through the column's trigram index: str and num are
	// nil.
	pre bitset
}

// company reports whether company x (c.nComp: none) satisfies the
// positive operator, deciding it first where cset is decided lazily.
func (l *leaf) company(x uint32) bool {
	if l.known != nil && !l.known.has(x) {
		l.known.set(x)
		if int(x) < l.e.c.nComp && l.ctest(x) {
			l.cset.set(x)
		}
	}
	return l.cset.has(x)
}

// scan returns the users for whom the positive operator holds.
func (l *leaf) scan() bitset {
	c := l.e.c
	out := userSet(c.rows)
	if l.pre != nil {
		copy(out, l.pre)
		return out
	}
	if !l.comp {
		switch {
		case l.str != nil:
			l.str.scan(l.sp, out)
		case l.num != nil:
			l.num.scan(l.np, out)
		}
		return out
	}
	if l.cset.empty() {
		return out
	}
	// The users of the companies, when a long-running process holds
	// them (compindex.go).
	if ix := c.companyIndex(); ix != nil {
		ix.scan(l.cset, out)
		return out
	}
	// The first company of every user, a word of users at a time and
	// without branches on the outcome (the set has a last, empty bit for
	// "no company"); then the users of the span with more companies, but
	// those their first company let in already. The spans of words run
	// on all cores (the users with more are in seq order: each span's
	// are a run of them).
	m, cs := l.mem, l.cset
	inSpans(c.rows, func(from, to int) {
		for wi := from / 64; wi*64 < to; wi++ {
			var acc uint64
			lo, hi := wi*64, min(to, wi*64+64)
			for j, x := range m.first[lo:hi] {
				acc |= (cs[x>>6] >> (x & 63) & 1) << uint(j)
			}
			out[wi] = acc
		}
		i, _ := slices.BinarySearch(m.more, uint32(from))
		for ; i < len(m.more) && int(m.more[i]) < to; i++ {
			u := m.more[i]
			var hit uint64
			for _, x := range m.comp[m.off[i]:m.off[i+1]] {
				hit |= cs[x>>6] >> (x & 63)
			}
			out[u>>6] |= (hit & 1) << (u & 63)
		}
	})
	return out
}

// test reports whether the positive operator holds for user u.
func (l *leaf) test(u uint32) bool {
	if l.pre != nil {
		return l.pre.has(u)
	}
	if !l.comp {
		switch {
		case l.str != nil:
			return l.str.test(u, l.sp)
		case l.num != nil:
			return l.num.test(u, l.np)
		}
		return false
	}
	m := l.mem
	if l.company(m.first[u]) {
		return true
	}
	i, ok := m.moreAt(u)
	if !ok {
		return false
	}
	for _, x := range m.comp[m.off[i]:m.off[i+1]] {
		if l.company(x) {
			return true
		}
	}
	return false
}

// check reports whether the columns can evaluate a condition.
func (e *colEval) check(cd *portal.Condition) error {
	a, ok := e.s.Lookup(cd.Attribute)
	if !ok {
		return ErrUnsupported
	}
	pos, _ := cd.Operator.Positive()
	if a.Kind == portal.KindString {
		_, err := stringPred(pos, cd.Value)
		return err
	}
	_, err := numberPred(a.Kind, pos, cd.Value, e.now)
	return err
}

// checkAll reports whether the columns can evaluate every condition of
// the rules (nil ones are skipped).
func (e *colEval) checkAll(rules ...*portal.Rule) error {
	for _, r := range rules {
		for _, cd := range r.Conditions() {
			if err := e.check(cd); err != nil {
				return err
			}
		}
	}
	return nil
}

// leaf prepares a condition, reading the parts of the columns it needs
// (a part of a file found damaged: ErrDamaged).
func (e *colEval) leaf(cd *portal.Condition) (*leaf, error) {
	a, ok := e.s.Lookup(cd.Attribute)
	if !ok {
		return nil, ErrUnsupported
	}
	pos, negated := cd.Operator.Positive()
	l := &leaf{e: e, negated: negated, comp: a.Scope == portal.ScopeCompany}
	if pre, ok, err := e.indexed(cd, a); err != nil {
		return nil, err
	} else if ok {
		l.pre = pre
		return l, nil
	}
	col, err := e.column(a)
	if err != nil {
		return nil, err
	}
	if l.comp {
		if l.mem, err = e.members(); err != nil {
			return nil, err
		}
	}
	if a.Kind == portal.KindString {
		if col != nil && col.str == nil {
			return nil, ErrUnsupported
		}
		p, err := stringPred(pos, cd.Value)
		if err != nil {
			return nil, err
		}
		l.sp = p
		if col != nil {
			l.str = col.str
		}
	} else {
		if col != nil && col.num == nil {
			return nil, ErrUnsupported
		}
		p, err := numberPred(a.Kind, pos, cd.Value, e.now)
		if err != nil {
			return nil, err
		}
		l.np = p
		if col != nil {
			l.num = col.num
		}
	}
	if l.comp {
		key := companiesKey(a, pos, cd.Value, e.now)
		if e.heads != nil {
			// First: the set kept for the condition, or one decided a
			// company at a time as the users reach them.
			if cset, ok := e.c.keptCompanies(key); ok && firstKeptSets {
				l.cset = cset
			} else {
				l.cset, l.known, l.ctest = newBitset(e.c.nComp+1), newBitset(e.c.nComp+1), l.companyTest()
			}
			return l, nil
		}
		l.cset = e.c.companies(key, func(cset bitset) {
			switch {
			case l.str != nil:
				l.str.scan(l.sp, cset)
			case l.num != nil:
				l.num.scan(l.np, cset)
			}
		})
	}
	return l, nil
}

// companyTest returns the test of a company condition's positive
// operator for one company: exactly what its scan sets.
func (l *leaf) companyTest() func(x uint32) bool {
	switch col := l.str; {
	case col != nil && l.sp.op != 'p' && (col.codes8 != nil || col.codes16 != nil):
		table := col.dictTable(l.sp)
		if col.codes8 != nil {
			return func(x uint32) bool { i, ok := col.pos(x); return ok && table[col.codes8[i]] }
		}
		return func(x uint32) bool { i, ok := col.pos(x); return ok && table[col.codes16[i]] }
	case col != nil:
		return func(x uint32) bool { return col.test(x, l.sp) }
	case l.num != nil:
		return func(x uint32) bool { return l.num.test(x, l.np) }
	}
	return func(uint32) bool { return false }
}

// column returns the column of attribute a (nil: no row holds a value
// of its kind), reading it at its first use: whole, or by its head for a
// user attribute in First.
func (e *colEval) column(a portal.Attribute) (*column, error) {
	p, ok := e.part(a)
	switch {
	case !ok:
		return nil, ErrUnsupported
	case p == nil:
		return nil, nil
	case e.heads != nil && a.Scope == portal.ScopeUser:
		if !slices.Contains(e.heads.cols, p) {
			e.heads.cols = append(e.heads.cols, p)
		}
		return p.headTo(e.heads.upTo)
	}
	return p.get()
}

// indexed returns the users for whom the positive operator of a
// condition on a user's string holds when the column's trigram index
// answers it (ok), reading only the index and its candidates' values.
// The answer, or that there is none, is kept for the evaluation's other
// questions about cd (its kind, then its leaf).
func (e *colEval) indexed(cd *portal.Condition, a portal.Attribute) (bitset, bool, error) {
	if set, seen := e.pre[cd]; seen {
		return set, set != nil, nil
	}
	f, err := e.found(cd, a)
	if err != nil {
		return nil, false, err
	}
	var set bitset
	if f != nil {
		set = f.out
		if e.heads != nil {
			// First: the candidates are tested as its walk reaches them.
			err = f.to(e.heads.upTo)
			e.heads.found = append(e.heads.found, f)
		} else {
			err = f.to(f.c.n)
		}
		if err != nil {
			return nil, false, err
		}
	}
	if e.pre == nil {
		e.pre = map[*portal.Condition]bitset{}
	}
	e.pre[cd] = set
	return set, set != nil, nil
}

// found returns the candidates of a condition on a user's string from
// its column's trigram index, untested (nil: the index does not answer
// it).
func (e *colEval) found(cd *portal.Condition, a portal.Attribute) (*foundRows, error) {
	if a.Scope != portal.ScopeUser || a.Kind != portal.KindString {
		return nil, nil
	}
	pos, _ := cd.Operator.Positive()
	sp, err := stringPred(pos, cd.Value)
	if err != nil || sp.op == 'p' || len(sp.w) < 3 {
		return nil, nil
	}
	p, _ := e.part(a)
	if p == nil {
		return nil, nil
	}
	col, s, err := p.probe()
	if err != nil || col == nil || col.str == nil || col.str.tri == nil {
		return nil, err
	}
	f, _, err := col.str.foundBy(s, sp, e.c.rows)
	return f, err
}

// part returns the part of an attribute's column (nil: no value of it;
// ok false: the attribute has no column).
func (e *colEval) part(a portal.Attribute) (p *colPart, ok bool) {
	switch {
	case a.Scope == portal.ScopeUser && !a.Custom:
		p, ok = e.c.user[a.Field]
	case a.Scope == portal.ScopeUser:
		p, ok = e.c.userAttr[attrKey{a.Field, a.Kind}], true
	case !a.Custom:
		p, ok = e.c.comp[a.Field]
	default:
		p, ok = e.c.compAttr[attrKey{a.Field, a.Kind}], true
	}
	return p, ok
}

// members returns the memberships: whole, or by their head in First.
func (e *colEval) members() (*members, error) {
	if e.heads != nil {
		e.heads.mem = e.c.mem
		return e.c.mem.headTo(e.heads.upTo)
	}
	return e.c.members()
}

// companiesKey names the set of companies satisfying the positive
// operator op of a condition on the company attribute attr ("": none,
// not kept).
func companiesKey(attr portal.Attribute, op portal.Operator, want any, now time.Time) string {
	key, err := json.Marshal([]any{attr.Name, attr.Kind, op, want, now.Unix()})
	if err != nil {
		return ""
	}
	return string(key)
}

// keptCompanies returns the set of companies named key, if kept.
func (c *Columns) keptCompanies(key string) (bitset, bool) {
	if key == "" {
		return nil, false
	}
	c.csetMu.Lock()
	defer c.csetMu.Unlock()
	cset, ok := c.csets[key]
	return cset, ok
}

// companies returns the set of companies named key (companiesKey), with
// one more bit (never set) for "no company": scan fills a new one, and
// the set is kept for the next rules (the columns never change; a few
// hundred sets of 100,000 companies are a few megabytes). Never change
// the set returned.
func (c *Columns) companies(key string, scan func(bitset)) bitset {
	if cset, ok := c.keptCompanies(key); ok {
		return cset
	}
	cset := newBitset(c.nComp + 1)
	scan(cset)
	if key == "" {
		return cset
	}
	c.csetMu.Lock()
	if c.csets == nil || len(c.csets) >= csetsMax {
		c.csets = map[string]bitset{}
	}
	c.csets[key] = cset
	c.csetMu.Unlock()
	return cset
}

// csetsMax is how many company sets the columns keep.
const csetsMax = 256

// stringPred returns the predicate of a positive string operator, as
// portal's holds applies it: both sides folded.
func stringPred(op portal.Operator, want any) (strPred, error) {
	if op == portal.OpIsSet {
		return strPred{op: 'p'}, nil
	}
	w, ok := want.(string)
	if !ok {
		return strPred{}, ErrUnsupported
	}
	p := strPred{w: []byte(portal.Fold(w))}
	switch op {
	case portal.OpEquals:
		p.op = 'e'
	case portal.OpContains:
		p.op = 'c'
	case portal.OpStartsWith:
		p.op = 's'
	case portal.OpEndsWith:
		p.op = 'x'
	default:
		return strPred{}, ErrUnsupported
	}
	return p, nil
}

// numberPred returns the predicate of a positive operator on a number,
// a boolean (stored 0/1) or a date (Unix seconds).
func numberPred(kind portal.ValueKind, op portal.Operator, want any, now time.Time) (numPred, error) {
	if op == portal.OpIsSet {
		return numPred{op: 'p'}, nil
	}
	switch kind {
	case portal.KindNumber:
		w, ok := want.(float64)
		if !ok {
			return numPred{}, ErrUnsupported
		}
		switch op {
		case portal.OpEquals:
			return numPred{'e', w}, nil
		case portal.OpGreaterThan:
			return numPred{'g', w}, nil
		case portal.OpLessThan:
			return numPred{'l', w}, nil
		}
	case portal.KindBoolean:
		w, ok := want.(bool)
		if ok && op == portal.OpEquals {
			if w {
				return numPred{'e', 1}, nil
			}
			return numPred{'e', 0}, nil
		}
	case portal.KindDate:
		days, ok := want.(float64)
		if !ok {
			return numPred{}, ErrUnsupported
		}
		cut := float64(portal.DaysAgo(now, days))
		switch op {
		case portal.OpMoreThanDaysAgo:
			return numPred{'l', cut}, nil
		case portal.OpLessThanDaysAgo:
			return numPred{'g', cut}, nil
		}
	}
	return numPred{}, ErrUnsupported
}

// eval returns the users r matches. A nil rule matches no one.
func (e *colEval) eval(r *portal.Rule) (bitset, error) {
	if r == nil {
		return userSet(e.c.rows), nil
	}
	if r.Cond != nil {
		l, err := e.leaf(r.Cond)
		if err != nil {
			return nil, err
		}
		b := l.scan()
		if l.negated {
			u := cloneSet(e.c.all)
			u.andNot(b)
			release(b)
			return u, nil
		}
		return b, nil
	}
	kids := r.Children()
	if r.IsAny() {
		out := userSet(e.c.rows)
		for _, k := range kids {
			b, err := e.eval(k)
			if err != nil {
				return nil, err
			}
			out.or(b)
			release(b)
		}
		return out, nil
	}
	if len(kids) == 0 {
		return cloneSet(e.c.all), nil
	}
	ordered := e.order(kids)
	var out bitset
	for i, k := range ordered {
		if out != nil && out.count() <= e.c.rows/colFilterDiv {
			in, err := e.within(portal.AllOf(ordered[i:]...), out)
			release(out)
			return in, err
		}
		b, err := e.eval(k)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = b
		} else {
			out.and(b)
			release(b)
		}
		if out.empty() {
			break
		}
	}
	return out, nil
}

// within returns the candidates r matches, testing them one by one.
func (e *colEval) within(r *portal.Rule, cand bitset) (bitset, error) {
	if r == nil {
		return userSet(e.c.rows), nil
	}
	if r.Cond != nil {
		l, err := e.leaf(r.Cond)
		if err != nil {
			return nil, err
		}
		out := userSet(e.c.rows)
		cand.each(func(u uint32) bool {
			if l.test(u) != l.negated {
				out.set(u)
			}
			return true
		})
		return out, nil
	}
	kids := r.Children()
	if r.IsAny() {
		out := userSet(e.c.rows)
		rest := cloneSet(cand)
		for _, k := range kids {
			b, err := e.within(k, rest)
			if err != nil {
				return nil, err
			}
			out.or(b)
			rest.andNot(b)
			release(b)
			if rest.empty() {
				break
			}
		}
		release(rest)
		return out, nil
	}
	out := cloneSet(cand)
	for _, k := range e.order(kids) {
		b, err := e.within(k, out)
		if err != nil {
			return nil, err
		}
		release(out)
		out = b
		if out.empty() {
			break
		}
	}
	return out, nil
}

// order sorts the children of an "all" group by how cheap they are likely
// to be: dictionary and number columns, then company conditions (the
// companies, then the memberships), then string arenas; groups last.
func (e *colEval) order(kids []*portal.Rule) []*portal.Rule { return e.orderBy(kids, &scanCost) }

// orderBy sorts a copy of kids by the cost of their kinds, stably.
func (e *colEval) orderBy(kids []*portal.Rule, cost *[kindGroup + 1]int) []*portal.Rule {
	out := append([]*portal.Rule(nil), kids...)
	slices.SortStableFunc(out, func(a, b *portal.Rule) int { return cost[e.kindOf(a)] - cost[e.kindOf(b)] })
	return out
}

// scanCost and rowCost rank the kinds of nodes for a scan over all users
// and for a test of one user.
var (
	scanCost = [kindGroup + 1]int{kindUnknown: 0, kindIndexed: 5, kindCheap: 10, kindCompanyCheap: 30, kindCompanyString: 30, kindString: 20, kindContains: 25, kindGroup: 100}
	rowCost  = [kindGroup + 1]int{kindUnknown: 0, kindIndexed: 0, kindCheap: 1, kindCompanyCheap: 1, kindCompanyString: 2, kindString: 3, kindContains: 4, kindGroup: 10}
)

// condKind classes a node by what evaluating it over the columns reads.
type condKind int

const (
	kindUnknown       condKind = iota // an attribute not in the schema: refused at once
	kindIndexed                       // a user's string answered by a trigram index
	kindCheap                         // a number, date or boolean, is_set, or a dictionary-coded string
	kindCompanyCheap                  // the same of a company attribute
	kindCompanyString                 // a company attribute's string
	kindString                        // equals, starts_with or ends_with over a string arena
	kindContains                      // contains over a string arena
	kindGroup                         // a group
)

func (e *colEval) kindOf(r *portal.Rule) condKind {
	if r.Cond == nil {
		return kindGroup
	}
	a, ok := e.s.Lookup(r.Cond.Attribute)
	if !ok {
		return kindUnknown
	}
	pos, _ := r.Cond.Operator.Positive()
	cheap := pos == portal.OpIsSet || a.Kind != portal.KindString
	switch {
	case a.Scope == portal.ScopeCompany && cheap:
		return kindCompanyCheap
	case a.Scope == portal.ScopeCompany:
		return kindCompanyString
	case cheap:
		return kindCheap
	}
	// A part of a file that cannot be read is refused by leaf.
	if _, ok, _ := e.indexed(r.Cond, a); ok {
		return kindIndexed
	}
	col, _ := e.column(a)
	switch {
	case col == nil || col.str == nil || col.str.dict != nil:
		return kindCheap
	case pos == portal.OpContains:
		return kindContains
	}
	return kindString
}

// Audience returns the seqs of the users rule matches and except does not
// (a nil rule matches no one, a nil except takes no one away), exactly as
// portal.Eval decides user by user. Every condition is checked first, so
// that a rule the engine cannot evaluate is refused with ErrUnsupported
// even when an "all" group would stop at its first empty set.
func (c *Columns) Audience(rule, except *portal.Rule, s *portal.Schema, now time.Time) (*roaring.Bitmap, error) {
	e := &colEval{c: c, s: s, now: now}
	if err := e.checkAll(rule, except); err != nil {
		return nil, err
	}
	set, err := e.eval(rule)
	if err != nil {
		return nil, err
	}
	if except != nil && !set.empty() {
		minus, err := e.eval(except)
		if err != nil {
			return nil, err
		}
		set.andNot(minus)
		release(minus)
	}
	// The bitmap shares set's words: set is not used after this.
	return roaring.FromDense(set, false), nil
}
