package audience

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// recorder keeps what is written to it and the size of every write.
type recorder struct {
	bytes.Buffer
	sizes []int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.sizes = append(r.sizes, len(p))
	return r.Buffer.Write(p)
}

// TestBlockWriter: whatever the sizes written to it, the file gets every
// byte in order, in whole blocks at offsets that are multiples of the
// block, the last one shorter.
func TestBlockWriter(t *testing.T) {
	const block = 4096
	rng := rand.New(rand.NewPCG(1, 2))
	var want []byte
	rec := &recorder{}
	bw := &blockWriter{w: rec, buf: make([]byte, 0, block)}
	for range 300 {
		p := make([]byte, rng.IntN(3*block))
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		want = append(want, p...)
		if n, err := bw.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
		}
	}
	if err := bw.flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rec.Bytes(), want) {
		t.Fatalf("the file differs from what was written")
	}
	for i, n := range rec.sizes {
		if i < len(rec.sizes)-1 && n != block || n == 0 || n > block {
			t.Fatalf("write %d of %d is %d bytes; want whole blocks of %d, the last one shorter", i, len(rec.sizes), n, block)
		}
	}
}

// failing fails every write.
type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestBlockWriterError: an error of the file is returned by the write
// that met it, and by every one after it.
func TestBlockWriterError(t *testing.T) {
	bw := &blockWriter{w: failing{}, buf: make([]byte, 0, 16)}
	if _, err := bw.Write(make([]byte, 10)); err != nil {
		t.Fatalf("a write that fits the block: %v", err)
	}
	if _, err := bw.Write(make([]byte, 10)); err == nil {
		t.Fatal("the write that filled the block: no error")
	}
	if _, err := bw.Write([]byte{1}); err == nil || bw.flush() == nil {
		t.Fatal("after an error: no error")
	}
}
