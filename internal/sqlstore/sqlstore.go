// Package sqlstore holds the store code that is the same on SQLite and
// PostgreSQL: hand-written SQL over database/sql for users, auth, records,
// vendors, conversations, data keys and the audit log's reads. Statements
// are written once with ? placeholders; a Dialect says how its database
// numbers them, classifies its driver errors and runs the few statements
// that truly differ. The sqlite and postgres packages embed a Store, add
// what is theirs (Open, migrations, Ping, the audit append, the rewrap of
// data keys, the read of audit blocks by first) and implement
// phigate.Store; both run the contract suite of internal/storetest over it.
// Like them, it holds no business rules.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Dialect is what the shared code needs to know about one database.
type Dialect struct {
	// Name prefixes the Op of every error ("sqlite" gives "sqlite.CreateUser").
	Name string
	// Numbered selects $1, $2, … placeholders (PostgreSQL) instead of ?.
	Numbered bool
	// IsUnique reports whether err is a unique or primary-key violation.
	IsUnique func(err error) bool
	// IsForeignKey reports whether err is a foreign-key violation.
	IsForeignKey func(err error) bool
	// Clean maps a driver error at the adapter boundary: it turns the
	// failures it recognises (disk full, not a database) into phigate
	// errors and drops any part of the driver's text that could quote row
	// values. Errors it does not know pass through.
	Clean func(err error) error
	// LockSubject, if not nil, runs first in the transaction that creates
	// or shreds a data key of subject, so that nodes sharing the database
	// never race (PostgreSQL: an advisory lock). SQLite needs none: its
	// write transactions are serial.
	LockSubject func(ctx context.Context, tx *sql.Tx, subject string) error
	// InsertDataKey inserts a data key unless its subject was shredded. Its
	// arguments are subject, id, kek_version, wrapped, created_at,
	// rewrapped_at and the subject again; it changes no row when
	// keys_shreds holds the subject. It is in the dialect's own
	// placeholders (PostgreSQL needs casts on a SELECT of parameters).
	InsertDataKey string
}

// Store is the shared part of a phigate store on database/sql handles.
// It is safe for concurrent use.
type Store struct {
	db  *sql.DB // lone reads
	w   *sql.DB // writes and transactions
	d   Dialect
	now func() time.Time

	rebound sync.Map // ?-statement → $n-statement, filled on first use
}

// New returns a Store on db. now is the store's clock and must not be nil.
func New(db *sql.DB, d Dialect, now func() time.Time) *Store {
	return NewSplit(db, db, d, now)
}

// NewSplit returns a Store that reads on read and writes on write: every
// statement that changes data, and every transaction, runs on write. A
// database with one writer at a time (SQLite) gives write one connection,
// so writers queue in Go instead of sleeping on the file lock.
func NewSplit(read, write *sql.DB, d Dialect, now func() time.Time) *Store {
	return &Store{db: read, w: write, d: d, now: now}
}

// q returns the statement in the dialect's placeholders. Each distinct
// statement is rebound once and then served from the cache; statements are
// constants, so the cache holds one entry per statement of this package.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	if r, ok := s.rebound.Load(query); ok {
		return r.(string)
	}
	r := Number(query)
	s.rebound.Store(query, r)
	return r
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.w.ExecContext(ctx, s.q(query), args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.q(query), args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.q(query), args...)
}

// txn is a transaction that rebinds its statements like its Store.
type txn struct {
	*sql.Tx
	s *Store
}

// begin starts a transaction. Codes: EUNAVAILABLE.
func (s *Store) begin(ctx context.Context, op string) (*txn, error) {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.fail(op, err)
	}
	return &txn{Tx: t, s: s}, nil
}

func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.ExecContext(ctx, t.s.q(query), args...)
}

func (t *txn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.QueryRowContext(ctx, t.s.q(query), args...)
}

// commit commits t. Codes: EUNAVAILABLE.
func (t *txn) commit(op string) error {
	if err := t.Commit(); err != nil {
		return t.s.fail(op, err)
	}
	return nil
}

// op names an operation of this store: "sqlite.CreateUser".
func (s *Store) op(name string) string { return s.d.Name + "." + name }

// e wraps err with code; errorf formats a cause. Both name op in the
// dialect's terms. Args must never carry PHI.
func (s *Store) e(code, op string, err error) error { return phigate.E(code, s.op(op), err) }

func (s *Store) errorf(code, op, format string, args ...any) error {
	return phigate.Errorf(code, s.op(op), format, args...)
}

// fail reports a database failure: EUNAVAILABLE with the cleaned cause.
func (s *Store) fail(op string, err error) error {
	return phigate.E(phigate.EUNAVAILABLE, s.op(op), s.d.Clean(err))
}

// scanErr maps a failed row read: ENOTFOUND for no row, else EUNAVAILABLE.
func (s *Store) scanErr(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return s.errorf(phigate.ENOTFOUND, op, "not found")
	}
	return s.fail(op, err)
}

// rowsErr reports the error that ended an iteration, if any.
func (s *Store) rowsErr(op string, rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// execOne runs a statement, mapping unique violations to ECONFLICT,
// foreign-key violations to EINVALID and other failures to EUNAVAILABLE;
// with mustHit it reports ENOTFOUND when no row changed.
func (s *Store) execOne(ctx context.Context, op string, mustHit bool, query string, args ...any) error {
	return s.execRow(ctx, op, "", mustHit, query, args...)
}

// execRow is execOne whose messages name the row ("vendor already
// exists", "user not found").
func (s *Store) execRow(ctx context.Context, op, what string, mustHit bool, query string, args ...any) error {
	if what != "" {
		what += " "
	}
	res, err := s.exec(ctx, query, args...)
	if s.d.IsUnique(err) {
		return s.errorf(phigate.ECONFLICT, op, "%salready exists", what)
	}
	if s.d.IsForeignKey(err) {
		return s.errorf(phigate.EINVALID, op, "%srefers to a missing row", what)
	}
	if err != nil {
		return s.fail(op, err)
	}
	if n, _ := res.RowsAffected(); mustHit && n == 0 {
		return s.errorf(phigate.ENOTFOUND, op, "%snot found", what)
	}
	return nil
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// RowQuerier is a *sql.DB or *sql.Tx.
type RowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// list runs a query and returns every row read by scan, which reports its
// errors under op.
func list[T any](ctx context.Context, s *Store, op string, scan func(r scanner, op string) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows, op)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, s.rowsErr(op, rows)
}

// scanString reads a row of one text column.
func (s *Store) scanString(r scanner, op string) (string, error) {
	var v string
	if err := r.Scan(&v); err != nil {
		return "", s.fail(op, err)
	}
	return v, nil
}
