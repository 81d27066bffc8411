package sqlite

import (
	"context"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/sqlstore"
)

// RewrapDataKeys replaces the wrapping of each key still under from[i], in
// one transaction over one prepared statement, and returns how many it
// replaced.
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
		res, err := stmt.ExecContext(ctx, int64(k.KEKVersion), k.Wrapped, sqlstore.OptUnix(k.RewrappedAt),
			k.Subject, int64(k.ID), int64(from[i]))
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
