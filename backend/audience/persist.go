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
	"slices"
	"unsafe"

	"portalstudio/backend/portal"
)

// The persisted form of the columns: derived data an adapter keeps beside
// its store, so that a new process reads the engine in milliseconds
// instead of building it from rows. It is the in-memory layout written
// out flat, in parts that a reader checks one by one when it first needs
// them:
//
//	header   "PSAUDCOL", version uint32 (FormatVersion), uint32 0
//	parts    one after the other, each starting at a multiple of 8 bytes
//	         and zero-padded to one: every attribute's column (the eight
//	         standard user columns, the custom user columns, the nine
//	         standard company columns, the custom company columns), then
//	         the memberships
//	index    the data's generation (uint32 length + bytes, opaque, given
//	         by the adapter), the user rows, the companies, the set of
//	         users (rowSet: dense 64-bit words, or the rows when few of
//	         them are users), and the table of parts: for each, what it
//	         is (u: a standard user column, U: a custom user column, c
//	         and C: the same of companies, m: the memberships), its key
//	         and kind (custom columns), its length and the CRC-32 (IEEE)
//	         of each of its blocks of partBlock (4 KiB) bytes (an array
//	         of uint32, the last block shorter); zero-padded to 8 bytes
//	footer   the index's offset (uint64), its checksum (uint32), uint32 0
//
// The index's checksum is Checksum's: the CRC-32 of the CRC-32s of its
// blocks of 4 MiB. Together the header (checked as it is), the parts
// (their blocks' checksums, and the index says they fill the file up to
// it exactly), the index (its checksum) and the footer cover every byte
// of the file.
//
// Every integer is little-endian, and every array (a uint64 count, then
// its elements) starts its elements at a multiple of 8 bytes from the
// start of the file (zero bytes pad before them): on a little-endian
// machine the columns read use the file's bytes in place, without a
// copy. A column is its layout (dense: a bitset of the rows holding a
// value; sparse: the rows, uint32 increasing) and its values in their
// form (dictionary codes, arena with offsets, fixed-width arena, float64
// or small unsigned integers off a base); a string column also holds its
// byte frequencies (the bytes that occur, increasing, and their counts)
// and, an arena's, its trigram index (a byte: 1 when it has one, then
// four uint32 arrays: keys, counts, offsets, positions; trigram.go).
// The memberships are four uint32 arrays in CSR form (the first, one per
// row, is written as the rows with a company and their companies when
// that is smaller: firsts). Derived data (membership ranks, the cache of
// company sets) is recomputed on reading. The columns hold no roaring
// bitmap: roaring sets are only the answers.
//
// OpenColumns checks the header, the footer and the index (a few hundred
// kilobytes at a million users: the set of users) and nothing else; each
// part is checked (its blocks' checksums, then every length, offset,
// code and row against the structure) the first time a rule reads it,
// so that a one-shot command touches only the parts its rule needs; and
// First, which needs only the first users a rule matches, checks only
// the blocks and rows of the users' parts it reaches (rows.go).
// ReadColumns checks every part at once. Either way no file, however
// damaged or forged, gives columns that panic or answer differently from
// the builders': a damaged part is ErrDamaged when it is first read.
//
// The changes file of the Engine holds columns of a few users among
// many rows (rows = the whole workspace's): every per-row part then has
// a compact form, so that its size follows the rows changed, not the
// workspace (a few kilobytes for a small import into a million users).

// FormatVersion is the version of the persisted form; a file of another
// version is refused (ErrVersion) and must be rebuilt.
// MaxRows is the most user rows (and companies) the engine's data may
// hold: 67 million. A file claiming more is damaged.
const MaxRows = 1 << 26

const FormatVersion = 6 // 3: compact sets of rows, checksum by blocks; 4: parts checked at first use, CRC-32 (IEEE); 5: a checksum per block of a part; 6: trigram indexes, blocks of 4 KiB

const persistMagic = "PSAUDCOL"

// The sizes of the header and of the footer.
const (
	headerSize = 16
	footerSize = 16
)

// Errors of ReadColumns and OpenColumns, and of the first use of a part
// of a file (wrapped, with details).
var (
	// ErrDamaged says the data is not a whole, valid file of columns.
	ErrDamaged = errors.New("the audience data is damaged")
	// ErrVersion says the data is of another format version.
	ErrVersion = errors.New("the audience data is of another format version")
	// ErrStale says the data holds another generation than the one
	// expected.
	ErrStale = errors.New("the audience data is of another generation of the data")
)

// crcTable is the CRC-32's polynomial: IEEE, which the standard library
// computes with carry-less multiplication (PCLMULQDQ, AVX-512 where
// there is): 23 GB/s on this project's machine (AMD EPYC), where the
// CRC32 instruction of Castagnoli's (format 3) gave 1.3 GB/s.
var crcTable = crc32.IEEETable

// Save writes the columns in their persisted form, stamped with gen (the
// generation of the data they were built from), and returns the bytes
// written. Columns read from a file are checked whole first (ErrDamaged).
func (c *Columns) Save(w io.Writer, gen string) (int64, error) {
	if err := c.Verify(); err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	pw := &partWriter{w: bw, sum: newBlockSum(partBlock)} // the header is in no part
	e := &encoder{w: bufio.NewWriterSize(pw, 1<<16)}
	e.raw([]byte(persistMagic))
	e.u32(FormatVersion)
	e.u32(0)
	var toc []tocEntry
	for f := UserID; f < userFields; f++ {
		toc = append(toc, e.part(pw, tocEntry{what: partUser, key: userFieldNames[f]}, func() { e.column(c.user[userFieldNames[f]].col) }))
	}
	toc = append(toc, e.attrParts(pw, partUserAttr, c.userAttr)...)
	for f := CompanyID; f < companyFields; f++ {
		toc = append(toc, e.part(pw, tocEntry{what: partComp, key: companyFieldNames[f]}, func() { e.column(c.comp[companyFieldNames[f]].col) }))
	}
	toc = append(toc, e.attrParts(pw, partCompAttr, c.compAttr)...)
	toc = append(toc, e.part(pw, tocEntry{what: partMembers}, func() { e.members(c.mem.m, uint32(c.nComp), few(c.nUsers, c.rows)) }))
	indexOff := e.pos
	index := e.partOf(pw, sumBlock, tocEntry{}, func() {
		e.str(gen)
		e.u64(uint64(c.rows))
		e.u64(uint64(c.nComp))
		e.rowSet(c.all, c.nUsers)
		e.u64(uint64(len(toc)))
		for _, t := range toc {
			e.u8(t.what)
			e.str(t.key)
			e.str(string(t.kind))
			e.u64(t.size)
			e.u32s(t.sums)
		}
	})
	e.u64(uint64(indexOff))
	e.u32(index.sum)
	e.u32(0)
	if e.err == nil {
		e.err = e.w.Flush()
	}
	if e.err == nil {
		e.err = bw.Flush()
	}
	return cw.n, e.err
}

// What a part holds.
const (
	partUser     = 'u' // a standard user column
	partUserAttr = 'U' // a custom user column
	partComp     = 'c' // a standard company column
	partCompAttr = 'C' // a custom company column
	partMembers  = 'm' // the memberships
)

// tocEntry is one part in the index: what it is, where, and the
// checksums of its blocks (of the index itself: its checksum, sum).
type tocEntry struct {
	what byte
	key  string
	kind portal.ValueKind
	off  uint64
	size uint64
	sums []uint32
	sum  uint32
}

// name names the part in errors.
func (t *tocEntry) name() string {
	switch t.what {
	case partUser:
		return "user." + t.key
	case partUserAttr:
		return fmt.Sprintf("user.custom.%s (%s)", t.key, t.kind)
	case partComp:
		return "company." + t.key
	case partCompAttr:
		return fmt.Sprintf("company.custom.%s (%s)", t.key, t.kind)
	}
	return "the memberships"
}

// partWriter passes what is written on, and sums it into the checksum of
// the part being written.
type partWriter struct {
	w   io.Writer
	sum *blockSum
}

func (p *partWriter) Write(b []byte) (int, error) {
	p.sum.Write(b)
	return p.w.Write(b)
}

// part writes one part (write), zero-padded to 8 bytes, and returns its
// entry in the index, with the checksums of its blocks of partBlock
// bytes.
func (e *encoder) part(pw *partWriter, t tocEntry, write func()) tocEntry {
	return e.partOf(pw, partBlock, t, write)
}

// partOf is part, summing blocks of size bytes.
func (e *encoder) partOf(pw *partWriter, size int, t tocEntry, write func()) tocEntry {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	pw.sum = newBlockSum(size)
	t.off = uint64(e.pos)
	write()
	var zero [8]byte
	e.raw(zero[:(8-e.pos%8)%8])
	if e.err == nil {
		e.err = e.w.Flush()
	}
	t.size, t.sums, t.sum = uint64(e.pos)-t.off, pw.sum.Sums(), pw.sum.Sum32()
	return t
}

// attrParts writes the custom columns of m, one part each, in a stable
// order (equal columns give equal files).
func (e *encoder) attrParts(pw *partWriter, what byte, m map[attrKey]*colPart) []tocEntry {
	keys := make([]attrKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortKeys(keys)
	out := make([]tocEntry, 0, len(keys))
	for _, k := range keys {
		out = append(out, e.part(pw, tocEntry{what: what, key: k.key, kind: k.kind}, func() { e.column(m[k].col) }))
	}
	return out
}

// members writes the memberships: the first companies, then the others
// (the offsets with their final end, so that they are read in place).
func (e *encoder) members(m *members, none uint32, sparse bool) {
	e.firsts(m.first, none, sparse)
	e.u32s(m.more)
	e.u32s(m.off)
	e.u32s(m.comp)
}

// sumBlock is the size of the blocks whose CRC-32s Checksum covers (the
// index's checksum).
const sumBlock = 4 << 20

// partBlock is the size of the blocks of a part that the index holds a
// CRC-32 of: First checks only the blocks holding the rows it reached,
// and a condition answered by a trigram index only those holding its
// candidates' values, a page each.
const partBlock = 4 << 10

// Checksum returns the checksum Save writes for each part of a file (and
// its index): the CRC-32 of the CRC-32s (little-endian) of b's blocks
// of sumBlock bytes, the last one shorter. The blocks are summed on every
// core at once: the largest part at a million users (the emails, about
// 40 MB) is checked in half the time on two cores.
func Checksum(b []byte) uint32 {
	n := (len(b) + sumBlock - 1) / sumBlock
	sums := make([]byte, 4*n)
	if n <= 1 {
		if n == 1 {
			binary.LittleEndian.PutUint32(sums, crc32.Checksum(b, crcTable))
		}
		return crc32.Checksum(sums, crcTable)
	}
	onCores(n, func(i int) {
		blk := b[i*sumBlock : min(len(b), (i+1)*sumBlock)]
		binary.LittleEndian.PutUint32(sums[4*i:], crc32.Checksum(blk, crcTable))
	})
	return crc32.Checksum(sums, crcTable)
}

// blockSum computes the CRC-32s of the blocks of what is written to it,
// and Checksum's sum of them (with blocks of sumBlock bytes).
type blockSum struct {
	size int         // of a block
	cur  hash.Hash32 // the CRC-32 of the block being written
	n    int         // its bytes so far
	sums []byte      // the CRC-32s of the blocks before
}

func newBlockSum(size int) *blockSum { return &blockSum{size: size, cur: crc32.New(crcTable)} }

func (b *blockSum) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := min(len(p), b.size-b.n)
		b.cur.Write(p[:k])
		b.n += k
		p = p[k:]
		if b.n == b.size {
			b.sums = binary.LittleEndian.AppendUint32(b.sums, b.cur.Sum32())
			b.cur.Reset()
			b.n = 0
		}
	}
	return total, nil
}

func (b *blockSum) blocks() []byte {
	if b.n > 0 {
		return binary.LittleEndian.AppendUint32(slices.Clip(b.sums), b.cur.Sum32())
	}
	return b.sums
}

func (b *blockSum) Sum32() uint32 { return crc32.Checksum(b.blocks(), crcTable) }

// Sums returns the CRC-32 of each block.
func (b *blockSum) Sums() []uint32 {
	p := b.blocks()
	out := make([]uint32, len(p)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(p[4*i:])
	}
	return out
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
		e.freq(&s.freq)
		if s.off != nil || s.width > 0 {
			e.trigrams(s.tri)
		}
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
// gen, and checks them whole. It returns ErrDamaged (truncated, changed
// or inconsistent data), ErrVersion or ErrStale, wrapped with details;
// it never panics and never returns columns other than the ones saved.
// The columns use b in place: b must not change afterwards.
func ReadColumns(b []byte, gen string) (*Columns, error) {
	c, err := OpenColumns(b, gen)
	if err != nil {
		return nil, err
	}
	if err := c.Verify(); err != nil {
		return nil, err
	}
	return c, nil
}

// OpenColumns is ReadColumns checking only the file's header, index and
// footer: each part is checked the first time a rule reads it (a part
// found damaged then gives ErrDamaged, from every question that reads
// it), or by Verify. The columns use b in place: b must not change
// afterwards.
func OpenColumns(b []byte, gen string) (*Columns, error) { return openColumns(b, gen, nil) }

// openColumns is OpenColumns; prepare, when not nil, is called on the
// bytes of a part before they are first read (to ask the system for a
// mapped file's pages at once).
func openColumns(b []byte, gen string, prepare func([]byte)) (*Columns, error) {
	x, err := readIndex(b)
	if err != nil {
		return nil, err
	}
	if x.gen != gen {
		return nil, fmt.Errorf("%w: it holds generation %q, the data is at %q", ErrStale, x.gen, gen)
	}
	c := &Columns{rows: x.rows, nComp: x.nComp, all: x.all, nUsers: x.all.count(),
		user: map[string]*colPart{}, userAttr: map[attrKey]*colPart{}, comp: map[string]*colPart{}, compAttr: map[attrKey]*colPart{}}
	for _, t := range x.toc {
		r := partReader{b: b, t: t, sums: newPartSums(b[t.off:t.off+t.size], t.sums, prepare)}
		switch t.what {
		case partUser, partComp:
			names, cols, rows, firstNum := userFieldNames[:], c.user, c.rows, int(UserCreatedAt)
			if t.what == partComp {
				names, cols, rows, firstNum = companyFieldNames[:], c.comp, c.nComp, int(CompanySize)
			}
			f := slices.Index(names, t.key)
			if f < 0 || t.kind != "" || cols[t.key] != nil {
				return nil, fmt.Errorf("%w: a part %q of kind %q", ErrDamaged, t.name(), t.kind)
			}
			cols[t.key] = r.column(rows, f < firstNum)
		case partUserAttr, partCompAttr:
			cols, rows := c.userAttr, c.rows
			if t.what == partCompAttr {
				cols, rows = c.compAttr, c.nComp
			}
			k := attrKey{t.key, t.kind}
			if !validKind(t.kind) || cols[k] != nil {
				return nil, fmt.Errorf("%w: a part %q", ErrDamaged, t.name())
			}
			cols[k] = r.column(rows, t.kind == portal.KindString)
		case partMembers:
			if t.key != "" || t.kind != "" || c.mem != nil {
				return nil, fmt.Errorf("%w: a part of memberships %q", ErrDamaged, t.key)
			}
			c.mem = r.members(c.rows, uint32(c.nComp))
		default:
			return nil, fmt.Errorf("%w: a part of type %q", ErrDamaged, t.what)
		}
	}
	if len(c.user) != int(userFields) || len(c.comp) != int(companyFields) || c.mem == nil {
		return nil, fmt.Errorf("%w: %d user columns, %d company columns, memberships: %v", ErrDamaged, len(c.user), len(c.comp), c.mem != nil)
	}
	return c, nil
}

func validKind(k portal.ValueKind) bool {
	return k == portal.KindString || k == portal.KindNumber || k == portal.KindBoolean || k == portal.KindDate
}

// SavedGeneration returns the generation a file saved by Save says it
// holds, reading its header, index and footer only. It returns
// ErrDamaged or ErrVersion, wrapped, when they are not ones this program
// wrote.
func SavedGeneration(b []byte) (string, error) {
	x, err := readIndex(b)
	if err != nil {
		return "", err
	}
	return x.gen, nil
}

// fileIndex is what the index of a file says.
type fileIndex struct {
	gen   string
	rows  int
	nComp int
	all   bitset
	toc   []tocEntry
}

// readIndex checks the header, the footer and the index of a file, and
// reads the index.
func readIndex(b []byte) (*fileIndex, error) {
	if len(b) < headerSize+footerSize || string(b[:len(persistMagic)]) != persistMagic {
		return nil, fmt.Errorf("%w: no audience data header", ErrDamaged)
	}
	if v := binary.LittleEndian.Uint32(b[len(persistMagic):]); v != FormatVersion {
		return nil, fmt.Errorf("%w: version %d, this program reads %d", ErrVersion, v, FormatVersion)
	}
	foot := b[len(b)-footerSize:]
	off, sum := binary.LittleEndian.Uint64(foot), binary.LittleEndian.Uint32(foot[8:])
	switch {
	case binary.LittleEndian.Uint32(b[12:]) != 0 || binary.LittleEndian.Uint32(foot[12:]) != 0:
		return nil, fmt.Errorf("%w: the header or the footer", ErrDamaged)
	case off%8 != 0 || off < headerSize || off > uint64(len(b)-footerSize):
		return nil, fmt.Errorf("%w: an index at %d of %d bytes", ErrDamaged, off, len(b))
	}
	index := b[off : len(b)-footerSize]
	if Checksum(index) != sum {
		return nil, fmt.Errorf("%w: the index's checksum", ErrDamaged)
	}
	d := &decoder{b: index, off: int(off)}
	x := &fileIndex{gen: d.str()}
	rows, nComp := d.u64(), d.u64()
	if d.err == nil && (rows > MaxRows || nComp > MaxRows) {
		// The columns are sized by the rows (a sparse file's users'
		// first companies are made dense): a file may not make a
		// process allocate more than the most rows there can be.
		d.fail("%d rows, %d companies (at most %d)", rows, nComp, MaxRows)
	}
	x.rows, x.nComp = int(rows), int(nComp)
	x.all = d.rowSet(x.rows)
	n := d.u64()
	if d.err == nil && n > uint64(len(d.b))/25 { // an entry is 25 bytes at least
		d.fail("%d parts", n)
	}
	at := uint64(headerSize)
	for i := uint64(0); i < n && d.err == nil; i++ {
		t := tocEntry{what: d.u8(), key: d.str(), kind: portal.ValueKind(d.str()), off: at, size: d.u64(), sums: d.u32s()}
		switch {
		case d.err != nil:
		case t.size%8 != 0 || t.size > off-at:
			d.fail("a part of %d bytes at %d", t.size, at)
		case uint64(len(t.sums)) != (t.size+partBlock-1)/partBlock:
			d.fail("%d checksums for a part of %d bytes", len(t.sums), t.size)
		}
		at += t.size
		x.toc = append(x.toc, t)
	}
	if d.err == nil && at != off {
		d.fail("the parts end at %d, the index is at %d", at, off)
	}
	d.end()
	if d.err != nil {
		return nil, d.err
	}
	return x, nil
}

// partReader reads one part of a file at its first use: whole (its
// checksums, then its structure), or, for First, a head of its rows at a
// time (rowHead).
type partReader struct {
	b    []byte
	t    tocEntry
	sums *partSums
}

// decoder returns a decoder over the part: lazy, for a head (every byte
// it takes is checked as it is taken, except the arrays of rows, which
// verifyRows checks a range at a time), or over a part checked whole.
func (r partReader) decoder(lazy bool) (*decoder, error) {
	if !lazy {
		if err := r.sums.all(); err != nil {
			return nil, r.named(err)
		}
	}
	d := &decoder{b: r.b[r.t.off : r.t.off+r.t.size], off: int(r.t.off), start: int(r.t.off)}
	if lazy {
		d.sums = r.sums
	}
	return d, nil
}

// done returns d's error, naming the part.
func (r partReader) done(d *decoder) error {
	d.end()
	if d.err != nil {
		return fmt.Errorf("%w (%s)", d.err, r.t.name())
	}
	return nil
}

// named names the part in an error of a range of rows.
func (r partReader) named(err error) error {
	if err != nil && !errors.Is(err, errNoHead) {
		return fmt.Errorf("%w (%s)", err, r.t.name())
	}
	return err
}

func (r partReader) column(rows int, str bool) *colPart {
	read, head := readPart(r, func(d *decoder) *column { return d.column(rows, str) },
		func(col *column, s *partSums, from, to int) error { return col.verifyRows(s, from, to) },
		func(col *column) int { return col.positions() })
	return &colPart{size: int64(r.t.size), read: read, head: head}
}

func (r partReader) members(rows int, nComp uint32) *memPart {
	read, head := readPart(r, func(d *decoder) *members {
		first := d.firsts(rows, nComp)
		more, off, comp := d.later().u32s(), d.later().u32s(), d.later().u32s()
		switch {
		case d.err != nil:
		case len(first) != rows:
			d.fail("memberships of %d users for %d rows", len(first), rows)
		case len(off) != len(more)+1:
			d.fail("%d membership offsets for %d users", len(off), len(more))
		}
		return fileMembers(rows, first, more, off, comp)
	}, func(m *members, s *partSums, from, to int) error { return m.verifyRows(s, nComp, from, to) },
		func(*members) int { return rows })
	return &memPart{size: int64(r.t.size), read: read, head: head}
}

// readPart returns how to read a part whole (its blocks, then decode,
// then check rows over all of its n rows) and, on a little-endian
// machine, its head (decoded lazily, its rows checked a range at a
// time).
func readPart[T any](r partReader, decode func(*decoder) T, rows func(v T, s *partSums, from, to int) error, n func(T) int) (func() (T, error), *rowHead[T]) {
	read := func(lazy bool) (T, error) {
		var zero T
		d, err := r.decoder(lazy)
		if err != nil {
			return zero, err
		}
		v := decode(d)
		if err := r.done(d); err != nil {
			return zero, err
		}
		if !lazy {
			if err := r.named(rows(v, nil, 0, n(v))); err != nil {
				return zero, err
			}
		}
		return v, nil
	}
	whole := func() (T, error) { return read(false) }
	if !littleEndian {
		return whole, nil
	}
	return whole, &rowHead[T]{sums: r.sums, open: func() (T, func(from, to int) error, error) {
		v, err := read(true)
		if err != nil {
			return v, nil, err
		}
		return v, func(from, to int) error { return r.named(rows(v, r.sums, from, to)) }, nil
	}}
}

// decoder reads the body; the first error sticks, and every read after it
// returns zero values.
type decoder struct {
	b   []byte
	off int // of b in the file
	err error
	// sums, when not nil, makes the decoder lazy (a head of a part): it
	// checks the blocks of every byte it takes, but for the elements of
	// the array after later(), and leaves the checks of the rows'
	// structure to verifyRows. A part of a form that has no head is
	// errNoHead.
	sums  *partSums
	start int  // the part's offset in the file
	skip  bool // the next array's elements are checked later
}

// lazy reports whether d reads a head.
func (d *decoder) lazy() bool { return d.sums != nil }

// later says that the next array's elements are checked later, range by
// range, when d is lazy.
func (d *decoder) later() *decoder {
	d.skip = d.lazy()
	return d
}

// noHead stops a lazy decoder: the part's form has no head (First reads
// it whole).
func (d *decoder) noHead() {
	if d.err == nil {
		d.err = errNoHead
	}
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(n uint64) []byte { return d.takeChecked(n, true) }

// takeChecked takes n bytes, checking their blocks first when d is lazy
// and check is true.
func (d *decoder) takeChecked(n uint64, check bool) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated")
		return nil
	}
	if check && d.lazy() {
		if err := d.sums.span(d.off-d.start, d.off-d.start+int(n)); err != nil {
			d.err = err
			return nil
		}
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
	skip := d.skip
	d.skip = false
	n := d.u64()
	for _, x := range d.take(uint64((8 - d.off%8) % 8)) {
		if x != 0 {
			d.fail("padding")
		}
	}
	if d.err == nil && n > uint64(len(d.b))/size {
		d.fail("truncated array")
	}
	p := d.takeChecked(n*size, !skip)
	if skip && n > 0 && uintptr(unsafe.Pointer(unsafe.SliceData(p)))%uintptr(size) != 0 {
		d.noHead() // it would be copied, every element read now
	}
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

// end checks that only padding is left: fewer than 8 zero bytes.
func (d *decoder) end() {
	if d.err != nil {
		return
	}
	if len(d.b) >= 8 {
		d.fail("%d bytes after the data", len(d.b))
		return
	}
	for _, x := range d.b {
		if x != 0 {
			d.fail("padding")
			return
		}
	}
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
		return d.later().u32s()
	case d.lazy():
		d.noHead()
		return nil
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
		has := d.later().words()
		switch {
		case d.err != nil:
		case n != uint64(rows):
			d.fail("a dense column of %d rows for %d", n, rows)
		case len(has) != (rows+63)/64:
			d.fail("a column: %d words for %d rows", len(has), rows)
		}
		return layout{dense: true, has: has, n: rows}
	} else if dense != 0 {
		d.fail("a layout %d", dense)
	}
	if d.lazy() {
		d.noHead() // rows are found by a binary search over all of them
		return layout{}
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
		n, limit := 0, math.MaxUint8
		if form == formCodes8 {
			c.codes8 = d.later().bytes()
			n = len(c.codes8)
		} else {
			c.codes16 = d.later().u16s()
			n, limit = len(c.codes16), math.MaxUint16
		}
		if d.err == nil && (n != c.n || len(c.dict) >= limit) {
			d.fail("%d codes of %d values for %d positions", n, len(c.dict), c.n)
		}
	case formArena:
		c.data, c.off = d.later().bytes(), d.later().u32s()
		if d.err == nil && len(c.off) != c.n+1 {
			d.fail("an arena's offsets")
		}
	case formFixed:
		w := d.u64()
		c.data = d.later().bytes()
		hi, size := bits.Mul64(uint64(c.n), w)
		if d.err == nil && (w == 0 || w > math.MaxInt32 || hi != 0 || size != uint64(len(c.data))) {
			d.fail("a fixed-width column")
		}
		c.width = int(w)
	default:
		d.fail("a string column of form %d", form)
	}
	d.freq(c)
	if form == formArena || form == formFixed {
		c.tri = d.trigrams()
	}
	if d.err != nil {
		return nil
	}
	return c
}

// trigrams writes an arena's trigram index: 0 for none, else 1 and its
// four arrays.
func (e *encoder) trigrams(t *trigrams) {
	if t == nil {
		e.u8(0)
		return
	}
	e.u8(1)
	e.u32s(t.keys)
	e.u32s(t.count)
	e.u32s(t.off)
	e.u32s(t.pos)
}

// trigrams reads an arena's trigram index (nil: none). Its arrays are
// checked when used: whole with the column (strColumn.verifyRows), or,
// read by its head, a table and a range of positions at a time
// (foundBy, foundRows.to).
func (d *decoder) trigrams() *trigrams {
	switch d.u8() {
	case 0:
		return nil
	case 1:
	default:
		d.fail("a trigram index's flag")
		return nil
	}
	t := &trigrams{keys: d.later().u32s(), count: d.later().u32s(), off: d.later().u32s(), pos: d.later().u32s()}
	if d.err != nil {
		return nil
	}
	return t
}

// freq writes a string column's byte frequencies: the bytes that occur,
// increasing, and how often (a column of a few values, as in the changes
// file, holds few distinct bytes).
func (e *encoder) freq(f *[256]uint32) {
	var bs []byte
	var ns []uint32
	for b, n := range f {
		if n != 0 {
			bs, ns = append(bs, byte(b)), append(ns, n)
		}
	}
	e.bytes(bs)
	e.u32s(ns)
}

// freq reads a string column's byte frequencies (counting them again
// would cost more than the rest of reading). They must add up to the
// arena's length. (They only guide contains scans; a forged file with a
// recomputed checksum could make a scan miss values, as it can change any
// value: never a panic.)
func (d *decoder) freq(c *strColumn) {
	bs, ns := d.bytes(), d.u32s()
	if d.err != nil {
		return
	}
	if len(bs) != len(ns) {
		d.fail("%d byte frequencies of %d bytes", len(ns), len(bs))
		return
	}
	var sum uint64
	for i, b := range bs {
		if ns[i] == 0 || (i > 0 && b <= bs[i-1]) {
			d.fail("the byte frequencies")
			return
		}
		c.freq[b] = ns[i]
		sum += uint64(ns[i])
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
		c.f64 = d.later().floats()
		d.checkLen(len(c.f64), c.n)
	case formU8:
		c.u8 = d.later().bytes()
		d.checkLen(len(c.u8), c.n)
	case formU16:
		c.u16 = d.later().u16s()
		d.checkLen(len(c.u16), c.n)
	case formU32:
		c.u32 = d.later().u32s()
		d.checkLen(len(c.u32), c.n)
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
