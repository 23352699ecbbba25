package audience

import (
	"errors"
	"math/bits"
	"slices"
	"sync"

	"portalstudio/backend/portal"
)

// Columns are the users' and companies' rule attributes, read once: an
// adapter fills them through a UserBuilder, an AttrBuilder and a
// CompanyBuilder, and NewColumns assembles them. They are never changed
// afterwards: audiences on several goroutines share them.
type Columns struct {
	rows     int    // user rows: the highest seq + 1
	nUsers   int    // users
	all      bitset // every user's seq
	user     map[string]*column
	userAttr map[attrKey]*column
	nComp    int
	comp     map[string]*column
	compAttr map[attrKey]*column
	// The memberships, in CSR form split in two, as most users belong to
	// one company: memFirst[s] is the first company (index) of the user
	// with seq s, or nComp for none; the users with more (memMore, seqs
	// increasing) have the others at memComp[memOff[i]:memOff[i+1]].
	// Memberships naming a company that is not in the workspace are left
	// out.
	memFirst []uint32
	memMore  []uint32
	memOff   []uint32
	memComp  []uint32
	// memHasMore holds the seqs of memMore, and memRank[w] counts its
	// bits before word w: the user with seq s, when in memMore, is at
	// memRank[s/64] plus the bits below s in its word.
	memHasMore bitset
	memRank    []uint32
	// csets keeps the sets of companies of recent company conditions.
	csetMu sync.Mutex
	csets  map[string]bitset
}

// NewColumns assembles the columns from what the builders collected
// (each may have been filled on a goroutine of its own). The builders
// must not be used afterwards. It fails when they were built for
// different numbers of user rows.
func NewColumns(users *UserBuilder, userAttrs *AttrBuilder, companies *CompanyBuilder) (*Columns, error) {
	if companies.rows != users.rows {
		return nil, errors.New("the users and the memberships were collected for different numbers of rows")
	}
	c := &Columns{rows: users.rows, nUsers: users.all.count(), all: users.all, user: map[string]*column{}}
	for f := UserID; f < userFields; f++ {
		if f < UserCreatedAt {
			c.user[userFieldNames[f]] = &column{str: users.strs[f].finish(c.rows)}
		} else {
			c.user[userFieldNames[f]] = &column{num: users.dates[f-UserCreatedAt].finish(c.rows)}
		}
	}
	c.userAttr = userAttrs.finish(c.rows)
	companies.finish(c)
	return c, nil
}

// Users returns how many users the columns hold.
func (c *Columns) Users() int { return c.nUsers }

// Companies returns how many companies the columns hold.
func (c *Columns) Companies() int { return c.nComp }

// Attributes returns how many attribute columns there are, standard and
// custom, of users and of companies.
func (c *Columns) Attributes() int {
	return len(c.user) + len(c.userAttr) + len(c.comp) + len(c.compAttr)
}

// Bytes returns about how much memory the columns hold.
func (c *Columns) Bytes() int64 {
	n := int64(cap(c.all)+cap(c.memHasMore))*8 + int64(cap(c.memFirst)+cap(c.memMore)+cap(c.memOff)+cap(c.memComp)+cap(c.memRank))*4
	for _, m := range []map[string]*column{c.user, c.comp} {
		for _, col := range m {
			n += col.bytes()
		}
	}
	for _, m := range []map[attrKey]*column{c.userAttr, c.compAttr} {
		for _, col := range m {
			n += col.bytes()
		}
	}
	return n
}

// moreAt returns the index in memMore of the user with seq u, and whether
// the user has more than one company.
func (c *Columns) moreAt(u uint32) (int, bool) {
	w := u >> 6
	if int(w) >= len(c.memHasMore) {
		return 0, false
	}
	word := c.memHasMore[w]
	if word&(1<<(u&63)) == 0 {
		return 0, false
	}
	return int(c.memRank[w]) + bits.OnesCount64(word&(1<<(u&63)-1)), true
}

// attrKey names a custom attribute's column: its key and the kind of the
// values held (values of another kind than the attribute's are never
// stored, as in the attribute tables).
type attrKey struct {
	key  string
	kind portal.ValueKind
}

// column is one attribute's values: strings or numbers.
type column struct {
	str *strColumn
	num *numColumn
}

func (c *column) bytes() int64 {
	if c.str != nil {
		return c.str.bytes()
	}
	return c.num.bytes()
}

// membership lists, built from (user, company) pairs in user order.
func buildMemberships(c *Columns, first, more, off, comp []uint32) {
	off = append(off, uint32(len(comp)))
	c.memFirst, c.memMore, c.memOff, c.memComp = first, slices.Clip(more), slices.Clip(off), slices.Clip(comp)
	c.memHasMore = newBitset(c.rows)
	for _, u := range more {
		c.memHasMore.set(u)
	}
	c.memRank = make([]uint32, len(c.memHasMore))
	var rank uint32
	for w, word := range c.memHasMore {
		c.memRank[w] = rank
		rank += uint32(bits.OnesCount64(word))
	}
}
