package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
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
	t.Run("WritersQueue", func(t *testing.T) {
		// Writers of one process wait for each other in Go, never for the
		// file lock: with a busy timeout of 1 ms, many concurrent writes
		// of every kind (audit appends, conversations, users) all succeed.
		db := sqlite.NewDB(filepath.Join(t.TempDir(), "p.db"))
		db.BusyTimeout = time.Millisecond
		storetest.NoErr(t, db.Open())
		defer db.Close()
		l := storetest.MustAuditLog(t, db, 1, 1000, time.Now)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 64*3*5)
		for g := range 64 {
			wg.Go(func() {
				for i := range 5 {
					id := fmt.Sprint(g, "-", i)
					errs <- l.Record(ctx, storetest.AuditEvent(g*5+i))
					errs <- db.PutConversation(ctx, &phigate.Conversation{ID: id, Owner: "u", Sealed: []byte("x"),
						ExpiresAt: time.Now().Add(time.Hour)})
					errs <- db.CreateUser(ctx, &phigate.User{ID: id, Name: "n" + id, PasswordHash: "h"})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			storetest.NoErr(t, err)
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
