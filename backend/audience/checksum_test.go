package audience

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestChecksumBlocks: the checksum Save computes while it writes (in
// pieces of any size) equals the one ReadColumns computes on every core,
// at sizes around the blocks' boundaries; a byte changed in any block
// changes it; one block is summed as the CRC-32 of its CRC-32.
func TestChecksumBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	data := make([]byte, 3*sumBlock+7)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, n := range []int{0, 1, 4095, sumBlock - 1, sumBlock, sumBlock + 1, 2 * sumBlock, 3*sumBlock + 7} {
		b := data[:n]
		w := newBlockSum(sumBlock)
		for rest := b; len(rest) > 0; {
			k := min(len(rest), 1+r.IntN(sumBlock/3))
			w.Write(rest[:k])
			rest = rest[k:]
		}
		want := Checksum(b)
		if got := w.Sum32(); got != want {
			t.Fatalf("%d bytes: written %08x, read %08x", n, got, want)
		}
		for i := 0; i < n; i += sumBlock {
			p := i + r.IntN(min(sumBlock, n-i))
			b[p] ^= 0x40
			if Checksum(b) == want {
				t.Errorf("%d bytes: byte %d changed, same checksum", n, p)
			}
			b[p] ^= 0x40
		}
	}
	one := data[:100]
	var sum [4]byte
	c := crc32.Checksum(one, crcTable)
	sum[0], sum[1], sum[2], sum[3] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
	if Checksum(one) != crc32.Checksum(sum[:], crcTable) {
		t.Errorf("one block: not the CRC-32 of its CRC-32")
	}
}
