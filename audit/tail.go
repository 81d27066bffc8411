package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/phigate/phigate"
)

// ErrChainDamaged is returned (and reported) when the events committed
// since the newest checkpoint do not chain into the head: the node refuses
// to sign a checkpoint over them. Run audit verify to find the event.
var ErrChainDamaged = errors.New("the audit chain does not match its head: no checkpoint signed")

// checkTail verifies the committed events after the newest checkpoint (or
// the base) up to head, starting from that checkpoint's signed root, so a
// node never signs a state it has not checked. It runs inside the append
// transaction and reads at most about CheckpointEvery events.
func (l *Log) checkTail(ctx context.Context, head phigate.AuditHead) error {
	start := max(head.CheckpointSize, head.BaseSize)
	w, err := l.tailWalker(ctx, head, start)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrChainDamaged, err)
	}
	if err := scanLeaves(ctx, l.Store, start, head.Size, w.event); err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("check chain: %w", err)
	}
	fr, _ := w.f.MarshalBinary()
	switch {
	case w.rep.Problem != nil:
		return fmt.Errorf("%w: %s", ErrChainDamaged, w.rep.Problem)
	case w.gap != nil:
		return fmt.Errorf("%w: %s", ErrChainDamaged, w.gap)
	case w.f.Size != head.Size || !bytes.Equal(fr, head.Frontier) || (head.Size > 0 && !bytes.Equal(w.prev[:], head.Hash)):
		return ErrChainDamaged
	}
	return nil
}

// tailWalker returns a walker positioned at start: the base, or the
// checkpoint of that size, whose signature and frontier it checks.
func (l *Log) tailWalker(ctx context.Context, head phigate.AuditHead, start int64) (*walker, error) {
	keys := l.trustedKeys()
	if start == 0 || start == head.BaseSize && head.CheckpointSize <= head.BaseSize {
		return newWalker(l.Origin, keys, head.BaseSize, head.Base)
	}
	cps, err := l.Store.AuditCheckpoints(ctx, start-1)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 || cps[0].Size != start || len(cps[0].Hash) != HashSize {
		return nil, errors.New("the newest checkpoint is missing")
	}
	cp, _, err := OpenCheckpoint(cps[0].Note, keys)
	if err != nil {
		return nil, err
	}
	w, err := newWalker(l.Origin, keys, start, append(append([]byte(nil), cps[0].Hash...), cps[0].Frontier...))
	if err != nil {
		return nil, err
	}
	if cp.Size != start || cp.Origin != l.Origin || w.f.Root() != cp.Root {
		return nil, errors.New("the newest checkpoint does not match its stored state")
	}
	return w, nil
}

// trustedKeys returns this node's key and the keys of the other nodes.
func (l *Log) trustedKeys() []VerifierKey {
	keys := append([]VerifierKey(nil), l.Trusted...)
	if vk, err := l.signer.Verifier(); err == nil {
		keys = append(keys, vk)
	}
	return keys
}
