package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/postgres"
)

// bufferedKeys collects the data keys an envelope creates, so that a
// benchmark can store 100,000 of them in one transaction.
type bufferedKeys struct {
	*postgres.DB
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
func fillDataKeys(b *testing.B, db *postgres.DB, ring *keys.Ring, n int) {
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
		if _, err := tx.Exec(`INSERT INTO keys_data_keys (subject, id, kek_version, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)`,
			k.Subject, k.ID, k.KEKVersion, k.Wrapped, k.CreatedAt.UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRewrap100k re-wraps 100,000 data keys stored in PostgreSQL
// after a rotation: the figure `phigate keys rewrap` gives.
func BenchmarkRewrap100k(b *testing.B) {
	ctx := context.Background()
	n := benchKeys(b)
	b.StopTimer()
	for range b.N {
		db := postgres.NewDB(storetest.PostgresURL(b))
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

// benchKeys is 100,000, or PHIGATE_BENCH_KEYS for a quicker run.
func benchKeys(b *testing.B) int {
	if s := os.Getenv("PHIGATE_BENCH_KEYS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 100_000
}
