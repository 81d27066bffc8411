package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/sqlite"
)

func TestAuditTwoHandles(t *testing.T) {
	// Two processes on one file: SQLite's write lock serialises them.
	path := filepath.Join(t.TempDir(), "phigate.db")
	a, b := sqlite.NewDB(path), sqlite.NewDB(path)
	storetest.NoErr(t, a.Open())
	storetest.NoErr(t, b.Open())
	defer a.Close()
	defer b.Close()
	storetest.RunAuditTwoNodes(t, a, b)
}

func TestAuditAppendOnly(t *testing.T) {
	db := MustOpenDB(t, time.Now)
	defer db.Close()
	storetest.RunAuditAppendOnly(t, db, db.SQL(), []string{
		`UPDATE audit_blocks SET data = x'00' WHERE first = 5`,
		`DELETE FROM audit_blocks WHERE first = 5`,
		`UPDATE audit_checkpoints SET note = x'00'`,
		`DELETE FROM audit_checkpoints`,
		`UPDATE audit_head SET size = 3`,
		`DELETE FROM audit_head`,
	})
}

func TestAuditTamperDetected(t *testing.T) {
	// An attacker with the database file drops the triggers and edits the
	// stored bytes of one event: verify names it.
	db := MustOpenDB(t, time.Now)
	defer db.Close()
	l := storetest.MustAuditLog(t, db, 1, 10, time.Now)
	storetest.RecordAudit(t, l, 0, 30, 1)
	storetest.NoErr(t, l.Close())
	ctx := context.Background()
	_, err := db.SQL().ExecContext(ctx, `DROP TRIGGER audit_blocks_append_only`)
	storetest.NoErr(t, err)
	var data []byte
	storetest.NoErr(t, db.SQL().QueryRowContext(ctx, `SELECT data FROM audit_blocks WHERE first = 17`).Scan(&data))
	data[20] ^= 1
	_, err = db.SQL().ExecContext(ctx, `UPDATE audit_blocks SET data = ? WHERE first = 17`, data)
	storetest.NoErr(t, err)
	rep := storetest.VerifyAudit(t, db, 1)
	if p := rep.Problem; p == nil || p.Kind != audit.KindChanged || p.Seq != 17 {
		t.Fatalf("problem %v, want changed at 17", p)
	}
}
