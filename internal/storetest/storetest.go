// Package storetest is the contract suite that every implementation of
// phigate.Store must pass: the sqlite and postgres tests both call Run, so
// the two stores behave the same. Each domain adds its tests in a file of
// its own and one line to Run.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for fresh schemas
	"github.com/phigate/phigate"
)

// Opener opens a fresh, empty, migrated store for one test. The store is
// closed by the suite. now is the clock the store must use.
type Opener func(tb testing.TB, now func() time.Time) phigate.Store

// Run runs the whole contract suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Run("Health", func(t *testing.T) { testHealth(t, open) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open) })
	t.Run("Auth", func(t *testing.T) { testAuth(t, open) })
	t.Run("Records", func(t *testing.T) { testRecords(t, open) })
	t.Run("Gateway", func(t *testing.T) { testGateway(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
}

// Clock is a settable clock for tests.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{T: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

// MustOpen opens a store with a fresh clock and closes it at the end of the test.
func MustOpen(tb testing.TB, open Opener) (phigate.Store, *Clock) {
	tb.Helper()
	c := NewClock()
	s := open(tb, c.Now)
	tb.Cleanup(func() { s.Close() })
	return s, c
}

// PostgresURL returns a URL for a fresh schema on the server named by
// PHIGATE_TEST_POSTGRES, dropped when the test ends. It skips the test when
// the variable is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("PHIGATE_TEST_POSTGRES")
	if base == "" {
		tb.Skip("PHIGATE_TEST_POSTGRES is not set: skipping the PostgreSQL tests (set it to a postgres:// URL to run them)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open PHIGATE_TEST_POSTGRES: %v", err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), os.Getpid())
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		d, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer d.Close()
		d.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse PHIGATE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ErrCode fails the test unless err carries the code want.
func ErrCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := phigate.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

// NoErr fails the test on a non-nil error.
func NoErr(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// Contains reports whether s contains sub, ignoring case.
func Contains(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
