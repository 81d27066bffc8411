package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/postgres"
)

// MustOpenDB opens a store on a fresh schema of PHIGATE_TEST_POSTGRES.
func MustOpenDB(tb testing.TB, now func() time.Time) *postgres.DB {
	tb.Helper()
	db := postgres.NewDB(storetest.PostgresURL(tb))
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
	storetest.RunErrorOps(t, db, "postgres")
}

func TestOpen(t *testing.T) {
	t.Run("TwoNodesMigrateTogether", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				db := postgres.NewDB(url)
				err := db.Open()
				db.Close()
				errs <- err
			}()
		}
		storetest.NoErr(t, <-errs)
		storetest.NoErr(t, <-errs)
	})
	t.Run("ErrVersion", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		db := postgres.NewDB(url)
		storetest.NoErr(t, db.Open())
		db.SQL().ExecContext(context.Background(), `INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', 0)`)
		db.Close()
		storetest.ErrCode(t, postgres.NewDB(url).Open(), phigate.EVERSION)
	})
	t.Run("ErrUnavailable", func(t *testing.T) {
		db := postgres.NewDB("postgres://nobody:secretpw@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
		db.ConnectTimeout = 3 * time.Second
		err := db.Open()
		storetest.ErrCode(t, err, phigate.EUNAVAILABLE)
		if storetest.Contains(err.Error(), "secretpw") {
			t.Fatal("error shows the database password")
		}
	})
}
