package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/sqlite"
)

// BenchmarkAuditRecord: durable events/s with group commit (bar: 20,000).
func BenchmarkAuditRecord(b *testing.B) {
	db := MustOpenDB(b, time.Now)
	defer db.Close()
	storetest.BenchAuditRecord(b, db)
}

// BenchmarkAuditRecordSerial: the latency of one durable event alone.
func BenchmarkAuditRecordSerial(b *testing.B) {
	db := MustOpenDB(b, time.Now)
	defer db.Close()
	storetest.BenchAuditRecordSerial(b, db)
}

// BenchmarkAuditVerify1M: verify a chain of 1,000,000 events (bar: 2 s).
// Building the chain takes about a minute before the timer starts.
func BenchmarkAuditVerify1M(b *testing.B) {
	const n = 1000000
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "audit.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.FillAudit(b, db, n)
	storetest.BenchAuditVerify(b, db, n)
}
