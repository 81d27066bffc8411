package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/phigate/phigate"
)

const userColumns = `id, name, password_hash, roles, disabled, must_change_password, created_at, updated_at`

// CreateUser inserts u. Codes: ECONFLICT (id or name taken).
func (db *DB) CreateUser(ctx context.Context, u *phigate.User) error {
	const op = "sqlite.CreateUser"
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	now := db.Now().UTC()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	u.UpdatedAt = now
	_, err = db.db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Name, u.PasswordHash, string(roles), u.Disabled, u.MustChangePassword,
		unixOf(u.CreatedAt), unixOf(u.UpdatedAt))
	if isUnique(err) {
		return phigate.Errorf(phigate.ECONFLICT, op, "user id or name already exists")
	}
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return nil
}

// UserByID returns a user. Codes: ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id string) (*phigate.User, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	return scanUser(row, "sqlite.UserByID")
}

// UserByName returns a user by login name. Codes: ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (*phigate.User, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name)
	return scanUser(row, "sqlite.UserByName")
}

// UpdateUser replaces the mutable fields of u. Codes: ENOTFOUND, ECONFLICT.
func (db *DB) UpdateUser(ctx context.Context, u *phigate.User) error {
	const op = "sqlite.UpdateUser"
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	u.UpdatedAt = db.Now().UTC()
	res, err := db.db.ExecContext(ctx, `UPDATE users SET name = ?, password_hash = ?, roles = ?,
		disabled = ?, must_change_password = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.PasswordHash, string(roles), u.Disabled, u.MustChangePassword, unixOf(u.UpdatedAt), u.ID)
	if isUnique(err) {
		return phigate.Errorf(phigate.ECONFLICT, op, "user name already exists")
	}
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return phigate.Errorf(phigate.ENOTFOUND, op, "user %s not found", u.ID)
	}
	return nil
}

// ListUsers returns every user ordered by name.
func (db *DB) ListUsers(ctx context.Context) ([]*phigate.User, error) {
	const op = "sqlite.ListUsers"
	rows, err := db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var users []*phigate.User
	for rows.Next() {
		u, err := scanUser(rows, op)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, err)
	}
	return users, nil
}

// CountUsers returns the number of users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, phigate.E(phigate.EUNAVAILABLE, "sqlite.CountUsers", mapErr(err))
	}
	return n, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner, op string) (*phigate.User, error) {
	var u phigate.User
	var roles string
	var created, updated int64
	err := s.Scan(&u.ID, &u.Name, &u.PasswordHash, &roles, &u.Disabled, &u.MustChangePassword, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "user not found")
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("decode roles: %w", err))
	}
	u.CreatedAt, u.UpdatedAt = timeOf(created), timeOf(updated)
	return &u, nil
}
