package keys

import (
	"context"
	"errors"

	"github.com/phigate/phigate"
)

// DefaultRewrapBatch is how many data keys Rewrap re-wraps per transaction.
const DefaultRewrapBatch = 500

// BatchRewrapper is implemented by a KMS that re-wraps many data keys in one
// call (Transit uses its batch_input). Results line up with items; a failed
// item has Err set.
type BatchRewrapper interface {
	RewrapBatch(ctx context.Context, items []WrapItem) ([]WrapItem, error)
}

// WrapItem is one wrapped data key going through a batch.
type WrapItem struct {
	Version uint32
	Wrapped []byte
	AD      []byte
	Err     error
}

// Rewrap re-wraps every stored data key under the KMS's active version,
// without unwrapping any record and while the service runs. Progress is
// saved after every batch, so a Rewrap interrupted by a crash resumes where
// it stopped; progress, if not nil, is called after each batch. A key that
// cannot be re-wrapped (ECRYPTO: tampered or retired version) is counted in
// Failed, reported to OnError and left as it was.
func (e *Envelope) Rewrap(ctx context.Context, progress func(*phigate.RewrapJob)) (*phigate.RewrapJob, error) {
	e.init()
	st, err := e.KMS.Status(ctx)
	if err != nil {
		return nil, keep(phigate.EUNAVAILABLE, "keys.Rewrap", err)
	}
	job, err := e.rewrapJob(ctx, st.Active)
	if err != nil || !job.FinishedAt.IsZero() {
		return job, err
	}
	for {
		more, err := e.rewrapBatch(ctx, job)
		if err != nil {
			return job, err
		}
		if progress != nil {
			progress(job)
		}
		if !more {
			return job, nil
		}
	}
}

// rewrapJob resumes the job for target, or starts one. A finished job is
// started again when keys below target appeared since (written by a node
// that had not yet seen the rotation).
func (e *Envelope) rewrapJob(ctx context.Context, target uint32) (*phigate.RewrapJob, error) {
	const op = "keys.Rewrap"
	job, err := e.Store.RewrapJob(ctx, target)
	if err != nil && phigate.ErrorCode(err) != phigate.ENOTFOUND {
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	if err == nil && job.FinishedAt.IsZero() {
		return job, nil
	}
	below, err := e.countBelow(ctx, target)
	if err != nil {
		return nil, err
	}
	if job != nil && below == 0 {
		return job, nil
	}
	now := e.now()
	job = &phigate.RewrapJob{Target: target, Total: below, StartedAt: now, UpdatedAt: now}
	if err := e.Store.SaveRewrapJob(ctx, job); err != nil {
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	return job, nil
}

// countBelow returns how many data keys are wrapped under versions below v.
func (e *Envelope) countBelow(ctx context.Context, v uint32) (int, error) {
	counts, err := e.Store.CountDataKeys(ctx)
	if err != nil {
		return 0, keep(phigate.EINTERNAL, "keys.Rewrap", err)
	}
	n := 0
	for ver, c := range counts {
		if ver < v {
			n += c
		}
	}
	return n, nil
}

// rewrapBatch re-wraps the next batch and saves the job; it reports whether
// more keys may follow.
func (e *Envelope) rewrapBatch(ctx context.Context, job *phigate.RewrapJob) (bool, error) {
	const op = "keys.Rewrap"
	batch, err := e.Store.DataKeysBelow(ctx, job.Target, job.Cursor, DefaultRewrapBatch)
	if err != nil {
		return false, keep(phigate.EINTERNAL, op, err)
	}
	if len(batch) == 0 {
		job.FinishedAt = e.now()
		job.UpdatedAt = job.FinishedAt
		return false, keep(phigate.EINTERNAL, op, e.Store.SaveRewrapJob(ctx, job))
	}
	items, err := e.rewrapItems(ctx, batch)
	if err != nil {
		return false, err
	}
	keys, from := e.rewrapped(ctx, job, batch, items)
	n, err := e.Store.RewrapDataKeys(ctx, keys, from)
	if err != nil {
		return false, keep(phigate.EINTERNAL, op, err)
	}
	last := batch[len(batch)-1]
	job.Done += n
	job.Cursor = phigate.KeyCursor{Subject: last.Subject, ID: last.ID}
	job.UpdatedAt = e.now()
	if err := e.Store.SaveRewrapJob(ctx, job); err != nil {
		return false, keep(phigate.EINTERNAL, op, err)
	}
	return true, nil
}

// rewrapItems asks the KMS to re-wrap batch, in one call when it can.
func (e *Envelope) rewrapItems(ctx context.Context, batch []*phigate.WrappedKey) ([]WrapItem, error) {
	items := make([]WrapItem, len(batch))
	for i, w := range batch {
		items[i] = WrapItem{Version: w.KEKVersion, Wrapped: w.Wrapped, AD: dekAD(w.Subject, w.ID)}
	}
	if b, ok := e.KMS.(BatchRewrapper); ok {
		return b.RewrapBatch(ctx, items)
	}
	for i := range items {
		it := &items[i]
		v, w, err := e.KMS.Rewrap(ctx, it.Version, it.Wrapped, it.AD)
		if err != nil && phigate.ErrorCode(err) != phigate.ECRYPTO {
			return nil, err // the KMS is unreachable: stop, resume later
		}
		it.Version, it.Wrapped, it.Err = v, w, err
	}
	return items, nil
}

// rewrapped pairs the re-wrapped keys with the versions they replace, and
// counts the failures.
func (e *Envelope) rewrapped(ctx context.Context, job *phigate.RewrapJob, batch []*phigate.WrappedKey, items []WrapItem) ([]*phigate.WrappedKey, []uint32) {
	keys := make([]*phigate.WrappedKey, 0, len(batch))
	from := make([]uint32, 0, len(batch))
	now := e.now()
	for i, w := range batch {
		if err := items[i].Err; err != nil {
			job.Failed++
			e.failed(ctx, "keys.Rewrap", w.Subject, phigate.Place{Table: "keys_data_keys"}, keep(phigate.ECRYPTO, "keys.Rewrap", err))
			continue
		}
		n := *w
		n.KEKVersion, n.Wrapped, n.RewrappedAt = items[i].Version, items[i].Wrapped, now
		keys = append(keys, &n)
		from = append(from, w.KEKVersion)
	}
	return keys, from
}

// errStillWrapped is returned by Retire while data keys still need the
// versions it would retire.
var errStillWrapped = errors.New("data keys are still wrapped under versions below the new minimum; run phigate keys rewrap first")
