package audience

import (
	"errors"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

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
	user     map[string]*colPart
	userAttr map[attrKey]*colPart
	nComp    int
	comp     map[string]*colPart
	compAttr map[attrKey]*colPart
	mem      *memPart
	// csets keeps the sets of companies of recent company conditions.
	csetMu sync.Mutex
	csets  map[string]bitset
	// compIx is the companies' users, once a long-running process made
	// them (compindex.go).
	compIx atomic.Pointer[compIndex]
	// file is the mapped file whose pages the columns use, when a
	// long-running engine mapped it (readKept); nil otherwise.
	file *mapping
}

// NewColumns assembles the columns from what the builders collected
// (each may have been filled on a goroutine of its own). The builders
// must not be used afterwards. It fails when they were built for
// different numbers of user rows.
func NewColumns(users *UserBuilder, userAttrs *AttrBuilder, companies *CompanyBuilder) (*Columns, error) {
	if companies.rows != users.rows {
		return nil, errors.New("the users and the memberships were collected for different numbers of rows")
	}
	c := &Columns{rows: users.rows, nUsers: users.all.count(), all: users.all, user: map[string]*colPart{}}
	// The users' columns are laid out (and their strings indexed) on
	// every core at once.
	cols := make([]*column, userFields)
	onCores(int(userFields), func(i int) {
		if f := UserField(i); f < UserCreatedAt {
			cols[f] = &column{str: users.strs[f].finish(c.rows)}
		} else {
			cols[f] = &column{num: users.dates[f-UserCreatedAt].finish(c.rows)}
		}
	})
	for f, col := range cols {
		c.user[userFieldNames[f]] = readyCol(col)
	}
	c.userAttr = readyCols(userAttrs.finish(c.rows))
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

// Bytes returns about how much memory the columns hold (the parts of a
// file read in place count their bytes in the file).
func (c *Columns) Bytes() int64 {
	n := int64(cap(c.all))*8 + c.mem.size
	if ix := c.compIx.Load(); ix != nil {
		n += ix.bytes()
	}
	for _, m := range []map[string]*colPart{c.user, c.comp} {
		for _, p := range m {
			n += p.size
		}
	}
	for _, m := range []map[attrKey]*colPart{c.userAttr, c.compAttr} {
		for _, p := range m {
			n += p.size
		}
	}
	return n
}

func (m *members) bytes() int64 {
	return int64(cap(m.hasMore))*8 + int64(cap(m.first)+cap(m.more)+cap(m.off)+cap(m.comp)+cap(m.rank))*4
}

// moreAt returns the index in more of the user with seq u, and whether
// the user has more than one company.
func (m *members) moreAt(u uint32) (int, bool) {
	w := u >> 6
	if int(w) >= len(m.hasMore) {
		return 0, false
	}
	word := m.hasMore[w]
	if word&(1<<(u&63)) == 0 {
		return 0, false
	}
	return int(m.rank[w]) + bits.OnesCount64(word&(1<<(u&63)-1)), true
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

// newMembers returns the memberships of rows users (see members; off
// ends with len(comp)).
func newMembers(rows int, first, more, off, comp []uint32) *members {
	m := &members{first: first, more: slices.Clip(more), off: slices.Clip(off), comp: slices.Clip(comp), checked: len(more)}
	m.hasMore = newBitset(rows)
	for _, u := range more {
		m.hasMore.set(u)
	}
	m.rank = make([]uint32, len(m.hasMore))
	var rank uint32
	for w, word := range m.hasMore {
		m.rank[w] = rank
		rank += uint32(bits.OnesCount64(word))
	}
	m.ranked = len(m.rank)
	return m
}

// fileMembers returns the memberships of rows users read from a file,
// not checked: verifyRows checks them and fills hasMore and rank, a
// range of users at a time.
func fileMembers(rows int, first, more, off, comp []uint32) *members {
	return &members{first: first, more: more, off: off, comp: comp, hasMore: newBitset(rows), rank: make([]uint32, (rows+63)/64)}
}
