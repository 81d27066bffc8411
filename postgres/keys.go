package postgres

import (
	"context"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/sqlstore"
)

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
		wrapped[i], ats[i] = k.Wrapped, sqlstore.OptUnix(k.RewrappedAt)
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
