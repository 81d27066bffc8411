package audit

import (
	"hash/fnv"
	"math"
)

// Block filters (v1): a Bloom filter over the index keys of a block's
// events. Byte 0 is the version (1), byte 1 the number of hash functions
// k, the rest the bit array; bit i of key x is (h1 + i*h2) mod m with h1
// and h2 the 64-bit FNV-1a and FNV-1 hashes of x (h2 made odd). With 10
// bits a key and k = 7, about 1% of blocks match a key they lack; the
// search then decodes them and finds nothing.
const (
	filterV1      = 1
	filterK       = 7
	filterBitsKey = 10
)

// newFilter returns the filter of keys.
func newFilter(keys []string) []byte {
	m := max(64, len(keys)*filterBitsKey)
	f := make([]byte, 2+(m+7)/8)
	f[0], f[1] = filterV1, filterK
	for _, k := range keys {
		h1, h2 := filterHashes(k)
		bits := uint64(len(f)-2) * 8
		for i := range uint64(filterK) {
			b := (h1 + i*h2) % bits
			f[2+b/8] |= 1 << (b % 8)
		}
	}
	return f
}

func filterHashes(k string) (uint64, uint64) {
	a, b := fnv.New64a(), fnv.New64()
	a.Write([]byte(k))
	b.Write([]byte(k))
	return a.Sum64(), b.Sum64() | 1
}

// filterHas reports whether f may hold every key. A filter it cannot read
// may hold anything.
func filterHas(f []byte, keys []string) bool {
	if len(f) < 3 || f[0] != filterV1 || f[1] == 0 || f[1] > math.MaxInt8 {
		return true
	}
	bits := uint64(len(f)-2) * 8
	for _, k := range keys {
		h1, h2 := filterHashes(k)
		for i := range uint64(f[1]) {
			b := (h1 + i*h2) % bits
			if f[2+b/8]&(1<<(b%8)) == 0 {
				return false
			}
		}
	}
	return true
}
