package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/phigate/phigate"
)

const sessionColumns = `id, user_id, source, created_at, last_seen_at, expires_at, mfa, break_glass_until`

// CreateSession inserts ses. Codes: ECONFLICT.
func (s *Store) CreateSession(ctx context.Context, ses *phigate.Session) error {
	return s.execOne(ctx, "CreateSession", false, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ses.ID, ses.UserID, ses.Source, UnixOf(ses.CreatedAt), UnixOf(ses.LastSeenAt), UnixOf(ses.ExpiresAt), ses.MFA, OptUnix(ses.BreakGlassUntil))
}

// SessionByID returns a session. Codes: ENOTFOUND.
func (s *Store) SessionByID(ctx context.Context, id string) (*phigate.Session, error) {
	var ses phigate.Session
	var created, seen, expires, glass int64
	err := s.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id).
		Scan(&ses.ID, &ses.UserID, &ses.Source, &created, &seen, &expires, &ses.MFA, &glass)
	if err != nil {
		return nil, s.scanErr("SessionByID", err)
	}
	ses.CreatedAt, ses.LastSeenAt, ses.ExpiresAt, ses.BreakGlassUntil = TimeOf(created), TimeOf(seen), TimeOf(expires), OptTime(glass)
	return &ses, nil
}

// UpdateSession replaces the mutable fields of ses. Codes: ENOTFOUND.
func (s *Store) UpdateSession(ctx context.Context, ses *phigate.Session) error {
	return s.execOne(ctx, "UpdateSession", true, `UPDATE sessions SET last_seen_at = ?, expires_at = ?, mfa = ?, break_glass_until = ? WHERE id = ?`,
		UnixOf(ses.LastSeenAt), UnixOf(ses.ExpiresAt), ses.MFA, OptUnix(ses.BreakGlassUntil), ses.ID)
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.execOne(ctx, "DeleteSession", false, `DELETE FROM sessions WHERE id = ?`, id)
}

// DeleteUserSessions removes every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, s.fail("DeleteUserSessions", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const apiKeyColumns = `id, name, owner_id, hash, roles, purposes, routes, cidrs, expires_at, created_at, last_used_at, revoked_at`

// CreateAPIKey inserts k. Codes: ECONFLICT.
func (s *Store) CreateAPIKey(ctx context.Context, k *phigate.APIKey) error {
	return s.execOne(ctx, "CreateAPIKey", false, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.OwnerID, k.Hash, jsonText(k.Roles), jsonText(k.Purposes), jsonText(k.Routes), jsonText(k.CIDRs),
		OptUnix(k.ExpiresAt), UnixOf(k.CreatedAt), OptUnix(k.LastUsedAt), OptUnix(k.RevokedAt))
}

func (s *Store) scanAPIKey(r scanner, op string) (*phigate.APIKey, error) {
	var k phigate.APIKey
	var roles, purposes, routes, cidrs string
	var expires, created, used, revoked int64
	if err := r.Scan(&k.ID, &k.Name, &k.OwnerID, &k.Hash, &roles, &purposes, &routes, &cidrs, &expires, &created, &used, &revoked); err != nil {
		return nil, s.scanErr(op, err)
	}
	for _, f := range []struct {
		s string
		v any
	}{{roles, &k.Roles}, {purposes, &k.Purposes}, {routes, &k.Routes}, {cidrs, &k.CIDRs}} {
		if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
			return nil, s.e(phigate.EINTERNAL, op, fmt.Errorf("decode key lists: %w", err))
		}
	}
	k.ExpiresAt, k.CreatedAt, k.LastUsedAt, k.RevokedAt = OptTime(expires), TimeOf(created), OptTime(used), OptTime(revoked)
	return &k, nil
}

// APIKeyByHash returns a key by the hash of its secret. Codes: ENOTFOUND.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*phigate.APIKey, error) {
	return s.scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, hash), "APIKeyByHash")
}

// APIKeyByID returns a key. Codes: ENOTFOUND.
func (s *Store) APIKeyByID(ctx context.Context, id string) (*phigate.APIKey, error) {
	return s.scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id), "APIKeyByID")
}

// ListAPIKeys returns keys by creation time; ownerID "" lists all.
func (s *Store) ListAPIKeys(ctx context.Context, ownerID string) ([]*phigate.APIKey, error) {
	return list(ctx, s, "ListAPIKeys", s.scanAPIKey, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE ? = '' OR owner_id = ? ORDER BY created_at, id`, ownerID, ownerID)
}

// RevokeAPIKey sets the revocation time. Codes: ENOTFOUND.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "RevokeAPIKey", true, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, UnixOf(at), id)
}

// TouchAPIKey records a use of a key.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "TouchAPIKey", false, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, UnixOf(at), id)
}

// PutTOTP creates or replaces a user's TOTP secret.
func (s *Store) PutTOTP(ctx context.Context, t *phigate.TOTPSecret) error {
	return s.execOne(ctx, "PutTOTP", false, `INSERT INTO totp_secrets (user_id, secret, last_step, confirmed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = excluded.last_step, confirmed_at = excluded.confirmed_at`,
		t.UserID, t.Secret, t.LastStep, OptUnix(t.ConfirmedAt))
}

// TOTPByUser returns a user's TOTP secret. Codes: ENOTFOUND.
func (s *Store) TOTPByUser(ctx context.Context, userID string) (*phigate.TOTPSecret, error) {
	t := phigate.TOTPSecret{UserID: userID}
	var confirmed int64
	err := s.queryRow(ctx, `SELECT secret, last_step, confirmed_at FROM totp_secrets WHERE user_id = ?`, userID).
		Scan(&t.Secret, &t.LastStep, &confirmed)
	if err != nil {
		return nil, s.scanErr("TOTPByUser", err)
	}
	t.ConfirmedAt = OptTime(confirmed)
	return &t, nil
}

// AdvanceTOTP moves the last used step forward only. Codes: ECONFLICT.
func (s *Store) AdvanceTOTP(ctx context.Context, userID string, step int64) error {
	err := s.execOne(ctx, "AdvanceTOTP", true, `UPDATE totp_secrets SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return s.errorf(phigate.ECONFLICT, "AdvanceTOTP", "step already used")
	}
	return err
}

// DeleteTOTP removes a user's TOTP secret.
func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	return s.execOne(ctx, "DeleteTOTP", false, `DELETE FROM totp_secrets WHERE user_id = ?`, userID)
}

// ReplaceRecoveryCodes drops a user's codes and stores new ones, atomically.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	const op = "ReplaceRecoveryCodes"
	tx, err := s.begin(ctx, op)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return s.fail(op, err)
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
			return s.fail(op, err)
		}
	}
	return tx.commit(op)
}

// UseRecoveryCode marks an unused code used. Codes: ENOTFOUND.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error {
	return s.execOne(ctx, "UseRecoveryCode", true, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at = 0`, UnixOf(at), userID, hash)
}

// CountRecoveryCodes returns the number of unused codes.
func (s *Store) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, userID).Scan(&n)
	if err != nil {
		return 0, s.scanErr("CountRecoveryCodes", err)
	}
	return n, nil
}

// CreateWebAuthnCredential inserts c. Codes: ECONFLICT.
func (s *Store) CreateWebAuthnCredential(ctx context.Context, c *phigate.WebAuthnCredential) error {
	return s.execOne(ctx, "CreateWebAuthnCredential", false, `INSERT INTO webauthn_credentials (id, user_id, name, data, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.UserID, c.Name, c.Data, UnixOf(c.CreatedAt), OptUnix(c.LastUsedAt))
}

// WebAuthnCredentials returns a user's credentials by creation time.
func (s *Store) WebAuthnCredentials(ctx context.Context, userID string) ([]*phigate.WebAuthnCredential, error) {
	return list(ctx, s, "WebAuthnCredentials", s.scanWebAuthn, `SELECT id, user_id, name, data, created_at, last_used_at
		FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at`, userID)
}

func (s *Store) scanWebAuthn(r scanner, op string) (*phigate.WebAuthnCredential, error) {
	var c phigate.WebAuthnCredential
	var created, used int64
	if err := r.Scan(&c.ID, &c.UserID, &c.Name, &c.Data, &created, &used); err != nil {
		return nil, s.scanErr(op, err)
	}
	c.CreatedAt, c.LastUsedAt = TimeOf(created), OptTime(used)
	return &c, nil
}

// UpdateWebAuthnCredential replaces Data and LastUsedAt. Codes: ENOTFOUND.
func (s *Store) UpdateWebAuthnCredential(ctx context.Context, c *phigate.WebAuthnCredential) error {
	return s.execOne(ctx, "UpdateWebAuthnCredential", true, `UPDATE webauthn_credentials SET data = ?, last_used_at = ? WHERE id = ?`,
		c.Data, OptUnix(c.LastUsedAt), c.ID)
}

// DeleteWebAuthnCredentials removes every credential of a user.
func (s *Store) DeleteWebAuthnCredentials(ctx context.Context, userID string) error {
	return s.execOne(ctx, "DeleteWebAuthnCredentials", false, `DELETE FROM webauthn_credentials WHERE user_id = ?`, userID)
}

// LoginFailure returns the failures counted for a key, nil when none.
func (s *Store) LoginFailure(ctx context.Context, key string) (*phigate.LoginFailure, error) {
	f := phigate.LoginFailure{Key: key}
	var last, locked int64
	err := s.queryRow(ctx, `SELECT failures, last_failure, locked_until FROM login_failures WHERE lock_key = ?`, key).
		Scan(&f.Failures, &last, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, s.scanErr("LoginFailure", err)
	}
	f.LastFailure, f.LockedUntil = TimeOf(last), OptTime(locked)
	return &f, nil
}

// PutLoginFailure stores the failures of a key.
func (s *Store) PutLoginFailure(ctx context.Context, f *phigate.LoginFailure) error {
	return s.execOne(ctx, "PutLoginFailure", false, `INSERT INTO login_failures (lock_key, failures, last_failure, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (lock_key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, locked_until = excluded.locked_until`,
		f.Key, f.Failures, UnixOf(f.LastFailure), OptUnix(f.LockedUntil))
}

// ClearLoginFailure forgets the failures of a key.
func (s *Store) ClearLoginFailure(ctx context.Context, key string) error {
	return s.execOne(ctx, "ClearLoginFailure", false, `DELETE FROM login_failures WHERE lock_key = ?`, key)
}

// LinkIdentity maps an external identity to a user. Codes: ECONFLICT.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	return s.execOne(ctx, "LinkIdentity", false, `INSERT INTO user_identities (issuer, subject, user_id) VALUES (?, ?, ?)`, issuer, subject, userID)
}

// IdentityUser returns the user linked to an identity. Codes: ENOTFOUND.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	var id string
	err := s.queryRow(ctx, `SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&id)
	if err != nil {
		return "", s.scanErr("IdentityUser", err)
	}
	return id, nil
}

// CreateBreakGlass records an emergency-access window.
func (s *Store) CreateBreakGlass(ctx context.Context, b *phigate.BreakGlass) error {
	return s.execOne(ctx, "CreateBreakGlass", false, `INSERT INTO break_glass (id, user_id, session_id, reason, opened_at, until_at) VALUES (?, ?, ?, ?, ?, ?)`,
		b.ID, b.UserID, b.SessionID, b.Reason, UnixOf(b.OpenedAt), UnixOf(b.Until))
}

// ListBreakGlass returns windows opened at or after since, newest first.
func (s *Store) ListBreakGlass(ctx context.Context, since time.Time) ([]*phigate.BreakGlass, error) {
	return list(ctx, s, "ListBreakGlass", s.scanBreakGlass, `SELECT id, user_id, session_id, reason, opened_at, until_at
		FROM break_glass WHERE opened_at >= ? ORDER BY opened_at DESC, id`, OptUnix(since))
}

func (s *Store) scanBreakGlass(r scanner, op string) (*phigate.BreakGlass, error) {
	var b phigate.BreakGlass
	var opened, until int64
	if err := r.Scan(&b.ID, &b.UserID, &b.SessionID, &b.Reason, &opened, &until); err != nil {
		return nil, s.scanErr(op, err)
	}
	b.OpenedAt, b.Until = TimeOf(opened), TimeOf(until)
	return &b, nil
}

// PutCustomRole creates or replaces a custom role.
func (s *Store) PutCustomRole(ctx context.Context, r *phigate.CustomRole) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now().UTC()
	}
	return s.execOne(ctx, "PutCustomRole", false, `INSERT INTO custom_roles (name, definition, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET definition = excluded.definition`, string(r.Name), string(r.Definition), UnixOf(r.CreatedAt))
}

// ListCustomRoles returns the custom roles by name.
func (s *Store) ListCustomRoles(ctx context.Context) ([]*phigate.CustomRole, error) {
	return list(ctx, s, "ListCustomRoles", s.scanCustomRole, `SELECT name, definition, created_at FROM custom_roles ORDER BY name`)
}

func (s *Store) scanCustomRole(r scanner, op string) (*phigate.CustomRole, error) {
	var c phigate.CustomRole
	var def string
	var created int64
	if err := r.Scan(&c.Name, &def, &created); err != nil {
		return nil, s.scanErr(op, err)
	}
	c.Definition, c.CreatedAt = []byte(def), TimeOf(created)
	return &c, nil
}

// DeleteCustomRole removes a custom role. Codes: ENOTFOUND.
func (s *Store) DeleteCustomRole(ctx context.Context, name phigate.Role) error {
	return s.execOne(ctx, "DeleteCustomRole", true, `DELETE FROM custom_roles WHERE name = ?`, string(name))
}
