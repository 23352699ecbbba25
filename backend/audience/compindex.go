package audience

import (
	"math/bits"
	"sync"
)

// compIndex is the memberships by company, the other way round from
// members: the users of company x are users[off[x]:off[x+1]]. It is
// derived from members in memory, by a long-running process once per
// load (Columns.indexCompanies; 4 bytes a membership, about 6 MB at a
// million users), and never written to the engine's file: a one-shot
// command would spend longer making it than it saves.
//
// A company condition then sets its users' bits from here instead of
// testing every user's companies (leaf.scan): at a million users, 0.6 to
// 2.6 ms against 1.9 to 3.0 ms for the conditions of the bench's sweep
// (the more companies hold, the more bits to set: 1.8 ms for nine
// companies in ten, as fast as the test of every user), and the impact
// of a change of plan conditions in a third to three quarters of the
// time (README's Speed, session 16).
type compIndex struct {
	off   []uint32
	users []uint32
}

// Which company conditions read the companies' users (test hook,
// SetCompanyIndex): compIndexAuto reads them where a long-running
// process made them; compIndexAlways makes them wherever a company
// condition is scanned; compIndexNever never reads them.
const (
	compIndexAuto = iota
	compIndexAlways
	compIndexNever
)

var compIndexMode = compIndexAuto

// newCompIndex inverts the memberships of m, of nComp companies (a
// company's number nComp and above means none).
func newCompIndex(m *members, nComp int) *compIndex {
	nc := uint32(nComp)
	off := make([]uint32, nComp+1)
	for _, list := range [][]uint32{m.first, m.comp} {
		for _, x := range list {
			if x < nc {
				off[x+1]++
			}
		}
	}
	for x := 1; x <= nComp; x++ {
		off[x] += off[x-1]
	}
	users := make([]uint32, off[nComp])
	next := make([]uint32, nComp)
	copy(next, off[:nComp])
	put := func(u, x uint32) {
		if x < nc {
			users[next[x]] = u
			next[x]++
		}
	}
	for u, x := range m.first {
		put(uint32(u), x)
	}
	for i, u := range m.more {
		for _, x := range m.comp[m.off[i]:m.off[i+1]] {
			put(u, x)
		}
	}
	return &compIndex{off: off, users: users}
}

func (ix *compIndex) bytes() int64 { return int64(cap(ix.off)+cap(ix.users)) * 4 }

// scan sets in out the users of the companies in cs. Many memberships
// are set on the cores (spanWays), each into a set of its own, then
// joined.
func (ix *compIndex) scan(cs, out bitset) {
	nComp := len(ix.off) - 1
	var xs []uint32
	n := 0
	for wi, w := range cs {
		for ; w != 0; w &= w - 1 {
			if x := wi*64 + bits.TrailingZeros64(w); x < nComp {
				xs = append(xs, uint32(x))
				n += int(ix.off[x+1] - ix.off[x])
			}
		}
	}
	set := func(out bitset, xs []uint32) {
		for _, x := range xs {
			for _, u := range ix.users[ix.off[x]:ix.off[x+1]] {
				out[u>>6] |= 1 << (u & 63)
			}
		}
	}
	ways := spanWays
	if n < spanMin || ways < 2 {
		set(out, xs)
		return
	}
	// The companies in ways runs of about n/ways memberships each.
	outs := make([]bitset, ways)
	outs[0] = out
	var wg sync.WaitGroup
	from, sum := 0, 0
	for k := range ways {
		to := from
		for to < len(xs) && (k == ways-1 || sum < n*(k+1)/ways) {
			sum += int(ix.off[xs[to]+1] - ix.off[xs[to]])
			to++
		}
		if k > 0 {
			outs[k] = make(bitset, len(out))
		}
		wg.Add(1)
		go func(o bitset, xs []uint32) {
			defer wg.Done()
			set(o, xs)
		}(outs[k], xs[from:to])
		from = to
	}
	wg.Wait()
	for _, o := range outs[1:] {
		out.or(o)
	}
}

// indexCompanies makes the companies' users (compIndex) once, when the
// memberships are in memory and checked whole; it does nothing
// otherwise.
func (c *Columns) indexCompanies() {
	if c.compIx.Load() != nil || c.mem == nil {
		return
	}
	m, err := c.mem.get()
	if err != nil || m.checked < len(m.more) {
		return
	}
	c.compIx.CompareAndSwap(nil, newCompIndex(m, c.nComp))
}

// companyIndex returns the companies' users to scan with, if any.
func (c *Columns) companyIndex() *compIndex {
	switch compIndexMode {
	case compIndexNever:
		return nil
	case compIndexAlways:
		c.indexCompanies()
	}
	return c.compIx.Load()
}
