package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/sqlstore"
)

// The statements of the audit append, prepared once on the writer's one
// connection (parsing them took a fifth of each commit's CPU).
var auditStatements = [...]string{
	sqlstore.AuditHeadQuery,
	`INSERT INTO audit_blocks (first, last, min_time, max_time, data) VALUES (?, ?, ?, ?, ?)`,
	`INSERT INTO audit_filters (first, last, filter) VALUES (?, ?, ?)`,
	`INSERT INTO audit_checkpoints (size, time, note, frontier, hash) VALUES (?, ?, ?, ?, ?)`,
	`UPDATE audit_head SET size = ?, hash = ?, frontier = ?, checkpoint_size = ?, base_size = ?, base = ? WHERE id = 1`,
}

const (
	stmtHead = iota
	stmtBlock
	stmtFilter
	stmtCheckpoint
	stmtUpdateHead
)

// prepareAudit prepares auditStatements on the writer.
func (db *DB) prepareAudit(ctx context.Context) error {
	for i, q := range auditStatements {
		st, err := db.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare audit statements: %w", mapErr(err))
		}
		db.audit[i] = st
	}
	return nil
}

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
	head, err := sqlstore.ScanAuditHead(db.stmt(ctx, tx, stmtHead).QueryRowContext(ctx), mapErr)
	if err != nil {
		return phigate.E(phigate.EAUDIT, op, err)
	}
	a, err := fn(head)
	if err != nil || a == nil {
		return err
	}
	if err := db.writeAppend(ctx, tx, a); err != nil {
		return phigate.E(phigate.EAUDIT, op, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EAUDIT, op, mapErr(err))
	}
	return nil
}

// stmt returns audit statement i for tx: the one prepared on the writer's
// connection, which tx holds.
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, i int) *sql.Stmt {
	return tx.StmtContext(ctx, db.audit[i])
}

func (db *DB) writeAppend(ctx context.Context, tx *sql.Tx, a *phigate.AuditAppend) error {
	for _, b := range a.Blocks {
		if _, err := db.stmt(ctx, tx, stmtBlock).ExecContext(ctx, b.First, b.Last,
			sqlstore.UnixOf(b.MinTime), sqlstore.UnixOf(b.MaxTime), b.Data); err != nil {
			return fmt.Errorf("insert audit block: %w", err)
		}
		if _, err := db.stmt(ctx, tx, stmtFilter).ExecContext(ctx, b.First, b.Last, sqlstore.NonNil(b.Filter)); err != nil {
			return fmt.Errorf("insert audit filter: %w", err)
		}
	}
	for _, c := range a.Checkpoints {
		if _, err := db.stmt(ctx, tx, stmtCheckpoint).ExecContext(ctx, c.Size, sqlstore.UnixOf(c.Time),
			c.Note, c.Frontier, c.Hash); err != nil {
			return fmt.Errorf("insert audit checkpoint: %w", err)
		}
	}
	h := a.Head
	_, err := db.stmt(ctx, tx, stmtUpdateHead).ExecContext(ctx,
		h.Size, h.Hash, sqlstore.NonNil(h.Frontier), h.CheckpointSize, h.BaseSize, h.Base)
	if err != nil {
		return fmt.Errorf("update audit head: %w", err)
	}
	return nil
}

// AuditBlocks implements phigate.AuditStore: one indexed lookup per block,
// in the order asked, skipping blocks that are gone.
func (db *DB) AuditBlocks(ctx context.Context, firsts []int64) ([]*phigate.AuditBlock, error) {
	const op = "sqlite.AuditBlocks"
	var out []*phigate.AuditBlock
	for _, f := range firsts {
		rows, err := db.rd.QueryContext(ctx, `SELECT `+sqlstore.BlockColumns+` FROM audit_blocks WHERE first = ?`, f)
		if err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		b := &phigate.AuditBlock{}
		if rows.Next() {
			err = sqlstore.ScanBlock(rows, b)
			out = append(out, b)
		}
		rows.Close()
		if err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
	}
	return out, nil
}
