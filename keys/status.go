package keys

import (
	"context"
	"fmt"
	"time"

	"github.com/phigate/phigate"
)

// DefaultRotationPeriod is how old the active key-encryption key may grow
// before doctor warns.
const DefaultRotationPeriod = 90 * 24 * time.Hour

// Status is what `phigate keys status` shows.
type Status struct {
	KEK      *KEKStatus
	DataKeys map[uint32]int     // data keys per KEK version
	Rewrap   *phigate.RewrapJob // the job for the active version; nil if none
	Shreds   int                // subjects shredded
}

// Status describes the KEK versions, how many data keys each wraps and the
// rewrap progress.
func (e *Envelope) Status(ctx context.Context) (*Status, error) {
	const op = "keys.Status"
	k, err := e.KMS.Status(ctx)
	if err != nil {
		return nil, keep(phigate.EUNAVAILABLE, op, err)
	}
	s := &Status{KEK: k}
	if s.DataKeys, err = e.Store.CountDataKeys(ctx); err != nil {
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	j, err := e.Store.RewrapJob(ctx, k.Active)
	switch phigate.ErrorCode(err) {
	case "":
		s.Rewrap = j
	case phigate.ENOTFOUND:
	default:
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	shreds, err := e.Store.ListShreds(ctx)
	if err != nil {
		return nil, keep(phigate.EINTERNAL, op, err)
	}
	s.Shreds = len(shreds)
	return s, nil
}

// Rotate adds a KEK version used for every new data key from now on, and
// returns it. Existing data keys stay wrapped under their version until
// Rewrap.
func (e *Envelope) Rotate(ctx context.Context) (uint32, error) {
	v, err := e.KMS.Rotate(ctx)
	if err != nil {
		return 0, keep(phigate.EUNAVAILABLE, "keys.Rotate", err)
	}
	return v, nil
}

// Retire sets the minimum decryption version to min, so that versions
// below it can no longer unwrap. Unless force is set it refuses (ECONFLICT)
// while any data key is still wrapped under such a version.
func (e *Envelope) Retire(ctx context.Context, min uint32, force bool) error {
	const op = "keys.Retire"
	n, err := e.countBelow(ctx, min)
	if err != nil {
		return err
	}
	if n > 0 && !force {
		return phigate.E(phigate.ECONFLICT, op, fmt.Errorf("%d %w", n, errStillWrapped))
	}
	return keep(phigate.EINVALID, op, e.KMS.Retire(ctx, min))
}

// RotationCheck is the doctor check of the active key's age.
type RotationCheck struct {
	Version uint32
	Age     time.Duration // zero when the KMS does not say
	Period  time.Duration
	Due     bool // Age exceeds Period
}

// CheckRotation reports whether the active KEK is older than period (zero:
// DefaultRotationPeriod) at now.
func CheckRotation(ctx context.Context, kms KMS, period time.Duration, now time.Time) (*RotationCheck, error) {
	if period <= 0 {
		period = DefaultRotationPeriod
	}
	s, err := kms.Status(ctx)
	if err != nil {
		return nil, keep(phigate.EUNAVAILABLE, "keys.CheckRotation", err)
	}
	c := &RotationCheck{Version: s.Active, Period: period}
	if t := s.ActiveCreated(); !t.IsZero() {
		c.Age = now.Sub(t)
		c.Due = c.Age > period
	}
	return c, nil
}
