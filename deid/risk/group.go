package risk

import "math/bits"

// grouper assigns dense ids 0, 1, 2, ... to uint64 keys in order of first
// appearance: an open-addressing hash table, reused between calls.
type grouper struct {
	keys  []uint64 // key+1; 0 marks an empty slot
	ids   []int32
	shift uint
	n     int
}

// reset empties g and sizes it for about hint distinct keys.
func (g *grouper) reset(hint int) {
	size := 16
	for size < 2*hint {
		size <<= 1
	}
	if len(g.keys) < size || len(g.keys) > 8*size {
		g.keys = make([]uint64, size)
		g.ids = make([]int32, size)
	} else {
		size = len(g.keys)
		clear(g.keys)
	}
	g.shift = uint(64 - bits.TrailingZeros(uint(size)))
	g.n = 0
}

// id returns key's id, allocating the next one for a new key.
func (g *grouper) id(key uint64) int32 {
	if 2*(g.n+1) > len(g.keys) {
		g.grow()
	}
	mask := uint64(len(g.keys) - 1)
	k := key + 1
	for i := (key * 0x9E3779B97F4A7C15) >> g.shift; ; i = (i + 1) & mask {
		switch g.keys[i] {
		case k:
			return g.ids[i]
		case 0:
			g.keys[i] = k
			g.ids[i] = int32(g.n)
			g.n++
			return g.ids[i]
		}
	}
}

func (g *grouper) grow() {
	keys, ids := g.keys, g.ids
	g.keys = make([]uint64, 2*len(keys))
	g.ids = make([]int32, 2*len(keys))
	g.shift--
	mask := uint64(len(g.keys) - 1)
	for j, k := range keys {
		if k == 0 {
			continue
		}
		i := ((k - 1) * 0x9E3779B97F4A7C15) >> g.shift
		for g.keys[i] != 0 {
			i = (i + 1) & mask
		}
		g.keys[i], g.ids[i] = k, ids[j]
	}
}

// radix returns the multipliers that pack one code per dimension, each
// below its cardinality, into one uint64, and false if they do not fit.
func radix(cards []int) ([]uint64, bool) {
	mult := make([]uint64, len(cards))
	m := uint64(1)
	for i, c := range cards {
		mult[i] = m
		if c < 1 {
			c = 1
		}
		hi, lo := bits.Mul64(m, uint64(c))
		if hi != 0 {
			return nil, false
		}
		m = lo
	}
	return mult, true
}

// tupleKeys assigns an id to each distinct tuple. Tuples are given column
// by column: codes[d][r] is dimension d of tuple r, below cards[d]. It
// returns the id of each tuple and the number of distinct ones.
func tupleKeys(codes [][]uint32, cards []int, rows int) ([]int32, int) {
	ids := make([]int32, rows)
	if mult, ok := radix(cards); ok {
		var g grouper
		g.reset(rows)
		for r := 0; r < rows; r++ {
			var k uint64
			for d, m := range mult {
				k += uint64(codes[d][r]) * m
			}
			ids[r] = g.id(k)
		}
		return ids, g.n
	}
	return tupleKeysSlow(codes, rows, ids)
}

// tupleKeysSlow is tupleKeys for tuples too wide to pack into 64 bits.
func tupleKeysSlow(codes [][]uint32, rows int, ids []int32) ([]int32, int) {
	m := make(map[string]int32)
	buf := make([]byte, 4*len(codes))
	for r := 0; r < rows; r++ {
		for d := range codes {
			c := codes[d][r]
			buf[4*d], buf[4*d+1], buf[4*d+2], buf[4*d+3] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
		}
		id, ok := m[string(buf)]
		if !ok {
			id = int32(len(m))
			m[string(buf)] = id
		}
		ids[r] = id
	}
	return ids, len(m)
}
