package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/phigate/phigate"
)

// The audit append differs by database (SQLite's write lock, PostgreSQL's
// head-row lock and batch): each store writes its own AppendAudit and
// AuditBlocks, with ReadAuditHead, BlockColumns and ScanBlock from here.

// AuditHead implements phigate.AuditStore.
func (s *Store) AuditHead(ctx context.Context) (phigate.AuditHead, error) {
	h, err := ReadAuditHead(ctx, s.db, s.d.Clean)
	if err != nil {
		return h, s.e(phigate.EUNAVAILABLE, "AuditHead", err)
	}
	return h, nil
}

// AuditHeadQuery selects the head of the chain, for ScanAuditHead.
const AuditHeadQuery = `SELECT size, hash, frontier, checkpoint_size, base_size, base
	FROM audit_head WHERE id = 1`

// ReadAuditHead reads the head of the chain on a database or in a
// transaction; clean is the dialect's driver-error mapping.
func ReadAuditHead(ctx context.Context, q RowQuerier, clean func(error) error) (phigate.AuditHead, error) {
	return ScanAuditHead(q.QueryRowContext(ctx, AuditHeadQuery), clean)
}

// ScanAuditHead reads the head from the row of AuditHeadQuery (run as a
// prepared statement, say).
func ScanAuditHead(row *sql.Row, clean func(error) error) (phigate.AuditHead, error) {
	var h phigate.AuditHead
	err := row.Scan(&h.Size, &h.Hash, &h.Frontier, &h.CheckpointSize, &h.BaseSize, &h.Base)
	if err != nil {
		return h, fmt.Errorf("read audit head: %w", clean(err))
	}
	return h, nil
}

// BlockColumns are the columns of audit_blocks that ScanBlock reads.
const BlockColumns = `first, last, min_time, max_time, data`

// ScanBlock reads the BlockColumns of one row into b.
func ScanBlock(rows *sql.Rows, b *phigate.AuditBlock) error {
	var lo, hi int64
	if err := rows.Scan(&b.First, &b.Last, &lo, &hi, &b.Data); err != nil {
		return err
	}
	b.MinTime, b.MaxTime = TimeOf(lo), TimeOf(hi)
	return nil
}

// ScanAuditBlocks implements phigate.AuditStore.
func (s *Store) ScanAuditBlocks(ctx context.Context, after, through int64, fn func(*phigate.AuditBlock) error) error {
	const op = "ScanAuditBlocks"
	if through <= 0 {
		through = 1<<63 - 1
	}
	rows, err := s.query(ctx, `SELECT `+BlockColumns+` FROM audit_blocks
		WHERE last > ? AND first <= ? ORDER BY first`, after, through)
	if err != nil {
		return s.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		b := &phigate.AuditBlock{} // fn may keep it: a fresh one each time
		if err := ScanBlock(rows, b); err != nil {
			return s.fail(op, err)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return s.rowsErr(op, rows)
}

// AuditSeqRange implements phigate.AuditStore.
func (s *Store) AuditSeqRange(ctx context.Context, since, until time.Time) (int64, int64, error) {
	const op = "AuditSeqRange"
	var lo, hi sql.NullInt64
	err := s.queryRow(ctx, `SELECT
		(SELECT min(first) FROM audit_blocks WHERE max_time >= ?),
		(SELECT max(last) FROM audit_blocks WHERE min_time < ?)`,
		timeBound(since, 0), timeBound(until, 1<<63-1)).Scan(&lo, &hi)
	if err != nil {
		return 0, 0, s.fail(op, err)
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
	return UnixOf(t)
}

// ScanAuditFilters implements phigate.AuditStore.
func (s *Store) ScanAuditFilters(ctx context.Context, after, through int64, fn func(first, last int64, filter []byte) error) error {
	const op = "ScanAuditFilters"
	if through <= 0 {
		through = 1<<63 - 1
	}
	rows, err := s.query(ctx, `SELECT first, last, filter FROM audit_filters
		WHERE last > ? AND first <= ? ORDER BY first`, after, through)
	if err != nil {
		return s.fail(op, err)
	}
	defer rows.Close()
	var first, last int64
	var f []byte
	for rows.Next() {
		if err := rows.Scan(&first, &last, &f); err != nil {
			return s.fail(op, err)
		}
		if err := fn(first, last, f); err != nil {
			return err
		}
	}
	return s.rowsErr(op, rows)
}

// AuditCheckpoints implements phigate.AuditStore.
func (s *Store) AuditCheckpoints(ctx context.Context, after int64) ([]*phigate.AuditCheckpoint, error) {
	return list(ctx, s, "AuditCheckpoints", s.scanCheckpoint, `SELECT size, time, note, frontier, hash
		FROM audit_checkpoints WHERE size > ? ORDER BY size`, after)
}

func (s *Store) scanCheckpoint(r scanner, op string) (*phigate.AuditCheckpoint, error) {
	c := &phigate.AuditCheckpoint{}
	var t int64
	if err := r.Scan(&c.Size, &t, &c.Note, &c.Frontier, &c.Hash); err != nil {
		return nil, s.fail(op, err)
	}
	c.Time = TimeOf(t)
	return c, nil
}

// PruneAudit implements phigate.AuditStore.
func (s *Store) PruneAudit(ctx context.Context, size int64, base []byte) error {
	const op = "PruneAudit"
	tx, err := s.begin(ctx, op)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var ok bool
	err = tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_checkpoints WHERE size = ?)
		AND EXISTS (SELECT 1 FROM audit_blocks WHERE last = ?)
		AND ? > (SELECT base_size FROM audit_head WHERE id = 1)`, size, size, size).Scan(&ok)
	if err != nil {
		return s.fail(op, err)
	}
	if !ok {
		return s.errorf(phigate.ECONFLICT, op, "size %d is not a checkpoint ending a block above the base", size)
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
	for _, st := range steps {
		if _, err := tx.exec(ctx, st.q, st.args...); err != nil {
			return s.fail(op, err)
		}
	}
	return tx.commit(op)
}
