// Package audittest provides an in-memory phigate.AuditStore for tests of
// the audit package and of packages that record audit events. Its fields
// are exported so that tests can tamper with the chain as an attacker with
// database access would.
package audittest

import (
	"context"
	"slices"
	"sync"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// Store is an in-memory phigate.AuditStore. Lock Mu to read or change
// Records, Checkpoints or Head directly.
type Store struct {
	Mu          sync.Mutex
	Head        phigate.AuditHead
	Records     []*phigate.AuditRecord // in Seq order
	Checkpoints []*phigate.AuditCheckpoint
	// Fail, if set, makes AppendAudit fail with it (a full disk).
	Fail error
}

var _ phigate.AuditStore = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store { return &Store{} }

// AppendAudit implements phigate.AuditStore.
func (s *Store) AppendAudit(ctx context.Context, fn func(phigate.AuditHead) (*phigate.AuditAppend, error)) error {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if s.Fail != nil {
		return phigate.E(phigate.EAUDIT, "audittest.AppendAudit", s.Fail)
	}
	a, err := fn(s.Head)
	if err != nil || a == nil {
		return err
	}
	for _, r := range a.Records {
		c := *r
		c.Entry, c.Prev, c.Hash = slices.Clone(r.Entry), slices.Clone(r.Prev), slices.Clone(r.Hash)
		c.Patients = slices.Clone(r.Patients)
		s.Records = append(s.Records, &c)
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

// ScanAudit implements phigate.AuditStore.
func (s *Store) ScanAudit(ctx context.Context, after, through int64, fn func(*phigate.AuditRecord) error) error {
	s.Mu.Lock()
	recs := slices.Clone(s.Records)
	s.Mu.Unlock()
	for _, r := range recs {
		if r.Seq <= after || (through > 0 && r.Seq > through) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
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

// SearchAudit implements phigate.AuditStore.
func (s *Store) SearchAudit(ctx context.Context, q phigate.AuditQuery) ([]*phigate.AuditRecord, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var out []*phigate.AuditRecord
	for _, r := range s.Records {
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
		if Match(q, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Match reports whether r satisfies q, as every store must decide it.
func Match(q phigate.AuditQuery, r *phigate.AuditRecord) bool {
	switch {
	case r.Seq <= q.After,
		!q.Since.IsZero() && r.Time.Before(q.Since),
		!q.Until.IsZero() && !r.Time.Before(q.Until),
		q.Actor != "" && r.Actor != q.Actor,
		q.Outcome != "" && r.Outcome != q.Outcome,
		q.Resource != "" && r.Resource != q.Resource,
		q.Patient != "" && !slices.Contains(r.Patients, q.Patient),
		q.Action != "" && !audit.MatchAction(q.Action, r.Action):
		return false
	}
	return true
}

// PruneAudit implements phigate.AuditStore.
func (s *Store) PruneAudit(ctx context.Context, size int64, base []byte) error {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if size <= s.Head.BaseSize || !slices.ContainsFunc(s.Checkpoints, func(c *phigate.AuditCheckpoint) bool { return c.Size == size }) {
		return phigate.Errorf(phigate.ECONFLICT, "audittest.PruneAudit", "size %d is not a checkpoint above the base", size)
	}
	s.Records = slices.DeleteFunc(s.Records, func(r *phigate.AuditRecord) bool { return r.Seq <= size })
	s.Checkpoints = slices.DeleteFunc(s.Checkpoints, func(c *phigate.AuditCheckpoint) bool { return c.Size < size })
	s.Head.BaseSize, s.Head.Base = size, slices.Clone(base)
	return nil
}
