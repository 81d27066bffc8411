package sqlstore

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
func (s *Store) CreateUser(ctx context.Context, u *phigate.User) error {
	const op = "CreateUser"
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return s.e(phigate.EINTERNAL, op, err)
	}
	now := s.now().UTC()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	u.UpdatedAt = now
	return s.execRow(ctx, op, "user id or name", false, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Name, u.PasswordHash, string(roles), u.Disabled, u.MustChangePassword,
		UnixOf(u.CreatedAt), UnixOf(u.UpdatedAt))
}

// UserByID returns a user. Codes: ENOTFOUND.
func (s *Store) UserByID(ctx context.Context, id string) (*phigate.User, error) {
	row := s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	return s.scanUser(row, "UserByID")
}

// UserByName returns a user by login name. Codes: ENOTFOUND.
func (s *Store) UserByName(ctx context.Context, name string) (*phigate.User, error) {
	row := s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name)
	return s.scanUser(row, "UserByName")
}

// UpdateUser replaces the mutable fields of u. Codes: ENOTFOUND, ECONFLICT.
func (s *Store) UpdateUser(ctx context.Context, u *phigate.User) error {
	const op = "UpdateUser"
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return s.e(phigate.EINTERNAL, op, err)
	}
	u.UpdatedAt = s.now().UTC()
	return s.execRow(ctx, op, "user", true, `UPDATE users SET name = ?, password_hash = ?, roles = ?,
		disabled = ?, must_change_password = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.PasswordHash, string(roles), u.Disabled, u.MustChangePassword, UnixOf(u.UpdatedAt), u.ID)
}

// ListUsers returns every user ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]*phigate.User, error) {
	return list(ctx, s, "ListUsers", s.scanUser, `SELECT `+userColumns+` FROM users ORDER BY name`)
}

// CountUsers returns the number of users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, s.fail("CountUsers", err)
	}
	return n, nil
}

func (s *Store) scanUser(r scanner, op string) (*phigate.User, error) {
	var u phigate.User
	var roles string
	var created, updated int64
	err := r.Scan(&u.ID, &u.Name, &u.PasswordHash, &roles, &u.Disabled, &u.MustChangePassword, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(phigate.ENOTFOUND, op, "user not found")
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
		return nil, s.e(phigate.EINTERNAL, op, fmt.Errorf("decode roles: %w", err))
	}
	u.CreatedAt, u.UpdatedAt = TimeOf(created), TimeOf(updated)
	return &u, nil
}
