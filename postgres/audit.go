package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/phigate/phigate"
)

// AppendAudit implements phigate.AuditStore. The transaction locks the head
// row (SELECT ... FOR UPDATE), so appends from every node sharing the
// database take turns and the chain stays one; the commit is durable
// (synchronous_commit on). It runs on the pgx connection itself, so the
// whole append takes two round trips. Codes: EAUDIT.
func (db *DB) AppendAudit(ctx context.Context, fn func(phigate.AuditHead) (*phigate.AuditAppend, error)) error {
	const op = "postgres.AppendAudit"
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return phigate.E(phigate.EAUDIT, op, safeErr(err))
	}
	defer conn.Close()
	var fnErr error
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		done := false
		defer func() {
			if !done {
				pc.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			}
		}()
		head, err := lockHead(ctx, pc)
		if err != nil {
			return err
		}
		a, err := fn(head)
		if err != nil || a == nil {
			fnErr = err
			return nil
		}
		if err := writeAppend(ctx, pc, a); err != nil {
			return err
		}
		done = true
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return phigate.E(phigate.EAUDIT, op, safeErr(err))
	}
	return nil
}

// lockHead begins the transaction and locks and reads the head, in one
// round trip.
func lockHead(ctx context.Context, pc *pgx.Conn) (phigate.AuditHead, error) {
	var h phigate.AuditHead
	var b pgx.Batch
	b.Queue(`BEGIN`)
	b.Queue(`SELECT size, hash, frontier, checkpoint_size, base_size, base
		FROM audit_head WHERE id = 1 FOR UPDATE`).QueryRow(func(r pgx.Row) error {
		return r.Scan(&h.Size, &h.Hash, &h.Frontier, &h.CheckpointSize, &h.BaseSize, &h.Base)
	})
	if err := pc.SendBatch(ctx, &b).Close(); err != nil {
		return h, fmt.Errorf("lock audit head: %w", err)
	}
	return h, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func auditHead(ctx context.Context, q querier) (phigate.AuditHead, error) {
	var h phigate.AuditHead
	err := q.QueryRowContext(ctx, `SELECT size, hash, frontier, checkpoint_size, base_size, base
		FROM audit_head WHERE id = 1`).Scan(&h.Size, &h.Hash, &h.Frontier, &h.CheckpointSize, &h.BaseSize, &h.Base)
	if err != nil {
		return h, fmt.Errorf("read audit head: %w", safeErr(err))
	}
	return h, nil
}

// writeAppend sends every statement of the append and the commit in one
// batch: one round trip, however many blocks and checkpoints.
func writeAppend(ctx context.Context, pc *pgx.Conn, a *phigate.AuditAppend) error {
	var batch pgx.Batch
	// Durable whatever the server's default: Record returns after this.
	batch.Queue(`SET LOCAL synchronous_commit TO on`)
	for _, b := range a.Blocks {
		batch.Queue(`INSERT INTO audit_blocks (first, last, min_time, max_time, data)
			VALUES ($1, $2, $3, $4, $5)`, b.First, b.Last, unixOf(b.MinTime), unixOf(b.MaxTime), b.Data)
		batch.Queue(`INSERT INTO audit_filters (first, last, filter) VALUES ($1, $2, $3)`,
			b.First, b.Last, nonNil(b.Filter))
	}
	for _, c := range a.Checkpoints {
		batch.Queue(`INSERT INTO audit_checkpoints (size, time, note, frontier, hash)
			VALUES ($1, $2, $3, $4, $5)`, c.Size, unixOf(c.Time), c.Note, c.Frontier, c.Hash)
	}
	h := a.Head
	batch.Queue(`UPDATE audit_head SET size = $1, hash = $2, frontier = $3,
		checkpoint_size = $4, base_size = $5, base = $6 WHERE id = 1`,
		h.Size, h.Hash, nonNil(h.Frontier), h.CheckpointSize, h.BaseSize, h.Base)
	batch.Queue(`COMMIT`)
	if err := pc.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write audit append: %w", err)
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
		return h, phigate.E(phigate.EUNAVAILABLE, "postgres.AuditHead", err)
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
	const op = "postgres.ScanAuditBlocks"
	if through <= 0 {
		through = 1<<63 - 1
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+blockColumns+` FROM audit_blocks
		WHERE last > $1 AND first <= $2 ORDER BY first`, after, through)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		b := &phigate.AuditBlock{} // fn may keep it: a fresh one each time
		if err := scanBlock(rows, b); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return nil
}

// AuditSeqRange implements phigate.AuditStore.
func (db *DB) AuditSeqRange(ctx context.Context, since, until time.Time) (int64, int64, error) {
	const op = "postgres.AuditSeqRange"
	var lo, hi sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT
		(SELECT min(first) FROM audit_blocks WHERE max_time >= $1),
		(SELECT max(last) FROM audit_blocks WHERE min_time < $2)`,
		timeBound(since, 0), timeBound(until, 1<<63-1)).Scan(&lo, &hi)
	if err != nil {
		return 0, 0, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
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
	const op = "postgres.ScanAuditFilters"
	if through <= 0 {
		through = 1<<63 - 1
	}
	rows, err := db.db.QueryContext(ctx, `SELECT first, last, filter FROM audit_filters
		WHERE last > $1 AND first <= $2 ORDER BY first`, after, through)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	var first, last int64
	var f []byte
	for rows.Next() {
		if err := rows.Scan(&first, &last, &f); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
		if err := fn(first, last, f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return nil
}

// AuditBlocks implements phigate.AuditStore.
func (db *DB) AuditBlocks(ctx context.Context, firsts []int64) ([]*phigate.AuditBlock, error) {
	const op = "postgres.AuditBlocks"
	rows, err := db.db.QueryContext(ctx, `SELECT `+blockColumns+` FROM audit_blocks
		WHERE first = ANY($1) ORDER BY first`, firsts)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	var out []*phigate.AuditBlock
	for rows.Next() {
		b := &phigate.AuditBlock{}
		if err := scanBlock(rows, b); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// AuditCheckpoints implements phigate.AuditStore.
func (db *DB) AuditCheckpoints(ctx context.Context, after int64) ([]*phigate.AuditCheckpoint, error) {
	const op = "postgres.AuditCheckpoints"
	rows, err := db.db.QueryContext(ctx, `SELECT size, time, note, frontier, hash FROM audit_checkpoints
		WHERE size > $1 ORDER BY size`, after)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	var out []*phigate.AuditCheckpoint
	for rows.Next() {
		c := &phigate.AuditCheckpoint{}
		var t int64
		if err := rows.Scan(&c.Size, &t, &c.Note, &c.Frontier, &c.Hash); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
		c.Time = timeOf(t)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PruneAudit implements phigate.AuditStore.
func (db *DB) PruneAudit(ctx context.Context, size int64, base []byte) error {
	const op = "postgres.PruneAudit"
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer tx.Rollback()
	var ok bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_checkpoints WHERE size = $1)
		AND EXISTS (SELECT 1 FROM audit_blocks WHERE last = $2)
		AND $3 > (SELECT base_size FROM audit_head WHERE id = 1)`, size, size, size).Scan(&ok)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	if !ok {
		return phigate.Errorf(phigate.ECONFLICT, op, "size %d is not a checkpoint ending a block above the base", size)
	}
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE audit_head SET base_size = $1, base = $2 WHERE id = 1`, []any{size, base}},
		{`DELETE FROM audit_blocks WHERE last <= $1`, []any{size}},
		{`DELETE FROM audit_filters WHERE last <= $1`, []any{size}},
		{`DELETE FROM audit_checkpoints WHERE size < $1`, []any{size}},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return nil
}
