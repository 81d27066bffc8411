package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"

	"github.com/phigate/phigate"
)

// Kinds of Problem.
const (
	KindChanged    = "changed"    // an event's content or hash differs from what was chained
	KindRemoved    = "removed"    // an event is missing from the middle of the chain
	KindReordered  = "reordered"  // an event sits at a position that is not its own
	KindTruncated  = "truncated"  // events at the end are missing
	KindCheckpoint = "checkpoint" // a checkpoint is forged, malformed or signed by an untrusted key
)

// Problem is the first defect verification found.
type Problem struct {
	Kind string `json:"kind"`
	// Seq is the first event affected.
	Seq int64 `json:"seq"`
	// Through is the last event of the affected range when the exact
	// event cannot be told (a consistent rewrite between two checkpoints);
	// equal to Seq otherwise.
	Through int64 `json:"through"`
	// Checkpoint is the size of the checkpoint involved, if any.
	Checkpoint int64  `json:"checkpoint,omitempty"`
	Detail     string `json:"detail"`
}

func (p *Problem) String() string {
	s := fmt.Sprintf("%s at event %d", p.Kind, p.Seq)
	if p.Through > p.Seq {
		s = fmt.Sprintf("%s within events %d..%d", p.Kind, p.Seq, p.Through)
	}
	if p.Checkpoint > 0 {
		s += fmt.Sprintf(" (checkpoint %d)", p.Checkpoint)
	}
	return s + ": " + p.Detail
}

// Report is the result of a verification.
type Report struct {
	Origin      string   `json:"origin"`
	First       int64    `json:"first"`       // first event checked (after archived ones)
	Size        int64    `json:"size"`        // events in the chain
	Checkpoints int      `json:"checkpoints"` // checkpoints verified
	Covered     int64    `json:"covered"`     // size of the newest verified checkpoint
	Signers     []string `json:"signers"`     // names of the keys that signed them
	Problem     *Problem `json:"problem,omitempty"`
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return r.Problem == nil }

// Verifier checks the chain and the checkpoints of a store.
type Verifier struct {
	// Store is the log to verify. Required.
	Store phigate.AuditStore
	// Keys are the trusted checkpoint keys (every node's). Required.
	Keys []VerifierKey
	// Origin is the expected checkpoint origin. Default DefaultOrigin.
	Origin string
	// Trusted are further checkpoint notes kept in a second place (the
	// mirror); each must verify and match the chain too.
	Trusted [][]byte
}

// Verify walks the chain from its base (or the first event) to its head and
// checks every checkpoint. Problems are reported in the Report; the error
// is for failures to read the store. Codes: EINVALID (no keys).
func (v *Verifier) Verify(ctx context.Context) (*Report, error) {
	const op = "audit.Verify"
	if len(v.Keys) == 0 {
		return nil, phigate.Errorf(phigate.EINVALID, op, "no trusted checkpoint keys")
	}
	stored, err := v.Store.AuditCheckpoints(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	head, err := v.Store.AuditHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	w, err := newWalker(v.origin(), v.Keys, head.BaseSize, head.Base)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	w.addCheckpoints(stored, v.Trusted)
	w.checkBase()
	if w.rep.Problem == nil {
		err = scanLeaves(ctx, v.Store, head.BaseSize, head.Size, w.event)
		if err != nil && !errors.Is(err, errStop) {
			return nil, fmt.Errorf("scan events: %w", err)
		}
	}
	w.finish(head.Size)
	return w.rep, nil
}

func (v *Verifier) origin() string {
	if v.Origin == "" {
		return DefaultOrigin
	}
	return v.Origin
}

var errStop = errors.New("stop")

// pending is a checkpoint waiting for the walk to reach its size.
type pending struct {
	size int64
	note []byte
}

// walker verifies events and checkpoints in chain order.
type walker struct {
	origin string
	keys   []VerifierKey
	rep    *Report
	f      Frontier
	prev   Hash
	base   int64
	good   int64 // size of the last verified checkpoint (or the base)
	cps    []pending
	h      hash.Hash
	sum    Hash
	latest int64 // newest event time seen, Unix nanoseconds
	// gap is set when an event appeared ahead of its position: the walk
	// then only looks for the missing event, to tell a move from a loss.
	gap *Problem
}

func newWalker(origin string, keys []VerifierKey, baseSize int64, base []byte) (*walker, error) {
	w := &walker{origin: origin, keys: keys, h: sha256.New(), base: baseSize, good: baseSize,
		rep: &Report{Origin: origin, First: baseSize + 1}}
	if baseSize == 0 {
		return w, nil
	}
	prev, f, err := parseBase(baseSize, base)
	if err != nil {
		return nil, err
	}
	w.prev, w.f = prev, f
	w.rep.Size = baseSize
	return w, nil
}

func (w *walker) addCheckpoints(stored []*phigate.AuditCheckpoint, trusted [][]byte) {
	for _, c := range stored {
		w.cps = append(w.cps, pending{size: c.Size, note: c.Note})
	}
	for _, n := range trusted {
		c, err := ParseCheckpoint(noteText(n))
		size := int64(-1) // unparseable: reported first
		if err == nil {
			size = c.Size
		}
		w.cps = append(w.cps, pending{size: size, note: n})
	}
	slices.SortStableFunc(w.cps, func(a, b pending) int { return cmpInt(a.size, b.size) })
	for len(w.cps) > 0 && w.cps[0].size >= 0 && w.cps[0].size < w.base {
		w.cps = w.cps[1:] // below the archived base: verified with the archive
	}
}

func noteText(n []byte) []byte {
	if i := bytes.LastIndex(n, []byte("\n\n")); i >= 0 {
		return n[:i+1]
	}
	return n
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkBase checks checkpoints at the base size against the base state.
func (w *walker) checkBase() {
	w.checkpoints()
}

func (w *walker) fail(kind string, seq, through, cp int64, detail string) error {
	if through < seq {
		through = seq
	}
	w.rep.Problem = &Problem{Kind: kind, Seq: seq, Through: through, Checkpoint: cp, Detail: detail}
	return errStop
}

// event checks one leaf at the next position.
func (w *walker) event(r *Leaf) error {
	p := w.f.Size + 1
	if w.gap != nil {
		if r.Seq == w.gap.Seq {
			return w.fail(KindReordered, p, p, 0, "the event was moved to another position")
		}
		return nil
	}
	switch {
	case r.Seq > p:
		w.gap = &Problem{Kind: KindRemoved, Seq: p, Through: r.Seq - 1, Detail: "events are missing from the chain"}
		return nil
	case r.Seq < p:
		return w.fail(KindReordered, r.Seq, r.Seq, 0, "an event appears twice")
	}
	seq, ok := EntrySeq(r.Entry)
	if !ok {
		return w.fail(KindChanged, p, p, 0, "the event's encoding is damaged")
	}
	if seq != p {
		return w.fail(KindReordered, p, p, 0, "the event at this position belongs elsewhere")
	}
	if !bytes.Equal(r.Prev, w.prev[:]) {
		w.hashLeaf(w.prev[:], r.Entry)
		return w.brokenLink(r, p)
	}
	w.hashLeaf(w.prev[:], r.Entry)
	if !bytes.Equal(r.Hash, w.sum[:]) {
		return w.fail(KindChanged, p, p, 0, "the event does not match its hash")
	}
	w.f.Append(w.sum)
	w.prev = w.sum
	w.latest = max(w.latest, int64(binary.BigEndian.Uint64(r.Entry[9:17])))
	w.rep.Size = p
	return w.checkpoints()
}

// brokenLink tells an edited predecessor from an edited event: an event
// whose own hash still matches its stored link was chained to a different
// predecessor, so the predecessor changed.
func (w *walker) brokenLink(r *Leaf, p int64) error {
	if bytes.Equal(r.Hash, w.sum[:]) {
		return w.fail(KindChanged, p, p, 0, "the event's link to its predecessor was altered")
	}
	w.hashLeaf(r.Prev, r.Entry)
	if p > w.base+1 && bytes.Equal(r.Hash, w.sum[:]) {
		return w.fail(KindChanged, p-1, p-1, 0, "the event no longer matches the hash its successor links to")
	}
	return w.fail(KindChanged, p, p, 0, "the event does not match its hash")
}

func (w *walker) hashLeaf(prev, entry []byte) {
	w.h.Reset()
	w.h.Write([]byte{0})
	w.h.Write(prev)
	w.h.Write(entry)
	w.h.Sum(w.sum[:0])
}

// checkpoints verifies every pending checkpoint at the current size.
func (w *walker) checkpoints() error {
	for len(w.cps) > 0 && w.cps[0].size <= w.f.Size {
		c := w.cps[0]
		w.cps = w.cps[1:]
		if err := w.checkpoint(c); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) checkpoint(c pending) error {
	cp, signer, err := OpenCheckpoint(c.note, w.keys)
	from := w.good + 1
	switch {
	case err != nil:
		return w.fail(KindCheckpoint, from, max(c.size, from), c.size, checkpointDetail(err))
	case cp.Origin != w.origin:
		return w.fail(KindCheckpoint, from, max(c.size, from), c.size, "the checkpoint belongs to another log")
	case cp.Size != c.size:
		return w.fail(KindCheckpoint, from, max(c.size, from), c.size, "the checkpoint's size differs from where it is stored")
	case cp.Root != w.f.Root():
		return w.fail(KindChanged, from, c.size, c.size, "the events differ from the signed checkpoint")
	}
	w.good = c.size
	w.rep.Checkpoints++
	w.rep.Covered = c.size
	if !slices.Contains(w.rep.Signers, signer) {
		w.rep.Signers = append(w.rep.Signers, signer)
	}
	return nil
}

func checkpointDetail(err error) string {
	switch {
	case errors.Is(err, ErrNoteUnknownKey):
		return "the checkpoint is not signed by a trusted key"
	case errors.Is(err, ErrNoteSignature):
		return "the checkpoint's signature does not verify"
	}
	return "the checkpoint is malformed"
}

// finish reports what is missing at the end of the walk.
func (w *walker) finish(headSize int64) {
	if w.rep.Problem != nil {
		return
	}
	if w.gap != nil {
		w.rep.Problem = w.gap
		return
	}
	end := w.f.Size
	if len(w.cps) > 0 {
		c := w.cps[0]
		if _, _, err := OpenCheckpoint(c.note, w.keys); err != nil {
			w.fail(KindCheckpoint, w.good+1, max(c.size, w.good+1), c.size, checkpointDetail(err))
			return
		}
		w.fail(KindTruncated, end+1, max(c.size, end+1), c.size, "a signed checkpoint covers events that are gone")
		return
	}
	if headSize > end {
		w.fail(KindTruncated, end+1, headSize, 0, "the chain head records events that are gone")
	}
}
