// Package migrate applies embedded, append-only SQL migrations to a
// database/sql database and records each applied file by name in the
// schema_migrations table. Both stores use it with their own dialect.
//
// Files are named NNNN_description.sql and applied in name order. Numbers are
// allocated by domain (0001-0099 core, 0100 auth, 0200 keys, 0300 audit,
// 0400 gateway, 0500 deid), so a later migration of one domain may carry a
// smaller number than an applied one of another: every file not yet applied
// is applied, in name order. A database holding a migration this binary does
// not know was written by a newer phigate and is refused with EVERSION.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Dialect holds what differs between databases.
type Dialect struct {
	// Lock, if not empty, is executed first in the migration transaction
	// to serialise migrations between nodes (PostgreSQL advisory lock).
	Lock string
	// Placeholder returns the n-th (1-based) bind parameter: "?" or "$n".
	Placeholder func(n int) string
}

// Migrator applies the migrations in FS to DB.
type Migrator struct {
	DB      *sql.DB
	FS      fs.FS // *.sql files at its root
	Dialect Dialect
	Now     func() time.Time
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	name TEXT PRIMARY KEY,
	applied_at BIGINT NOT NULL
)`

// Known returns the names of the migrations this binary carries, in order.
func (m *Migrator) Known() ([]string, error) {
	entries, err := fs.ReadDir(m.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".sql" {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Status returns the applied and known migrations.
func (m *Migrator) Status(ctx context.Context) (phigate.SchemaStatus, error) {
	known, err := m.Known()
	if err != nil {
		return phigate.SchemaStatus{}, phigate.E(phigate.EINTERNAL, "migrate.Status", err)
	}
	applied, err := m.applied(ctx, m.DB)
	if err != nil {
		return phigate.SchemaStatus{}, phigate.E(phigate.EUNAVAILABLE, "migrate.Status", err)
	}
	return phigate.SchemaStatus{Applied: applied, Known: known}, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (m *Migrator) applied(ctx context.Context, q queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		if strings.Contains(err.Error(), "schema_migrations") {
			return nil, nil // not created yet
		}
		return nil, fmt.Errorf("list applied migrations: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("scan migration: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// Up applies every known migration not yet applied, in one transaction.
// Codes: EVERSION (the database holds a migration this binary does not
// know), EUNAVAILABLE (the database failed).
func (m *Migrator) Up(ctx context.Context) error {
	const op = "migrate.Up"
	known, err := m.Known()
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	tx, err := m.DB.BeginTx(ctx, nil)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("begin: %w", err))
	}
	defer tx.Rollback()
	if err := m.up(ctx, tx, known); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("commit: %w", err))
	}
	return nil
}

func (m *Migrator) up(ctx context.Context, tx *sql.Tx, known []string) error {
	const op = "migrate.Up"
	if m.Dialect.Lock != "" {
		if _, err := tx.ExecContext(ctx, m.Dialect.Lock); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("lock: %w", err))
		}
	}
	if _, err := tx.ExecContext(ctx, createTable); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("create schema_migrations: %w", err))
	}
	applied, err := m.applied(ctx, tx)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, err)
	}
	for _, a := range applied {
		if !slices.Contains(known, a) {
			return phigate.Errorf(phigate.EVERSION, op,
				"database has migration %q that this phigate does not know: it was written by a newer version", a)
		}
	}
	for _, name := range known {
		if slices.Contains(applied, name) {
			continue
		}
		if err := m.apply(ctx, tx, name); err != nil {
			return err
		}
	}
	return nil
}

func (m *Migrator) apply(ctx context.Context, tx *sql.Tx, name string) error {
	const op = "migrate.Up"
	body, err := fs.ReadFile(m.FS, name)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("read migration %s: %w", name, err))
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("apply migration %s: %w", name, err))
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	q := fmt.Sprintf(`INSERT INTO schema_migrations (name, applied_at) VALUES (%s, %s)`,
		m.Dialect.Placeholder(1), m.Dialect.Placeholder(2))
	if _, err := tx.ExecContext(ctx, q, name, now().UnixNano()); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("record migration %s: %w", name, err))
	}
	return nil
}
