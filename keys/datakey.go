package keys

import (
	"context"
	"fmt"
	"io"

	"github.com/phigate/phigate"
)

// current returns subject's newest data key, creating it on first use.
func (e *Envelope) current(ctx context.Context, subject string) (*dataKey, error) {
	if d := e.cache.get(cacheKey{subject: subject}, e.now()); d != nil {
		return d, nil
	}
	for range 2 { // a second pass after losing a race to create the key
		w, err := e.Store.LatestDataKey(ctx, subject)
		switch phigate.ErrorCode(err) {
		case "":
			return e.unwrap(ctx, w, true)
		case phigate.ENOTFOUND:
			d, err := e.create(ctx, subject)
			if phigate.ErrorCode(err) == phigate.ECONFLICT {
				continue
			}
			return d, err
		default:
			return nil, keep(phigate.EINTERNAL, "keys.Seal", err)
		}
	}
	return nil, phigate.Errorf(phigate.EINTERNAL, "keys.Seal", "data key of subject %s changed during creation", subject)
}

// create makes, wraps and stores subject's first data key.
// Codes: ECONFLICT (another writer created it first), ENOTFOUND (shredded).
func (e *Envelope) create(ctx context.Context, subject string) (*dataKey, error) {
	const op = "keys.Seal"
	var raw secret
	if _, err := io.ReadFull(e.rand(), raw.key()); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("read data key: %w", err))
	}
	defer wipe(raw.key())
	const id = 1
	v, wrapped, err := e.KMS.Wrap(ctx, raw.key(), dekAD(subject, id))
	if err != nil {
		return nil, keep(phigate.ECRYPTO, op, err)
	}
	w := &phigate.WrappedKey{Subject: subject, ID: id, KEKVersion: v, Wrapped: wrapped, CreatedAt: e.now()}
	switch err := e.Store.CreateDataKey(ctx, w); phigate.ErrorCode(err) {
	case "":
	case phigate.ECONFLICT:
		return nil, err
	case phigate.EFORBIDDEN:
		return nil, phigate.E(phigate.ENOTFOUND, op, errShredded)
	default:
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	return e.cacheKey(w, &raw, true)
}

// byID returns data key id of subject.
func (e *Envelope) byID(ctx context.Context, subject string, id uint32) (*dataKey, error) {
	const op = "keys.Open"
	if d := e.cache.get(cacheKey{subject: subject, id: id}, e.now()); d != nil {
		return d, nil
	}
	w, err := e.Store.DataKey(ctx, subject, id)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return nil, e.missing(ctx, op, subject, id)
	}
	if err != nil {
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	return e.unwrap(ctx, w, false)
}

// missing explains a data key that is not in the store: shredded, or lost.
func (e *Envelope) missing(ctx context.Context, op, subject string, id uint32) error {
	_, err := e.Store.ShredOf(ctx, subject)
	switch phigate.ErrorCode(err) {
	case "":
		return phigate.E(phigate.ENOTFOUND, op, errShredded)
	case phigate.ENOTFOUND:
		return phigate.Errorf(phigate.ECRYPTO, op, "data key %d of subject %s is missing: %w", id, subject, errNoKey)
	default:
		return keep(phigate.EINTERNAL, op, err)
	}
}

// unwrap unwraps a stored data key and caches it; latest also caches it as
// the subject's newest key.
func (e *Envelope) unwrap(ctx context.Context, w *phigate.WrappedKey, latest bool) (*dataKey, error) {
	b, err := e.KMS.Unwrap(ctx, w.KEKVersion, w.Wrapped, dekAD(w.Subject, w.ID))
	if err != nil {
		return nil, fmt.Errorf("data key %d of subject %s: %w", w.ID, w.Subject, keep(phigate.ECRYPTO, "keys.unwrap", err))
	}
	var raw secret
	n := copy(raw.key(), b)
	wipe(b)
	defer wipe(raw.key())
	if n != keySize || len(b) != keySize {
		return nil, phigate.Errorf(phigate.ECRYPTO, "keys.unwrap", "data key %d of subject %s has the wrong size", w.ID, w.Subject)
	}
	return e.cacheKey(w, &raw, latest)
}

// cacheKey builds the cipher of raw and caches it.
func (e *Envelope) cacheKey(w *phigate.WrappedKey, raw *secret, latest bool) (*dataKey, error) {
	aead, err := newGCM(raw)
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "keys.unwrap", err)
	}
	now := e.now()
	d := e.cache.put(cacheKey{subject: w.Subject, id: w.ID}, w.ID, aead, now)
	if latest {
		e.cache.put(cacheKey{subject: w.Subject}, w.ID, aead, now)
	}
	return d, nil
}
