package audience

import (
	"fmt"
	"slices"
)

// A string column of many values in an arena carries an index of its
// trigrams (three bytes in a row of a folded value): every trigram any
// value holds, how many positions hold it, and, for the rare ones, which
// positions. A condition whose operand has three bytes or more (contains,
// equals, starts_with, ends_with) then reads the positions of the
// operand's rarest trigram and tests their values alone, instead of every
// value of the column: `user.email contains "examply"` tests the 691
// e-mails holding "mpl" rather than a million. An operand holding a
// trigram that no value holds matches no one at once. When every trigram
// of the operand is common (held by more than one position in
// triRareDiv) the column is scanned as before: a scan is then worth its
// answer.
//
// Only candidates come from the index; each is tested on its value, so
// the answer is exactly the scan's (the property tests compare them with
// the index forced on small columns, SetTrigramMin).

// trigrams is a column's index of trigrams.
type trigrams struct {
	// keys holds every trigram a value holds, increasing (b0<<16 |
	// b1<<8 | b2); count[i] how many positions hold keys[i].
	keys, count []uint32
	// off has len(keys)+1 entries: the positions holding a rare
	// trigram keys[i] are pos[off[i]:off[i+1]], increasing, and
	// count[i] of them; a common trigram's range is empty.
	off, pos []uint32
}

// The index's bounds (variables for the tests).
var (
	// triMin is how many positions a column needs to be indexed: a
	// smaller one scans fast.
	triMin = 1 << 16
	// A trigram is rare, and its positions kept, when at most
	// max(positions/triRareDiv, triRareMin) positions hold it.
	triRareDiv = 1024
	triRareMin = 64
	// triBudget bounds the positions kept, per position of the column.
	triBudget = 1.0
)

func triKey(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// stored reports whether keys[i]'s positions are kept.
func (t *trigrams) stored(i int) bool { return t.off[i+1] > t.off[i] }

func (t *trigrams) bytes() int64 {
	if t == nil {
		return 0
	}
	return 4 * int64(cap(t.keys)+cap(t.count)+cap(t.off)+cap(t.pos))
}

// candidates returns the positions whose values may hold w (three bytes
// or more): those holding w's rarest trigram, increasing; none when a
// trigram of w is in no value. ok is false when no trigram of w is rare:
// the column must be scanned.
func (t *trigrams) candidates(w []byte) (pos []uint32, ok bool) {
	best := -1
	for i := 0; i+3 <= len(w); i++ {
		j, found := slices.BinarySearch(t.keys, triKey(w[i:]))
		if !found {
			return nil, true
		}
		if t.stored(j) && (best < 0 || t.count[j] < t.count[best]) {
			best = j
		}
	}
	if best < 0 {
		return nil, false
	}
	return t.pos[t.off[best]:t.off[best+1]], true
}

// triTable maps trigrams to small ids while an index is built: a page
// of 256 ids for each pair of first bytes that occurs (id+1; 0: none).
type triTable struct {
	pages [1 << 16]*[256]int32
	n     int32
}

// add returns the id of trigram k, the next one when it is new.
func (h *triTable) add(k uint32) int32 {
	pg := h.pages[k>>8]
	if pg == nil {
		pg = new([256]int32)
		h.pages[k>>8] = pg
	}
	if id := pg[k&0xff]; id != 0 {
		return id - 1
	}
	h.n++
	pg[k&0xff] = h.n
	return h.n - 1
}

// id returns the id of a trigram added before.
func (h *triTable) id(k uint32) int32 { return h.pages[k>>8][k&0xff] - 1 }

// values calls fn with each position holding a value of three bytes or
// more, and the value.
func (c *strColumn) values(fn func(p uint32, v []byte)) {
	for p := 0; p < c.n; p++ {
		if v := c.value(p); len(v) >= 3 && !c.unset(p) {
			fn(uint32(p), v)
		}
	}
}

// buildTrigrams indexes an arena column of triMin positions or more (nil
// for any other). The rare trigrams' positions are kept, the rarest
// first, up to triBudget positions per position of the column: beyond,
// a trigram is held by so many values that scanning them is as good.
func buildTrigrams(c *strColumn) *trigrams {
	if c.n < triMin || (c.off == nil && c.width == 0) || c.codes8 != nil || c.codes16 != nil {
		return nil
	}
	// How many positions hold each trigram (a position once).
	h := new(triTable)
	var count, last []uint32 // by id; last: the last position counted, plus one
	c.values(func(p uint32, v []byte) {
		k := uint32(v[0])<<8 | uint32(v[1])
		for _, b := range v[2:] {
			k = (k<<8 | uint32(b)) & 0xffffff
			id := h.add(k)
			if int(id) == len(count) {
				count, last = append(count, 0), append(last, 0)
			}
			if last[id] != p+1 {
				last[id] = p + 1
				count[id]++
			}
		}
	})
	// The rare ones, rarest first within the budget.
	limit := uint32(max(c.n/triRareDiv, triRareMin))
	byCount := make([]int32, 0, len(count))
	for id, n := range count {
		if n <= limit {
			byCount = append(byCount, int32(id))
		}
	}
	slices.SortFunc(byCount, func(a, b int32) int { return int(count[a]) - int(count[b]) })
	keep := make([]bool, len(count))
	budget := int64(float64(c.n) * triBudget)
	for _, id := range byCount {
		if budget -= int64(count[id]); budget < 0 {
			break
		}
		keep[id] = true
	}
	start := make([]uint32, len(count)+1)
	for id, n := range count {
		start[id+1] = start[id]
		if keep[id] {
			start[id+1] += n
		}
	}
	pos := make([]uint32, start[len(count)])
	next := slices.Clone(start[:len(count)])
	clear(last)
	c.values(func(p uint32, v []byte) {
		k := uint32(v[0])<<8 | uint32(v[1])
		for _, b := range v[2:] {
			k = (k<<8 | uint32(b)) & 0xffffff
			if id := h.id(k); keep[id] && last[id] != p+1 {
				last[id] = p + 1
				pos[next[id]] = p
				next[id]++
			}
		}
	})
	// In key order.
	keys := make([]uint32, 0, len(count))
	for hi, pg := range h.pages {
		if pg != nil {
			for lo, id := range pg {
				if id != 0 {
					keys = append(keys, uint32(hi)<<8|uint32(lo))
				}
			}
		}
	}
	t := &trigrams{keys: keys, count: make([]uint32, len(keys)), off: make([]uint32, len(keys)+1), pos: make([]uint32, 0, len(pos))}
	for i, k := range keys {
		id := h.id(k)
		t.count[i] = count[id]
		t.pos = append(t.pos, pos[start[id]:start[id+1]]...)
		t.off[i+1] = uint32(len(t.pos))
	}
	return t
}

// verifyTables checks the index's tables (read from a file): keys
// increasing, each count of positions at least one and at most the
// column's n, offsets from 0 never decreasing, each range empty or of
// its count, ending at the positions' end. s, when not nil, checks their
// blocks first.
func (t *trigrams) verifyTables(s *partSums, n int) error {
	for _, v := range [][]uint32{t.keys, t.count, t.off} {
		if err := checkSpan(s, v); err != nil {
			return err
		}
	}
	if len(t.count) != len(t.keys) || len(t.off) != len(t.keys)+1 || t.off[0] != 0 || int64(t.off[len(t.keys)]) != int64(len(t.pos)) {
		return damagedRows("a trigram index's tables")
	}
	for i, k := range t.keys {
		size := t.off[i+1] - t.off[i]
		if t.off[i+1] < t.off[i] || k > 0xffffff || (i > 0 && k <= t.keys[i-1]) ||
			t.count[i] == 0 || int64(t.count[i]) > int64(n) || (size != 0 && size != t.count[i]) {
			return damagedRows("a trigram index's tables")
		}
	}
	return nil
}

// verifyPositions checks positions of the index: increasing, each below
// n. s, when not nil, checks their blocks first.
func verifyPositions(s *partSums, pos []uint32, n int) error {
	if err := checkSpan(s, pos); err != nil {
		return err
	}
	for i, p := range pos {
		if int64(p) >= int64(n) || (i > 0 && p <= pos[i-1]) {
			return damagedRows(fmt.Sprintf("a trigram index's position %d", p))
		}
	}
	return nil
}

// verify checks the whole index of a column of n positions.
func (t *trigrams) verify(n int) error {
	if err := t.verifyTables(nil, n); err != nil {
		return err
	}
	for i := range t.keys {
		if err := verifyPositions(nil, t.pos[t.off[i]:t.off[i+1]], n); err != nil {
			return err
		}
	}
	return nil
}

// foundRows are the candidates of a condition a trigram index answers,
// tested in order as far as a walk needs them (First tests the users a
// word at a time and stops at its n-th match: it tests the candidates
// before the rows it reached, not all of them).
type foundRows struct {
	c    *strColumn
	s    *partSums // checks the blocks read (nil: the column is checked whole)
	p    strPred
	pos  []uint32 // the candidates' positions, increasing
	next int      // pos[:next] are tested
	out  bitset   // the rows of the candidates that hold p
}

// foundBy returns the candidates of p from the column's index, none
// tested yet, their rows to be set in a set of rows bits (ok false: the
// index does not answer p: the column has none, the operand is under
// three bytes, or none of its trigrams is rare). s, when not nil (a
// column read by its head), checks what it reads first: the index's
// tables and the candidates' positions, then (to) each candidate's
// value.
func (c *strColumn) foundBy(s *partSums, p strPred, rows int) (*foundRows, bool, error) {
	t := c.tri
	if t == nil || p.op == 'p' || len(p.w) < 3 {
		return nil, false, nil
	}
	if s != nil {
		if err := t.verifyTables(s, c.n); err != nil {
			return nil, false, err
		}
	}
	pos, ok := t.candidates(p.w)
	if !ok {
		return nil, false, nil
	}
	if s != nil {
		if err := verifyPositions(s, pos, c.n); err != nil {
			return nil, false, err
		}
	}
	return &foundRows{c: c, s: s, p: p, pos: pos, out: newBitset(rows)}, true, nil
}

// to tests the candidates at positions below n (rows below n when the
// column is dense; a sparse one is never read by its head, and is
// tested whole).
func (f *foundRows) to(n int) error {
	c := f.c
	if !c.dense {
		n = c.n
	}
	for ; f.next < len(f.pos) && int(f.pos[f.next]) < n; f.next++ {
		q := int(f.pos[f.next])
		if f.s != nil {
			if err := c.verifyRows(f.s, q, q+1); err != nil {
				return err
			}
		}
		if !c.unset(q) && f.p.holds(c.value(q)) {
			f.out.set(c.row(q))
		}
	}
	return nil
}
