// Package sqlite implements phigate's store interfaces on an embedded SQLite
// database (pure Go driver, WAL journal, busy timeout, foreign keys on), with
// embedded append-only migrations applied at Open. The statements both
// databases share live in internal/sqlstore; this package adds what is
// SQLite's own: opening the file, its migrations, driver errors, the audit
// append under the write lock and the rewrap over a prepared statement. It
// holds no business rules: validation, sealing and policy live above it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/migrate"
	"github.com/phigate/phigate/internal/sqlstore"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DefaultBusyTimeout is how long a writer waits for the database lock.
const DefaultBusyTimeout = 10 * time.Second

// DB is a phigate store on one SQLite file.
type DB struct {
	// Path is the database file. Required.
	Path string
	// BusyTimeout is how long to wait for a lock held by another process
	// (this process's writers queue for its one writer connection, for as
	// long as their context allows); zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// Store holds the statements shared with PostgreSQL; Open sets it.
	*sqlstore.Store
	db    *sql.DB // the writer: one connection
	rd    *sql.DB // the readers
	m     *migrate.Migrator
	audit [len(auditStatements)]*sql.Stmt
}

var _ phigate.Store = (*DB)(nil)

// NewDB returns a DB for the file at path. Call Open before use.
func NewDB(path string) *DB {
	return &DB{Path: path}
}

// Open opens the database, creating the file if needed, and applies the
// migrations. Codes: EUNAVAILABLE (cannot open), EVERSION (newer schema).
func (db *DB) Open() error {
	const op = "sqlite.Open"
	if db.Path == "" {
		return phigate.Errorf(phigate.EINVALID, op, "database path required")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	busy := db.BusyTimeout
	if busy == 0 {
		busy = DefaultBusyTimeout
	}
	d, err := db.open(busy, false)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("open database: %w", err))
	}
	db.db = d
	sub, _ := fs.Sub(migrationFS, "migrations")
	db.m = &migrate.Migrator{DB: d, FS: sub, Now: db.Now,
		Dialect: migrate.Dialect{Placeholder: func(int) string { return "?" }}}
	ctx, cancel := context.WithTimeout(context.Background(), busy+5*time.Second)
	defer cancel()
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("open database: %w", mapErr(err)))
	}
	if err := db.m.Up(ctx); err != nil {
		d.Close()
		return err
	}
	if err := db.prepareAudit(ctx); err != nil {
		d.Close()
		return phigate.E(phigate.EUNAVAILABLE, op, err)
	}
	if db.rd, err = db.open(busy, true); err != nil {
		d.Close()
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("open database: %w", err))
	}
	db.Store = sqlstore.NewSplit(db.rd, d, dialect, db.Now)
	return nil
}

// open returns a handle on the file: the writer, with one connection, so
// that writers queue in Go rather than sleep on SQLite's lock in busy
// handler steps of 1 to 100 ms; or the readers, many connections that
// cannot write (WAL lets them read while the writer commits).
func (db *DB) open(busy time.Duration, readers bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readers {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	d, err := sql.Open("sqlite", "file:"+db.Path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if !readers {
		d.SetMaxOpenConns(1)
		d.SetMaxIdleConns(1)
	}
	return d, nil
}

// Close closes the database.
func (db *DB) Close() error {
	if db.db == nil {
		return nil
	}
	if db.rd != nil {
		db.rd.Close()
	}
	return db.db.Close()
}

// SQL returns the underlying writer handle (one connection), for tests
// that inspect or change raw storage.
func (db *DB) SQL() *sql.DB { return db.db }

// Ping checks that the database answers. Codes: EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, "sqlite.Ping", err)
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, "sqlite.Ping", err)
	}
	return nil
}

// SchemaStatus reports the applied and known migrations.
func (db *DB) SchemaStatus(ctx context.Context) (phigate.SchemaStatus, error) {
	return db.m.Status(ctx)
}

// dialect tells the shared statements about SQLite.
var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
	Clean:        mapErr,
	InsertDataKey: `INSERT INTO keys_data_keys (subject, id, kek_version, wrapped, created_at, rewrapped_at)
		SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM keys_shreds WHERE subject = ?)`,
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		c := e.Code()
		return c == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && e.Code() == sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY
}

// mapErr turns driver errors into phigate errors at the adapter boundary.
func mapErr(err error) error {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3lib.SQLITE_FULL:
			return phigate.E(phigate.EUNAVAILABLE, "sqlite", errors.New("disk full"))
		case sqlite3lib.SQLITE_IOERR:
			// On a full file system SQLite often fails to grow its -wal or
			// -shm file with an I/O error rather than SQLITE_FULL.
			return phigate.E(phigate.EUNAVAILABLE, "sqlite", errors.New("disk I/O error: the disk may be full or failing"))
		case sqlite3lib.SQLITE_CANTOPEN, sqlite3lib.SQLITE_READONLY, sqlite3lib.SQLITE_PERM:
			return phigate.E(phigate.EUNAVAILABLE, "sqlite", err)
		case sqlite3lib.SQLITE_NOTADB, sqlite3lib.SQLITE_CORRUPT:
			return phigate.E(phigate.EUNAVAILABLE, "sqlite", errors.New("file is not a valid phigate database"))
		}
	}
	return err
}
