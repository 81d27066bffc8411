package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/postgres"
)

// mustOpenURL opens a store on url.
func mustOpenURL(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	db := postgres.NewDB(url)
	storetest.NoErr(tb, db.Open())
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestAuditTwoNodes(t *testing.T) {
	// Two phigate nodes on one PostgreSQL: the head row lock keeps one chain.
	url := storetest.PostgresURL(t)
	storetest.RunAuditTwoNodes(t, mustOpenURL(t, url), mustOpenURL(t, url))
}

func TestAuditAppendOnly(t *testing.T) {
	db := mustOpenURL(t, storetest.PostgresURL(t))
	storetest.RunAuditAppendOnly(t, db, db.SQL(), []string{
		`UPDATE audit_blocks SET data = '\x00' WHERE first = 5`,
		`DELETE FROM audit_blocks WHERE first = 5`,
		`TRUNCATE audit_blocks`,
		`UPDATE audit_checkpoints SET note = '\x00'`,
		`DELETE FROM audit_checkpoints`,
		`UPDATE audit_head SET size = 3`,
		`DELETE FROM audit_head`,
	})
}

func TestAuditTamperDetected(t *testing.T) {
	db := mustOpenURL(t, storetest.PostgresURL(t))
	l := storetest.MustAuditLog(t, db, 1, 10, time.Now)
	storetest.RecordAudit(t, l, 0, 30, 1)
	storetest.NoErr(t, l.Close())
	ctx := context.Background()
	_, err := db.SQL().ExecContext(ctx, `ALTER TABLE audit_blocks DISABLE TRIGGER USER`)
	storetest.NoErr(t, err)
	_, err = db.SQL().ExecContext(ctx, `DELETE FROM audit_blocks WHERE first = 12`)
	storetest.NoErr(t, err)
	rep := storetest.VerifyAudit(t, db, 1)
	if p := rep.Problem; p == nil || p.Kind != audit.KindRemoved || p.Seq != 12 {
		t.Fatalf("problem %v, want removed at 12", p)
	}
}
