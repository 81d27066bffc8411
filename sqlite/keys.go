package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/phigate/phigate"
)

var _ phigate.KeyStore = (*DB)(nil)

const dataKeyColumns = `subject, id, kek_version, wrapped, created_at, rewrapped_at`

// CreateDataKey inserts k unless its subject was shredded.
// Codes: ECONFLICT (key exists), EFORBIDDEN (subject shredded).
func (db *DB) CreateDataKey(ctx context.Context, k *phigate.WrappedKey) error {
	const op = "sqlite.CreateDataKey"
	res, err := db.db.ExecContext(ctx, `INSERT INTO keys_data_keys (`+dataKeyColumns+`)
		SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM keys_shreds WHERE subject = ?)`,
		k.Subject, int64(k.ID), int64(k.KEKVersion), k.Wrapped, unixOf(k.CreatedAt), optUnix(k.RewrappedAt), k.Subject)
	if isUnique(err) {
		return phigate.Errorf(phigate.ECONFLICT, op, "data key %d of subject %s exists", k.ID, k.Subject)
	}
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return phigate.Errorf(phigate.EFORBIDDEN, op, "subject %s was shredded", k.Subject)
	}
	return nil
}

// DataKey returns one data key of subject. Codes: ENOTFOUND.
func (db *DB) DataKey(ctx context.Context, subject string, id uint32) (*phigate.WrappedKey, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE subject = ? AND id = ?`, subject, int64(id))
	return scanDataKey(row, "sqlite.DataKey")
}

// LatestDataKey returns the subject's data key with the highest id.
// Codes: ENOTFOUND.
func (db *DB) LatestDataKey(ctx context.Context, subject string) (*phigate.WrappedKey, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE subject = ? ORDER BY id DESC LIMIT 1`, subject)
	return scanDataKey(row, "sqlite.LatestDataKey")
}

// DataKeysBelow returns up to limit keys wrapped under versions below
// version, after cursor in (subject, id) order.
func (db *DB) DataKeysBelow(ctx context.Context, version uint32, after phigate.KeyCursor, limit int) ([]*phigate.WrappedKey, error) {
	const op = "sqlite.DataKeysBelow"
	rows, err := db.db.QueryContext(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE kek_version < ? AND (subject, id) > (?, ?) ORDER BY subject, id LIMIT ?`,
		int64(version), after.Subject, int64(after.ID), limit)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.WrappedKey
	for rows.Next() {
		k, err := scanDataKey(rows, op)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return out, nil
}

// RewrapDataKeys replaces the wrapping of each key still under from[i], in
// one transaction, and returns how many it replaced.
func (db *DB) RewrapDataKeys(ctx context.Context, keys []*phigate.WrappedKey, from []uint32) (int, error) {
	const op = "sqlite.RewrapDataKeys"
	if len(keys) != len(from) {
		return 0, phigate.Errorf(phigate.EINVALID, op, "%d keys but %d versions", len(keys), len(from))
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `UPDATE keys_data_keys SET kek_version = ?, wrapped = ?, rewrapped_at = ?
		WHERE subject = ? AND id = ? AND kek_version = ?`)
	if err != nil {
		return 0, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer stmt.Close()
	n := 0
	for i, k := range keys {
		res, err := stmt.ExecContext(ctx, int64(k.KEKVersion), k.Wrapped, optUnix(k.RewrappedAt), k.Subject, int64(k.ID), int64(from[i]))
		if err != nil {
			return 0, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		c, _ := res.RowsAffected()
		n += int(c)
	}
	if err := tx.Commit(); err != nil {
		return 0, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return n, nil
}

// CountDataKeys returns how many data keys each KEK version wraps.
func (db *DB) CountDataKeys(ctx context.Context) (map[uint32]int, error) {
	const op = "sqlite.CountDataKeys"
	rows, err := db.db.QueryContext(ctx, `SELECT kek_version, COUNT(*) FROM keys_data_keys GROUP BY kek_version`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	m := map[uint32]int{}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		m[uint32(v)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return m, nil
}

// ShredSubject deletes the subject's data keys and records the shred in one
// transaction; a second shred keeps the first record.
func (db *DB) ShredSubject(ctx context.Context, subject string, at time.Time) (*phigate.Shred, error) {
	const op = "sqlite.ShredSubject"
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM keys_data_keys WHERE subject = ?`, subject)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `INSERT INTO keys_shreds (subject, keys, shredded_at) VALUES (?, ?, ?)
		ON CONFLICT (subject) DO NOTHING`, subject, n, unixOf(at)); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	s, err := scanShred(tx.QueryRowContext(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds WHERE subject = ?`, subject), op)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return s, nil
}

// ShredOf returns the record of subject's shred. Codes: ENOTFOUND.
func (db *DB) ShredOf(ctx context.Context, subject string) (*phigate.Shred, error) {
	return scanShred(db.db.QueryRowContext(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds WHERE subject = ?`, subject), "sqlite.ShredOf")
}

// ListShreds returns every shred, oldest first.
func (db *DB) ListShreds(ctx context.Context) ([]*phigate.Shred, error) {
	const op = "sqlite.ListShreds"
	rows, err := db.db.QueryContext(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds ORDER BY shredded_at, subject`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.Shred
	for rows.Next() {
		s, err := scanShred(rows, op)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return out, nil
}

const rewrapColumns = `target, cursor_subject, cursor_id, total, done, failed, started_at, updated_at, finished_at`

// SaveRewrapJob inserts or replaces the job for j.Target.
func (db *DB) SaveRewrapJob(ctx context.Context, j *phigate.RewrapJob) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO keys_rewrap_jobs (`+rewrapColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (target) DO UPDATE SET cursor_subject = excluded.cursor_subject, cursor_id = excluded.cursor_id,
		total = excluded.total, done = excluded.done, failed = excluded.failed, started_at = excluded.started_at,
		updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
		int64(j.Target), j.Cursor.Subject, int64(j.Cursor.ID), j.Total, j.Done, j.Failed,
		unixOf(j.StartedAt), unixOf(j.UpdatedAt), optUnix(j.FinishedAt))
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, "sqlite.SaveRewrapJob", mapErr(err))
	}
	return nil
}

// RewrapJob returns the job for target. Codes: ENOTFOUND.
func (db *DB) RewrapJob(ctx context.Context, target uint32) (*phigate.RewrapJob, error) {
	const op = "sqlite.RewrapJob"
	var j phigate.RewrapJob
	var t, cid, started, updated, finished int64
	err := db.db.QueryRowContext(ctx, `SELECT `+rewrapColumns+` FROM keys_rewrap_jobs WHERE target = ?`, int64(target)).
		Scan(&t, &j.Cursor.Subject, &cid, &j.Total, &j.Done, &j.Failed, &started, &updated, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "no rewrap job for version %d", target)
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	j.Target, j.Cursor.ID = uint32(t), uint32(cid)
	j.StartedAt, j.UpdatedAt, j.FinishedAt = timeOf(started), timeOf(updated), optTime(finished)
	return &j, nil
}

func scanDataKey(s scanner, op string) (*phigate.WrappedKey, error) {
	var k phigate.WrappedKey
	var id, v, created, rewrapped int64
	err := s.Scan(&k.Subject, &id, &v, &k.Wrapped, &created, &rewrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "data key not found")
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	k.ID, k.KEKVersion = uint32(id), uint32(v)
	k.CreatedAt, k.RewrappedAt = timeOf(created), optTime(rewrapped)
	return &k, nil
}

func scanShred(s scanner, op string) (*phigate.Shred, error) {
	var r phigate.Shred
	var at int64
	err := s.Scan(&r.Subject, &r.Keys, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "subject was not shredded")
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("read shred: %w", mapErr(err)))
	}
	r.ShreddedAt = timeOf(at)
	return &r, nil
}
