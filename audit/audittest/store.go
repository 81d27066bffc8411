// Package audittest provides an in-memory phigate.AuditStore for tests of
// the audit package and of packages that record audit events. Its fields
// are exported so that tests can tamper with the chain as an attacker with
// database access would.
package audittest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Store is an in-memory phigate.AuditStore. Lock Mu to read or change
// Blocks, Checkpoints or Head directly.
type Store struct {
	appendMu    sync.Mutex // serialises appends, as a database's lock does
	Mu          sync.Mutex
	Head        phigate.AuditHead
	Blocks      []*phigate.AuditBlock // by First
	Checkpoints []*phigate.AuditCheckpoint
	// Fail, if set, makes AppendAudit fail with it (a full disk).
	Fail error
}

var _ phigate.AuditStore = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store { return &Store{} }

// AppendAudit implements phigate.AuditStore.
func (s *Store) AppendAudit(ctx context.Context, fn func(phigate.AuditHead) (*phigate.AuditAppend, error)) error {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	s.Mu.Lock()
	fail, head := s.Fail, s.Head
	s.Mu.Unlock()
	if fail != nil {
		return phigate.E(phigate.EAUDIT, "audittest.AppendAudit", fail)
	}
	a, err := fn(head)
	if err != nil || a == nil {
		return err
	}
	s.Mu.Lock()
	defer s.Mu.Unlock()
	for _, b := range a.Blocks {
		c := *b
		c.Data, c.Filter = slices.Clone(b.Data), slices.Clone(b.Filter)
		s.Blocks = append(s.Blocks, &c)
	}
	for _, cp := range a.Checkpoints {
		c := *cp
		s.Checkpoints = append(s.Checkpoints, &c)
	}
	s.Head = a.Head
	return nil
}

// AuditHead implements phigate.AuditStore.
func (s *Store) AuditHead(ctx context.Context) (phigate.AuditHead, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return s.Head, nil
}

// ScanAuditBlocks implements phigate.AuditStore.
func (s *Store) ScanAuditBlocks(ctx context.Context, after, through int64, fn func(*phigate.AuditBlock) error) error {
	s.Mu.Lock()
	blocks := slices.Clone(s.Blocks)
	s.Mu.Unlock()
	for _, b := range blocks {
		if b.Last <= after || (through > 0 && b.First > through) {
			continue
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// AuditSeqRange implements phigate.AuditStore.
func (s *Store) AuditSeqRange(ctx context.Context, since, until time.Time) (int64, int64, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	after, through := int64(-1), int64(0)
	for _, b := range s.Blocks {
		if (since.IsZero() || !b.MaxTime.Before(since)) && (until.IsZero() || b.MinTime.Before(until)) {
			if after < 0 {
				after = b.First - 1
			}
			through = b.Last
		}
	}
	return max(after, 0), through, nil
}

// ScanAuditFilters implements phigate.AuditStore.
func (s *Store) ScanAuditFilters(ctx context.Context, after, through int64, fn func(first, last int64, filter []byte) error) error {
	return s.ScanAuditBlocks(ctx, after, through, func(b *phigate.AuditBlock) error {
		return fn(b.First, b.Last, b.Filter)
	})
}

// AuditBlocks implements phigate.AuditStore.
func (s *Store) AuditBlocks(ctx context.Context, firsts []int64) ([]*phigate.AuditBlock, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var out []*phigate.AuditBlock
	for _, b := range s.Blocks {
		if slices.Contains(firsts, b.First) {
			out = append(out, b)
		}
	}
	return out, nil
}

// AuditCheckpoints implements phigate.AuditStore.
func (s *Store) AuditCheckpoints(ctx context.Context, after int64) ([]*phigate.AuditCheckpoint, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var out []*phigate.AuditCheckpoint
	for _, c := range s.Checkpoints {
		if c.Size > after {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *phigate.AuditCheckpoint) int { return int(a.Size - b.Size) })
	return out, nil
}

// PruneAudit implements phigate.AuditStore.
func (s *Store) PruneAudit(ctx context.Context, size int64, base []byte) error {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	ends := slices.ContainsFunc(s.Blocks, func(b *phigate.AuditBlock) bool { return b.Last == size })
	isCP := slices.ContainsFunc(s.Checkpoints, func(c *phigate.AuditCheckpoint) bool { return c.Size == size })
	if size <= s.Head.BaseSize || !ends || !isCP {
		return phigate.Errorf(phigate.ECONFLICT, "audittest.PruneAudit", "size %d is not a checkpoint ending a block above the base", size)
	}
	s.Blocks = slices.DeleteFunc(s.Blocks, func(b *phigate.AuditBlock) bool { return b.Last <= size })
	s.Checkpoints = slices.DeleteFunc(s.Checkpoints, func(c *phigate.AuditCheckpoint) bool { return c.Size < size })
	s.Head.BaseSize, s.Head.Base = size, slices.Clone(base)
	return nil
}
