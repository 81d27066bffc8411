package postgres_test

import (
	"database/sql"
	"os"
	"strconv"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/postgres"
)

// BenchmarkRewrap100k re-wraps 100,000 data keys stored in PostgreSQL
// after a rotation: the figure `phigate keys rewrap` gives.
func BenchmarkRewrap100k(b *testing.B) {
	storetest.BenchRewrap(b, func(b *testing.B) (phigate.Store, *sql.DB) {
		db := postgres.NewDB(storetest.PostgresURL(b))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		return db, db.SQL()
	}, `INSERT INTO keys_data_keys (subject, id, kek_version, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)`, benchKeys(b))
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
