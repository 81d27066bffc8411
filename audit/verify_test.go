package audit_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
)

// MustChain records n events with a checkpoint every 10 and a final one.
func MustChain(tb testing.TB, n int) *audittest.Store {
	tb.Helper()
	store := audittest.NewStore()
	l := MustLog(tb, store, 10)
	MustRecord(tb, l, n)
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return store
}

// leavesOf returns copies of the events stored in s.
func leavesOf(tb testing.TB, s *audittest.Store) []audit.Leaf {
	var out []audit.Leaf
	for _, b := range s.Blocks {
		ls, err := audit.DecodeBlock(slices.Clone(b.Data))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, ls...)
	}
	return out
}

// setLeaves stores leaves in s, one block each, as an attacker with
// database access would write them.
func setLeaves(s *audittest.Store, ls []audit.Leaf) {
	s.Blocks = nil
	for i, l := range ls {
		pos := int64(i + 1)
		s.Blocks = append(s.Blocks, &phigate.AuditBlock{First: pos, Last: pos, Data: audit.EncodeBlock([]audit.Leaf{l})})
	}
}

// rehash recomputes the hashes and links of leaves from index i on, as an
// attacker with database access but without the signing key would.
func rehash(recs []audit.Leaf, i int) {
	for ; i < len(recs); i++ {
		if i > 0 {
			recs[i].Prev = slices.Clone(recs[i-1].Hash)
		}
		h := audit.ChainHash(recs[i].Prev, recs[i].Entry)
		recs[i].Hash = h[:]
	}
}

func editEntry(r *audit.Leaf) {
	e, _ := audit.Decode(r.Entry)
	e.Actor = "someone-else"
	r.Entry, _ = audit.Encode(e)
}

func TestVerifyDetectsTampering(t *testing.T) {
	type leaves = []audit.Leaf
	tests := []struct {
		name        string
		tamper      func(s *audittest.Store, ls leaves) leaves
		kind        string
		seq, though int64
	}{
		{"ErrEdit", func(s *audittest.Store, ls leaves) leaves { editEntry(&ls[16]); return ls }, audit.KindChanged, 17, 17},
		{"ErrEditAndRehashOne", func(s *audittest.Store, ls leaves) leaves {
			editEntry(&ls[16])
			h := audit.ChainHash(ls[16].Prev, ls[16].Entry)
			ls[16].Hash = h[:]
			return ls
		}, audit.KindChanged, 17, 17},
		{"ErrEditAndRehashTail", func(s *audittest.Store, ls leaves) leaves {
			editEntry(&ls[16])
			rehash(ls, 16)
			return ls
		}, audit.KindChanged, 11, 20},
		{"ErrEditLink", func(s *audittest.Store, ls leaves) leaves { ls[16].Prev[0] ^= 1; return ls }, audit.KindChanged, 17, 17},
		{"ErrDelete", func(s *audittest.Store, ls leaves) leaves { return slices.Delete(ls, 16, 17) }, audit.KindRemoved, 17, 17},
		{"ErrDeleteAndRenumber", func(s *audittest.Store, ls leaves) leaves {
			ls = slices.Delete(ls, 16, 17)
			for i := 16; i < len(ls); i++ {
				e, _ := audit.Decode(ls[i].Entry)
				e.Seq--
				ls[i].Entry, _ = audit.Encode(e)
			}
			rehash(ls, 16)
			return ls
		}, audit.KindChanged, 11, 20},
		{"ErrSwap", func(s *audittest.Store, ls leaves) leaves {
			ls[12], ls[20] = ls[20], ls[12]
			return ls
		}, audit.KindReordered, 13, 13},
		{"ErrSwapAndFixSeq", func(s *audittest.Store, ls leaves) leaves {
			ls[12].Entry, ls[20].Entry = ls[20].Entry, ls[12].Entry
			for _, i := range []int{12, 20} {
				e, _ := audit.Decode(ls[i].Entry)
				e.Seq = int64(i + 1)
				ls[i].Entry, _ = audit.Encode(e)
			}
			return ls
		}, audit.KindChanged, 13, 13},
		{"ErrTruncateTail", func(s *audittest.Store, ls leaves) leaves { return ls[:22] }, audit.KindTruncated, 23, 25},
		{"ErrTruncateTailAndHead", func(s *audittest.Store, ls leaves) leaves {
			s.Head.Size, s.Head.Hash = 22, ls[21].Hash
			return ls[:22]
		}, audit.KindTruncated, 23, 25},
		{"ErrForgedCheckpointRoot", func(s *audittest.Store, ls leaves) leaves {
			c := s.Checkpoints[1]
			c.Note = bytes.Replace(c.Note, []byte("\n20\n"), []byte("\n19\n"), 1)
			return ls
		}, audit.KindCheckpoint, 11, 20},
		{"ErrCheckpointOtherKey", func(s *audittest.Store, ls leaves) leaves {
			other := audit.NoteSigner{Name: "node1", Key: MustKey(t, 9)}
			text, _, _ := audit.OpenNote(s.Checkpoints[0].Note, keys(t))
			s.Checkpoints[0].Note, _ = other.Sign(text)
			return ls
		}, audit.KindCheckpoint, 1, 10},
		{"ErrConsistentForgery", func(s *audittest.Store, ls leaves) leaves {
			forged := audittest.NewStore()
			l := MustNodeLog(t, forged, 10, 7)
			l.KeyName = "node1"
			for i := range 25 {
				l.Record(context.Background(), event(i+100))
			}
			l.Close()
			s.Checkpoints, s.Head = forged.Checkpoints, forged.Head
			return leavesOf(t, forged)
		}, audit.KindCheckpoint, 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustChain(t, 25)
			if rep := MustVerify(t, s); !rep.OK() {
				t.Fatalf("intact chain: %v", rep.Problem)
			}
			setLeaves(s, tt.tamper(s, leavesOf(t, s)))
			rep := MustVerify(t, s)
			p := rep.Problem
			if p == nil {
				t.Fatal("tampering not detected")
			}
			if p.Kind != tt.kind || p.Seq != tt.seq || p.Through != tt.though {
				t.Fatalf("problem %v, want %s at %d..%d", p, tt.kind, tt.seq, tt.though)
			}
		})
	}
}

func TestVerifyWithMirroredCheckpoints(t *testing.T) {
	// An attacker who deletes the tail, the head and every checkpoint in
	// the database is still caught by the copies kept in a second place.
	s := MustChain(t, 25)
	var mirror [][]byte
	for _, c := range s.Checkpoints {
		mirror = append(mirror, c.Note)
	}
	ls := leavesOf(t, s)[:15]
	setLeaves(s, ls)
	s.Checkpoints = nil
	s.Head.Size, s.Head.Hash = 15, ls[14].Hash
	if rep := MustVerify(t, s); !rep.OK() {
		t.Fatalf("without the mirror: %v", rep.Problem)
	}
	v := verifier(t, s)
	v.Trusted = mirror
	rep, err := v.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Problem; p == nil || p.Kind != audit.KindTruncated || p.Seq != 16 {
		t.Fatalf("problem %v, want truncated at 16", p)
	}
}

func TestVerifyErrNoKeys(t *testing.T) {
	v := &audit.Verifier{Store: audittest.NewStore()}
	if _, err := v.Verify(context.Background()); phigate.ErrorCode(err) != phigate.EINVALID {
		t.Fatalf("err = %v", err)
	}
}
