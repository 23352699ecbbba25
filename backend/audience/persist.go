package audience

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"portalstudio/backend/portal"
)

// The persisted form of the columns: derived data an adapter keeps beside
// its store, so that a new process reads the engine in milliseconds
// instead of building it from rows. It is the in-memory layout written
// out flat:
//
//	magic    "PSAUDCOL"
//	version  uint32 (FormatVersion)
//	gen      uint32 length + bytes: the data's generation, opaque, given by the adapter
//	body     the columns (below)
//	crc      uint32: Checksum of everything before it: the CRC-32C of
//	         the CRC-32Cs of its blocks of 4 MiB, which a reader checks
//	         on every core at once
//
// Every integer is little-endian, and every array (a uint64 count, then
// its elements) starts its elements at a multiple of 8 bytes from the
// start of the file (zero bytes pad before them): on a little-endian
// machine the columns read use the file's bytes in place, without a
// copy. The body holds the user rows, the
// companies, the set of users (rowSet: dense 64-bit words, or the rows
// when few of them are users), the eight standard
// user columns, the custom user columns (key, kind, column), the nine
// standard company columns, the custom company columns, and the
// memberships (four uint32 arrays, CSR form; the first, one per row, is
// written as the rows with a company and their companies when that is
// smaller: firsts). A column is its layout
// (dense: a bitset of the rows holding a value; sparse: the rows, uint32
// increasing) and its values in their form (dictionary codes, arena with
// offsets, fixed-width arena, float64 or small unsigned integers off a
// base); a string column also holds its byte frequencies (256 uint32s).
// Derived parts (membership ranks, the cache of company sets) are
// recomputed on reading. The columns hold no roaring
// bitmap: roaring sets are only the answers.
//
// ReadColumns checks everything it reads: the magic, the version, the
// generation, the checksum, and then every length, offset, code and row
// against the structure, so that no file, however damaged or forged,
// gives columns that panic or answer differently from the builders'.
//
// The changes file of the Engine holds columns of a few users among
// many rows (rows = the whole workspace's): every per-row part then has
// a compact form, so that its size follows the rows changed, not the
// workspace (a few kilobytes for a small import into a million users).

// FormatVersion is the version of the persisted form; a file of another
// version is refused (ErrVersion) and must be rebuilt.
const FormatVersion = 3 // 3: compact sets of rows, checksum by blocks

const persistMagic = "PSAUDCOL"

// Errors of ReadColumns (wrapped, with details).
var (
	// ErrDamaged says the data is not a whole, valid file of columns.
	ErrDamaged = errors.New("the audience data is damaged")
	// ErrVersion says the data is of another format version.
	ErrVersion = errors.New("the audience data is of another format version")
	// ErrStale says the data holds another generation than the one
	// expected.
	ErrStale = errors.New("the audience data is of another generation of the data")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Save writes the columns in their persisted form, stamped with gen (the
// generation of the data they were built from), and returns the bytes
// written.
func (c *Columns) Save(w io.Writer, gen string) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	crc := &blockSum{cur: crc32.New(castagnoli)}
	e := &encoder{w: bufio.NewWriterSize(io.MultiWriter(bw, crc), 1<<16)}
	e.raw([]byte(persistMagic))
	e.u32(FormatVersion)
	e.str(gen)
	c.encode(e)
	if e.err == nil {
		e.err = e.w.Flush()
	}
	if e.err == nil {
		var sum [4]byte
		binary.LittleEndian.PutUint32(sum[:], crc.Sum32())
		_, e.err = bw.Write(sum[:])
	}
	if e.err == nil {
		e.err = bw.Flush()
	}
	return cw.n, e.err
}

// sumBlock is the size of the blocks whose CRC-32Cs Checksum covers.
const sumBlock = 4 << 20

// Checksum returns the checksum Save writes after b: the CRC-32C of the
// CRC-32Cs (little-endian) of b's blocks of sumBlock bytes, the last one
// shorter. The blocks are summed on every core at once: a million users'
// file (about 130 MB) is checked in half the time on two cores.
func Checksum(b []byte) uint32 {
	n := (len(b) + sumBlock - 1) / sumBlock
	sums := make([]byte, 4*n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				blk := b[i*sumBlock : min(len(b), (i+1)*sumBlock)]
				binary.LittleEndian.PutUint32(sums[4*i:], crc32.Checksum(blk, castagnoli))
			}
		})
	}
	wg.Wait()
	return crc32.Checksum(sums, castagnoli)
}

// blockSum computes Checksum over what is written to it.
type blockSum struct {
	cur  hash.Hash32 // the CRC-32C of the block being written
	n    int         // its bytes so far
	sums []byte      // the CRC-32Cs of the blocks before
}

func (b *blockSum) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := min(len(p), sumBlock-b.n)
		b.cur.Write(p[:k])
		b.n += k
		p = p[k:]
		if b.n == sumBlock {
			b.sums = binary.LittleEndian.AppendUint32(b.sums, b.cur.Sum32())
			b.cur.Reset()
			b.n = 0
		}
	}
	return total, nil
}

func (b *blockSum) Sum32() uint32 {
	sums := b.sums
	if b.n > 0 {
		sums = binary.LittleEndian.AppendUint32(slices.Clip(sums), b.cur.Sum32())
	}
	return crc32.Checksum(sums, castagnoli)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *Columns) encode(e *encoder) {
	e.u64(uint64(c.rows))
	e.u64(uint64(c.nComp))
	e.rowSet(c.all, c.nUsers)
	for f := UserID; f < userFields; f++ {
		e.column(c.user[userFieldNames[f]])
	}
	e.attrs(c.userAttr)
	for f := CompanyID; f < companyFields; f++ {
		e.column(c.comp[companyFieldNames[f]])
	}
	e.attrs(c.compAttr)
	// The membership offsets without their final end (buildMemberships
	// adds it back).
	e.firsts(c.memFirst, uint32(c.nComp), few(c.nUsers, c.rows))
	e.u32s(c.memMore)
	e.u32s(c.memOff[:len(c.memOff)-1])
	e.u32s(c.memComp)
}

// The forms of rowSet and firsts.
const (
	formDense  = 0
	formSparse = 1
)

// few reports whether n users among rows are few enough for the sparse
// forms: they are expanded on reading, which costs a pass over the rows
// (the dense forms are read in place), so they are for the changes file.
func few(n, rows int) bool { return 32*n < rows }

// rowSet writes a set of n rows: its words, or the rows themselves when
// they are few.
func (e *encoder) rowSet(b bitset, n int) {
	if !few(n, 64*len(b)) {
		e.u64(formDense)
		e.words(b)
		return
	}
	e.u64(formSparse)
	rows := make([]uint32, 0, n)
	for w, x := range b {
		for ; x != 0; x &= x - 1 {
			rows = append(rows, uint32(w*64+bits.TrailingZeros64(x)))
		}
	}
	e.u32s(rows)
}

// firsts writes the users' first companies (none = nComp): one per row,
// or, when the users are few (sparse), the rows with one and their
// companies.
func (e *encoder) firsts(first []uint32, none uint32, sparse bool) {
	if !sparse {
		e.u64(formDense)
		e.u32s(first)
		return
	}
	n := 0
	for _, f := range first {
		if f != none {
			n++
		}
	}
	e.u64(formSparse)
	rows, comps := make([]uint32, 0, n), make([]uint32, 0, n)
	for r, f := range first {
		if f != none {
			rows, comps = append(rows, uint32(r)), append(comps, f)
		}
	}
	e.u32s(rows)
	e.u32s(comps)
}

// encoder writes the parts of the body; the first error sticks.
type encoder struct {
	w   *bufio.Writer
	buf []byte
	pos int64 // bytes written
	err error
}

func (e *encoder) raw(p []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(p)
		e.pos += int64(len(p))
	}
}

// count writes an array's count and pads to its elements' alignment.
func (e *encoder) count(n int) {
	e.u64(uint64(n))
	var zero [8]byte
	e.raw(zero[:(8-e.pos%8)%8])
}

func (e *encoder) u8(v uint8) { e.raw([]byte{v}) }
func (e *encoder) u32(v uint32) {
	e.raw(binary.LittleEndian.AppendUint32(e.buf[:0], v))
}
func (e *encoder) u64(v uint64) {
	e.raw(binary.LittleEndian.AppendUint64(e.buf[:0], v))
}
func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.raw([]byte(s))
}

// chunk writes the chunk buffer when it is full enough.
func (e *encoder) chunk(b []byte, last bool) []byte {
	if len(b) >= 1<<15 || last {
		e.raw(b)
		return b[:0]
	}
	return b
}

func (e *encoder) words(v []uint64) {
	e.count(len(v))
	b := make([]byte, 0, 1<<15+8)
	for _, x := range v {
		b = e.chunk(binary.LittleEndian.AppendUint64(b, x), false)
	}
	e.chunk(b, true)
}

func (e *encoder) u32s(v []uint32) {
	e.count(len(v))
	b := make([]byte, 0, 1<<15+8)
	for _, x := range v {
		b = e.chunk(binary.LittleEndian.AppendUint32(b, x), false)
	}
	e.chunk(b, true)
}

func (e *encoder) u16s(v []uint16) {
	e.count(len(v))
	b := make([]byte, 0, 1<<15+8)
	for _, x := range v {
		b = e.chunk(binary.LittleEndian.AppendUint16(b, x), false)
	}
	e.chunk(b, true)
}

func (e *encoder) bytes(v []byte) {
	e.count(len(v))
	e.raw(v)
}

func (e *encoder) floats(v []float64) {
	e.count(len(v))
	b := make([]byte, 0, 1<<15+8)
	for _, x := range v {
		b = e.chunk(binary.LittleEndian.AppendUint64(b, math.Float64bits(x)), false)
	}
	e.chunk(b, true)
}

func (e *encoder) attrs(m map[attrKey]*column) {
	keys := make([]attrKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// A stable order, so that equal columns give equal files.
	sortKeys(keys)
	e.u64(uint64(len(keys)))
	for _, k := range keys {
		e.str(k.key)
		e.str(string(k.kind))
		e.column(m[k])
	}
}

func sortKeys(keys []attrKey) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (keys[j].key < keys[j-1].key || keys[j].key == keys[j-1].key && keys[j].kind < keys[j-1].kind); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// The forms of a column's values.
const (
	formCodes8 = iota + 1
	formCodes16
	formArena
	formFixed
	formF64
	formU8
	formU16
	formU32
)

func (e *encoder) layout(l *layout) {
	if l.dense {
		e.u8(1)
		e.u64(uint64(l.n))
		e.words(l.has)
		return
	}
	e.u8(0)
	e.u32s(l.rows)
}

func (e *encoder) column(c *column) {
	if c.str != nil {
		s := c.str
		e.u8('s')
		e.layout(&s.layout)
		switch {
		case s.codes8 != nil:
			e.u8(formCodes8)
			e.dict(s.dict)
			e.bytes(s.codes8)
		case s.codes16 != nil:
			e.u8(formCodes16)
			e.dict(s.dict)
			e.u16s(s.codes16)
		case s.off != nil:
			e.u8(formArena)
			e.bytes(s.data)
			e.u32s(s.off)
		default:
			e.u8(formFixed)
			e.u64(uint64(s.width))
			e.bytes(s.data)
		}
		e.u32s(s.freq[:])
		return
	}
	n := c.num
	e.u8('n')
	e.layout(&n.layout)
	switch {
	case n.f64 != nil:
		e.u8(formF64)
		e.floats(n.f64)
	case n.u8 != nil:
		e.u8(formU8)
		e.u64(uint64(n.base))
		e.bytes(n.u8)
	case n.u16 != nil:
		e.u8(formU16)
		e.u64(uint64(n.base))
		e.u16s(n.u16)
	default:
		e.u8(formU32)
		e.u64(uint64(n.base))
		e.u32s(n.u32)
	}
}

func (e *encoder) dict(d []string) {
	e.u64(uint64(len(d)))
	for _, s := range d {
		e.str(s)
	}
}

// ReadColumns reads columns saved by Save, which must hold generation
// gen. It returns ErrDamaged (truncated, changed or inconsistent data),
// ErrVersion or ErrStale, wrapped with details; it never panics and never
// returns columns other than the ones saved. The columns use b in place:
// b must not change afterwards.
func ReadColumns(b []byte, gen string) (*Columns, error) {
	hdr := len(persistMagic) + 4
	if len(b) < hdr+4+4 || string(b[:len(persistMagic)]) != persistMagic {
		return nil, fmt.Errorf("%w: no audience data header", ErrDamaged)
	}
	if v := binary.LittleEndian.Uint32(b[len(persistMagic):]); v != FormatVersion {
		return nil, fmt.Errorf("%w: version %d, this program reads %d", ErrVersion, v, FormatVersion)
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if Checksum(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	}
	d := &decoder{b: body[hdr:], off: hdr}
	if g := d.str(); d.err == nil && g != gen {
		return nil, fmt.Errorf("%w: it holds generation %q, the data is at %q", ErrStale, g, gen)
	}
	c := d.columns()
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the columns", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

// SavedGeneration returns the generation a file saved by Save says it
// holds, reading its header only (ReadColumns checks the rest). It
// returns ErrDamaged or ErrVersion, wrapped, when the header is not one
// this program wrote.
func SavedGeneration(b []byte) (string, error) {
	hdr := len(persistMagic) + 4
	if len(b) < hdr+4+4 || string(b[:len(persistMagic)]) != persistMagic {
		return "", fmt.Errorf("%w: no audience data header", ErrDamaged)
	}
	if v := binary.LittleEndian.Uint32(b[len(persistMagic):]); v != FormatVersion {
		return "", fmt.Errorf("%w: version %d, this program reads %d", ErrVersion, v, FormatVersion)
	}
	d := &decoder{b: b[hdr : len(b)-4], off: hdr}
	g := d.str()
	return g, d.err
}

// decoder reads the body; the first error sticks, and every read after it
// returns zero values.
type decoder struct {
	b   []byte
	off int // of b in the file
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated")
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	d.off += int(n)
	return p
}

func (d *decoder) u8() uint8 {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *decoder) str() string { return string(d.take(uint64(d.u32()))) }

// array takes a count, the padding, and that many elements of size
// bytes, never more than remain.
func (d *decoder) array(size uint64) (int, []byte) {
	n := d.u64()
	for _, x := range d.take(uint64((8 - d.off%8) % 8)) {
		if x != 0 {
			d.fail("padding")
		}
	}
	if d.err == nil && n > uint64(len(d.b))/size {
		d.fail("truncated array")
	}
	p := d.take(n * size)
	if d.err != nil {
		return 0, nil
	}
	return int(n), p
}

func (d *decoder) words() []uint64 {
	n, p := d.array(8)
	return inPlace(p, n, binary.LittleEndian.Uint64)
}

func (d *decoder) u32s() []uint32 {
	n, p := d.array(4)
	return inPlace(p, n, binary.LittleEndian.Uint32)
}

func (d *decoder) u16s() []uint16 {
	n, p := d.array(2)
	return inPlace(p, n, binary.LittleEndian.Uint16)
}

func (d *decoder) bytes() []byte {
	n, p := d.array(1)
	if n == 0 {
		return []byte{}
	}
	return p[:n:n]
}

func (d *decoder) floats() []float64 {
	n, p := d.array(8)
	return inPlace(p, n, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
}

// littleEndian is true on a little-endian machine.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// inPlace returns the n elements in p: p itself, seen as a []T, on a
// little-endian machine when p is aligned for T; else a copy, decoded by
// get. Never nil.
func inPlace[T uint16 | uint32 | uint64 | float64](p []byte, n int, get func([]byte) T) []T {
	if n == 0 {
		return []T{}
	}
	size := int(unsafe.Sizeof(T(0)))
	if littleEndian && uintptr(unsafe.Pointer(unsafe.SliceData(p)))%uintptr(size) == 0 {
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(p))), n)[:n:n]
	}
	out := make([]T, n)
	for i := range out {
		out[i] = get(p[size*i:])
	}
	return out
}

func (d *decoder) columns() *Columns {
	rows, nComp := d.u64(), d.u64()
	if d.err == nil && (rows >= math.MaxUint32 || nComp >= math.MaxUint32) {
		d.fail("%d rows, %d companies", rows, nComp)
	}
	c := &Columns{rows: int(rows), nComp: int(nComp), user: map[string]*column{}, comp: map[string]*column{}}
	c.all = d.rowSet(c.rows)
	c.nUsers = c.all.count()
	for f := UserID; f < userFields; f++ {
		c.user[userFieldNames[f]] = d.column(c.rows, f < UserCreatedAt)
	}
	c.userAttr = d.attrs(c.rows)
	for f := CompanyID; f < companyFields; f++ {
		c.comp[companyFieldNames[f]] = d.column(c.nComp, f < CompanySize)
	}
	c.compAttr = d.attrs(c.nComp)
	first := d.firsts(c.rows, uint32(c.nComp))
	more, off, comp := d.u32s(), d.u32s(), d.u32s()
	d.checkMembers(c, first, more, off, comp)
	if d.err != nil {
		return nil
	}
	buildMemberships(c, first, more, off, comp)
	return c
}

// rowSet reads what encoder.rowSet wrote: a set of rows.
func (d *decoder) rowSet(rows int) bitset {
	switch form := d.u64(); {
	case d.err != nil:
		return nil
	case form == formDense:
		b := bitset(d.words())
		d.checkBitset(b, rows, "the users")
		return b
	case form == formSparse:
		list := d.u32s()
		if !d.increasing(list, rows, "the users") {
			return nil
		}
		b := make(bitset, (rows+63)/64)
		for _, r := range list {
			b[r>>6] |= 1 << (r & 63)
		}
		return b
	default:
		d.fail("the set of users has form %d", form)
		return nil
	}
}

// firsts reads what encoder.firsts wrote: the first company of each of
// rows users (none for none).
func (d *decoder) firsts(rows int, none uint32) []uint32 {
	switch form := d.u64(); {
	case d.err != nil:
		return nil
	case form == formDense:
		return d.u32s()
	case form == formSparse:
		list, comps := d.u32s(), d.u32s()
		if !d.increasing(list, rows, "the users with a company") {
			return nil
		}
		if len(comps) != len(list) {
			d.fail("%d first companies for %d users", len(comps), len(list))
			return nil
		}
		first := make([]uint32, rows)
		for i := range first {
			first[i] = none
		}
		for i, r := range list {
			first[r] = comps[i] // checkMembers checks the companies
		}
		return first
	default:
		d.fail("the first companies have form %d", form)
		return nil
	}
}

// increasing checks that rows are increasing row numbers below n.
func (d *decoder) increasing(rows []uint32, n int, what string) bool {
	if d.err != nil {
		return false
	}
	for i, r := range rows {
		if int64(r) >= int64(n) || (i > 0 && r <= rows[i-1]) {
			d.fail("%s: row %d of %d out of order or range", what, r, n)
			return false
		}
	}
	return true
}

// checkBitset checks that b holds rows bits exactly (no bit beyond).
func (d *decoder) checkBitset(b bitset, rows int, what string) {
	if d.err != nil {
		return
	}
	if len(b) != (rows+63)/64 {
		d.fail("%s: %d words for %d rows", what, len(b), rows)
		return
	}
	if rows%64 != 0 && b[len(b)-1]>>(rows%64) != 0 {
		d.fail("%s: bits beyond row %d", what, rows)
	}
}

// checkMembers checks the memberships' CSR form (see Columns).
func (d *decoder) checkMembers(c *Columns, first, more, off, comp []uint32) {
	if d.err != nil {
		return
	}
	nc := uint32(c.nComp)
	switch {
	case len(first) != c.rows:
		d.fail("memberships of %d users for %d rows", len(first), c.rows)
		return
	case len(off) != len(more):
		d.fail("%d membership offsets for %d users", len(off), len(more))
		return
	}
	for _, r := range first {
		if r > nc {
			d.fail("a membership of company %d of %d", r, nc)
			return
		}
	}
	for _, r := range comp {
		if r >= nc {
			d.fail("a membership of company %d of %d", r, nc)
			return
		}
	}
	for i, u := range more {
		end := uint32(len(comp))
		if i+1 < len(off) {
			end = off[i+1]
		}
		switch {
		case int64(u) >= int64(c.rows) || first[u] == nc || (i > 0 && u <= more[i-1]):
			d.fail("the users of several companies")
			return
		case (i == 0 && off[0] != 0) || off[i] >= end:
			d.fail("the membership offsets")
			return
		}
	}
	if len(more) == 0 && len(comp) != 0 {
		d.fail("memberships without users")
	}
}

func (d *decoder) attrs(rows int) map[attrKey]*column {
	n := d.u64()
	if d.err == nil && n > uint64(len(d.b)) {
		d.fail("%d attributes", n)
	}
	out := map[attrKey]*column{}
	for i := uint64(0); i < n && d.err == nil; i++ {
		k := attrKey{key: d.str(), kind: portal.ValueKind(d.str())}
		str := k.kind == portal.KindString
		if !str && k.kind != portal.KindNumber && k.kind != portal.KindBoolean && k.kind != portal.KindDate {
			d.fail("an attribute of kind %q", k.kind)
		}
		if _, dup := out[k]; dup {
			d.fail("the attribute %q twice", k.key)
		}
		out[k] = d.column(rows, str)
	}
	return out
}

// column reads a column of a table of rows rows, of strings or numbers.
func (d *decoder) column(rows int, str bool) *column {
	tag := d.u8()
	if want := map[bool]uint8{true: 's', false: 'n'}[str]; d.err == nil && tag != want {
		d.fail("a column of type %q, not %q", tag, want)
	}
	l := d.layout(rows)
	if d.err != nil {
		return nil
	}
	if str {
		return &column{str: d.strColumn(l)}
	}
	return &column{num: d.numColumn(l)}
}

func (d *decoder) layout(rows int) layout {
	if dense := d.u8(); dense == 1 {
		n := d.u64()
		has := d.words()
		if d.err == nil && n != uint64(rows) {
			d.fail("a dense column of %d rows for %d", n, rows)
		}
		d.checkBitset(has, rows, "a column")
		return layout{dense: true, has: has, n: rows}
	} else if dense != 0 {
		d.fail("a layout %d", dense)
	}
	rs := d.u32s()
	for i, r := range rs {
		if int64(r) >= int64(rows) || (i > 0 && r <= rs[i-1]) {
			d.fail("a sparse column's rows")
			break
		}
	}
	return layout{rows: rs, n: len(rs)}
}

// unset reports whether position p holds no value in a dense layout (a
// sparse one has a value at every position).
func (l *layout) unset(p int) bool { return l.dense && !l.has.has(uint32(p)) }

func (d *decoder) strColumn(l layout) *strColumn {
	c := &strColumn{layout: l}
	form := d.u8()
	switch form {
	case formCodes8, formCodes16:
		c.dict = d.dict()
		if form == formCodes8 {
			c.codes8 = d.bytes()
			checkCodes(d, c.codes8, len(c.dict), &c.layout, math.MaxUint8)
		} else {
			c.codes16 = d.u16s()
			checkCodes(d, c.codes16, len(c.dict), &c.layout, math.MaxUint16)
		}
	case formArena:
		c.data, c.off = d.bytes(), d.u32s()
		d.checkOffsets(c)
	case formFixed:
		w := d.u64()
		c.data = d.bytes()
		hi, size := bits.Mul64(uint64(c.n), w)
		if d.err == nil && (w == 0 || w > math.MaxInt32 || hi != 0 || size != uint64(len(c.data))) {
			d.fail("a fixed-width column")
		}
		c.width = int(w)
	default:
		d.fail("a string column of form %d", form)
	}
	d.freq(c)
	if d.err != nil {
		return nil
	}
	return c
}

// freq reads a string column's byte frequencies (counting them again
// would cost more than the rest of reading). They must add up to the
// arena's length. (They only guide contains scans; a forged file with a
// recomputed checksum could make a scan miss values, as it can change any
// value: never a panic.)
func (d *decoder) freq(c *strColumn) {
	f := d.u32s()
	if d.err != nil {
		return
	}
	if len(f) != len(c.freq) {
		d.fail("%d byte frequencies", len(f))
		return
	}
	var sum uint64
	for i, n := range f {
		c.freq[i] = n
		sum += uint64(n)
	}
	if sum != uint64(len(c.data)) {
		d.fail("byte frequencies of %d bytes for %d", sum, len(c.data))
	}
}

func (d *decoder) dict() []string {
	n := d.u64()
	if d.err == nil && n > uint64(len(d.b))/4 {
		d.fail("a dictionary of %d", n)
		return nil
	}
	out := make([]string, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		out = append(out, d.str())
	}
	return out
}

// checkCodes checks dictionary codes: one per position, 0 exactly where
// a dense column holds no value, none above the dictionary.
func checkCodes[T uint8 | uint16](d *decoder, codes []T, dict int, l *layout, limit int) {
	if d.err != nil {
		return
	}
	if len(codes) != l.n || dict >= limit {
		d.fail("%d codes of %d values for %d positions", len(codes), dict, l.n)
		return
	}
	for p, k := range codes {
		if int(k) > dict || (k == 0) != l.unset(p) {
			d.fail("a dictionary code")
			return
		}
	}
}

// checkOffsets checks an arena's offsets: from 0 to the arena's end,
// never decreasing, an empty range where a dense column holds no value.
func (d *decoder) checkOffsets(c *strColumn) {
	if d.err != nil {
		return
	}
	if len(c.off) != c.n+1 || c.off[0] != 0 || int64(c.off[c.n]) != int64(len(c.data)) {
		d.fail("an arena's offsets")
		return
	}
	for p := 0; p < c.n; p++ {
		if c.off[p+1] < c.off[p] || (c.unset(p) && c.off[p+1] != c.off[p]) {
			d.fail("an arena's offsets")
			return
		}
	}
}

func (d *decoder) numColumn(l layout) *numColumn {
	c := &numColumn{layout: l}
	form := d.u8()
	if form >= formU8 && form <= formU32 {
		c.base = int64(d.u64())
		if d.err == nil && (c.base > 1<<53 || c.base < -(1<<53)) {
			d.fail("a column's base %d", c.base)
		}
	}
	switch form {
	case formF64:
		c.f64 = d.floats()
		if d.err == nil && len(c.f64) == c.n {
			for p, v := range c.f64 {
				if math.IsNaN(v) != c.unset(p) {
					d.fail("a number column's values")
					break
				}
			}
		}
		d.checkLen(len(c.f64), c.n)
	case formU8:
		c.u8 = d.bytes()
		checkInts(d, c.u8, &c.layout)
	case formU16:
		c.u16 = d.u16s()
		checkInts(d, c.u16, &c.layout)
	case formU32:
		c.u32 = d.u32s()
		checkInts(d, c.u32, &c.layout)
	default:
		d.fail("a number column of form %d", form)
	}
	if d.err != nil {
		return nil
	}
	return c
}

func (d *decoder) checkLen(n, want int) {
	if d.err == nil && n != want {
		d.fail("%d values for %d positions", n, want)
	}
}

// checkInts checks small integers: one per position, the type's maximum
// exactly where a dense column holds no value.
func checkInts[T uint8 | uint16 | uint32](d *decoder, vals []T, l *layout) {
	d.checkLen(len(vals), l.n)
	if d.err != nil {
		return
	}
	for p, v := range vals {
		if (v == ^T(0)) != l.unset(p) {
			d.fail("a number column's values")
			return
		}
	}
}
