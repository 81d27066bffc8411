package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/phigate/phigate"
)

const dataKeyColumns = `subject, id, kek_version, wrapped, created_at, rewrapped_at`

// CreateDataKey inserts k unless its subject was shredded, under the
// dialect's subject lock if it has one.
// Codes: ECONFLICT (key exists), EFORBIDDEN (subject shredded).
func (s *Store) CreateDataKey(ctx context.Context, k *phigate.WrappedKey) error {
	const op = "CreateDataKey"
	if s.d.LockSubject == nil {
		return s.insertDataKey(ctx, s.w, k)
	}
	tx, err := s.subjectTx(ctx, op, k.Subject)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.insertDataKey(ctx, tx, k); err != nil {
		return err
	}
	return tx.commit(op)
}

// insertDataKey runs the dialect's InsertDataKey on db or a transaction.
func (s *Store) insertDataKey(ctx context.Context, x execer, k *phigate.WrappedKey) error {
	const op = "CreateDataKey"
	res, err := x.ExecContext(ctx, s.d.InsertDataKey,
		k.Subject, int64(k.ID), int64(k.KEKVersion), k.Wrapped, UnixOf(k.CreatedAt), OptUnix(k.RewrappedAt), k.Subject)
	if s.d.IsUnique(err) {
		return s.errorf(phigate.ECONFLICT, op, "data key %d of subject %s exists", k.ID, k.Subject)
	}
	if err != nil {
		return s.fail(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.errorf(phigate.EFORBIDDEN, op, "subject %s was shredded", k.Subject)
	}
	return nil
}

// subjectTx begins a transaction holding the dialect's lock of subject.
func (s *Store) subjectTx(ctx context.Context, op, subject string) (*txn, error) {
	tx, err := s.begin(ctx, op)
	if err != nil || s.d.LockSubject == nil {
		return tx, err
	}
	if err := s.d.LockSubject(ctx, tx.Tx, subject); err != nil {
		tx.Rollback()
		return nil, s.fail(op, err)
	}
	return tx, nil
}

// DataKey returns one data key of subject. Codes: ENOTFOUND.
func (s *Store) DataKey(ctx context.Context, subject string, id uint32) (*phigate.WrappedKey, error) {
	row := s.queryRow(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE subject = ? AND id = ?`, subject, int64(id))
	return s.scanDataKey(row, "DataKey")
}

// LatestDataKey returns the subject's data key with the highest id.
// Codes: ENOTFOUND.
func (s *Store) LatestDataKey(ctx context.Context, subject string) (*phigate.WrappedKey, error) {
	row := s.queryRow(ctx, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE subject = ? ORDER BY id DESC LIMIT 1`, subject)
	return s.scanDataKey(row, "LatestDataKey")
}

// DataKeysBelow returns up to limit keys wrapped under versions below
// version, after cursor in (subject, id) order.
func (s *Store) DataKeysBelow(ctx context.Context, version uint32, after phigate.KeyCursor, limit int) ([]*phigate.WrappedKey, error) {
	return list(ctx, s, "DataKeysBelow", s.scanDataKey, `SELECT `+dataKeyColumns+` FROM keys_data_keys
		WHERE kek_version < ? AND (subject, id) > (?, ?) ORDER BY subject, id LIMIT ?`,
		int64(version), after.Subject, int64(after.ID), limit)
}

// CountDataKeys returns how many data keys each KEK version wraps.
func (s *Store) CountDataKeys(ctx context.Context) (map[uint32]int, error) {
	const op = "CountDataKeys"
	rows, err := s.query(ctx, `SELECT kek_version, COUNT(*) FROM keys_data_keys GROUP BY kek_version`)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	m := map[uint32]int{}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, s.fail(op, err)
		}
		m[uint32(v)] = n
	}
	return m, s.rowsErr(op, rows)
}

// ShredSubject deletes the subject's data keys and records the shred in one
// transaction; a second shred keeps the first record.
func (s *Store) ShredSubject(ctx context.Context, subject string, at time.Time) (*phigate.Shred, error) {
	const op = "ShredSubject"
	tx, err := s.subjectTx(ctx, op, subject)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res, err := tx.exec(ctx, `DELETE FROM keys_data_keys WHERE subject = ?`, subject)
	if err != nil {
		return nil, s.fail(op, err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.exec(ctx, `INSERT INTO keys_shreds (subject, keys, shredded_at) VALUES (?, ?, ?)
		ON CONFLICT (subject) DO NOTHING`, subject, n, UnixOf(at)); err != nil {
		return nil, s.fail(op, err)
	}
	r, err := s.scanShred(tx.queryRow(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds WHERE subject = ?`, subject), op)
	if err != nil {
		return nil, err
	}
	if err := tx.commit(op); err != nil {
		return nil, err
	}
	return r, nil
}

// ShredOf returns the record of subject's shred. Codes: ENOTFOUND.
func (s *Store) ShredOf(ctx context.Context, subject string) (*phigate.Shred, error) {
	return s.scanShred(s.queryRow(ctx, `SELECT subject, keys, shredded_at FROM keys_shreds WHERE subject = ?`, subject), "ShredOf")
}

// ListShreds returns every shred, oldest first.
func (s *Store) ListShreds(ctx context.Context) ([]*phigate.Shred, error) {
	return list(ctx, s, "ListShreds", s.scanShred, `SELECT subject, keys, shredded_at FROM keys_shreds ORDER BY shredded_at, subject`)
}

const rewrapColumns = `target, cursor_subject, cursor_id, total, done, failed, started_at, updated_at, finished_at`

// SaveRewrapJob inserts or replaces the job for j.Target.
func (s *Store) SaveRewrapJob(ctx context.Context, j *phigate.RewrapJob) error {
	_, err := s.exec(ctx, `INSERT INTO keys_rewrap_jobs (`+rewrapColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (target) DO UPDATE SET cursor_subject = excluded.cursor_subject, cursor_id = excluded.cursor_id,
		total = excluded.total, done = excluded.done, failed = excluded.failed, started_at = excluded.started_at,
		updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
		int64(j.Target), j.Cursor.Subject, int64(j.Cursor.ID), j.Total, j.Done, j.Failed,
		UnixOf(j.StartedAt), UnixOf(j.UpdatedAt), OptUnix(j.FinishedAt))
	if err != nil {
		return s.fail("SaveRewrapJob", err)
	}
	return nil
}

// RewrapJob returns the job for target. Codes: ENOTFOUND.
func (s *Store) RewrapJob(ctx context.Context, target uint32) (*phigate.RewrapJob, error) {
	const op = "RewrapJob"
	var j phigate.RewrapJob
	var t, cid, started, updated, finished int64
	err := s.queryRow(ctx, `SELECT `+rewrapColumns+` FROM keys_rewrap_jobs WHERE target = ?`, int64(target)).
		Scan(&t, &j.Cursor.Subject, &cid, &j.Total, &j.Done, &j.Failed, &started, &updated, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(phigate.ENOTFOUND, op, "no rewrap job for version %d", target)
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	j.Target, j.Cursor.ID = uint32(t), uint32(cid)
	j.StartedAt, j.UpdatedAt, j.FinishedAt = TimeOf(started), TimeOf(updated), OptTime(finished)
	return &j, nil
}

func (s *Store) scanDataKey(r scanner, op string) (*phigate.WrappedKey, error) {
	var k phigate.WrappedKey
	var id, v, created, rewrapped int64
	err := r.Scan(&k.Subject, &id, &v, &k.Wrapped, &created, &rewrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(phigate.ENOTFOUND, op, "data key not found")
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	k.ID, k.KEKVersion = uint32(id), uint32(v)
	k.CreatedAt, k.RewrappedAt = TimeOf(created), OptTime(rewrapped)
	return &k, nil
}

func (s *Store) scanShred(r scanner, op string) (*phigate.Shred, error) {
	var sh phigate.Shred
	var at int64
	err := r.Scan(&sh.Subject, &sh.Keys, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(phigate.ENOTFOUND, op, "subject was not shredded")
	}
	if err != nil {
		return nil, s.e(phigate.EUNAVAILABLE, op, fmt.Errorf("read shred: %w", s.d.Clean(err)))
	}
	sh.ShreddedAt = TimeOf(at)
	return &sh, nil
}
