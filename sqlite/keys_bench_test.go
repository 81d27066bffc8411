package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/sqlite"
)

// BenchmarkRewrap100k re-wraps 100,000 data keys stored in SQLite (durable,
// synchronous=FULL) after a rotation: the figure `phigate keys rewrap` gives.
func BenchmarkRewrap100k(b *testing.B) {
	storetest.BenchRewrap(b, func(b *testing.B) (phigate.Store, *sql.DB) {
		db := sqlite.NewDB(filepath.Join(b.TempDir(), "phigate.db"))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		return db, db.SQL()
	}, `INSERT INTO keys_data_keys (subject, id, kek_version, wrapped, created_at) VALUES (?, ?, ?, ?, ?)`, 100_000)
}
