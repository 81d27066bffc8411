package audit

import (
	"context"

	"github.com/phigate/phigate"
)

// scanLeaves calls fn for each event stored at positions after+1..through
// (through <= 0: to the end), decoding blocks. A block that does not
// decode yields a leaf without an entry at the first position it damaged.
// Leaves passed to fn are valid only during the call.
func scanLeaves(ctx context.Context, store phigate.AuditStore, after, through int64, fn func(*Leaf) error) error {
	var buf []Leaf // reused across blocks
	return store.ScanAuditBlocks(ctx, after, through, func(b *phigate.AuditBlock) error {
		var err error
		buf, err = leavesOf(buf[:0], b, after, through, fn)
		return err
	})
}

// leavesOf calls fn for the leaves of b at positions after+1..through,
// decoding into buf, which it returns for reuse.
func leavesOf(buf []Leaf, b *phigate.AuditBlock, after, through int64, fn func(*Leaf) error) ([]Leaf, error) {
	leaves, err := appendLeaves(buf, b.Data)
	if err != nil {
		leaves = append(leaves, Leaf{Seq: b.First + int64(len(leaves))})
	}
	for i := range leaves {
		pos := b.First + int64(i)
		if pos <= after || (through > 0 && pos > through) {
			continue
		}
		if err := fn(&leaves[i]); err != nil {
			return leaves, err
		}
	}
	return leaves, nil
}
