package demo

import (
	"math"
	"math/rand/v2"
)

// Salts separate the random streams of the kinds of records.
const (
	saltCompany uint64 = 0x636f6d70616e7931 // "company1"
	saltUser    uint64 = 0x7573657273303031 // "users001"
	saltTicket  uint64 = 0x7469636b65747331 // "tickets1"
	saltNames   uint64 = 0x6e616d6573303031 // "names001"
	saltBrands  uint64 = 0x6272616e64733031 // "brands01"
	saltHash    uint64 = 0x6861736830303031 // "hash0001"
)

// splitmix64 is a strong 64-bit mixer (Steele, Lea and Flood).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// stream is a PCG generator that is reseeded for every record, so a record
// is a function of (seed, kind, index) alone and can be recomputed anywhere.
type stream struct {
	pcg rand.PCG
	*rand.Rand
}

func newStream() *stream {
	s := &stream{}
	s.Rand = rand.New(&s.pcg)
	return s
}

// reset positions the stream at the start of record i of a kind.
func (s *stream) reset(seed, salt uint64, i int) {
	hi := splitmix64(seed ^ salt)
	s.pcg.Seed(hi, splitmix64(hi^uint64(i)))
}

// chance reports true with probability p.
func (s *stream) chance(p float64) bool { return s.Float64() < p }

// skewed returns an index in [0, n) where low indexes are more likely:
// n·u^power for a uniform u (power > 1 skews towards 0).
func (s *stream) skewed(n int, power float64) int {
	k := int(float64(n) * math.Pow(s.Float64(), power))
	if k >= n {
		k = n - 1
	}
	return k
}

// between returns an int64 in [lo, hi], or lo when hi <= lo.
func (s *stream) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + s.Int64N(hi-lo+1)
}

// logUniform returns a number in [lo, hi] evenly spread on a log scale.
func (s *stream) logUniform(lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + s.Float64()*(math.Log(hi)-math.Log(lo)))
}

// weighted picks an index by weights (any positive scale).
func (s *stream) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := s.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

// hashOf returns a well-mixed 64-bit value for (seed, salt, i), for values
// that other records need cheaply (a company's plan and creation date).
func hashOf(seed, salt uint64, i int) uint64 {
	return splitmix64(splitmix64(seed^salt) ^ uint64(i))
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// permutation is an affine bijection of [0, m): k → (a·k + b) mod m with a
// coprime to m. It spreads consecutive indexes over a combination space
// (first × last names, brand × descriptor) so that names look random yet
// never repeat.
type permutation struct{ m, a, b uint64 }

func newPermutation(m int, seed, salt uint64) permutation {
	if m <= 1 {
		return permutation{m: 1, a: 1}
	}
	h := splitmix64(seed ^ salt)
	mm := uint64(m)
	// A multiplier between m/3 and 2m/3 scatters neighbours widely.
	a := mm/3 + h%(mm/3+1)
	for gcd(a, mm) != 1 {
		a++
	}
	return permutation{m: mm, a: a % mm, b: splitmix64(h) % mm}
}

func (p permutation) at(k int) int {
	return int((p.a*uint64(k) + p.b) % p.m)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
