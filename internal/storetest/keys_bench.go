package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
)

// BenchRewrap re-wraps n data keys after a rotation, the figure `phigate
// keys rewrap` gives, on a fresh store from open each iteration. open also
// returns the store's raw handle, and insert is the statement that stores
// one data key (subject, id, kek_version, wrapped, created_at) in the
// store's placeholders: filling is not timed.
func BenchRewrap(b *testing.B, open func(b *testing.B) (phigate.Store, *sql.DB), insert string, n int) {
	ctx := context.Background()
	b.StopTimer()
	for range b.N {
		s, raw := open(b)
		ring, err := keys.NewRing(nil, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		fillDataKeys(b, s, raw, insert, ring, n)
		if _, err := ring.Rotate(ctx); err != nil {
			b.Fatal(err)
		}
		e := keys.NewEnvelope(ring, s)
		b.StartTimer()
		job, err := e.Rewrap(ctx, nil)
		b.StopTimer()
		if err != nil || job.Done != n {
			b.Fatalf("rewrap = %+v, %v", job, err)
		}
		s.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
}

// bufferedKeys collects the data keys an envelope creates, so that a
// benchmark can store 100,000 of them in one transaction.
type bufferedKeys struct {
	phigate.KeyStore
	keys []*phigate.WrappedKey
}

func (b *bufferedKeys) LatestDataKey(context.Context, string) (*phigate.WrappedKey, error) {
	return nil, phigate.Errorf(phigate.ENOTFOUND, "bench", "none")
}

func (b *bufferedKeys) CreateDataKey(_ context.Context, k *phigate.WrappedKey) error {
	b.keys = append(b.keys, k)
	return nil
}

// fillDataKeys stores n data keys wrapped by ring, as n first seals would.
func fillDataKeys(b *testing.B, s phigate.KeyStore, raw *sql.DB, insert string, ring *keys.Ring, n int) {
	ctx := context.Background()
	buf := &bufferedKeys{KeyStore: s}
	e := keys.NewEnvelope(ring, buf)
	for i := range n {
		if _, err := e.Seal(ctx, fmt.Sprintf("patient:%06d", i), phigate.Place{Table: "notes", Field: "body"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range buf.keys {
		if _, err := tx.Exec(insert, k.Subject, k.ID, k.KEKVersion, k.Wrapped, k.CreatedAt.UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
