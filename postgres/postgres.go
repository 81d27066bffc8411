// Package postgres implements phigate's store interfaces on PostgreSQL
// (pgx through database/sql), for deployments of several stateless nodes
// sharing one database. Migrations are embedded, append-only, and applied at
// Open under an advisory lock so nodes starting together do not race. The
// statements both databases share live in internal/sqlstore; this package
// adds what is PostgreSQL's own: the connection pool, its migrations,
// server errors stripped of row values, per-subject advisory locks for data
// keys, the audit append under the head-row lock in one batch, and the
// rewrap and block reads over arrays. It holds no business rules:
// validation, sealing and policy live above it.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/migrate"
	"github.com/phigate/phigate/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DefaultConnectTimeout bounds how long Open waits for the server.
const DefaultConnectTimeout = 10 * time.Second

// migrationLock is the advisory lock key that serialises migrations.
const migrationLock = 0x70686967 // "phig"

// DB is a phigate store on a PostgreSQL database.
type DB struct {
	// URL is the postgres:// connection URL. Required. It may hold a
	// password: never log it (see Redacted).
	URL string
	// ConnectTimeout bounds Open; zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// MaxConns caps open connections; zero means 20.
	MaxConns int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// Store holds the statements shared with SQLite; Open sets it.
	*sqlstore.Store
	db *sql.DB
	m  *migrate.Migrator
}

var _ phigate.Store = (*DB)(nil)

// NewDB returns a DB for the given URL. Call Open before use.
func NewDB(url string) *DB {
	return &DB{URL: url}
}

// Redacted returns the URL with any password replaced by "xxxxx".
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://(unparseable URL)"
	}
	return u.Redacted()
}

// Open connects, checks the server answers and applies the migrations.
// Codes: EINVALID (bad URL), EUNAVAILABLE (no answer), EVERSION.
func (db *DB) Open() error {
	const op = "postgres.Open"
	if db.Now == nil {
		db.Now = time.Now
	}
	timeout := db.ConnectTimeout
	if timeout == 0 {
		timeout = DefaultConnectTimeout
	}
	if _, err := pgconn.ParseConfig(db.URL); err != nil {
		return phigate.Errorf(phigate.EINVALID, op, "database URL cannot be parsed")
	}
	d, err := sql.Open("pgx", db.URL)
	if err != nil {
		return phigate.Errorf(phigate.EINVALID, op, "database URL cannot be parsed")
	}
	max := db.MaxConns
	if max == 0 {
		max = 20
	}
	d.SetMaxOpenConns(max)
	d.SetMaxIdleConns(max)
	db.db = d
	db.Store = sqlstore.New(d, dialect, db.Now)
	sub, _ := fs.Sub(migrationFS, "migrations")
	db.m = &migrate.Migrator{DB: d, FS: sub, Now: db.Now, Dialect: migrate.Dialect{
		Lock:        "SELECT pg_advisory_xact_lock(" + strconv.Itoa(migrationLock) + ")",
		Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("connect to %s: %w", Redacted(db.URL), safeErr(err)))
	}
	if err := db.m.Up(ctx); err != nil {
		d.Close()
		return err
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	if db.db == nil {
		return nil
	}
	return db.db.Close()
}

// SQL returns the underlying handle, for tests that inspect raw storage.
func (db *DB) SQL() *sql.DB { return db.db }

// Ping checks that the database answers. Codes: EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, "postgres.Ping", safeErr(err))
	}
	return nil
}

// SchemaStatus reports the applied and known migrations.
func (db *DB) SchemaStatus(ctx context.Context) (phigate.SchemaStatus, error) {
	return db.m.Status(ctx)
}

// dialect tells the shared statements about PostgreSQL.
var dialect = sqlstore.Dialect{
	Name:         "postgres",
	Numbered:     true,
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
	Clean:        safeErr,
	LockSubject:  lockSubject,
	// A SELECT of parameters needs their types spelled out.
	InsertDataKey: `INSERT INTO keys_data_keys (subject, id, kek_version, wrapped, created_at, rewrapped_at)
		SELECT $1::text, $2::bigint, $3::bigint, $4::bytea, $5::bigint, $6::bigint
		WHERE NOT EXISTS (SELECT 1 FROM keys_shreds WHERE subject = $7)`,
}

// lockSubject takes the advisory lock of subject for the rest of tx, so that
// a data key created on one node never races a shred on another.
func lockSubject(ctx context.Context, tx *sql.Tx, subject string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('phigate.keys:' || $1, 0))`, subject)
	return err
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// safeErr keeps the SQLSTATE and message of server errors but drops their
// Detail, which can quote row values.
func safeErr(err error) error {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return fmt.Errorf("postgres error %s: %s", e.Code, e.Message)
	}
	return err
}
