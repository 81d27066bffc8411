package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

func keys(tb testing.TB) []audit.VerifierKey {
	return []audit.VerifierKey{MustVerifier(tb, audit.NoteSigner{Name: "node1", Key: MustKey(tb, 1)})}
}

func TestProve(t *testing.T) {
	s := MustChain(t, 25)
	ctx := context.Background()
	for _, seq := range []int64{1, 9, 25} {
		p, err := audit.Prove(ctx, s, seq, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The proof survives JSON: it is what `audit prove` prints.
		b, _ := json.Marshal(p)
		var q audit.Proof
		if err := json.Unmarshal(b, &q); err != nil {
			t.Fatal(err)
		}
		cp, err := q.Verify(keys(t))
		if err != nil || cp.Size != 25 || q.Event.Seq != seq {
			t.Fatalf("seq %d: %v", seq, err)
		}
		q.Entry[len(q.Entry)-1] ^= 1
		if _, err := q.Verify(keys(t)); !errors.Is(err, audit.ErrProof) {
			t.Fatalf("seq %d: tampered entry: %v", seq, err)
		}
	}
	t.Run("AgainstOlderCheckpoint", func(t *testing.T) {
		p, err := audit.Prove(ctx, s, 5, 10)
		if err != nil {
			t.Fatal(err)
		}
		if cp, err := p.Verify(keys(t)); err != nil || cp.Size != 10 {
			t.Fatal(err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := audit.Prove(ctx, s, 26, 0); phigate.ErrorCode(err) != phigate.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
		if _, err := audit.Prove(ctx, s, 12, 10); phigate.ErrorCode(err) != phigate.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		p, _ := audit.Prove(ctx, s, 3, 0)
		other := []audit.VerifierKey{MustVerifier(t, audit.NoteSigner{Name: "node1", Key: MustKey(t, 5)})}
		if _, err := p.Verify(other); !errors.Is(err, audit.ErrNoteUnknownKey) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestProveConsistency(t *testing.T) {
	s := MustChain(t, 25)
	ctx := context.Background()
	p, err := audit.ProveConsistency(ctx, s, 10, 25)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(keys(t)); err != nil {
		t.Fatal(err)
	}
	p.Path[0][0] ^= 1
	if err := p.Verify(keys(t)); !errors.Is(err, audit.ErrProof) {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := audit.ProveConsistency(ctx, s, 11, 25); phigate.ErrorCode(err) != phigate.ENOTFOUND {
		t.Fatalf("no checkpoint at 11: %v", err)
	}
}
