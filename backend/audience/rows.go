package audience

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Checking a part of a file a range of rows at a time. The index holds a
// CRC-32 of every block of partBlock bytes of each part. A part read
// whole has every block checked, then its structure (verifyRows over all
// of its rows). First, which tests users in seq order and stops at its
// n-th match, reads the parts of user attributes and the memberships by
// their head instead (rowHead): their small pieces (a column's form, its
// dictionary, its byte frequencies; the users with several companies)
// are checked when read, and their arrays of rows (the bitset of rows
// with a value, codes, offsets, values, arena bytes, first companies) a
// range at a time, as the walk reaches it: the blocks holding the range,
// then its structure. A one-shot list of fifty users so checks a few
// blocks of each part instead of tens of megabytes. Either way no byte
// is read before its block was checked.

// errNoHead says a part's form has no head (a sparse column, whose rows
// are found by a binary search over all of them; the sparse first
// companies of a changes file): it is read whole.
var errNoHead = errors.New("the part has no head")

// partSums checks a part's blocks against the index's checksums, each
// once; a block found damaged makes every later check fail.
type partSums struct {
	b       []byte       // the part
	sums    []uint32     // the CRC-32 of each block of partBlock bytes
	prepare func([]byte) // called on bytes about to be checked (nil: none)

	mu   sync.Mutex
	done []bool // blocks checked
	left int    // blocks not checked
	err  error
}

func newPartSums(b []byte, sums []uint32, prepare func([]byte)) *partSums {
	return &partSums{b: b, sums: sums, prepare: prepare, done: make([]bool, len(sums)), left: len(sums)}
}

// damaged is the error of a block whose checksum does not match (the
// caller names the part).
func (s *partSums) damaged() error {
	s.err = fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	return s.err
}

// block returns the bytes of block i.
func (s *partSums) block(i int) []byte { return s.b[i*partBlock : min(len(s.b), (i+1)*partBlock)] }

// span checks the blocks holding the part's bytes [lo, hi).
func (s *partSums) span(lo, hi int) error {
	if hi <= lo {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || s.left == 0 {
		return s.err
	}
	for i, last := lo/partBlock, (hi-1)/partBlock; i <= last; i++ {
		if s.done[i] {
			continue
		}
		j := i + 1
		for j <= last && !s.done[j] {
			j++
		}
		if s.prepare != nil {
			s.prepare(s.b[i*partBlock : min(len(s.b), j*partBlock)])
		}
		for ; i < j; i++ {
			if crc32.Checksum(s.block(i), crcTable) != s.sums[i] {
				return s.damaged()
			}
			s.done[i] = true
			s.left--
		}
	}
	return nil
}

// all checks every block not checked yet, on every core at once.
func (s *partSums) all() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || s.left == 0 {
		return s.err
	}
	if s.prepare != nil {
		s.prepare(s.b)
	}
	const group = sumBlock / partBlock // blocks per task
	var bad atomic.Bool
	onCores((len(s.sums)+group-1)/group, func(t int) {
		for i := t * group; i < min(len(s.sums), (t+1)*group) && !bad.Load(); i++ {
			if !s.done[i] && crc32.Checksum(s.block(i), crcTable) != s.sums[i] {
				bad.Store(true)
			}
		}
	})
	if bad.Load() {
		return s.damaged()
	}
	for i := range s.done {
		s.done[i] = true
	}
	s.left = 0
	return nil
}

// checkSpan checks the blocks holding v, elements of the part s (nil:
// the part was checked whole).
func checkSpan[T any](s *partSums, v []T) error {
	if s == nil || len(v) == 0 {
		return nil
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(v))) - uintptr(unsafe.Pointer(unsafe.SliceData(s.b)))
	n := uintptr(len(v)) * unsafe.Sizeof(v[0])
	if lo > uintptr(len(s.b)) || n > uintptr(len(s.b))-lo {
		return fmt.Errorf("%w: an array outside its part", ErrDamaged)
	}
	return s.span(int(lo), int(lo+n))
}

// rowHead is a part read by its head: open decodes it lazily and returns
// the check of a range of its rows; to checks the rows up to n, once.
type rowHead[T any] struct {
	once   sync.Once
	opened atomic.Bool // once has run
	open   func() (T, func(from, to int) error, error)
	val    T
	check  func(from, to int) error
	sums   *partSums // the part's blocks

	mu   sync.Mutex
	upTo int // rows [0, upTo) checked
	err  error
}

// to returns the part with its rows [0, n) checked (n at most its rows).
func (h *rowHead[T]) to(n int) (T, error) {
	h.once.Do(func() {
		h.val, h.check, h.err = h.open()
		h.open = nil
		h.opened.Store(true)
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil && n > h.upTo {
		if h.err = h.check(h.upTo, n); h.err == nil {
			h.upTo = n
		}
	}
	if h.err != nil {
		var zero T
		return zero, h.err
	}
	return h.val, nil
}

// headTo returns the column with its rows [0, n) checked: the part read
// whole when it was already, or when it has no head.
func (p *colPart) headTo(n int) (*column, error) { return headTo(p.head, &p.ready, p.get, n) }

// probe returns the column to read a few of its values at random (the
// candidates of a trigram index), with the checks of the blocks of its
// part (s; nil when the column is checked whole): the column decoded by
// its head, none of its rows checked, when it was not read whole before,
// else the column read whole (as when it has no head).
func (p *colPart) probe() (col *column, s *partSums, err error) {
	h := p.head
	if h == nil || p.ready.Load() {
		col, err = p.get()
		return col, nil, err
	}
	col, err = h.to(0)
	if errors.Is(err, errNoHead) {
		col, err = p.get()
		return col, nil, err
	}
	return col, h.sums, err
}

// headTo returns the memberships with the rows [0, n) checked.
func (p *memPart) headTo(n int) (*members, error) { return headTo(p.head, &p.ready, p.get, n) }

// headTo is a part's head checked up to row n, or the part read whole
// (get) when it was already (ready) before its head was opened, or has
// no head. Once opened, the head is what headTo returns: a First holds
// the head's rows as it walks, and only checking them further fills what
// it reads next (the ranks of memberships), even when another question
// has read the part whole meanwhile; but a part found damaged whole is
// damaged.
func headTo[T any](h *rowHead[T], ready *atomic.Bool, get func() (T, error), n int) (T, error) {
	if h == nil || ready.Load() && !h.opened.Load() {
		return get()
	}
	if ready.Load() {
		if whole, err := get(); err != nil {
			return whole, err
		}
	}
	v, err := h.to(n)
	if errors.Is(err, errNoHead) {
		return get()
	}
	return v, err
}

// heads are the parts a First reads by their head, checked up to the
// same row.
type heads struct {
	cols []*colPart
	mem  *memPart
	// found are the conditions a trigram index answers, their
	// candidates tested up to the same row.
	found []*foundRows
	upTo  int
}

// to checks every part's rows up to n.
func (h *heads) to(n int) error {
	for _, p := range h.cols {
		if _, err := p.headTo(n); err != nil {
			return err
		}
	}
	for _, f := range h.found {
		if err := f.to(n); err != nil {
			return err
		}
	}
	if h.mem != nil {
		if _, err := h.mem.headTo(n); err != nil {
			return err
		}
	}
	h.upTo = n
	return nil
}

// positions returns how many positions the column has (its rows when
// dense).
func (c *column) positions() int {
	if c.str != nil {
		return c.str.n
	}
	return c.num.n
}

// verifyRows checks the positions [from, to) of a column: the blocks
// holding them (s, when not nil), then their structure, and, when to is
// the last, what only the whole column says.
func (c *column) verifyRows(s *partSums, from, to int) error {
	if c.str != nil {
		return c.str.verifyRows(s, from, to)
	}
	return c.num.verifyRows(s, from, to)
}

// damagedRows is the error of a column's structure.
func damagedRows(what string) error { return fmt.Errorf("%w: %s", ErrDamaged, what) }

// verifyRows checks a layout's rows [from, to): a dense one's words of
// the rows with a value, and that it holds no bit beyond its rows. (A
// sparse layout's rows were checked when it was read.)
func (l *layout) verifyRows(s *partSums, from, to int) error {
	if !l.dense || from >= to {
		return nil
	}
	if err := checkSpan(s, l.has[from/64:(to+63)/64]); err != nil {
		return err
	}
	if to == l.n && l.n%64 != 0 && l.has[len(l.has)-1]>>(l.n%64) != 0 {
		return damagedRows(fmt.Sprintf("a column: bits beyond row %d", l.n))
	}
	return nil
}

func (c *strColumn) verifyRows(s *partSums, from, to int) error {
	if from >= to {
		return nil
	}
	if err := c.layout.verifyRows(s, from, to); err != nil {
		return err
	}
	switch {
	case c.codes8 != nil:
		return codeRows(s, c.codes8, len(c.dict), &c.layout, from, to)
	case c.codes16 != nil:
		return codeRows(s, c.codes16, len(c.dict), &c.layout, from, to)
	case c.off != nil:
		if err := checkSpan(s, c.off[from:to+1]); err != nil {
			return err
		}
		if err := c.offsetRows(from, to); err != nil {
			return err
		}
		if err := checkSpan(s, c.data[c.off[from]:c.off[to]]); err != nil {
			return err
		}
	default:
		if err := checkSpan(s, c.data[from*c.width:to*c.width]); err != nil {
			return err
		}
	}
	if s == nil && to == c.n && c.tri != nil {
		// Read whole: its index too. (A head checks what it reads of the
		// index as it reads it: foundBy, foundRows.to.)
		return c.tri.verify(c.n)
	}
	return nil
}

// codeRows checks dictionary codes: 0 exactly where a dense column holds
// no value, none above the dictionary.
func codeRows[T uint8 | uint16](s *partSums, codes []T, dict int, l *layout, from, to int) error {
	if err := checkSpan(s, codes[from:to]); err != nil {
		return err
	}
	for p := from; p < to; p++ {
		if k := codes[p]; int(k) > dict || (k == 0) != l.unset(p) {
			return damagedRows("a dictionary code")
		}
	}
	return nil
}

// offsetRows checks an arena's offsets of positions [from, to): from 0,
// never decreasing, an empty range where a dense column holds no value,
// within the arena, and ending at its end.
func (c *strColumn) offsetRows(from, to int) error {
	off := c.off
	if from == 0 && off[0] != 0 {
		return damagedRows("an arena's offsets")
	}
	for p := from; p < to; p++ {
		if off[p+1] < off[p] || (c.unset(p) && off[p+1] != off[p]) {
			return damagedRows("an arena's offsets")
		}
	}
	if int64(off[to]) > int64(len(c.data)) || (to == c.n && int64(off[to]) != int64(len(c.data))) {
		return damagedRows("an arena's offsets")
	}
	return nil
}

func (c *numColumn) verifyRows(s *partSums, from, to int) error {
	if from >= to {
		return nil
	}
	if err := c.layout.verifyRows(s, from, to); err != nil {
		return err
	}
	switch {
	case c.f64 != nil:
		if err := checkSpan(s, c.f64[from:to]); err != nil {
			return err
		}
		for p := from; p < to; p++ {
			if isNaN(c.f64[p]) != c.unset(p) {
				return damagedRows("a number column's values")
			}
		}
		return nil
	case c.u8 != nil:
		return intRows(s, c.u8, &c.layout, from, to)
	case c.u16 != nil:
		return intRows(s, c.u16, &c.layout, from, to)
	}
	return intRows(s, c.u32, &c.layout, from, to)
}

func isNaN(v float64) bool { return v != v }

// intRows checks small integers: the type's maximum exactly where a dense
// column holds no value.
func intRows[T uint8 | uint16 | uint32](s *partSums, vals []T, l *layout, from, to int) error {
	if err := checkSpan(s, vals[from:to]); err != nil {
		return err
	}
	for p := from; p < to; p++ {
		if (vals[p] == ^T(0)) != l.unset(p) {
			return damagedRows("a number column's values")
		}
	}
	return nil
}

// verifyRows checks the memberships of the users [from, to), in order
// (from is where the last range ended): their first companies, none
// beyond the companies; the users among them with several companies,
// increasing, each with a first company, their offsets increasing and
// their other companies; and, at the last user, that no user with
// several is left and the offsets end at the companies' end. It fills
// hasMore and rank as it goes.
func (m *members) verifyRows(s *partSums, nc uint32, from, to int) error {
	rows := len(m.first)
	if err := checkSpan(s, m.first[from:to]); err != nil {
		return err
	}
	for _, r := range m.first[from:to] {
		if r > nc {
			return damagedRows(fmt.Sprintf("a membership of company %d of %d", r, nc))
		}
	}
	if from == 0 {
		if err := checkSpan(s, m.off[:1]); err != nil {
			return err
		}
		if m.off[0] != 0 {
			return damagedRows("the membership offsets")
		}
	}
	// The users with several companies among [from, to): more[i0:i],
	// checked a chunk of them at a time, then their other companies at
	// once (comp[off[i0]:off[i]], the offsets increasing).
	const chunk = 1 << 12
	i0, i := m.checked, m.checked
	for ; i < len(m.more); i++ {
		if (i-i0)%chunk == 0 {
			if err := checkSpan(s, m.more[i:min(len(m.more), i+chunk)]); err != nil {
				return err
			}
			if err := checkSpan(s, m.off[i+1:min(len(m.off), i+chunk+1)]); err != nil {
				return err
			}
		}
		u := m.more[i]
		if int64(u) >= int64(to) {
			break
		}
		if (i > 0 && u <= m.more[i-1]) || m.first[u] == nc {
			return damagedRows("the users of several companies")
		}
		if m.off[i+1] <= m.off[i] || int64(m.off[i+1]) > int64(len(m.comp)) {
			return damagedRows("the membership offsets")
		}
		m.hasMore[u>>6] |= 1 << (u & 63)
	}
	comp := m.comp[m.off[i0]:m.off[i]]
	if err := checkSpan(s, comp); err != nil {
		return err
	}
	for _, c := range comp {
		if c >= nc {
			return damagedRows(fmt.Sprintf("a membership of company %d of %d", c, nc))
		}
	}
	m.checked = i
	for ; m.ranked < len(m.rank) && (to == rows || (m.ranked+1)*64 <= to); m.ranked++ {
		m.rank[m.ranked] = m.rankSum
		m.rankSum += uint32(bits.OnesCount64(m.hasMore[m.ranked]))
	}
	if to == rows {
		if m.checked != len(m.more) {
			return damagedRows("the users of several companies")
		}
		if err := checkSpan(s, m.off[len(m.more):]); err != nil {
			return err
		}
		if int64(m.off[len(m.more)]) != int64(len(m.comp)) {
			return damagedRows("the membership offsets")
		}
	}
	return nil
}
