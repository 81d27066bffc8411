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
		return leavesOf(b, after, through, fn)
	})
}

// leavesOf calls fn for the leaves of b at positions after+1..through.
func leavesOf(b *phigate.AuditBlock, after, through int64, fn func(*Leaf) error) error {
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
}

// pipeLeaves is scanLeaves with the store's reading in its own goroutine,
// so reading blocks and hashing them overlap (verification of a long log).
func pipeLeaves(ctx context.Context, store phigate.AuditStore, after, through int64, fn func(*Leaf) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := make(chan *phigate.AuditBlock, 16)
	errc := make(chan error, 1)
	go func() {
		defer close(blocks)
		errc <- store.ScanAuditBlocks(ctx, after, through, func(b *phigate.AuditBlock) error {
			c := *b
			c.Data = append([]byte(nil), b.Data...)
			select {
			case blocks <- &c:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for b := range blocks {
		if err := leavesOf(b, after, through, fn); err != nil {
			cancel()
			for range blocks { // let the reader finish
			}
			<-errc
			return err
		}
	}
	return <-errc
}
