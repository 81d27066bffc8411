package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/phigate/phigate"
)

// InclusionProofV1 is the format of Proof.
const InclusionProofV1 = "phigate-audit-inclusion/v1"

// Proof shows that one event is in the log as committed to by a signed
// checkpoint. Anyone holding the verifier key can check it with Verify, or
// by hand: leaf = SHA-256(0x00 || prev || entry), then the RFC 6962 audit
// path to the checkpoint's root.
type Proof struct {
	Format     string         `json:"format"`
	Seq        int64          `json:"seq"`
	Event      *phigate.Event `json:"event"`      // Entry decoded, for reading
	Entry      []byte         `json:"entry"`      // the event's frozen v1 encoding
	Prev       []byte         `json:"prev"`       // chain hash of the previous event
	Checkpoint string         `json:"checkpoint"` // the signed note
	Path       [][]byte       `json:"inclusion"`  // audit path, leaf to root
}

// Consistency shows that a newer checkpoint extends an older one.
type Consistency struct {
	Format string   `json:"format"`
	Old    string   `json:"old"` // signed note of the older checkpoint
	New    string   `json:"new"` // signed note of the newer checkpoint
	Path   [][]byte `json:"consistency"`
}

// ConsistencyProofV1 is the format of Consistency.
const ConsistencyProofV1 = "phigate-audit-consistency/v1"

// Prove returns the inclusion proof of event seq against the checkpoint of
// the given size, or the newest checkpoint when size is 0. Codes: ENOTFOUND
// (no such event or checkpoint, or the event is archived).
func Prove(ctx context.Context, store phigate.AuditStore, seq, size int64) (*Proof, error) {
	const op = "audit.Prove"
	cp, err := findCheckpoint(ctx, store, seq, size)
	if err != nil {
		return nil, phigate.E(phigate.ENOTFOUND, op, err)
	}
	leaves, rec, err := readLeaves(ctx, store, cp.Size, seq)
	if err != nil {
		return nil, err
	}
	path, err := InclusionProof(leaves, int(seq-1))
	if err != nil {
		return nil, phigate.E(phigate.ENOTFOUND, op, err)
	}
	ev, err := Decode(rec.Entry)
	if err != nil {
		return nil, err
	}
	return &Proof{Format: InclusionProofV1, Seq: seq, Event: ev, Entry: rec.Entry, Prev: rec.Prev,
		Checkpoint: string(cp.Note), Path: hashBytes(path)}, nil
}

// findCheckpoint returns the checkpoint of the given size (0: the newest)
// that covers event seq.
func findCheckpoint(ctx context.Context, store phigate.AuditStore, seq, size int64) (*phigate.AuditCheckpoint, error) {
	cps, err := store.AuditCheckpoints(ctx, max(seq-1, 0))
	if err != nil {
		return nil, err
	}
	for i := len(cps) - 1; i >= 0; i-- {
		if size == 0 || cps[i].Size == size {
			return cps[i], nil
		}
	}
	return nil, fmt.Errorf("no checkpoint of size %d covers event %d", size, seq)
}

// readLeaves returns the chain hashes of events 1..size and the record of
// event want (if want > 0).
func readLeaves(ctx context.Context, store phigate.AuditStore, size, want int64) ([]Hash, *Leaf, error) {
	const op = "audit.readLeaves"
	head, err := store.AuditHead(ctx)
	if err != nil {
		return nil, nil, err
	}
	if head.BaseSize > 0 {
		return nil, nil, phigate.Errorf(phigate.ENOTFOUND, op, "events 1..%d are archived: prove from the archive", head.BaseSize)
	}
	leaves := make([]Hash, 0, size)
	var rec *Leaf
	err = scanLeaves(ctx, store, 0, size, func(r *Leaf) error {
		if r.Seq != int64(len(leaves))+1 || len(r.Hash) != HashSize {
			return phigate.Errorf(phigate.EINVALID, op, "chain is damaged at event %d: run audit verify", len(leaves)+1)
		}
		leaves = append(leaves, Hash(r.Hash))
		if r.Seq == want {
			rec = &Leaf{Seq: r.Seq, Prev: clone(Hash(r.Prev)), Entry: append([]byte(nil), r.Entry...), Hash: clone(Hash(r.Hash))}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if int64(len(leaves)) != size || (want > 0 && rec == nil) {
		return nil, nil, phigate.Errorf(phigate.ENOTFOUND, op, "events up to %d are missing", size)
	}
	return leaves, rec, nil
}

func hashBytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = append([]byte(nil), hs[i][:]...)
	}
	return out
}

func toHashes(bs [][]byte) ([]Hash, error) {
	out := make([]Hash, len(bs))
	for i, b := range bs {
		if len(b) != HashSize {
			return nil, errProof
		}
		out[i] = Hash(b)
	}
	return out, nil
}

// ErrProof is returned when a proof does not verify.
var ErrProof = errors.New("proof does not verify")

// Verify checks the proof against the trusted keys and returns the checked
// checkpoint. It needs no access to the log.
func (p *Proof) Verify(keys []VerifierKey) (*Checkpoint, error) {
	cp, _, err := OpenCheckpoint([]byte(p.Checkpoint), keys)
	if err != nil {
		return nil, err
	}
	seq, ok := EntrySeq(p.Entry)
	path, perr := toHashes(p.Path)
	if p.Format != InclusionProofV1 || !ok || seq != p.Seq || len(p.Prev) != HashSize || perr != nil {
		return nil, ErrProof
	}
	if err := VerifyInclusion(ChainHash(p.Prev, p.Entry), p.Seq-1, cp.Size, path, cp.Root); err != nil {
		return nil, ErrProof
	}
	return cp, nil
}

// ProveConsistency returns the proof that the checkpoint of size new
// extends the checkpoint of size old. Codes: ENOTFOUND, EINVALID.
func ProveConsistency(ctx context.Context, store phigate.AuditStore, old, new int64) (*Consistency, error) {
	const op = "audit.ProveConsistency"
	if old <= 0 || new < old {
		return nil, phigate.Errorf(phigate.EINVALID, op, "need 0 < old <= new")
	}
	a, err := findCheckpoint(ctx, store, old, old)
	if err != nil {
		return nil, phigate.E(phigate.ENOTFOUND, op, err)
	}
	b, err := findCheckpoint(ctx, store, new, new)
	if err != nil {
		return nil, phigate.E(phigate.ENOTFOUND, op, err)
	}
	leaves, _, err := readLeaves(ctx, store, new, 0)
	if err != nil {
		return nil, err
	}
	path, err := ConsistencyProof(leaves, int(old))
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	return &Consistency{Format: ConsistencyProofV1, Old: string(a.Note), New: string(b.Note), Path: hashBytes(path)}, nil
}

// Verify checks both checkpoints' signatures and the proof.
func (p *Consistency) Verify(keys []VerifierKey) error {
	a, _, err := OpenCheckpoint([]byte(p.Old), keys)
	if err != nil {
		return err
	}
	b, _, err := OpenCheckpoint([]byte(p.New), keys)
	if err != nil {
		return err
	}
	path, err := toHashes(p.Path)
	if p.Format != ConsistencyProofV1 || err != nil || a.Origin != b.Origin {
		return ErrProof
	}
	if VerifyConsistency(a.Size, b.Size, a.Root, b.Root, path) != nil {
		return ErrProof
	}
	return nil
}
