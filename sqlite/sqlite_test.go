package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/sqlite"
)

// MustOpenDB opens a fresh database in a temporary folder.
func MustOpenDB(tb testing.TB, now func() time.Time) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "phigate.db"))
	db.Now = now
	if err := db.Open(); err != nil {
		tb.Fatalf("open: %v", err)
	}
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, now func() time.Time) phigate.Store {
		return MustOpenDB(tb, now)
	})
}

func TestErrorOps(t *testing.T) {
	db := MustOpenDB(t, time.Now)
	defer db.Close()
	storetest.RunErrorOps(t, db, "sqlite")
}

func TestOpen(t *testing.T) {
	t.Run("Pragmas", func(t *testing.T) {
		db := MustOpenDB(t, time.Now)
		defer db.Close()
		var mode string
		var fk, busy int
		db.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		db.SQL().QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
		db.SQL().QueryRow(`PRAGMA busy_timeout`).Scan(&busy)
		if mode != "wal" || fk != 1 || busy < 1000 {
			t.Fatalf("journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, busy)
		}
	})
	t.Run("ReopenKeepsData", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "p.db")
		db := sqlite.NewDB(path)
		storetest.NoErr(t, db.Open())
		storetest.NoErr(t, db.CreateUser(context.Background(), &phigate.User{ID: "1", Name: "a", PasswordHash: "h"}))
		db.Close()
		db = sqlite.NewDB(path)
		storetest.NoErr(t, db.Open())
		defer db.Close()
		if n, _ := db.CountUsers(context.Background()); n != 1 {
			t.Fatalf("users after reopen = %d", n)
		}
	})
	t.Run("ErrVersion", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "p.db")
		db := sqlite.NewDB(path)
		storetest.NoErr(t, db.Open())
		db.SQL().Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', 0)`)
		db.Close()
		db = sqlite.NewDB(path)
		storetest.ErrCode(t, db.Open(), phigate.EVERSION)
	})
	t.Run("ErrNotADatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "p.db")
		os.WriteFile(path, []byte("this is not a database file, it is a text file of some length......................................................"), 0o600)
		db := sqlite.NewDB(path)
		err := db.Open()
		storetest.ErrCode(t, err, phigate.EUNAVAILABLE)
		b, _ := os.ReadFile(path)
		if string(b[:4]) != "this" {
			t.Fatal("Open overwrote a file that is not a database")
		}
	})
	t.Run("ErrUnwritableFolder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root: file modes do not stop writes")
		}
		dir := t.TempDir()
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		db := sqlite.NewDB(filepath.Join(dir, "p.db"))
		storetest.ErrCode(t, db.Open(), phigate.EUNAVAILABLE)
	})
}
