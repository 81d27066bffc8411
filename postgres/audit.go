package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/sqlstore"
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

// writeAppend sends every statement of the append and the commit in one
// batch: one round trip, however many blocks and checkpoints.
func writeAppend(ctx context.Context, pc *pgx.Conn, a *phigate.AuditAppend) error {
	var batch pgx.Batch
	// Durable whatever the server's default: Record returns after this.
	batch.Queue(`SET LOCAL synchronous_commit TO on`)
	for _, b := range a.Blocks {
		batch.Queue(`INSERT INTO audit_blocks (first, last, min_time, max_time, data)
			VALUES ($1, $2, $3, $4, $5)`, b.First, b.Last, sqlstore.UnixOf(b.MinTime), sqlstore.UnixOf(b.MaxTime), b.Data)
		batch.Queue(`INSERT INTO audit_filters (first, last, filter) VALUES ($1, $2, $3)`,
			b.First, b.Last, sqlstore.NonNil(b.Filter))
	}
	for _, c := range a.Checkpoints {
		batch.Queue(`INSERT INTO audit_checkpoints (size, time, note, frontier, hash)
			VALUES ($1, $2, $3, $4, $5)`, c.Size, sqlstore.UnixOf(c.Time), c.Note, c.Frontier, c.Hash)
	}
	h := a.Head
	batch.Queue(`UPDATE audit_head SET size = $1, hash = $2, frontier = $3,
		checkpoint_size = $4, base_size = $5, base = $6 WHERE id = 1`,
		h.Size, h.Hash, sqlstore.NonNil(h.Frontier), h.CheckpointSize, h.BaseSize, h.Base)
	batch.Queue(`COMMIT`)
	if err := pc.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("write audit append: %w", err)
	}
	return nil
}

// AuditBlocks implements phigate.AuditStore: one query over an array.
func (db *DB) AuditBlocks(ctx context.Context, firsts []int64) ([]*phigate.AuditBlock, error) {
	const op = "postgres.AuditBlocks"
	rows, err := db.db.QueryContext(ctx, `SELECT `+sqlstore.BlockColumns+` FROM audit_blocks
		WHERE first = ANY($1) ORDER BY first`, firsts)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	var out []*phigate.AuditBlock
	for rows.Next() {
		b := &phigate.AuditBlock{}
		if err := sqlstore.ScanBlock(rows, b); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
