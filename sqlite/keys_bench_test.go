package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/sqlite"
)

// bufferedKeys collects the data keys an envelope creates, so that a
// benchmark can store 100,000 of them in one transaction.
type bufferedKeys struct {
	*sqlite.DB
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
func fillDataKeys(b *testing.B, db *sqlite.DB, ring *keys.Ring, n int) {
	ctx := context.Background()
	buf := &bufferedKeys{DB: db}
	e := keys.NewEnvelope(ring, buf)
	for i := range n {
		if _, err := e.Seal(ctx, fmt.Sprintf("patient:%06d", i), phigate.Place{Table: "notes", Field: "body"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range buf.keys {
		if _, err := tx.Exec(`INSERT INTO keys_data_keys (subject, id, kek_version, wrapped, created_at) VALUES (?, ?, ?, ?, ?)`,
			k.Subject, k.ID, k.KEKVersion, k.Wrapped, k.CreatedAt.UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRewrap100k re-wraps 100,000 data keys stored in SQLite (durable,
// synchronous=FULL) after a rotation: the figure `phigate keys rewrap` gives.
func BenchmarkRewrap100k(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	b.StopTimer()
	for range b.N {
		db := sqlite.NewDB(filepath.Join(b.TempDir(), "phigate.db"))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		ring, err := keys.NewRing(nil, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		fillDataKeys(b, db, ring, n)
		if _, err := ring.Rotate(ctx); err != nil {
			b.Fatal(err)
		}
		e := keys.NewEnvelope(ring, db)
		b.StartTimer()
		job, err := e.Rewrap(ctx, nil)
		b.StopTimer()
		if err != nil || job.Done != n {
			b.Fatalf("rewrap = %+v, %v", job, err)
		}
		db.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
}
