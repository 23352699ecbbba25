package audience

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
)

// The first users a rule matches, in seq order (the order every list of
// an audience is in), without computing the whole audience: a list needs
// fifty users, not the million behind its count. The users are tested a
// word (64 users) at a time in seq order with the rule's cheapest
// conditions first, up to a budget of users; a rule that rare computes
// its whole set instead. Either way the answer is exactly the first
// users of the whole set (the property tests compare them).

// The bounds of the scan (variables for the tests): it tests up to
// rows/firstScanDiv users (at least firstScanMin) before it computes the
// whole set.
var (
	firstScanDiv = 8
	firstScanMin = 4096
)

// firstKeptSets says whether First uses the sets of companies kept by
// earlier rules (a variable for the tests: SetFirstKeptSets).
var firstKeptSets = true

// firstWordHook, when set (tests), is called before each word First
// tests (SetFirstWordHook).
var firstWordHook func(wi int)

// firstHead is how many rows of the parts it reads First checks first
// (then a quarter more each time it needs more).
const firstHead = 4096

// Head returns the first n elements of a set, increasing: the first n
// users of an audience in seq order.
func Head(set *roaring.Bitmap, n int) []uint32 {
	out := make([]uint32, 0, min(n, int(set.GetCardinality())))
	it := set.Iterator()
	for it.HasNext() && len(out) < n {
		out = append(out, it.Next())
	}
	return out
}

// wordTest returns which users of a word of seqs a rule holds for: the
// bits of mask (the users of word wi to test) for which it holds.
type wordTest func(wi int, mask uint64) uint64

// tester prepares r to be tested a word of users at a time, with exactly
// eval's semantics (a nil rule matches no one).
func (e *colEval) tester(r *portal.Rule) (wordTest, error) {
	if r == nil {
		return func(int, uint64) uint64 { return 0 }, nil
	}
	if r.Cond != nil {
		l, err := e.leaf(r.Cond)
		if err != nil {
			return nil, err
		}
		test := l.rowTest()
		word := func(wi int, mask uint64) uint64 {
			var out uint64
			for m := mask; m != 0; m &= m - 1 {
				j := bits.TrailingZeros64(m)
				out |= b2u(test(uint32(wi*64+j))) << j
			}
			return out
		}
		switch {
		case l.pre != nil:
			word = func(wi int, mask uint64) uint64 { return l.pre[wi] & mask }
		case l.comp:
			word = l.companyWord(word)
		default:
			if cw := l.containsWord(word); cw != nil {
				word = cw
			}
		}
		if l.negated {
			return func(wi int, mask uint64) uint64 { return mask &^ word(wi, mask) }, nil
		}
		return word, nil
	}
	kids := e.rowOrder(r.Children())
	g := &groupTests{any: r.IsAny(), tests: make([]wordTest, len(kids)), cost: make([]int, len(kids)), left: make([]int, len(kids))}
	for i, k := range kids {
		t, err := e.tester(k)
		if err != nil {
			return nil, err
		}
		g.tests[i], g.cost[i] = t, rowCost[e.kindOf(k)]
	}
	return g.word, nil
}

// groupTests are the tests of a group's children, for First.
//
// The order of a group's tests does not change its answer, only how
// much is tested: a word of users is done once no user is left to test
// (for "all", none passed every test so far; for "any", all were let
// in). The cheapest test first (rowOrder) is right when the tests let
// users through alike, but not for a rare condition behind a common
// one: in the typical rule one user in 1,400 holds `user.email contains
// "examply"` while nearly every word holds a user of a Pro company, so
// tested first, the companies of 72,000 users are looked at to find
// fifty users, instead of fifty users' companies after the emails.
//
// So the first exploreWords words given to the group run every test
// on the whole word, and count for each in how many words it alone
// would have left users to test. The order is then settled for the rest
// by each test's cost over the share of words it ends (Smith's rule for
// a sequence of filters): a test that ends no word keeps its place after
// those that do.
type groupTests struct {
	any   bool
	tests []wordTest
	cost  []int // rowCost of each child's kind
	left  []int // explored words in which the test alone left users to test
	seen  int   // words explored (with users to test)
}

// exploreWords is how many words of users a group explores (a variable
// for the tests: SetFirstExplore).
var exploreWords = 8

func (g *groupTests) word(wi int, mask uint64) uint64 {
	if g.seen < exploreWords && mask != 0 {
		return g.explore(wi, mask)
	}
	if g.any {
		var out uint64
		for _, t := range g.tests {
			if mask == 0 {
				break
			}
			b := t(wi, mask)
			out |= b
			mask &^= b
		}
		return out
	}
	for _, t := range g.tests {
		if mask == 0 {
			break
		}
		mask = t(wi, mask)
	}
	return mask
}

// explore runs every test on the whole word, counting where each alone
// would have left users to test, and settles the order after the last
// word explored.
func (g *groupTests) explore(wi int, mask uint64) uint64 {
	out := mask
	if g.any {
		out = 0
	}
	for i, t := range g.tests {
		b := t(wi, mask)
		if g.any {
			out |= b
			if mask&^b != 0 {
				g.left[i]++
			}
		} else {
			out &= b
			if b != 0 {
				g.left[i]++
			}
		}
	}
	if g.seen++; g.seen == exploreWords {
		g.settle()
	}
	return out
}

// settle orders the tests by cost over the share of words ended,
// stable: those that ended none stay in rowOrder's order, last.
func (g *groupTests) settle() {
	idx := make([]int, len(g.tests))
	for i := range idx {
		idx[i] = i
	}
	rank := func(i int) float64 {
		if g.left[i] >= g.seen {
			return math.Inf(1)
		}
		return float64(g.cost[i]) * float64(g.seen) / float64(g.seen-g.left[i])
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(rank(a), rank(b)) })
	tests := make([]wordTest, len(idx))
	for i, j := range idx {
		tests[i] = g.tests[j]
	}
	g.tests = tests
}

// rowTest returns the test of the leaf's positive operator for one user.
func (l *leaf) rowTest() func(u uint32) bool {
	col := l.str
	if !l.comp && col != nil && l.sp.op != 'p' && (col.codes8 != nil || col.codes16 != nil) {
		// A dictionary column: which codes hold, decided once.
		table := col.dictTable(l.sp)
		if col.codes8 != nil {
			return func(u uint32) bool { i, ok := col.pos(u); return ok && table[col.codes8[i]] }
		}
		return func(u uint32) bool { i, ok := col.pos(u); return ok && table[col.codes16[i]] }
	}
	return l.test
}

// containsWordMin is how many users of a word make a contains test
// search the word's values at once rather than one by one.
const containsWordMin = 4

// containsWord returns the word test of a contains condition on a dense
// arena (nil for any other condition): the word's values searched at
// once (containsIn: the operand's rarest byte, over their bytes) when
// several users of the word are to be tested, one by one (one) for a
// few.
func (l *leaf) containsWord(one wordTest) wordTest {
	c, w := l.str, l.sp.w
	if l.comp || c == nil || l.sp.op != 'c' || len(w) == 0 || !c.dense || (c.off == nil && c.width == 0) {
		return nil
	}
	ri := c.rarest(w)
	if c.freq[w[ri]] == 0 {
		return func(int, uint64) uint64 { return 0 }
	}
	rows := l.e.c.rows
	return func(wi int, mask uint64) uint64 {
		if bits.OnesCount64(mask) < containsWordMin {
			return one(wi, mask)
		}
		var got [1]uint64
		c.containsIn(w, ri, wi*64, min(rows, wi*64+64), got[:], uint32(wi*64))
		return got[0] & mask
	}
}

// companyWord returns the word test of a company condition: user by user
// (one) for a few users, and otherwise the users' first companies a word
// at a time without branches on the outcome (their companies decided
// first where the set is decided lazily), then the others of the users
// with more.
func (l *leaf) companyWord(one wordTest) wordTest {
	c, m, cs := l.e.c, l.mem, l.cset
	return func(wi int, mask uint64) uint64 {
		if bits.OnesCount64(mask) < 8 {
			return one(wi, mask)
		}
		var acc uint64
		lo, hi := wi*64, min(c.rows, wi*64+64)
		if l.known != nil {
			for b := mask; b != 0; b &= b - 1 {
				l.company(m.first[lo+bits.TrailingZeros64(b)])
			}
		}
		for j, x := range m.first[lo:hi] {
			acc |= (cs[x>>6] >> (x & 63) & 1) << uint(j)
		}
		acc &= mask
		if rest := mask &^ acc & m.hasMore[wi]; rest != 0 {
			acc |= one(wi, rest)
		}
		return acc
	}
}

// rowOrder sorts a group's children by how cheap they are to test for
// one user: a number, a dictionary code or a company's bit before
// comparing strings, substrings last, groups after conditions.
func (e *colEval) rowOrder(kids []*portal.Rule) []*portal.Rule { return e.orderBy(kids, &rowCost) }

// First returns the first n users (seqs, increasing) rule matches and
// except does not: exactly the head of Audience's set, without computing
// it. It tests the users a word at a time in seq order, the rule's
// cheapest conditions first; past rows/firstScanDiv users it computes the
// whole set instead. A rule it cannot evaluate is ErrUnsupported.
func (c *Columns) First(rule, except *portal.Rule, s *portal.Schema, now time.Time, n int) ([]uint32, error) {
	e := &colEval{c: c, s: s, now: now, heads: &heads{}}
	if err := e.checkAll(rule, except); err != nil {
		return nil, err
	}
	match, err := e.tester(rule)
	if err != nil {
		return nil, err
	}
	var minus wordTest
	if except != nil {
		if minus, err = e.tester(except); err != nil {
			return nil, err
		}
	}
	budget := max(c.rows/firstScanDiv, firstScanMin)
	out := make([]uint32, 0, n)
	for wi, w := range c.all {
		if firstWordHook != nil {
			firstWordHook(wi)
		}
		if wi*64 >= budget {
			set, err := c.Audience(rule, except, s, now)
			if err != nil {
				return nil, err
			}
			return Head(set, n), nil
		}
		// The word's rows, and 128 more: a contains test of the word's
		// values (containsWord) may read the offsets of up to 66 values
		// past its last as it finds which value holds a match.
		if end := min(c.rows, wi*64+64+128); end > e.heads.upTo {
			// Check the users' parts a little further than the next
			// word: a quarter further than before, at least firstHead
			// rows (a rule matching one user in a thousand walks
			// tens of thousands of rows for fifty).
			if err := e.heads.to(min(c.rows, max(end, (e.heads.upTo+e.heads.upTo/4+63)&^63, firstHead))); err != nil {
				return nil, err
			}
		}
		m := match(wi, w)
		if minus != nil && m != 0 {
			m &^= minus(wi, m)
		}
		for ; m != 0; m &= m - 1 {
			out = append(out, uint32(wi*64+bits.TrailingZeros64(m)))
			if len(out) == n {
				return out, nil
			}
		}
	}
	return out, nil
}
