package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/phigate/phigate"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

var _ phigate.AuthStore = (*DB)(nil)

// execAuth runs a statement, mapping unique violations to ECONFLICT and
// other failures to EUNAVAILABLE; with mustHit it reports ENOTFOUND when no
// row changed.
func (db *DB) execAuth(ctx context.Context, op string, mustHit bool, q string, args ...any) error {
	res, err := db.db.ExecContext(ctx, q, args...)
	if isUnique(err) {
		return phigate.Errorf(phigate.ECONFLICT, op, "already exists")
	}
	if isForeignKey(err) {
		return phigate.Errorf(phigate.EINVALID, op, "refers to a missing row")
	}
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if n, _ := res.RowsAffected(); mustHit && n == 0 {
		return phigate.Errorf(phigate.ENOTFOUND, op, "not found")
	}
	return nil
}

// optUnix and optTime store an optional time: 0 is the zero time.
func optUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func optTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return timeOf(ns)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func scanErr(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return phigate.Errorf(phigate.ENOTFOUND, op, "not found")
	}
	return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
}

const sessionColumns = `id, user_id, source, created_at, last_seen_at, expires_at, mfa, break_glass_until`

// CreateSession inserts s. Codes: ECONFLICT.
func (db *DB) CreateSession(ctx context.Context, s *phigate.Session) error {
	return db.execAuth(ctx, "sqlite.CreateSession", false, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.Source, unixOf(s.CreatedAt), unixOf(s.LastSeenAt), unixOf(s.ExpiresAt), s.MFA, optUnix(s.BreakGlassUntil))
}

// SessionByID returns a session. Codes: ENOTFOUND.
func (db *DB) SessionByID(ctx context.Context, id string) (*phigate.Session, error) {
	var s phigate.Session
	var created, seen, expires, glass int64
	err := db.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.UserID, &s.Source, &created, &seen, &expires, &s.MFA, &glass)
	if err != nil {
		return nil, scanErr("sqlite.SessionByID", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.BreakGlassUntil = timeOf(created), timeOf(seen), timeOf(expires), optTime(glass)
	return &s, nil
}

// UpdateSession replaces the mutable fields of s. Codes: ENOTFOUND.
func (db *DB) UpdateSession(ctx context.Context, s *phigate.Session) error {
	return db.execAuth(ctx, "sqlite.UpdateSession", true, `UPDATE sessions SET last_seen_at = ?, expires_at = ?, mfa = ?, break_glass_until = ? WHERE id = ?`,
		unixOf(s.LastSeenAt), unixOf(s.ExpiresAt), s.MFA, optUnix(s.BreakGlassUntil), s.ID)
}

// DeleteSession removes a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.execAuth(ctx, "sqlite.DeleteSession", false, `DELETE FROM sessions WHERE id = ?`, id)
}

// DeleteUserSessions removes every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, phigate.E(phigate.EUNAVAILABLE, "sqlite.DeleteUserSessions", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const apiKeyColumns = `id, name, owner_id, hash, roles, purposes, routes, cidrs, expires_at, created_at, last_used_at, revoked_at`

// CreateAPIKey inserts k. Codes: ECONFLICT.
func (db *DB) CreateAPIKey(ctx context.Context, k *phigate.APIKey) error {
	return db.execAuth(ctx, "sqlite.CreateAPIKey", false, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.OwnerID, k.Hash, jsonText(k.Roles), jsonText(k.Purposes), jsonText(k.Routes), jsonText(k.CIDRs),
		optUnix(k.ExpiresAt), unixOf(k.CreatedAt), optUnix(k.LastUsedAt), optUnix(k.RevokedAt))
}

func scanAPIKey(s scanner, op string) (*phigate.APIKey, error) {
	var k phigate.APIKey
	var roles, purposes, routes, cidrs string
	var expires, created, used, revoked int64
	if err := s.Scan(&k.ID, &k.Name, &k.OwnerID, &k.Hash, &roles, &purposes, &routes, &cidrs, &expires, &created, &used, &revoked); err != nil {
		return nil, scanErr(op, err)
	}
	for _, f := range []struct {
		s string
		v any
	}{{roles, &k.Roles}, {purposes, &k.Purposes}, {routes, &k.Routes}, {cidrs, &k.CIDRs}} {
		if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
			return nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("decode key lists: %w", err))
		}
	}
	k.ExpiresAt, k.CreatedAt, k.LastUsedAt, k.RevokedAt = optTime(expires), timeOf(created), optTime(used), optTime(revoked)
	return &k, nil
}

// APIKeyByHash returns a key by the hash of its secret. Codes: ENOTFOUND.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (*phigate.APIKey, error) {
	return scanAPIKey(db.db.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, hash), "sqlite.APIKeyByHash")
}

// APIKeyByID returns a key. Codes: ENOTFOUND.
func (db *DB) APIKeyByID(ctx context.Context, id string) (*phigate.APIKey, error) {
	return scanAPIKey(db.db.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id), "sqlite.APIKeyByID")
}

// ListAPIKeys returns keys by creation time; ownerID "" lists all.
func (db *DB) ListAPIKeys(ctx context.Context, ownerID string) ([]*phigate.APIKey, error) {
	const op = "sqlite.ListAPIKeys"
	rows, err := db.db.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE ? = '' OR owner_id = ? ORDER BY created_at, id`, ownerID, ownerID)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows, op)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rowsErr(op, rows)
}

func rowsErr(op string, rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return nil
}

// RevokeAPIKey sets the revocation time. Codes: ENOTFOUND.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	return db.execAuth(ctx, "sqlite.RevokeAPIKey", true, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, unixOf(at), id)
}

// TouchAPIKey records a use of a key.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return db.execAuth(ctx, "sqlite.TouchAPIKey", false, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, unixOf(at), id)
}

// PutTOTP creates or replaces a user's TOTP secret.
func (db *DB) PutTOTP(ctx context.Context, t *phigate.TOTPSecret) error {
	return db.execAuth(ctx, "sqlite.PutTOTP", false, `INSERT INTO totp_secrets (user_id, secret, last_step, confirmed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = excluded.last_step, confirmed_at = excluded.confirmed_at`,
		t.UserID, t.Secret, t.LastStep, optUnix(t.ConfirmedAt))
}

// TOTPByUser returns a user's TOTP secret. Codes: ENOTFOUND.
func (db *DB) TOTPByUser(ctx context.Context, userID string) (*phigate.TOTPSecret, error) {
	t := phigate.TOTPSecret{UserID: userID}
	var confirmed int64
	err := db.db.QueryRowContext(ctx, `SELECT secret, last_step, confirmed_at FROM totp_secrets WHERE user_id = ?`, userID).
		Scan(&t.Secret, &t.LastStep, &confirmed)
	if err != nil {
		return nil, scanErr("sqlite.TOTPByUser", err)
	}
	t.ConfirmedAt = optTime(confirmed)
	return &t, nil
}

// AdvanceTOTP moves the last used step forward only. Codes: ECONFLICT.
func (db *DB) AdvanceTOTP(ctx context.Context, userID string, step int64) error {
	err := db.execAuth(ctx, "sqlite.AdvanceTOTP", true, `UPDATE totp_secrets SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return phigate.Errorf(phigate.ECONFLICT, "sqlite.AdvanceTOTP", "step already used")
	}
	return err
}

// DeleteTOTP removes a user's TOTP secret.
func (db *DB) DeleteTOTP(ctx context.Context, userID string) error {
	return db.execAuth(ctx, "sqlite.DeleteTOTP", false, `DELETE FROM totp_secrets WHERE user_id = ?`, userID)
}

// ReplaceRecoveryCodes drops a user's codes and stores new ones, atomically.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	const op = "sqlite.ReplaceRecoveryCodes"
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	return nil
}

// UseRecoveryCode marks an unused code used. Codes: ENOTFOUND.
func (db *DB) UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error {
	return db.execAuth(ctx, "sqlite.UseRecoveryCode", true, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at = 0`, unixOf(at), userID, hash)
}

// CountRecoveryCodes returns the number of unused codes.
func (db *DB) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, userID).Scan(&n)
	if err != nil {
		return 0, scanErr("sqlite.CountRecoveryCodes", err)
	}
	return n, nil
}

// CreateWebAuthnCredential inserts c. Codes: ECONFLICT.
func (db *DB) CreateWebAuthnCredential(ctx context.Context, c *phigate.WebAuthnCredential) error {
	return db.execAuth(ctx, "sqlite.CreateWebAuthnCredential", false, `INSERT INTO webauthn_credentials (id, user_id, name, data, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.UserID, c.Name, c.Data, unixOf(c.CreatedAt), optUnix(c.LastUsedAt))
}

// WebAuthnCredentials returns a user's credentials by creation time.
func (db *DB) WebAuthnCredentials(ctx context.Context, userID string) ([]*phigate.WebAuthnCredential, error) {
	const op = "sqlite.WebAuthnCredentials"
	rows, err := db.db.QueryContext(ctx, `SELECT id, user_id, name, data, created_at, last_used_at FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at`, userID)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.WebAuthnCredential
	for rows.Next() {
		var c phigate.WebAuthnCredential
		var created, used int64
		if err := rows.Scan(&c.ID, &c.UserID, &c.Name, &c.Data, &created, &used); err != nil {
			return nil, scanErr(op, err)
		}
		c.CreatedAt, c.LastUsedAt = timeOf(created), optTime(used)
		out = append(out, &c)
	}
	return out, rowsErr(op, rows)
}

// UpdateWebAuthnCredential replaces Data and LastUsedAt. Codes: ENOTFOUND.
func (db *DB) UpdateWebAuthnCredential(ctx context.Context, c *phigate.WebAuthnCredential) error {
	return db.execAuth(ctx, "sqlite.UpdateWebAuthnCredential", true, `UPDATE webauthn_credentials SET data = ?, last_used_at = ? WHERE id = ?`,
		c.Data, optUnix(c.LastUsedAt), c.ID)
}

// DeleteWebAuthnCredentials removes every credential of a user.
func (db *DB) DeleteWebAuthnCredentials(ctx context.Context, userID string) error {
	return db.execAuth(ctx, "sqlite.DeleteWebAuthnCredentials", false, `DELETE FROM webauthn_credentials WHERE user_id = ?`, userID)
}

// LoginFailure returns the failures counted for a key, nil when none.
func (db *DB) LoginFailure(ctx context.Context, key string) (*phigate.LoginFailure, error) {
	f := phigate.LoginFailure{Key: key}
	var last, locked int64
	err := db.db.QueryRowContext(ctx, `SELECT failures, last_failure, locked_until FROM login_failures WHERE lock_key = ?`, key).
		Scan(&f.Failures, &last, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, scanErr("sqlite.LoginFailure", err)
	}
	f.LastFailure, f.LockedUntil = timeOf(last), optTime(locked)
	return &f, nil
}

// PutLoginFailure stores the failures of a key.
func (db *DB) PutLoginFailure(ctx context.Context, f *phigate.LoginFailure) error {
	return db.execAuth(ctx, "sqlite.PutLoginFailure", false, `INSERT INTO login_failures (lock_key, failures, last_failure, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (lock_key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, locked_until = excluded.locked_until`,
		f.Key, f.Failures, unixOf(f.LastFailure), optUnix(f.LockedUntil))
}

// ClearLoginFailure forgets the failures of a key.
func (db *DB) ClearLoginFailure(ctx context.Context, key string) error {
	return db.execAuth(ctx, "sqlite.ClearLoginFailure", false, `DELETE FROM login_failures WHERE lock_key = ?`, key)
}

// LinkIdentity maps an external identity to a user. Codes: ECONFLICT.
func (db *DB) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	return db.execAuth(ctx, "sqlite.LinkIdentity", false, `INSERT INTO user_identities (issuer, subject, user_id) VALUES (?, ?, ?)`, issuer, subject, userID)
}

// IdentityUser returns the user linked to an identity. Codes: ENOTFOUND.
func (db *DB) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	var id string
	err := db.db.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&id)
	if err != nil {
		return "", scanErr("sqlite.IdentityUser", err)
	}
	return id, nil
}

// CreateBreakGlass records an emergency-access window.
func (db *DB) CreateBreakGlass(ctx context.Context, b *phigate.BreakGlass) error {
	return db.execAuth(ctx, "sqlite.CreateBreakGlass", false, `INSERT INTO break_glass (id, user_id, session_id, reason, opened_at, until_at) VALUES (?, ?, ?, ?, ?, ?)`,
		b.ID, b.UserID, b.SessionID, b.Reason, unixOf(b.OpenedAt), unixOf(b.Until))
}

// ListBreakGlass returns windows opened at or after since, newest first.
func (db *DB) ListBreakGlass(ctx context.Context, since time.Time) ([]*phigate.BreakGlass, error) {
	const op = "sqlite.ListBreakGlass"
	rows, err := db.db.QueryContext(ctx, `SELECT id, user_id, session_id, reason, opened_at, until_at FROM break_glass WHERE opened_at >= ? ORDER BY opened_at DESC, id`, optUnix(since))
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.BreakGlass
	for rows.Next() {
		var b phigate.BreakGlass
		var opened, until int64
		if err := rows.Scan(&b.ID, &b.UserID, &b.SessionID, &b.Reason, &opened, &until); err != nil {
			return nil, scanErr(op, err)
		}
		b.OpenedAt, b.Until = timeOf(opened), timeOf(until)
		out = append(out, &b)
	}
	return out, rowsErr(op, rows)
}

// PutCustomRole creates or replaces a custom role.
func (db *DB) PutCustomRole(ctx context.Context, r *phigate.CustomRole) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = db.Now().UTC()
	}
	return db.execAuth(ctx, "sqlite.PutCustomRole", false, `INSERT INTO custom_roles (name, definition, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET definition = excluded.definition`, string(r.Name), string(r.Definition), unixOf(r.CreatedAt))
}

// ListCustomRoles returns the custom roles by name.
func (db *DB) ListCustomRoles(ctx context.Context) ([]*phigate.CustomRole, error) {
	const op = "sqlite.ListCustomRoles"
	rows, err := db.db.QueryContext(ctx, `SELECT name, definition, created_at FROM custom_roles ORDER BY name`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.CustomRole
	for rows.Next() {
		var r phigate.CustomRole
		var def string
		var created int64
		if err := rows.Scan(&r.Name, &def, &created); err != nil {
			return nil, scanErr(op, err)
		}
		r.Definition, r.CreatedAt = []byte(def), timeOf(created)
		out = append(out, &r)
	}
	return out, rowsErr(op, rows)
}

// DeleteCustomRole removes a custom role. Codes: ENOTFOUND.
func (db *DB) DeleteCustomRole(ctx context.Context, name phigate.Role) error {
	return db.execAuth(ctx, "sqlite.DeleteCustomRole", true, `DELETE FROM custom_roles WHERE name = ?`, string(name))
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && e.Code() == sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY
}
