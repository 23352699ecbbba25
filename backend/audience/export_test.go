package audience

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"time"

	"portalstudio/backend/portal"
)

// Reseal returns a copy of b, a file saved by Save, with the checksums of
// its parts and of its index recomputed over what they hold now, as a
// forger would. Where its footer or index cannot be walked, the checksums
// that cannot be found are left as they are.
func Reseal(b []byte) []byte {
	b = slices.Clone(b)
	if len(b) < headerSize+footerSize {
		return b
	}
	foot := b[len(b)-footerSize:]
	off := binary.LittleEndian.Uint64(foot)
	if off%8 != 0 || off < headerSize || off > uint64(len(b)-footerSize) {
		return b
	}
	index := b[off : len(b)-footerSize]
	d := &decoder{b: index, off: int(off)}
	d.str()
	rows, _ := d.u64(), d.u64()
	if rows <= MaxRows {
		d.rowSet(int(rows))
	}
	n := d.u64()
	at := uint64(headerSize)
	for i := uint64(0); i < n && d.err == nil; i++ {
		d.u8()
		d.str()
		d.str()
		size := d.u64()
		count := d.u64()
		d.take(uint64((8 - d.off%8) % 8))
		if d.err != nil || count > uint64(len(d.b))/4 {
			break
		}
		if size <= off-at && count == (size+partBlock-1)/partBlock {
			for k := uint64(0); k < count; k++ {
				blk := b[at+k*partBlock : at+min(size, (k+1)*partBlock)]
				binary.LittleEndian.PutUint32(index[d.off-int(off)+4*int(k):], crc32.Checksum(blk, crcTable))
			}
			at += size
		}
		d.take(4 * count)
	}
	binary.LittleEndian.PutUint32(foot[8:], Checksum(index))
	return b
}

// FilePart is one part of a saved file: the attribute whose column it
// holds ("" for the memberships), its kind, and where it lies.
type FilePart struct {
	Attr      string
	Kind      string
	Off, Size int
}

// Parts returns the parts of a saved file whose index is whole.
func Parts(b []byte) ([]FilePart, error) {
	x, err := readIndex(b)
	if err != nil {
		return nil, err
	}
	var out []FilePart
	for _, t := range x.toc {
		p := FilePart{Kind: string(t.kind), Off: int(t.off), Size: int(t.size)}
		switch t.what {
		case partUser:
			p.Attr = "user." + t.key
		case partUserAttr:
			p.Attr = "user.custom." + t.key
		case partComp:
			p.Attr = "company." + t.key
		case partCompAttr:
			p.Attr = "company.custom." + t.key
		}
		out = append(out, p)
	}
	return out, nil
}

// WithRows returns a copy of b, a file saved by Save, whose index claims
// rows user rows, resealed (a forger's file).
func WithRows(b []byte, rows uint64) []byte {
	b = slices.Clone(b)
	off := binary.LittleEndian.Uint64(b[len(b)-footerSize:])
	d := &decoder{b: b[off : len(b)-footerSize], off: int(off)}
	d.str()
	binary.LittleEndian.PutUint64(b[d.off:], rows)
	return Reseal(b)
}

// KeptBytes is the size of the columns the engines of this process keep.
func KeptBytes() int64 { return keptBytes.Load() }

// IndexAnswers returns how many of rule's conditions a trigram index
// answers on c.
func IndexAnswers(c *Columns, rule *portal.Rule, s *portal.Schema, now time.Time) (int, error) {
	e := &colEval{c: c, s: s, now: now}
	n := 0
	for _, cd := range rule.Conditions() {
		a, ok := s.Lookup(cd.Attribute)
		if !ok {
			continue
		}
		_, ok, err := e.indexed(cd, a)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// CompaniesIndexed reports whether the engine's data holds the
// companies' users (compindex.go).
func CompaniesIndexed(e *Engine) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur != nil && e.cur.base.compIx.Load() != nil
}

// KeptMappings counts the files long-running engines hold mapped.
func KeptMappings() int64 { return keptMappings.Load() }
