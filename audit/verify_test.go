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

// rehash recomputes the hashes and links of records from index i on, as an
// attacker with database access but without the signing key would.
func rehash(recs []*phigate.AuditRecord, i int) {
	for ; i < len(recs); i++ {
		if i > 0 {
			recs[i].Prev = slices.Clone(recs[i-1].Hash)
		}
		h := audit.ChainHash(recs[i].Prev, recs[i].Entry)
		recs[i].Hash = h[:]
	}
}

func editEntry(r *phigate.AuditRecord) {
	e, _ := audit.Decode(r.Entry)
	e.Actor = "someone-else"
	r.Entry, _ = audit.Encode(e)
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name        string
		tamper      func(s *audittest.Store)
		kind        string
		seq, though int64
	}{
		{"ErrEdit", func(s *audittest.Store) { editEntry(s.Records[16]) }, audit.KindChanged, 17, 17},
		{"ErrEditAndRehashOne", func(s *audittest.Store) {
			editEntry(s.Records[16])
			h := audit.ChainHash(s.Records[16].Prev, s.Records[16].Entry)
			s.Records[16].Hash = h[:]
		}, audit.KindChanged, 17, 17},
		{"ErrEditAndRehashTail", func(s *audittest.Store) {
			editEntry(s.Records[16])
			rehash(s.Records, 16)
		}, audit.KindChanged, 11, 20},
		{"ErrEditLink", func(s *audittest.Store) { s.Records[16].Prev[0] ^= 1 }, audit.KindChanged, 17, 17},
		{"ErrDelete", func(s *audittest.Store) { s.Records = slices.Delete(s.Records, 16, 17) }, audit.KindRemoved, 17, 17},
		{"ErrDeleteAndRenumber", func(s *audittest.Store) {
			s.Records = slices.Delete(s.Records, 16, 17)
			for i := 16; i < len(s.Records); i++ {
				s.Records[i].Seq--
			}
		}, audit.KindReordered, 17, 17},
		{"ErrSwap", func(s *audittest.Store) {
			a, b := s.Records[12], s.Records[20]
			a.Seq, b.Seq = b.Seq, a.Seq
			s.Records[12], s.Records[20] = b, a
		}, audit.KindReordered, 13, 13},
		{"ErrSwapAndFixSeq", func(s *audittest.Store) {
			a, b := s.Records[12], s.Records[20]
			a.Entry, b.Entry = b.Entry, a.Entry
			for _, r := range []*phigate.AuditRecord{a, b} {
				e, _ := audit.Decode(r.Entry)
				e.Seq = r.Seq
				r.Entry, _ = audit.Encode(e)
			}
		}, audit.KindChanged, 13, 13},
		{"ErrTruncateTail", func(s *audittest.Store) { s.Records = s.Records[:22] }, audit.KindTruncated, 23, 25},
		{"ErrTruncateTailAndHead", func(s *audittest.Store) {
			s.Records = s.Records[:22]
			s.Head.Size, s.Head.Hash = 22, s.Records[21].Hash
		}, audit.KindTruncated, 23, 25},
		{"ErrForgedCheckpointRoot", func(s *audittest.Store) {
			c := s.Checkpoints[1]
			c.Note = bytes.Replace(c.Note, []byte("\n20\n"), []byte("\n19\n"), 1)
		}, audit.KindCheckpoint, 11, 20},
		{"ErrCheckpointOtherKey", func(s *audittest.Store) {
			other := audit.NoteSigner{Name: "node1", Key: MustKey(t, 9)}
			text, _, _ := audit.OpenNote(s.Checkpoints[0].Note, []audit.VerifierKey{MustVerifier(t, audit.NoteSigner{Name: "node1", Key: MustKey(t, 1)})})
			s.Checkpoints[0].Note, _ = other.Sign(text)
		}, audit.KindCheckpoint, 1, 10},
		{"ErrConsistentForgery", func(s *audittest.Store) {
			forged := audittest.NewStore()
			l := MustNodeLog(t, forged, 10, 7)
			l.KeyName = "node1"
			evs := make([]*phigate.Event, 25)
			for i := range evs {
				evs[i] = event(i + 100)
				l.Record(context.Background(), evs[i])
			}
			l.Close()
			s.Records, s.Checkpoints, s.Head = forged.Records, forged.Checkpoints, forged.Head
		}, audit.KindCheckpoint, 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustChain(t, 25)
			if rep := MustVerify(t, s); !rep.OK() {
				t.Fatalf("intact chain: %v", rep.Problem)
			}
			tt.tamper(s)
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
	s.Records = s.Records[:15]
	s.Checkpoints = nil
	s.Head.Size, s.Head.Hash = 15, s.Records[14].Hash
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
