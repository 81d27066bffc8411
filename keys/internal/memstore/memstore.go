// Package memstore is an in-memory phigate.KeyStore for the tests and
// benchmarks of package keys. It obeys the same contract as the sqlite and
// postgres stores (internal/storetest checks it), but keeps nothing.
package memstore

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Store is an in-memory KeyStore. The zero value is not ready: use New.
type Store struct {
	mu     sync.Mutex
	keys   map[phigate.KeyCursor]*phigate.WrappedKey
	shreds map[string]*phigate.Shred
	jobs   map[uint32]*phigate.RewrapJob
	latest map[string]uint32 // highest key id per subject
	sorted []phigate.KeyCursor
	dirty  bool // sorted needs rebuilding
	// Fail, if not nil, is returned by every method: a database that is down.
	Fail error
}

var _ phigate.KeyStore = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		keys:   map[phigate.KeyCursor]*phigate.WrappedKey{},
		shreds: map[string]*phigate.Shred{},
		jobs:   map[uint32]*phigate.RewrapJob{},
		latest: map[string]uint32{},
	}
}

func clone(k *phigate.WrappedKey) *phigate.WrappedKey {
	c := *k
	c.Wrapped = slices.Clone(k.Wrapped)
	return &c
}

// CreateDataKey inserts k.
func (s *Store) CreateDataKey(_ context.Context, k *phigate.WrappedKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return s.Fail
	}
	if s.shreds[k.Subject] != nil {
		return phigate.Errorf(phigate.EFORBIDDEN, "memstore.CreateDataKey", "subject was shredded")
	}
	c := phigate.KeyCursor{Subject: k.Subject, ID: k.ID}
	if s.keys[c] != nil {
		return phigate.Errorf(phigate.ECONFLICT, "memstore.CreateDataKey", "data key exists")
	}
	s.keys[c] = clone(k)
	s.latest[k.Subject] = max(s.latest[k.Subject], k.ID)
	s.dirty = true
	return nil
}

// DataKey returns one data key.
func (s *Store) DataKey(_ context.Context, subject string, id uint32) (*phigate.WrappedKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	k := s.keys[phigate.KeyCursor{Subject: subject, ID: id}]
	if k == nil {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "memstore.DataKey", "no data key")
	}
	return clone(k), nil
}

// LatestDataKey returns the subject's key with the highest id.
func (s *Store) LatestDataKey(_ context.Context, subject string) (*phigate.WrappedKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	best := s.keys[phigate.KeyCursor{Subject: subject, ID: s.latest[subject]}]
	if best == nil {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "memstore.LatestDataKey", "no data key")
	}
	return clone(best), nil
}

func less(a, b phigate.KeyCursor) int {
	return cmp.Or(cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.ID, b.ID))
}

// DataKeysBelow lists keys under versions below version after cursor.
func (s *Store) DataKeysBelow(_ context.Context, version uint32, after phigate.KeyCursor, limit int) ([]*phigate.WrappedKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	if s.dirty {
		s.sorted = s.sorted[:0]
		for c := range s.keys {
			s.sorted = append(s.sorted, c)
		}
		slices.SortFunc(s.sorted, less)
		s.dirty = false
	}
	i, found := slices.BinarySearchFunc(s.sorted, after, less)
	if found {
		i++
	}
	var out []*phigate.WrappedKey
	for ; i < len(s.sorted) && len(out) < limit; i++ {
		if k := s.keys[s.sorted[i]]; k != nil && k.KEKVersion < version {
			out = append(out, clone(k))
		}
	}
	return out, nil
}

// RewrapDataKeys replaces wrappings that are still under from[i].
func (s *Store) RewrapDataKeys(_ context.Context, keys []*phigate.WrappedKey, from []uint32) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return 0, s.Fail
	}
	if len(keys) != len(from) {
		return 0, phigate.Errorf(phigate.EINVALID, "memstore.RewrapDataKeys", "%d keys but %d versions", len(keys), len(from))
	}
	n := 0
	for i, k := range keys {
		cur := s.keys[phigate.KeyCursor{Subject: k.Subject, ID: k.ID}]
		if cur == nil || cur.KEKVersion != from[i] {
			continue
		}
		cur.KEKVersion, cur.Wrapped, cur.RewrappedAt = k.KEKVersion, slices.Clone(k.Wrapped), k.RewrappedAt
		n++
	}
	return n, nil
}

// CountDataKeys counts keys per KEK version.
func (s *Store) CountDataKeys(context.Context) (map[uint32]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	m := map[uint32]int{}
	for _, k := range s.keys {
		m[k.KEKVersion]++
	}
	return m, nil
}

// ShredSubject deletes the subject's keys and records the shred.
func (s *Store) ShredSubject(_ context.Context, subject string, at time.Time) (*phigate.Shred, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	n := 0
	for id := uint32(1); id <= s.latest[subject]; id++ {
		c := phigate.KeyCursor{Subject: subject, ID: id}
		if s.keys[c] != nil {
			delete(s.keys, c)
			n++
		}
	}
	delete(s.latest, subject)
	s.dirty = true
	if r := s.shreds[subject]; r != nil {
		c := *r
		return &c, nil
	}
	r := &phigate.Shred{Subject: subject, Keys: n, ShreddedAt: at.UTC()}
	s.shreds[subject] = r
	c := *r
	return &c, nil
}

// ShredOf returns the subject's shred.
func (s *Store) ShredOf(_ context.Context, subject string) (*phigate.Shred, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	r := s.shreds[subject]
	if r == nil {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "memstore.ShredOf", "not shredded")
	}
	c := *r
	return &c, nil
}

// ListShreds returns every shred, oldest first.
func (s *Store) ListShreds(context.Context) ([]*phigate.Shred, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	out := make([]*phigate.Shred, 0, len(s.shreds))
	for _, r := range s.shreds {
		c := *r
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *phigate.Shred) int {
		return cmp.Or(a.ShreddedAt.Compare(b.ShreddedAt), cmp.Compare(a.Subject, b.Subject))
	})
	return out, nil
}

// SaveRewrapJob stores j.
func (s *Store) SaveRewrapJob(_ context.Context, j *phigate.RewrapJob) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return s.Fail
	}
	c := *j
	s.jobs[j.Target] = &c
	return nil
}

// RewrapJob returns the job for target.
func (s *Store) RewrapJob(_ context.Context, target uint32) (*phigate.RewrapJob, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return nil, s.Fail
	}
	j := s.jobs[target]
	if j == nil {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "memstore.RewrapJob", "no rewrap job")
	}
	c := *j
	return &c, nil
}
