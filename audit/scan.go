package audit

import (
	"context"

	"github.com/phigate/phigate"
)

// scanLeaves calls fn for each event stored at positions after+1..through
// (through <= 0: to the end), decoding blocks. A block that does not
// decode yields a leaf without an entry at the first position it damaged.
func scanLeaves(ctx context.Context, store phigate.AuditStore, after, through int64, fn func(*Leaf) error) error {
	return store.ScanAuditBlocks(ctx, after, through, func(b *phigate.AuditBlock) error {
		leaves, err := DecodeBlock(b.Data)
		if err != nil {
			leaves = append(leaves, Leaf{Seq: b.First + int64(len(leaves))})
		}
		for i := range leaves {
			pos := b.First + int64(i)
			if pos <= after || (through > 0 && pos > through) {
				continue
			}
			if err := fn(&leaves[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
