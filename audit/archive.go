package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/phigate/phigate"
)

// SegmentV1 is the format of archive segments.
const SegmentV1 = "phigate-audit-segment/v1"

// Retention: HIPAA keeps documentation six years (45 CFR 164.316(b)(2)).
const (
	// MinRetention is the shortest retention phigate accepts.
	MinRetention = 6 * 366 * 24 * time.Hour
	// DefaultRetention is the retention when none is configured.
	DefaultRetention = MinRetention
)

// segmentHeader is the first line of a segment: the chain state the
// segment builds on.
type segmentHeader struct {
	Format     string `json:"format"`
	Origin     string `json:"origin"`
	First      int64  `json:"first"`                // first event in the segment
	Prev       []byte `json:"prev"`                 // chain hash of event First-1
	Frontier   []byte `json:"frontier"`             // Merkle frontier at First-1
	Checkpoint string `json:"checkpoint,omitempty"` // signed checkpoint at First-1
}

// segmentLine is an event or a checkpoint.
type segmentLine struct {
	Seq        int64  `json:"seq,omitempty"`
	Prev       []byte `json:"prev,omitempty"`
	Entry      []byte `json:"entry,omitempty"`
	Hash       []byte `json:"hash,omitempty"`
	Checkpoint string `json:"checkpoint,omitempty"`
}

// WriteSegment writes the events after checkpoint from up to checkpoint to
// (both checkpoint sizes; from may be 0) to w as a self-verifying segment:
// JSON lines with the starting chain state, every event with its chain
// link, and every checkpoint in between. Codes: ENOTFOUND, EINVALID.
func WriteSegment(ctx context.Context, store phigate.AuditStore, origin string, w io.Writer, from, to int64) error {
	const op = "audit.WriteSegment"
	cps, err := store.AuditCheckpoints(ctx, max(from-1, 0))
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	hdr, cps, err := segmentStart(origin, cps, from, to)
	if err != nil {
		return phigate.E(phigate.ENOTFOUND, op, err)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(hdr); err != nil {
		return err
	}
	err = scanLeaves(ctx, store, from, to, func(r *Leaf) error {
		if err := enc.Encode(segmentLine{Seq: r.Seq, Prev: r.Prev, Entry: r.Entry, Hash: r.Hash}); err != nil {
			return err
		}
		for len(cps) > 0 && cps[0].Size == r.Seq {
			if err := enc.Encode(segmentLine{Checkpoint: string(cps[0].Note)}); err != nil {
				return err
			}
			cps = cps[1:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	return bw.Flush()
}

// segmentStart returns the header for a segment (from, to] and the
// checkpoints inside it.
func segmentStart(origin string, cps []*phigate.AuditCheckpoint, from, to int64) (*segmentHeader, []*phigate.AuditCheckpoint, error) {
	hdr := &segmentHeader{Format: SegmentV1, Origin: origin, First: from + 1, Prev: make([]byte, HashSize)}
	var inside []*phigate.AuditCheckpoint
	endOK := false
	for _, c := range cps {
		switch {
		case c.Size == from:
			hdr.Prev, hdr.Frontier, hdr.Checkpoint = c.Hash, c.Frontier, string(c.Note)
		case c.Size > from && c.Size <= to:
			inside = append(inside, c)
			endOK = endOK || c.Size == to
		}
	}
	if (from > 0 && hdr.Checkpoint == "") || !endOK || to <= from {
		return nil, nil, fmt.Errorf("segment %d..%d must start and end at checkpoints", from+1, to)
	}
	return hdr, inside, nil
}

// Segment is the result of verifying a segment.
type Segment struct {
	Report
	// Last is the size of the checkpoint that ends the segment.
	Last int64 `json:"last"`
	// End is the signed checkpoint that ends the segment.
	End []byte `json:"-"`
	// Base is the chain state at Last, as a store keeps it after pruning.
	Base []byte `json:"-"`
	// Latest is the time of the newest event in the segment.
	Latest time.Time `json:"latest"`
}

var errSegment = errors.New("malformed segment")

// VerifySegment checks an archive segment on its own: its start state
// against its signed starting checkpoint, every event's chain link, and
// every checkpoint in it against the Merkle tree. Problems are in the
// report; the error is for unreadable input. Codes: EINVALID.
func VerifySegment(r io.Reader, keys []VerifierKey, origin string) (*Segment, error) {
	const op = "audit.VerifySegment"
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	var hdr segmentHeader
	if err := dec.Decode(&hdr); err != nil || hdr.Format != SegmentV1 || hdr.First < 1 {
		return nil, phigate.E(phigate.EINVALID, op, errSegment)
	}
	w, err := segmentWalker(&hdr, keys, origin)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	seg := &Segment{}
	for w.rep.Problem == nil {
		var l segmentLine
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, phigate.E(phigate.EINVALID, op, errSegment)
		}
		w.segmentLine(&l, seg)
	}
	if w.gap != nil {
		w.finish(0)
	}
	if w.rep.Problem == nil && (seg.Last != w.f.Size || seg.Last == 0) {
		w.fail(KindTruncated, w.good+1, w.f.Size+1, 0, "the segment does not end at a signed checkpoint")
	}
	seg.Report = *w.rep
	seg.Base = encodeBase(w.prev, w.f)
	seg.Latest = time.Unix(0, w.latest).UTC()
	return seg, nil
}

func segmentWalker(hdr *segmentHeader, keys []VerifierKey, origin string) (*walker, error) {
	base := hdr.First - 1
	if len(hdr.Prev) != HashSize {
		return nil, errSegment
	}
	w, err := newWalker(origin, keys, base, append(append([]byte(nil), hdr.Prev...), hdr.Frontier...))
	if err != nil {
		return nil, err
	}
	if base > 0 {
		w.good = 0 // the start state is trusted only once its checkpoint verifies
		w.cps = []pending{{size: base, note: []byte(hdr.Checkpoint)}}
		w.checkpoints()
	}
	return w, nil
}

func (w *walker) segmentLine(l *segmentLine, seg *Segment) {
	if w.gap != nil && l.Checkpoint != "" {
		return // looking for a missing event only
	}
	if l.Checkpoint == "" {
		w.event(&Leaf{Seq: l.Seq, Prev: l.Prev, Entry: l.Entry, Hash: l.Hash})
		return
	}
	c, err := ParseCheckpoint(noteText([]byte(l.Checkpoint)))
	size := w.f.Size
	if err == nil {
		size = c.Size
	}
	w.cps = append(w.cps, pending{size: size, note: []byte(l.Checkpoint)})
	if size != w.f.Size {
		w.fail(KindCheckpoint, w.good+1, max(size, w.good+1), size, "the checkpoint is out of place in the segment")
		return
	}
	if w.checkpoints() == nil {
		seg.Last, seg.End = size, []byte(l.Checkpoint)
	}
}

// Prune removes from the store the events of an archived segment, once the
// segment verifies, starts at the store's base, ends at a checkpoint the
// store holds, and every event in it is older than the retention. Events
// inside the retention are never removed. Codes: EINVALID (the segment has
// a problem or the retention is below MinRetention), EFORBIDDEN (inside
// the retention), ECONFLICT (the segment does not fit the store).
func Prune(ctx context.Context, store phigate.AuditStore, seg *Segment, retention time.Duration, now time.Time) error {
	const op = "audit.Prune"
	switch {
	case retention < MinRetention:
		return phigate.Errorf(phigate.EINVALID, op, "retention below six years")
	case !seg.OK() || seg.Last == 0:
		return phigate.Errorf(phigate.EINVALID, op, "segment does not verify")
	case !seg.Latest.Before(now.Add(-retention)):
		return phigate.Errorf(phigate.EFORBIDDEN, op, "events up to %d are inside the retention", seg.Last)
	}
	head, err := store.AuditHead(ctx)
	if err != nil {
		return err
	}
	cps, err := store.AuditCheckpoints(ctx, seg.Last-1)
	if err != nil {
		return err
	}
	if seg.First != head.BaseSize+1 || len(cps) == 0 || cps[0].Size != seg.Last || string(cps[0].Note) != string(seg.End) {
		return phigate.Errorf(phigate.ECONFLICT, op, "segment %d..%d does not match the store", seg.First, seg.Last)
	}
	return store.PruneAudit(ctx, seg.Last, seg.Base)
}
