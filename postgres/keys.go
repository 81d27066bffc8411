package postgres

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

// CreateDataKey inserts k unless its subject was shredded. It holds the
// subject's advisory lock, so that it never races a shred on another node.
// Codes: ECONFLICT (key exists), EFORBIDDEN (subject shredded).
func (db *DB) CreateDataKey(ctx context.Context, k *phigate.WrappedKey) error {
	const op = "postgres.CreateDataKey"
	tx, err := db.subjectTx(ctx, op, k.Subject)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO keys_data_keys (`+dataKeyColumns+`)
		SELECT $1::text, $2::bigint, $3::bigint, $4::bytea, $5::bigint, $6::bigint WHERE NOT EXISTS (SELECT 1 FROM keys_shreds WHERE subject = $1)`,
		k.Subject, int64(k.ID), int64(k.KEKVersion), k.Wrapped, unixOf(k.CreatedAt), optUnix(k.RewrappedAt))
	if isUnique(err) {
		return phigate.Errorf(phigate.ECONFLICT, op, "data key %d of subject %s exists", k.ID, k.Subject)
	}
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return phigate.Errorf(phigate.EFORBIDDEN, op, "subject %s was shredded", k.Subject)
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return nil
}

// subjectTx begins a transaction holding the advisory lock of subject.
func (db *DB) subjectTx(ctx context.Context, op, subject string) (*sql.Tx, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('phigate.keys:' || $1, 0))`, subject); err != nil {
		tx.Rollback()
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return tx, nil
}

// DataKey returns one data key of subject. Codes: ENOTFOUND.
func (db *DB) DataKey(ctx context.Context, subject string, id uint32) (*phigate.WrappedKey, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE subject = $1 AND id = $2`, subject, int64(id))
	return scanDataKey(row, "postgres.DataKey")
}

// LatestDataKey returns the subject's data key with the highest id.
// Codes: ENOTFOUND.
func (db *DB) LatestDataKey(ctx context.Context, subject string) (*phigate.WrappedKey, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE subject = $1 ORDER BY id DESC LIMIT 1`, subject)
	return scanDataKey(row, "postgres.LatestDataKey")
}

// DataKeysBelow returns up to limit keys wrapped under versions below
// version, after cursor in (subject, id) order.
func (db *DB) DataKeysBelow(ctx context.Context, version uint32, after phigate.KeyCursor, limit int) ([]*phigate.WrappedKey, error) {
	const op = "postgres.DataKeysBelow"
	rows, err := db.db.QueryContext(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE kek_version < $1 AND (subject, id) > ($2, $3) ORDER BY subject, id LIMIT $4`,
		int64(version), after.Subject, int64(after.ID), limit)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
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
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return out, nil
}

// RewrapDataKeys replaces the wrapping of each key still under from[i],
// in one statement over arrays (one round trip per batch), and returns how
// many it replaced.
func (db *DB) RewrapDataKeys(ctx context.Context, keys []*phigate.WrappedKey, from []uint32) (int, error) {
	const op = "postgres.RewrapDataKeys"
	if len(keys) != len(from) {
		return 0, phigate.Errorf(phigate.EINVALID, op, "%d keys but %d versions", len(keys), len(from))
	}
	if len(keys) == 0 {
		return 0, nil
	}
	subjects, ids := make([]string, len(keys)), make([]int64, len(keys))
	versions, olds, ats := make([]int64, len(keys)), make([]int64, len(keys)), make([]int64, len(keys))
	wrapped := make([][]byte, len(keys))
	for i, k := range keys {
		subjects[i], ids[i], versions[i], olds[i] = k.Subject, int64(k.ID), int64(k.KEKVersion), int64(from[i])
		wrapped[i], ats[i] = k.Wrapped, optUnix(k.RewrappedAt)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE keys_data_keys AS k
		SET kek_version = u.version, wrapped = u.wrapped, rewrapped_at = u.at
		FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[], $5::bigint[], $6::bigint[])
			AS u(subject, id, version, wrapped, at, old)
		WHERE k.subject = u.subject AND k.id = u.id AND k.kek_version = u.old`,
		subjects, ids, versions, wrapped, ats, olds)
	if err != nil {
		return 0, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// CountDataKeys returns how many data keys each KEK version wraps.
func (db *DB) CountDataKeys(ctx context.Context) (map[uint32]int, error) {
	const op = "postgres.CountDataKeys"
	rows, err := db.db.QueryContext(ctx, `SELECT kek_version, COUNT(*) FROM keys_data_keys GROUP BY kek_version`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	m := map[uint32]int{}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
		}
		m[uint32(v)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return m, nil
}

// ShredSubject deletes the subject's data keys and records the shred in one
// transaction; a second shred keeps the first record.
func (db *DB) ShredSubject(ctx context.Context, subject string, at time.Time) (*phigate.Shred, error) {
	const op = "postgres.ShredSubject"
	tx, err := db.subjectTx(ctx, op, subject)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM keys_data_keys WHERE subject = $1`, subject)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `INSERT INTO keys_shreds (subject, keys, shredded_at) VALUES ($1, $2, $3)
		ON CONFLICT (subject) DO NOTHING`, subject, n, unixOf(at)); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	s, err := scanShred(tx.QueryRowContext(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds WHERE subject = $1`, subject), op)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return s, nil
}

// ShredOf returns the record of subject's shred. Codes: ENOTFOUND.
func (db *DB) ShredOf(ctx context.Context, subject string) (*phigate.Shred, error) {
	return scanShred(db.db.QueryRowContext(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds WHERE subject = $1`, subject), "postgres.ShredOf")
}

// ListShreds returns every shred, oldest first.
func (db *DB) ListShreds(ctx context.Context) ([]*phigate.Shred, error) {
	const op = "postgres.ListShreds"
	rows, err := db.db.QueryContext(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds ORDER BY shredded_at, subject`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
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
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return out, nil
}

const rewrapColumns = `target, cursor_subject, cursor_id, total, done, failed, started_at, updated_at, finished_at`

// SaveRewrapJob inserts or replaces the job for j.Target.
func (db *DB) SaveRewrapJob(ctx context.Context, j *phigate.RewrapJob) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO keys_rewrap_jobs (`+rewrapColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (target) DO UPDATE SET cursor_subject = excluded.cursor_subject, cursor_id = excluded.cursor_id,
		total = excluded.total, done = excluded.done, failed = excluded.failed, started_at = excluded.started_at,
		updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
		int64(j.Target), j.Cursor.Subject, int64(j.Cursor.ID), j.Total, j.Done, j.Failed,
		unixOf(j.StartedAt), unixOf(j.UpdatedAt), optUnix(j.FinishedAt))
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, "postgres.SaveRewrapJob", safeErr(err))
	}
	return nil
}

// RewrapJob returns the job for target. Codes: ENOTFOUND.
func (db *DB) RewrapJob(ctx context.Context, target uint32) (*phigate.RewrapJob, error) {
	const op = "postgres.RewrapJob"
	var j phigate.RewrapJob
	var t, cid, started, updated, finished int64
	err := db.db.QueryRowContext(ctx, `SELECT `+rewrapColumns+` FROM keys_rewrap_jobs WHERE target = $1`, int64(target)).
		Scan(&t, &j.Cursor.Subject, &cid, &j.Total, &j.Done, &j.Failed, &started, &updated, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "no rewrap job for version %d", target)
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
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
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
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
		return nil, phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("read shred: %w", safeErr(err)))
	}
	r.ShreddedAt = timeOf(at)
	return &r, nil
}
