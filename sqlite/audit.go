package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/phigate/phigate"
)

// AppendAudit implements phigate.AuditStore. The transaction begins
// IMMEDIATE, so it holds the database's write lock from its first read of
// the head; synchronous=FULL makes the commit durable. Codes: EAUDIT.
func (db *DB) AppendAudit(ctx context.Context, fn func(phigate.AuditHead) (*phigate.AuditAppend, error)) error {
	const op = "sqlite.AppendAudit"
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return phigate.E(phigate.EAUDIT, op, mapErr(err))
	}
	defer tx.Rollback()
	head, err := auditHead(ctx, tx)
	if err != nil {
		return phigate.E(phigate.EAUDIT, op, err)
	}
	a, err := fn(head)
	if err != nil || a == nil {
		return err
	}
	if err := writeAppend(ctx, tx, a); err != nil {
		return phigate.E(phigate.EAUDIT, op, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EAUDIT, op, mapErr(err))
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func auditHead(ctx context.Context, q querier) (phigate.AuditHead, error) {
	var h phigate.AuditHead
	err := q.QueryRowContext(ctx, `SELECT size, hash, frontier, checkpoint_size, base_size, base
		FROM audit_head WHERE id = 1`).Scan(&h.Size, &h.Hash, &h.Frontier, &h.CheckpointSize, &h.BaseSize, &h.Base)
	if err != nil {
		return h, fmt.Errorf("read audit head: %w", mapErr(err))
	}
	return h, nil
}

func writeAppend(ctx context.Context, tx *sql.Tx, a *phigate.AuditAppend) error {
	for _, b := range a.Blocks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_blocks (first, last, min_time, max_time, data)
			VALUES (?, ?, ?, ?, ?)`, b.First, b.Last, unixOf(b.MinTime), unixOf(b.MaxTime), b.Data); err != nil {
			return fmt.Errorf("insert audit block: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_filters (first, last, filter) VALUES (?, ?, ?)`,
			b.First, b.Last, nonNil(b.Filter)); err != nil {
			return fmt.Errorf("insert audit filter: %w", err)
		}
	}
	for _, c := range a.Checkpoints {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, time, note, frontier, hash)
			VALUES (?, ?, ?, ?, ?)`, c.Size, unixOf(c.Time), c.Note, c.Frontier, c.Hash); err != nil {
			return fmt.Errorf("insert audit checkpoint: %w", err)
		}
	}
	h := a.Head
	_, err := tx.ExecContext(ctx, `UPDATE audit_head SET size = ?, hash = ?, frontier = ?,
		checkpoint_size = ?, base_size = ?, base = ? WHERE id = 1`,
		h.Size, h.Hash, nonNil(h.Frontier), h.CheckpointSize, h.BaseSize, h.Base)
	if err != nil {
		return fmt.Errorf("update audit head: %w", err)
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// AuditHead implements phigate.AuditStore.
func (db *DB) AuditHead(ctx context.Context) (phigate.AuditHead, error) {
	h, err := auditHead(ctx, db.db)
	if err != nil {
		return h, phigate.E(phigate.EUNAVAILABLE, "sqlite.AuditHead", err)
	}
	return h, nil
}

const blockColumns = `first, last, min_time, max_time, data`

func scanBlock(rows *sql.Rows, b *phigate.AuditBlock) error {
	var lo, hi int64
	if err := rows.Scan(&b.First, &b.Last, &lo, &hi, &b.Data); err != nil {
		return err
	}
	b.MinTime, b.MaxTime = timeOf(lo), timeOf(hi)
	return nil
}

// ScanAuditBlocks implements phigate.AuditStore.
func (db *DB) ScanAuditBlocks(ctx context.Context, after, through int64, fn func(*phigate.AuditBlock) error) error {
	const op = "sqlite.ScanAuditBlocks"
	if through <= 0 {
		through = 1<<63 - 1
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+blockColumns+` FROM audit_blocks
		WHERE last > ? AND first <= ? ORDER BY first`, after, through)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		b := &phigate.AuditBlock{} // fn may keep it: a fresh one each time
		if err := scanBlock(rows, b); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return nil
}

// AuditSeqRange implements phigate.AuditStore.
func (db *DB) AuditSeqRange(ctx context.Context, since, until time.Time) (int64, int64, error) {
	const op = "sqlite.AuditSeqRange"
	var lo, hi sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT
		(SELECT min(first) FROM audit_blocks WHERE max_time >= ?),
		(SELECT max(last) FROM audit_blocks WHERE min_time < ?)`,
		timeBound(since, 0), timeBound(until, 1<<63-1)).Scan(&lo, &hi)
	if err != nil {
		return 0, 0, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if !lo.Valid || !hi.Valid || hi.Int64 < lo.Int64 {
		return 0, 0, nil
	}
	return lo.Int64 - 1, hi.Int64, nil
}

func timeBound(t time.Time, zero int64) int64 {
	if t.IsZero() {
		return zero
	}
	return unixOf(t)
}

// ScanAuditFilters implements phigate.AuditStore.
func (db *DB) ScanAuditFilters(ctx context.Context, after, through int64, fn func(first, last int64, filter []byte) error) error {
	const op = "sqlite.ScanAuditFilters"
	if through <= 0 {
		through = 1<<63 - 1
	}
	rows, err := db.db.QueryContext(ctx, `SELECT first, last, filter FROM audit_filters
		WHERE last > ? AND first <= ? ORDER BY first`, after, through)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var first, last int64
	var f []byte
	for rows.Next() {
		if err := rows.Scan(&first, &last, &f); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		if err := fn(first, last, f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return nil
}

// AuditBlocks implements phigate.AuditStore.
func (db *DB) AuditBlocks(ctx context.Context, firsts []int64) ([]*phigate.AuditBlock, error) {
	const op = "sqlite.AuditBlocks"
	var out []*phigate.AuditBlock
	for _, f := range firsts {
		rows, err := db.db.QueryContext(ctx, `SELECT `+blockColumns+` FROM audit_blocks WHERE first = ?`, f)
		if err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		b := &phigate.AuditBlock{}
		if rows.Next() {
			err = scanBlock(rows, b)
			out = append(out, b)
		}
		rows.Close()
		if err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
	}
	return out, nil
}

// AuditCheckpoints implements phigate.AuditStore.
func (db *DB) AuditCheckpoints(ctx context.Context, after int64) ([]*phigate.AuditCheckpoint, error) {
	const op = "sqlite.AuditCheckpoints"
	rows, err := db.db.QueryContext(ctx, `SELECT size, time, note, frontier, hash FROM audit_checkpoints
		WHERE size > ? ORDER BY size`, after)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.AuditCheckpoint
	for rows.Next() {
		c := &phigate.AuditCheckpoint{}
		var t int64
		if err := rows.Scan(&c.Size, &t, &c.Note, &c.Frontier, &c.Hash); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		c.Time = timeOf(t)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PruneAudit implements phigate.AuditStore.
func (db *DB) PruneAudit(ctx context.Context, size int64, base []byte) error {
	const op = "sqlite.PruneAudit"
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer tx.Rollback()
	var ok bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_checkpoints WHERE size = ?)
		AND EXISTS (SELECT 1 FROM audit_blocks WHERE last = ?)
		AND ? > (SELECT base_size FROM audit_head WHERE id = 1)`, size, size, size).Scan(&ok)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if !ok {
		return phigate.Errorf(phigate.ECONFLICT, op, "size %d is not a checkpoint ending a block above the base", size)
	}
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE audit_head SET base_size = ?, base = ? WHERE id = 1`, []any{size, base}},
		{`DELETE FROM audit_blocks WHERE last <= ?`, []any{size}},
		{`DELETE FROM audit_filters WHERE last <= ?`, []any{size}},
		{`DELETE FROM audit_checkpoints WHERE size < ?`, []any{size}},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return nil
}
