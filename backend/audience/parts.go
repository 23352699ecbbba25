package audience

import (
	"sync"
	"sync/atomic"
)

// The columns are made of parts: each attribute's column and the
// memberships. Built from rows, every part is ready at once. Read from a
// file (OpenColumns), a part is read and checked (its checksum, then its
// structure) the first time a rule needs it, once, whichever goroutine
// asks first: a one-shot command touches only the parts its rule reads.
// A part found damaged gives ErrDamaged, to every caller, forever; it
// never gives a wrong answer or a panic.

// colPart is one attribute's column.
type colPart struct {
	once  sync.Once
	read  func() (*column, error) // nil once done
	col   *column
	err   error
	ready atomic.Bool // read whole
	size  int64       // its bytes (in the file, when read from one)
	head  *rowHead[*column]
}

// readyCol returns the part of a column already in memory.
func readyCol(c *column) *colPart {
	p := &colPart{col: c, size: c.bytes()}
	p.once.Do(func() {})
	p.ready.Store(true)
	return p
}

// get returns the column, reading and checking it whole at its first use.
func (p *colPart) get() (*column, error) {
	p.once.Do(func() {
		p.col, p.err = p.read()
		p.read = nil
		p.ready.Store(true)
	})
	return p.col, p.err
}

// readyCols returns the parts of columns already in memory.
func readyCols[K comparable](m map[K]*column) map[K]*colPart {
	out := make(map[K]*colPart, len(m))
	for k, c := range m {
		out[k] = readyCol(c)
	}
	return out
}

// members are the memberships, in CSR form split in two, as most users
// belong to one company: first[s] is the first company (index) of the
// user with seq s, or nComp for none; the users with more (more, seqs
// increasing) have the others at comp[off[i]:off[i+1]]. Memberships
// naming a company that is not in the workspace are left out.
type members struct {
	first []uint32
	more  []uint32
	off   []uint32
	comp  []uint32
	// hasMore holds the seqs of more, and rank[w] counts its bits before
	// word w: the user with seq s, when in more, is at rank[s/64] plus
	// the bits below s in its word.
	hasMore bitset
	rank    []uint32
	// Of memberships read from a file (verifyRows): more[:checked] are
	// checked and in hasMore, rank[:ranked] is computed, of sum rankSum.
	checked, ranked int
	rankSum         uint32
}

// memPart is the memberships' part.
type memPart struct {
	once  sync.Once
	read  func() (*members, error)
	m     *members
	err   error
	ready atomic.Bool
	size  int64
	head  *rowHead[*members]
}

func readyMembers(m *members) *memPart {
	p := &memPart{m: m, size: m.bytes()}
	p.once.Do(func() {})
	p.ready.Store(true)
	return p
}

func (p *memPart) get() (*members, error) {
	p.once.Do(func() {
		p.m, p.err = p.read()
		p.read = nil
		p.ready.Store(true)
	})
	return p.m, p.err
}

// members returns the memberships, reading them at their first use.
func (c *Columns) members() (*members, error) { return c.mem.get() }

// Verify reads and checks every part not read yet, on every core at
// once, and returns the first error (ErrDamaged). A long-running
// process verifies its columns whole when it loads them; a one-shot
// command checks each part at its first use instead.
func (c *Columns) Verify() error {
	var tasks []func() error
	for _, m := range []map[string]*colPart{c.user, c.comp} {
		for _, p := range m {
			tasks = append(tasks, func() error { _, err := p.get(); return err })
		}
	}
	for _, m := range []map[attrKey]*colPart{c.userAttr, c.compAttr} {
		for _, p := range m {
			tasks = append(tasks, func() error { _, err := p.get(); return err })
		}
	}
	tasks = append(tasks, func() error { _, err := c.members(); return err })
	errs := make([]error, len(tasks))
	onCores(len(tasks), func(i int) { errs[i] = tasks[i]() })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
