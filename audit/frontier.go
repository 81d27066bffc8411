package audit

import (
	"errors"
	"math/bits"
)

// Frontier is a compact range over the first Size leaves of the Merkle
// tree: the roots of its perfect subtrees, largest first. It appends a
// leaf in amortised O(1) and gives the root at Size in O(log Size).
type Frontier struct {
	Size  int64
	Nodes []Hash
}

// Append adds a leaf hash.
func (f *Frontier) Append(leaf Hash) {
	h := leaf
	for s := f.Size; s&1 == 1; s >>= 1 {
		last := len(f.Nodes) - 1
		h = NodeHash(f.Nodes[last], h)
		f.Nodes = f.Nodes[:last]
	}
	f.Nodes = append(f.Nodes, h)
	f.Size++
}

// Root returns the Merkle tree hash of the first Size leaves.
func (f *Frontier) Root() Hash {
	if len(f.Nodes) == 0 {
		return EmptyRoot
	}
	r := f.Nodes[len(f.Nodes)-1]
	for i := len(f.Nodes) - 2; i >= 0; i-- {
		r = NodeHash(f.Nodes[i], r)
	}
	return r
}

// Clone returns a copy that does not share nodes.
func (f *Frontier) Clone() Frontier {
	return Frontier{Size: f.Size, Nodes: append([]Hash(nil), f.Nodes...)}
}

// MarshalBinary encodes the nodes; the size is stored beside them.
func (f *Frontier) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, len(f.Nodes)*HashSize)
	for _, n := range f.Nodes {
		b = append(b, n[:]...)
	}
	return b, nil
}

// ParseFrontier decodes the nodes of a frontier of the given size.
func ParseFrontier(size int64, b []byte) (Frontier, error) {
	want := bits.OnesCount64(uint64(size))
	if size < 0 || len(b) != want*HashSize {
		return Frontier{}, errors.New("frontier does not match its size")
	}
	f := Frontier{Size: size, Nodes: make([]Hash, want)}
	for i := range f.Nodes {
		copy(f.Nodes[i][:], b[i*HashSize:])
	}
	return f, nil
}
