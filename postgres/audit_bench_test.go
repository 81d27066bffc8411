package postgres_test

import (
	"testing"

	"github.com/phigate/phigate/internal/storetest"
)

// BenchmarkAuditRecord: durable events/s with group commit (bar: 20,000).
func BenchmarkAuditRecord(b *testing.B) {
	storetest.BenchAuditRecord(b, mustOpenURL(b, storetest.PostgresURL(b)))
}

// BenchmarkAuditVerify1M: verify a chain of 1,000,000 events on PostgreSQL.
func BenchmarkAuditVerify1M(b *testing.B) {
	const n = 1000000
	db := mustOpenURL(b, storetest.PostgresURL(b))
	storetest.FillAudit(b, db, n)
	storetest.BenchAuditVerify(b, db, n)
}
