package audit

import (
	"errors"
)

// encodeBase encodes the chain state kept for archived events: the chain
// hash of the last archived event followed by the frontier's nodes.
func encodeBase(prev Hash, f Frontier) []byte {
	b, _ := f.MarshalBinary()
	return append(append([]byte(nil), prev[:]...), b...)
}

func parseBase(size int64, b []byte) (Hash, Frontier, error) {
	var prev Hash
	if len(b) < HashSize {
		return prev, Frontier{}, errors.New("malformed chain base")
	}
	copy(prev[:], b)
	f, err := ParseFrontier(size, b[HashSize:])
	return prev, f, err
}
