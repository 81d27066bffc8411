package audit

import (
	"crypto/sha256"
	"errors"
	"math/bits"
)

// Hash is a SHA-256 hash in the chain or the Merkle tree.
type Hash = [HashSize]byte

// NodeHash returns the RFC 6962 interior node hash SHA-256(0x01 || l || r).
func NodeHash(l, r Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[1+HashSize:], r[:])
	return sha256.Sum256(buf[:])
}

// EmptyRoot is the RFC 6962 hash of the empty tree, SHA-256("").
var EmptyRoot = sha256.Sum256(nil)

// Root returns the RFC 6962 Merkle tree hash of the given leaf hashes.
func Root(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return EmptyRoot
	case 1:
		return leaves[0]
	}
	k := split(len(leaves))
	return NodeHash(Root(leaves[:k]), Root(leaves[k:]))
}

// split returns the largest power of two smaller than n (n >= 2).
func split(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}

// InclusionProof returns the audit path of leaf index (0-based) in the tree
// of the given leaf hashes (RFC 6962 section 2.1.1).
func InclusionProof(leaves []Hash, index int) ([]Hash, error) {
	if index < 0 || index >= len(leaves) {
		return nil, errors.New("index outside the tree")
	}
	return path(leaves, index), nil
}

func path(leaves []Hash, m int) []Hash {
	if len(leaves) <= 1 {
		return nil
	}
	k := split(len(leaves))
	if m < k {
		return append(path(leaves[:k], m), Root(leaves[k:]))
	}
	return append(path(leaves[k:], m-k), Root(leaves[:k]))
}

// ConsistencyProof returns the proof that the tree of the first m leaves is
// a prefix of the tree of all leaves (RFC 6962 section 2.1.2).
func ConsistencyProof(leaves []Hash, m int) ([]Hash, error) {
	if m <= 0 || m > len(leaves) {
		return nil, errors.New("old size outside the tree")
	}
	return subproof(leaves, m, true), nil
}

func subproof(leaves []Hash, m int, whole bool) []Hash {
	n := len(leaves)
	if m == n {
		if whole {
			return nil
		}
		return []Hash{Root(leaves)}
	}
	k := split(n)
	if m <= k {
		return append(subproof(leaves[:k], m, whole), Root(leaves[k:]))
	}
	return append(subproof(leaves[k:], m-k, false), Root(leaves[:k]))
}

var errProof = errors.New("proof does not verify")

// VerifyInclusion checks that leaf is at index (0-based) in the tree of the
// given size with the given root (RFC 9162 section 2.1.3.2).
func VerifyInclusion(leaf Hash, index, size int64, proof []Hash, root Hash) error {
	if index < 0 || index >= size {
		return errProof
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return errProof
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn, sn = fn>>1, sn>>1
	}
	if sn != 0 || r != root {
		return errProof
	}
	return nil
}

// VerifyConsistency checks that the tree of size1 with root1 is a prefix of
// the tree of size2 with root2 (RFC 9162 section 2.1.4.2).
func VerifyConsistency(size1, size2 int64, root1, root2 Hash, proof []Hash) error {
	switch {
	case size1 < 0 || size2 < size1:
		return errProof
	case size1 == size2:
		if len(proof) != 0 || root1 != root2 {
			return errProof
		}
		return nil
	case size1 == 0:
		if len(proof) != 0 {
			return errProof
		}
		return nil
	}
	if size1&(size1-1) == 0 { // a power of two: root1 starts the path
		proof = append([]Hash{root1}, proof...)
	}
	if len(proof) == 0 {
		return errProof
	}
	fn, sn := size1-1, size2-1
	for fn&1 == 1 {
		fn, sn = fn>>1, sn>>1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return errProof
		}
		if fn&1 == 1 || fn == sn {
			fr, sr = NodeHash(c, fr), NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn, sn = fn>>1, sn>>1
	}
	if sn != 0 || fr != root1 || sr != root2 {
		return errProof
	}
	return nil
}
