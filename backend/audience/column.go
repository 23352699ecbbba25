package audience

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The in-memory columns (see columns.go) are built from the types here:
// dense bitsets of rows, string columns (a dictionary for values with few
// distinct forms, a byte arena otherwise) and numeric columns (small
// unsigned integers off a base when every value is a whole number in a
// narrow range, float64 otherwise). A column is dense (position = row:
// a user's seq or a company's index) or sparse (the rows holding a value,
// increasing, and the values in the same order), whichever is smaller.

// bitset is a dense set of rows.
type bitset []uint64

func newBitset(rows int) bitset { return make(bitset, (rows+63)/64) }

// A rule's evaluation makes a set of users per condition and group, and
// combines them: the sets it is done with go back to a pool, from which
// the next scans take theirs (fresh memory costs the system a page fault
// every 4 KiB: at a million users, 32 per set). Only sets of users go
// there, and only once nothing reads them any more.
var userSets sync.Pool

// userSet returns an empty set of rows rows, from the pool when it holds
// one large enough.
func userSet(rows int) bitset {
	b := pooledSet(rows)
	clear(b)
	return b
}

// pooledSet returns a set of rows rows holding anything.
func pooledSet(rows int) bitset {
	n := (rows + 63) / 64
	if p, ok := userSets.Get().(*bitset); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make(bitset, n)
}

// cloneSet returns a copy of b, from the pool.
func cloneSet(b bitset) bitset {
	out := pooledSet(64 * len(b))
	copy(out, b)
	return out
}

// release gives b back to the pool: nothing may read it afterwards.
func release(b bitset) {
	if cap(b) > 0 {
		userSets.Put(&b)
	}
}

func (b bitset) set(i uint32)      { b[i>>6] |= 1 << (i & 63) }
func (b bitset) has(i uint32) bool { return int(i>>6) < len(b) && b[i>>6]&(1<<(i&63)) != 0 }

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

// or sets in b the rows of o; o may be shorter (a set of companies has
// one more bit, for "no company", than a company column has rows).
func (b bitset) or(o bitset) {
	for i, w := range o[:min(len(o), len(b))] {
		b[i] |= w
	}
}

func (b bitset) andNot(o bitset) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

func (b bitset) clone() bitset { return slices.Clone(b) }

// each calls fn for every row in the set, in increasing order, until fn
// returns false.
func (b bitset) each(fn func(uint32) bool) {
	for i, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			if !fn(uint32(i)<<6 | uint32(t)) {
				return
			}
			w &= w - 1
		}
	}
}

// rowsOf returns the rows of the set, increasing.
func (b bitset) rowsOf() []uint32 {
	out := make([]uint32, 0, b.count())
	b.each(func(r uint32) bool { out = append(out, r); return true })
	return out
}

// layout maps a column's positions to rows: dense columns hold one
// position per row (has says which hold a value); sparse ones list the
// rows of their values.
type layout struct {
	dense bool
	rows  []uint32 // sparse: the row of each position, increasing
	has   bitset   // dense: the positions holding a value
	n     int      // positions
}

// pos returns the position of row r and whether r has a value.
func (l *layout) pos(r uint32) (int, bool) {
	if l.dense {
		return int(r), l.has.has(r)
	}
	i, ok := slices.BinarySearch(l.rows, r)
	return i, ok
}

// row returns the row of position p.
func (l *layout) row(p int) uint32 {
	if l.dense {
		return uint32(p)
	}
	return l.rows[p]
}

// present sets in out every row holding a value.
func (l *layout) present(out bitset) {
	if l.dense {
		out.or(l.has)
		return
	}
	for _, r := range l.rows {
		out.set(r)
	}
}

func (l *layout) bytes() int64 { return int64(cap(l.rows))*4 + int64(cap(l.has))*8 }

// strColumn holds the folded values of one string attribute.
type strColumn struct {
	layout
	// Dictionary form: code k (1-based) stands for dict[k-1]; 0 is unset.
	dict    []string
	codes8  []uint8
	codes16 []uint16
	// Arena form: the value at position p is data[off[p]:off[p+1]], or,
	// when off is nil, data[p*width:(p+1)*width].
	data  []byte
	off   []uint32
	width int
	freq  [256]uint32 // how often each byte occurs in data
	// tri indexes the trigrams of an arena of many values (trigram.go).
	tri *trigrams
}

func (c *strColumn) bytes() int64 {
	n := c.layout.bytes() + int64(cap(c.codes8)) + int64(cap(c.codes16))*2 + int64(cap(c.data)) + int64(cap(c.off))*4 + 256*4 + c.tri.bytes()
	for _, s := range c.dict {
		n += int64(len(s)) + 16
	}
	return n
}

// value returns the value at position p (which must hold one).
func (c *strColumn) value(p int) []byte {
	switch {
	case c.codes8 != nil:
		return []byte(c.dict[c.codes8[p]-1])
	case c.codes16 != nil:
		return []byte(c.dict[c.codes16[p]-1])
	case c.off != nil:
		return c.data[c.off[p]:c.off[p+1]]
	}
	return c.data[p*c.width : (p+1)*c.width]
}

// strPred is a positive string operator with its folded operand.
type strPred struct {
	op byte // 'e'quals, 'c'ontains, 's'tarts_with, 'x' ends_with, 'p'resent (is_set)
	w  []byte
}

func (p strPred) holds(v []byte) bool {
	switch p.op {
	case 'e':
		return string(v) == string(p.w)
	case 'c':
		return bytes.Contains(v, p.w)
	case 's':
		return bytes.HasPrefix(v, p.w)
	case 'x':
		return bytes.HasSuffix(v, p.w)
	}
	return true
}

// test reports whether row r holds a value for which p holds.
func (c *strColumn) test(r uint32, p strPred) bool {
	i, ok := c.pos(r)
	return ok && p.holds(c.value(i))
}

// scan sets in out every row holding a value for which p holds.
func (c *strColumn) scan(p strPred, out bitset) {
	if p.op == 'p' {
		c.present(out)
		return
	}
	switch {
	case c.codes8 != nil:
		scanCodes(c.codes8, c.dictTable(p), &c.layout, out)
		return
	case c.codes16 != nil:
		scanCodes(c.codes16, c.dictTable(p), &c.layout, out)
		return
	}
	m := len(p.w)
	if m == 0 {
		// Every value contains, starts and ends with "".
		for i := 0; i < c.n; i++ {
			if !c.dense || c.has.has(uint32(i)) {
				if p.op != 'e' || len(c.value(i)) == 0 {
					out.set(c.row(i))
				}
			}
		}
		return
	}
	if p.op == 'c' {
		c.scanContains(p.w, out)
		return
	}
	if c.off == nil {
		c.scanFixed(p, out)
		return
	}
	c.scanRows(p, out)
}

// scanRows tests every value of the offsets arena for equals, starts_with
// or ends_with. Operands of up to 8 bytes are compared as one masked
// 64-bit word, and the bits are gathered a word of rows at a time,
// without branches on the outcome.
func (c *strColumn) scanRows(p strPred, out bitset) {
	data, off, w := c.data, c.off, string(p.w)
	m := uint32(len(p.w))
	if m > 8 || len(data) < 8 {
		for i := 0; i < c.n; i++ {
			s, e := off[i], off[i+1]
			if e-s < m {
				continue
			}
			var ok bool
			switch p.op {
			case 'e':
				ok = e-s == m && string(data[s:e]) == w
			case 's':
				ok = string(data[s:s+m]) == w
			case 'x':
				ok = string(data[e-m:e]) == w
			}
			if ok {
				out.set(c.row(i))
			}
		}
		return
	}
	var word [8]byte
	copy(word[:], p.w)
	mask := ^uint64(0) >> (64 - 8*m)
	head := binary.LittleEndian.Uint64(word[:]) // the operand in the low bytes
	tail := head << (64 - 8*m)                  // the operand in the high bytes
	last := uint32(len(data)) - 8
	var bitsOut bitset
	if c.dense {
		bitsOut = out
	} else {
		bitsOut = newBitset(c.n)
	}
	// The first values may start or end too close to the arena's edges
	// for a whole word: they are compared plainly.
	slow := func(i int) uint64 {
		s, e := off[i], off[i+1]
		var ok bool
		switch p.op {
		case 'e':
			ok = e-s == m && string(data[s:e]) == w
		case 's':
			ok = e-s >= m && string(data[s:s+m]) == w
		case 'x':
			ok = e-s >= m && string(data[e-m:e]) == w
		}
		return b2u(ok)
	}
	tmask := ^(^uint64(0) >> (8 * m))
	// The words of positions in spans, on all cores (each span its own
	// words of bitsOut).
	inSpans(c.n, func(from, to int) {
		c.scanRowWords(p.op, from, to, m, head, tail, mask, tmask, last, slow, bitsOut)
	})
	if !c.dense {
		bitsOut.each(func(i uint32) bool { out.set(c.rows[i]); return true })
	}
}

// scanRowWords is scanRows' word loop over the positions [from, to).
func (c *strColumn) scanRowWords(op byte, from, to int, m uint32, head, tail, mask, tmask uint64, last uint32, slow func(int) uint64, bitsOut bitset) {
	data, off := c.data, c.off
	for wi := from / 64; wi*64 < to; wi++ {
		var acc uint64
		lo, hi := wi*64, min(to, wi*64+64)
		if off[lo] < 8 || off[hi] > last {
			for i := lo; i < hi; i++ {
				acc |= slow(i) << uint(i-lo)
			}
			bitsOut[wi] |= acc
			continue
		}
		o := off[lo : hi+1]
		switch op {
		case 'x':
			for j := 0; j < hi-lo; j++ {
				s, e := o[j], o[j+1]
				v := binary.LittleEndian.Uint64(data[e-8 : e])
				acc |= (b2u(v&tmask == tail) & b2u(e-s >= m)) << uint(j)
			}
		case 's':
			for j := 0; j < hi-lo; j++ {
				s, e := o[j], o[j+1]
				v := binary.LittleEndian.Uint64(data[s : s+8])
				acc |= (b2u(v&mask == head) & b2u(e-s >= m)) << uint(j)
			}
		case 'e':
			for j := 0; j < hi-lo; j++ {
				s, e := o[j], o[j+1]
				v := binary.LittleEndian.Uint64(data[s : s+8])
				acc |= (b2u(v&mask == head) & b2u(e-s == m)) << uint(j)
			}
		}
		bitsOut[wi] |= acc
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// scanFixed is scan for the fixed-width arena.
func (c *strColumn) scanFixed(p strPred, out bitset) {
	m, wd := len(p.w), c.width
	if m > wd || (p.op == 'e' && m != wd) {
		return
	}
	w := string(p.w)
	for i := 0; i < c.n; i++ {
		v := c.data[i*wd : (i+1)*wd]
		var ok bool
		switch p.op {
		case 'e':
			ok = string(v) == w
		case 's':
			ok = string(v[:m]) == w
		case 'x':
			ok = string(v[wd-m:]) == w
		}
		if ok && (!c.dense || c.has.has(uint32(i))) {
			out.set(c.row(i))
		}
	}
}

// scanContains finds w in the whole arena at once, never value by value:
// it looks for the operand's rarest byte (IndexByte runs at memory
// speed), or, when even that byte is common, for its rarest pair of
// bytes, eight positions at a time (SWAR); it checks the operand at each
// candidate and maps a match to its value, which it must not straddle.
func (c *strColumn) scanContains(w []byte, out bitset) {
	ri := c.rarest(w)
	if c.freq[w[ri]] == 0 {
		return
	}
	if !c.dense {
		c.containsIn(w, ri, 0, c.n, out, 0)
		return
	}
	// Positions are rows: spans of whole words of positions, on all
	// cores, set bits in words of their own.
	inSpans(c.n, func(lo, hi int) { c.containsIn(w, ri, lo, hi, out, 0) })
}

// rarest returns the index in w of its byte rarest in the arena.
func (c *strColumn) rarest(w []byte) int {
	ri := 0
	for i := range w {
		if c.freq[w[i]] < c.freq[w[ri]] {
			ri = i
		}
	}
	return ri
}

// containsIn is scanContains over the values at positions [lo, hi), w's
// rarest byte at ri: a match must lie inside one value, so the search
// stays inside their bytes. It sets the bit of row r-shift in out.
func (c *strColumn) containsIn(w []byte, ri, lo, hi int, out bitset, shift uint32) {
	data, m := c.data, len(w)
	start, end := lo*c.width, hi*c.width
	if c.off != nil {
		start, end = int(c.off[lo]), int(c.off[hi])
	}
	p := lo // the value of the last candidate (offsets form)
	// hit checks the candidate start st and returns the next start to
	// look from: past the value when it matched.
	hit := func(st int) int {
		if st+m > end || string(data[st:st+m]) != string(w) {
			return st + 1
		}
		var vend int
		if c.off == nil {
			p = st / c.width
			vend = (p + 1) * c.width
		} else {
			p = advance(c.off, p, uint32(st))
			vend = int(c.off[p+1])
		}
		if st+m > vend {
			return st + 1 // straddles two values
		}
		if !c.dense || c.has.has(uint32(p)) {
			out.set(c.row(p) - shift)
		}
		return vend
	}
	common := uint64(c.freq[w[ri]])*64 > uint64(len(data))
	if m < 2 || colContains == 1 || (colContains == 0 && !common) {
		rb := w[ri]
		for st := start; st+m <= end; {
			j := bytes.IndexByte(data[st+ri:end], rb)
			if j < 0 {
				return
			}
			st = hit(st + j)
		}
		return
	}
	// The rarest pair w[pi], w[pi+1].
	pi := 0
	for i := 1; i+1 < m; i++ {
		if uint64(c.freq[w[i]])*uint64(c.freq[w[i+1]]) < uint64(c.freq[w[pi]])*uint64(c.freq[w[pi+1]]) {
			pi = i
		}
	}
	b1, b2 := w[pi], w[pi+1]
	const ones, low7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	x1, x2 := uint64(b1)*ones, uint64(b2)*ones
	for st := start; st+m <= end; {
		q := st + pi
		if q+9 > end {
			// The last bytes, one at a time.
			if data[q] == b1 && data[q+1] == b2 {
				st = hit(st)
			} else {
				st++
			}
			continue
		}
		d := data[q : q+9 : q+9]
		t := (binary.LittleEndian.Uint64(d) ^ x1) | (binary.LittleEndian.Uint64(d[1:]) ^ x2)
		// The high bit of each byte of z is set where t has a zero byte:
		// where the pair starts.
		z := ^(((t & low7) + low7) | t | low7)
		if z == 0 {
			st += 8
			continue
		}
		st = hit(st + bits.TrailingZeros64(z)>>3)
	}
}

// colContains forces how contains looks for candidates, for tests: 1 the
// rarest byte, 2 the rarest pair (0: by the byte's frequency).
var colContains = 0

// advance returns the position k ≥ p whose value holds byte offset x:
// the smallest k with off[k+1] > x. It gallops from p, as matches come
// in increasing order.
func advance(off []uint32, p int, x uint32) int {
	if off[p+1] > x {
		return p
	}
	// off[lo+1] <= x: the answer is above lo.
	lo, step := p, 1
	hi := lo + step
	last := len(off) - 2 // the last position
	for hi < last && off[hi+1] <= x {
		lo = hi
		step <<= 1
		hi = lo + step
	}
	if hi > last {
		hi = last
	}
	// The smallest k in (lo, hi] with off[k+1] > x.
	return lo + 1 + sort.Search(hi-lo, func(i int) bool { return off[lo+1+i+1] > x })
}

// dictTable evaluates p once per dictionary entry: table[code].
func (c *strColumn) dictTable(p strPred) []bool {
	t := make([]bool, len(c.dict)+1)
	for i, s := range c.dict {
		t[i+1] = p.holds([]byte(s))
	}
	return t
}

func scanCodes[T uint8 | uint16](codes []T, table []bool, l *layout, out bitset) {
	if !slices.Contains(table, true) {
		return
	}
	if l.dense {
		inSpans(len(codes), func(from, to int) {
			for wi := from / 64; wi*64 < to; wi++ {
				var acc uint64
				for j, k := range codes[wi*64 : min(to, wi*64+64)] {
					acc |= b2u(table[k]) << uint(j)
				}
				out[wi] |= acc
			}
		})
		return
	}
	for i, k := range codes {
		if table[k] {
			out.set(l.row(i))
		}
	}
}

// numColumn holds the values of one number, boolean (0/1) or date (Unix
// seconds) attribute.
type numColumn struct {
	layout
	f64  []float64 // NaN: unset
	u8   []uint8   // value − base; the type's maximum: unset
	u16  []uint16
	u32  []uint32
	base int64
}

func (c *numColumn) bytes() int64 {
	return c.layout.bytes() + int64(cap(c.f64))*8 + int64(cap(c.u8)) + int64(cap(c.u16))*2 + int64(cap(c.u32))*4
}

// numPred is a positive numeric operator: 'e'quals, 'g'reater than,
// 'l'ess than w, or 'p'resent (is_set).
type numPred struct {
	op byte
	w  float64
}

func (p numPred) holds(v float64) bool {
	switch p.op {
	case 'e':
		return v == p.w
	case 'g':
		return v > p.w
	case 'l':
		return v < p.w
	}
	return v == v
}

// span converts p, over whole numbers stored as value − base, to the
// range [lo, hi] of stored numbers it selects (ok false: none).
func (p numPred) span(base int64, max uint32) (lo, hi uint32, ok bool) {
	const lim = 1 << 62
	w := p.w
	if math.IsNaN(w) && p.op != 'p' {
		return 0, 0, false
	}
	var a, b int64 // the values selected, inclusive
	switch p.op {
	case 'p':
		return 0, max, true
	case 'e':
		if w != math.Trunc(w) || math.Abs(w) >= lim {
			return 0, 0, false
		}
		a, b = int64(w), int64(w)
	case 'g':
		// A whole x is > w exactly when x > floor(w).
		f := math.Floor(w)
		if f >= lim {
			return 0, 0, false
		}
		if f < -lim {
			return 0, max, true
		}
		a, b = int64(f)+1, math.MaxInt64
	case 'l':
		// x < w exactly when x < ceil(w).
		f := math.Ceil(w)
		if f <= -lim {
			return 0, 0, false
		}
		if f > lim {
			return 0, max, true
		}
		a, b = math.MinInt64, int64(f)-1
	default:
		return 0, 0, false
	}
	// Shift to stored numbers, clamped to [0, max].
	lo64, hi64 := int64(0), int64(max)
	if a != math.MinInt64 && a-base > lo64 {
		lo64 = a - base
	}
	if b != math.MaxInt64 && b-base < hi64 {
		hi64 = b - base
	}
	if lo64 > hi64 {
		return 0, 0, false
	}
	return uint32(lo64), uint32(hi64), true
}

// value returns the value at position p, NaN when unset.
func (c *numColumn) value(p int) float64 {
	switch {
	case c.f64 != nil:
		return c.f64[p]
	case c.u8 != nil:
		return intValue(c.u8[p], c.base)
	case c.u16 != nil:
		return intValue(c.u16[p], c.base)
	case c.u32 != nil:
		return intValue(c.u32[p], c.base)
	}
	return math.NaN()
}

func intValue[T uint8 | uint16 | uint32](v T, base int64) float64 {
	if v == ^T(0) {
		return math.NaN()
	}
	return float64(int64(v) + base)
}

func (c *numColumn) test(r uint32, p numPred) bool {
	i, ok := c.pos(r)
	return ok && p.holds(c.value(i))
}

func (c *numColumn) scan(p numPred, out bitset) {
	if p.op == 'p' {
		c.present(out)
		return
	}
	switch {
	case c.f64 != nil:
		scanFloats(c.f64, p, &c.layout, out)
	case c.u8 != nil:
		if lo, hi, ok := p.span(c.base, math.MaxUint8-1); ok {
			scanInts(c.u8, uint8(lo), uint8(hi), &c.layout, out)
		}
	case c.u16 != nil:
		if lo, hi, ok := p.span(c.base, math.MaxUint16-1); ok {
			scanInts(c.u16, uint16(lo), uint16(hi), &c.layout, out)
		}
	case c.u32 != nil:
		if lo, hi, ok := p.span(c.base, math.MaxUint32-1); ok {
			scanInts(c.u32, lo, hi, &c.layout, out)
		}
	}
}

// scanInts sets the rows whose stored number is within [lo, hi] (hi is
// below the unset marker).
func scanInts[T uint8 | uint16 | uint32](vals []T, lo, hi T, l *layout, out bitset) {
	d := hi - lo
	if l.dense {
		inSpans(len(vals), func(from, to int) {
			for wi := from / 64; wi*64 < to; wi++ {
				var acc uint64
				for j, v := range vals[wi*64 : min(to, wi*64+64)] {
					acc |= b2u(v-lo <= d) << uint(j)
				}
				out[wi] |= acc
			}
		})
		return
	}
	for i, v := range vals {
		if v-lo <= d {
			out.set(l.rows[i])
		}
	}
}

func scanFloats(vals []float64, p numPred, l *layout, out bitset) {
	w := p.w
	switch p.op {
	case 'e':
		for i, v := range vals {
			if v == w {
				out.set(l.row(i))
			}
		}
	case 'g':
		for i, v := range vals {
			if v > w {
				out.set(l.row(i))
			}
		}
	case 'l':
		for i, v := range vals {
			if v < w {
				out.set(l.row(i))
			}
		}
	}
}

// colForce forces the columns' forms, for tests: every form must give
// the same answers.
var colForce colForms

type colForms struct {
	arena   bool // strings in an arena, never a dictionary
	layout  int  // 0: the smaller; 1: dense; 2: sparse
	noFixed bool // never a fixed-width arena (else fixed whenever possible when layout is forced)
	float   bool // numbers as float64
}

func (f colForms) dense(auto bool) bool {
	switch f.layout {
	case 1:
		return true
	case 2:
		return false
	}
	return auto
}

// strBuilder collects a string column row by row, rows increasing. It
// keeps a dictionary while values repeat and switches to an arena once
// they do not.
type strBuilder struct {
	rows  []uint32
	index map[string]uint16
	dict  []string
	codes []uint16
	arena bool
	data  []byte
	off   []uint32 // arena: the end of each value
}

func (b *strBuilder) add(row uint32, v string) bool {
	if n := len(b.rows); n > 0 && b.rows[n-1] >= row {
		return false
	}
	b.rows = append(b.rows, row)
	if b.arena {
		b.data = append(b.data, v...)
		b.off = append(b.off, uint32(len(b.data)))
		return len(b.data) <= math.MaxUint32
	}
	if b.index == nil {
		b.index = map[string]uint16{}
	}
	k, ok := b.index[v]
	if !ok {
		b.dict = append(b.dict, v)
		k = uint16(len(b.dict))
		b.index[v] = k
	}
	b.codes = append(b.codes, k)
	if n := len(b.dict); n >= math.MaxUint16 || (n > 1024 && n*4 > len(b.codes)) || colForce.arena {
		b.toArena()
	}
	return true
}

func (b *strBuilder) toArena() {
	b.arena = true
	for _, k := range b.codes {
		b.data = append(b.data, b.dict[k-1]...)
		b.off = append(b.off, uint32(len(b.data)))
	}
	b.codes, b.dict, b.index = nil, nil, nil
}

// finish lays the column out for rows 0..n-1, dense or sparse, whichever
// takes less memory.
func (b *strBuilder) finish(n int) *strColumn {
	c := &strColumn{}
	count := len(b.rows)
	if !b.arena {
		w := 2
		if len(b.dict) < math.MaxUint8 {
			w = 1
		}
		c.layout = newLayout(b.rows, n, colForce.dense(count*(4+w) > n*w+n/8))
		c.dict = b.dict
		if w == 1 {
			c.codes8 = make([]uint8, c.n)
			for i, k := range b.codes {
				c.codes8[c.target(i, b.rows)] = uint8(k)
			}
		} else {
			c.codes16 = make([]uint16, c.n)
			for i, k := range b.codes {
				c.codes16[c.target(i, b.rows)] = k
			}
		}
		return c
	}
	width := -1
	prev := uint32(0)
	for _, e := range b.off {
		if l := int(e - prev); width == -1 {
			width = l
		} else if l != width {
			width = -2
		}
		prev = e
	}
	data := len(b.data)
	costs := map[string]int{
		"dense":  data + 4*(n+1) + n/8,
		"sparse": data + 4*(count+1) + 4*count,
	}
	if width > 0 {
		costs["dense-fixed"] = n*width + n/8
		costs["sparse-fixed"] = count*width + 4*count
	}
	best := "sparse"
	for _, k := range []string{"sparse-fixed", "dense", "dense-fixed"} {
		if v, ok := costs[k]; ok && v < costs[best] {
			best = k
		}
	}
	fixed := strings.HasSuffix(best, "-fixed")
	if colForce.layout != 0 {
		fixed = width > 0
	}
	if colForce.noFixed {
		fixed = false
	}
	dense := colForce.dense(strings.HasPrefix(best, "dense"))
	best = "sparse"
	if dense {
		best = "dense"
	}
	if fixed {
		best += "-fixed"
	}
	c.layout = newLayout(b.rows, n, dense)
	switch best {
	case "sparse-fixed":
		c.width, c.data = width, slices.Clip(b.data)
	case "sparse":
		c.data = slices.Clip(b.data)
		c.off = make([]uint32, count+1)
		copy(c.off[1:], b.off)
	case "dense-fixed":
		c.width = width
		c.data = make([]byte, n*width)
		for i, r := range b.rows {
			copy(c.data[int(r)*width:], b.data[i*width:(i+1)*width])
		}
	case "dense":
		// Rows without a value get an empty range.
		c.data = slices.Clip(b.data)
		c.off = make([]uint32, n+1)
		j, end := 0, uint32(0)
		for r := 0; r < n; r++ {
			if j < count && int(b.rows[j]) == r {
				end = b.off[j]
				j++
			}
			c.off[r+1] = end
		}
	}
	for _, x := range c.data {
		c.freq[x]++
	}
	c.tri = buildTrigrams(c)
	return c
}

// newLayout returns the layout of a column whose values are at rows.
func newLayout(rows []uint32, n int, dense bool) layout {
	if !dense {
		return layout{rows: slices.Clip(rows), n: len(rows)}
	}
	l := layout{dense: true, has: newBitset(n), n: n}
	for _, r := range rows {
		l.has.set(r)
	}
	return l
}

// target returns the position of the i-th value added.
func (l *layout) target(i int, rows []uint32) int {
	if l.dense {
		return int(rows[i])
	}
	return i
}

// numBuilder collects a numeric column row by row, rows increasing.
type numBuilder struct {
	rows []uint32
	vals []float64
}

func (b *numBuilder) add(row uint32, v float64) bool {
	if n := len(b.rows); n > 0 && b.rows[n-1] >= row {
		return false
	}
	if math.IsNaN(v) {
		// Never stored (NaN is no JSON number); it would read as unset.
		return false
	}
	b.rows, b.vals = append(b.rows, row), append(b.vals, v)
	return true
}

func (b *numBuilder) finish(n int) *numColumn {
	c := &numColumn{}
	count := len(b.rows)
	whole := true
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range b.vals {
		if v != math.Trunc(v) || math.Abs(v) >= 1<<53 {
			whole = false
			break
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	w := 8
	if whole && count > 0 {
		switch span := hi - lo; {
		case span < math.MaxUint8:
			w = 1
		case span < math.MaxUint16:
			w = 2
		case span < math.MaxUint32:
			w = 4
		}
	}
	if colForce.float {
		w = 8
	}
	c.layout = newLayout(b.rows, n, colForce.dense(count*(4+w) > n*w+n/8))
	base := int64(0)
	if w < 8 {
		base = int64(lo)
	}
	c.base = base
	switch w {
	case 1:
		c.u8 = fillInts[uint8](c.n, b, &c.layout, base)
	case 2:
		c.u16 = fillInts[uint16](c.n, b, &c.layout, base)
	case 4:
		c.u32 = fillInts[uint32](c.n, b, &c.layout, base)
	default:
		c.f64 = make([]float64, c.n)
		if c.dense {
			for i := range c.f64 {
				c.f64[i] = math.NaN()
			}
		}
		for i, v := range b.vals {
			c.f64[c.target(i, b.rows)] = v
		}
	}
	return c
}

func fillInts[T uint8 | uint16 | uint32](n int, b *numBuilder, l *layout, base int64) []T {
	out := make([]T, n)
	if l.dense {
		for i := range out {
			out[i] = ^T(0)
		}
	}
	for i, v := range b.vals {
		out[l.target(i, b.rows)] = T(int64(v) - base)
	}
	return out
}
