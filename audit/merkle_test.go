package audit_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/phigate/phigate/audit"
)

func leaves(n int) []audit.Hash {
	out := make([]audit.Hash, n)
	for i := range out {
		out[i] = sha256.Sum256(fmt.Appendf(nil, "\x00leaf %d", i))
	}
	return out
}

func TestRootKnownVectors(t *testing.T) {
	// RFC 6962: the empty tree hashes to SHA-256 of the empty string, a
	// one-leaf tree to its leaf hash, and two leaves to H(0x01||a||b).
	l := leaves(2)
	if got := audit.Root(nil); fmt.Sprintf("%x", got) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty root %x", got)
	}
	if audit.Root(l[:1]) != l[0] {
		t.Error("one-leaf root is not the leaf")
	}
	buf := append(append([]byte{1}, l[0][:]...), l[1][:]...)
	if audit.Root(l) != sha256.Sum256(buf) {
		t.Error("two-leaf root")
	}
}

func TestFrontierMatchesRoot(t *testing.T) {
	l := leaves(70)
	var f audit.Frontier
	for i := range l {
		f.Append(l[i])
		if f.Root() != audit.Root(l[:i+1]) {
			t.Fatalf("size %d: frontier root differs", i+1)
		}
		b, _ := f.MarshalBinary()
		g, err := audit.ParseFrontier(f.Size, b)
		if err != nil || g.Root() != f.Root() {
			t.Fatalf("size %d: frontier round trip: %v", i+1, err)
		}
	}
	if _, err := audit.ParseFrontier(3, make([]byte, 32)); err == nil {
		t.Error("ParseFrontier accepted a frontier of the wrong length")
	}
}

func TestInclusion(t *testing.T) {
	l := leaves(33)
	for n := 1; n <= len(l); n++ {
		root := audit.Root(l[:n])
		for i := 0; i < n; i++ {
			p, err := audit.InclusionProof(l[:n], i)
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyInclusion(l[i], int64(i), int64(n), p, root); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			if err := audit.VerifyInclusion(l[(i+1)%len(l)], int64(i), int64(n), p, root); err == nil && n > 1 {
				t.Fatalf("n=%d i=%d: wrong leaf verified", n, i)
			}
			if len(p) > 0 {
				p[0][0] ^= 1
				if audit.VerifyInclusion(l[i], int64(i), int64(n), p, root) == nil {
					t.Fatalf("n=%d i=%d: tampered proof verified", n, i)
				}
			}
		}
	}
}

func TestConsistency(t *testing.T) {
	l := leaves(33)
	for n := 1; n <= len(l); n++ {
		for m := 1; m <= n; m++ {
			p, err := audit.ConsistencyProof(l[:n], m)
			if err != nil {
				t.Fatal(err)
			}
			r1, r2 := audit.Root(l[:m]), audit.Root(l[:n])
			if err := audit.VerifyConsistency(int64(m), int64(n), r1, r2, p); err != nil {
				t.Fatalf("m=%d n=%d: %v", m, n, err)
			}
			if m < n && audit.VerifyConsistency(int64(m), int64(n), r2, r2, p) == nil {
				t.Fatalf("m=%d n=%d: wrong old root verified", m, n)
			}
			if len(p) > 0 {
				p[len(p)-1][3] ^= 1
				if audit.VerifyConsistency(int64(m), int64(n), r1, r2, p) == nil {
					t.Fatalf("m=%d n=%d: tampered proof verified", m, n)
				}
			}
		}
	}
}
