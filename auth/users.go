package auth

import (
	"context"
	"fmt"

	phigate "github.com/phigate/phigate"
)

// CreateUser adds a user. It returns the one-time password when one was
// generated. Codes: EINVALID, ECONFLICT, EAUDIT.
func (s *Service) CreateUser(ctx context.Context, by string, nu phigate.NewUser) (*phigate.User, string, error) {
	const op = "auth.CreateUser"
	if !loginName.MatchString(nu.Name) {
		return nil, "", phigate.Errorf(phigate.EINVALID, op, "name must match %s", loginName)
	}
	if err := s.checkRoles(nu.Roles); err != nil {
		return nil, "", err
	}
	pw, generated := nu.Password, false
	if pw == "" {
		var err error
		if pw, err = s.OneTimePassword(); err != nil {
			return nil, "", err
		}
		generated = true
	} else if err := CheckPassword(pw, nu.Name, s.MinPasswordLength); err != nil {
		return nil, "", err
	}
	u, err := s.newUser(nu, pw)
	if err != nil {
		return nil, "", err
	}
	u.MustChangePassword = generated || !nu.Permanent
	if err := s.record(ctx, &phigate.Event{Action: "user.create", Actor: by, Resource: "user:" + u.ID, Outcome: phigate.OutcomeSuccess}); err != nil {
		return nil, "", err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, "", fmt.Errorf("create user: %w", err)
	}
	if !generated {
		pw = ""
	}
	return u, pw, nil
}

func (s *Service) newUser(nu phigate.NewUser, pw string) (*phigate.User, error) {
	id, err := newID(s.Rand, "u_")
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(s.Argon2, s.Rand, pw)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &phigate.User{ID: id, Name: nu.Name, PasswordHash: hash, Roles: nu.Roles, CreatedAt: now, UpdatedAt: now}, nil
}

// OneTimePassword returns a random password that passes the policy: four
// groups of five characters from an unambiguous alphabet (about 100 bits).
func (s *Service) OneTimePassword() (string, error) {
	b, err := randomBytes(s.Rand, 15)
	if err != nil {
		return "", err
	}
	t := recoveryAlphabet.EncodeToString(b) // 24 characters
	return t[0:5] + "-" + t[5:10] + "-" + t[10:15] + "-" + t[15:20], nil
}

// ResetPassword gives a user a new one-time password (returned) that must be
// changed at next sign-in, and ends the user's sessions. Codes: ENOTFOUND,
// EAUDIT.
func (s *Service) ResetPassword(ctx context.Context, by, userID string) (string, error) {
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("reset password: %w", err)
	}
	pw, err := s.OneTimePassword()
	if err != nil {
		return "", err
	}
	if u.PasswordHash, err = HashPassword(s.Argon2, s.Rand, pw); err != nil {
		return "", err
	}
	u.MustChangePassword = true
	if err := s.updateAndLogout(ctx, by, "user.reset_password", u); err != nil {
		return "", err
	}
	return pw, nil
}

// ChangePassword changes the principal's own password after checking the
// current one, clears MustChangePassword and ends every session of the
// user; it returns a fresh session token for the caller (with the same MFA
// state). Codes: EUNAUTHENTICATED (wrong current password), EINVALID
// (policy), EAUDIT.
func (s *Service) ChangePassword(ctx context.Context, p *phigate.Principal, current, next, source string) (string, error) {
	const op = "auth.ChangePassword"
	if p == nil || p.UserID == "" || p.APIKeyID != "" {
		return "", phigate.Errorf(phigate.EUNAUTHENTICATED, op, "a signed-in user is required")
	}
	u, err := s.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return "", fmt.Errorf("change password: %w", err)
	}
	if !VerifyPassword(u.PasswordHash, current) {
		_ = s.record(ctx, &phigate.Event{Action: "user.change_password", Actor: u.ID, Source: source, Outcome: phigate.OutcomeDenied, Reason: phigate.EUNAUTHENTICATED})
		return "", phigate.Errorf(phigate.EUNAUTHENTICATED, op, "current password rejected")
	}
	if err := CheckPassword(next, u.Name, s.MinPasswordLength); err != nil {
		return "", err
	}
	if next == current {
		return "", phigate.Errorf(phigate.EINVALID, op, "new password equals the current one")
	}
	if u.PasswordHash, err = HashPassword(s.Argon2, s.Rand, next); err != nil {
		return "", err
	}
	u.MustChangePassword = false
	if err := s.updateAndLogout(ctx, u.ID, "user.change_password", u); err != nil {
		return "", err
	}
	token, _, err := s.newSession(ctx, u.ID, source, p.MFA)
	return token, err
}

// updateAndLogout audits, stores u and ends all its sessions.
func (s *Service) updateAndLogout(ctx context.Context, by, action string, u *phigate.User) error {
	if err := s.record(ctx, &phigate.Event{Action: action, Actor: by, Resource: "user:" + u.ID, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	u.UpdatedAt = s.now()
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if _, err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// SetDisabled disables or re-enables a user. Disabling ends the user's
// sessions; users are never deleted, so the audit log keeps its meaning.
// Codes: ENOTFOUND, EAUDIT.
func (s *Service) SetDisabled(ctx context.Context, by, userID string, disabled bool) (*phigate.User, error) {
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("set disabled: %w", err)
	}
	u.Disabled = disabled
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	if err := s.updateAndLogout(ctx, by, action, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetRoles replaces a user's roles and ends their sessions so the new roles
// apply at once. Codes: ENOTFOUND, EINVALID, EAUDIT.
func (s *Service) SetRoles(ctx context.Context, by, userID string, roles []phigate.Role) (*phigate.User, error) {
	if err := s.checkRoles(roles); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("set roles: %w", err)
	}
	u.Roles = roles
	if err := s.updateAndLogout(ctx, by, "user.set_roles", u); err != nil {
		return nil, err
	}
	return u, nil
}

// ResetMFA removes every second factor of a user (TOTP, recovery codes,
// passkeys) and ends their sessions; the user must enrol again. Codes:
// ENOTFOUND, EAUDIT.
func (s *Service) ResetMFA(ctx context.Context, by, userID string) error {
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return fmt.Errorf("reset mfa: %w", err)
	}
	if err := s.record(ctx, &phigate.Event{Action: "user.reset_mfa", Actor: by, Resource: "user:" + u.ID, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	for _, f := range []func() error{
		func() error { return s.Store.DeleteTOTP(ctx, u.ID) },
		func() error { return s.Store.ReplaceRecoveryCodes(ctx, u.ID, nil) },
		func() error { return s.Store.DeleteWebAuthnCredentials(ctx, u.ID) },
		func() error { _, err := s.Store.DeleteUserSessions(ctx, u.ID); return err },
	} {
		if err := f(); err != nil {
			return fmt.Errorf("reset mfa: %w", err)
		}
	}
	return nil
}

// UserByName resolves a login name or a user id. Codes: ENOTFOUND.
func (s *Service) UserByName(ctx context.Context, nameOrID string) (*phigate.User, error) {
	u, err := s.Store.UserByName(ctx, nameOrID)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return s.Store.UserByID(ctx, nameOrID)
	}
	return u, err
}

// ListUsers returns every user by name.
func (s *Service) ListUsers(ctx context.Context) ([]*phigate.User, error) {
	return s.Store.ListUsers(ctx)
}

// ListAPIKeys returns the keys of an owner, or all with ownerID "".
func (s *Service) ListAPIKeys(ctx context.Context, ownerID string) ([]*phigate.APIKey, error) {
	return s.Store.ListAPIKeys(ctx, ownerID)
}

// CSRFToken returns the anti-forgery token of a session token.
func (s *Service) CSRFToken(sessionToken string) string { return CSRFToken(sessionToken) }
