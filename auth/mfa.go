package auth

import (
	"context"
	"fmt"

	phigate "github.com/phigate/phigate"
)

// MFAStatusOf returns a user's factors.
func (s *Service) MFAStatusOf(ctx context.Context, userID string) (phigate.MFAStatus, error) {
	var m phigate.MFAStatus
	t, err := s.Store.TOTPByUser(ctx, userID)
	if err != nil && phigate.ErrorCode(err) != phigate.ENOTFOUND {
		return m, fmt.Errorf("mfa status: %w", err)
	}
	m.TOTP = err == nil && !t.ConfirmedAt.IsZero()
	if m.RecoveryCodes, err = s.Store.CountRecoveryCodes(ctx, userID); err != nil {
		return m, fmt.Errorf("mfa status: %w", err)
	}
	creds, err := s.Store.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return m, fmt.Errorf("mfa status: %w", err)
	}
	m.Passkeys = len(creds)
	return m, nil
}

// MFAEnrolled reports whether a user has a second factor.
func (s *Service) MFAEnrolled(ctx context.Context, userID string) (bool, error) {
	m, err := s.MFAStatusOf(ctx, userID)
	return m.Enrolled(), err
}

// mayEnrol allows adding a factor to a session that verified one, or to a
// user who has none yet (first enrolment after the password). A session
// with only a password cannot add a factor to an enrolled account.
// Codes: EUNAUTHENTICATED, EMFAREQUIRED.
func (s *Service) mayEnrol(ctx context.Context, p *phigate.Principal) error {
	if p == nil || p.SessionID == "" {
		return phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.mayEnrol", "a signed-in session is required")
	}
	if p.MustChangePassword {
		return phigate.Errorf(phigate.EFORBIDDEN, "auth.mayEnrol", "change the one-time password first")
	}
	if p.MFA {
		return nil
	}
	enrolled, err := s.MFAEnrolled(ctx, p.UserID)
	if err != nil {
		return err
	}
	if enrolled {
		return phigate.Errorf(phigate.EMFAREQUIRED, "auth.mayEnrol", "verify the existing factor first")
	}
	return nil
}

// BeginTOTP starts TOTP enrolment: it stores a new unconfirmed secret and
// returns it (base32) with its otpauth:// URI. Codes: EMFAREQUIRED.
func (s *Service) BeginTOTP(ctx context.Context, p *phigate.Principal) (secret, uri string, err error) {
	if err := s.mayEnrol(ctx, p); err != nil {
		return "", "", err
	}
	raw, uri, err := s.TOTP.NewSecret(s.Rand, p.Name)
	if err != nil {
		return "", "", err
	}
	sealed, err := s.seal(ctx, p.UserID, phigate.Place{Table: "totp", Row: p.UserID, Field: "secret"}, raw)
	if err != nil {
		return "", "", err
	}
	if err := s.Store.PutTOTP(ctx, &phigate.TOTPSecret{UserID: p.UserID, Secret: sealed}); err != nil {
		return "", "", fmt.Errorf("begin totp: %w", err)
	}
	return b32.EncodeToString(raw), uri, nil
}

// ConfirmTOTP finishes enrolment with a first code. It marks the session as
// MFA-verified and returns ten fresh recovery codes, shown once. Codes:
// EUNAUTHENTICATED (wrong code), ENOTFOUND (no enrolment begun), EAUDIT.
func (s *Service) ConfirmTOTP(ctx context.Context, p *phigate.Principal, code, source string) ([]string, error) {
	if err := s.mayEnrol(ctx, p); err != nil {
		return nil, err
	}
	t, err := s.Store.TOTPByUser(ctx, p.UserID)
	if err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	step, err := s.checkTOTP(ctx, p, t, code, source, "mfa.totp_enrol")
	if err != nil {
		return nil, err
	}
	t.ConfirmedAt, t.LastStep = s.now(), step
	if err := s.Store.PutTOTP(ctx, t); err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	codes, err := s.NewRecoveryCodes(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return codes, s.markMFA(ctx, p)
}

// VerifyTOTP checks a code for the session's user and marks the session as
// MFA-verified. A code (or an earlier one) cannot be used twice. Failures
// count towards lockout. Codes: EUNAUTHENTICATED, ELOCKED, ERATELIMIT,
// EAUDIT.
func (s *Service) VerifyTOTP(ctx context.Context, p *phigate.Principal, code, source string) error {
	if p == nil || p.SessionID == "" {
		return phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.VerifyTOTP", "a signed-in session is required")
	}
	t, err := s.Store.TOTPByUser(ctx, p.UserID)
	if err != nil || t.ConfirmedAt.IsZero() {
		return phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.VerifyTOTP", "no TOTP enrolled")
	}
	if _, err := s.checkTOTP(ctx, p, t, code, source, "mfa.totp"); err != nil {
		return err
	}
	return s.markMFA(ctx, p)
}

// checkTOTP verifies code under lockout, advances the stored step
// atomically (so two requests cannot both use one code) and audits.
func (s *Service) checkTOTP(ctx context.Context, p *phigate.Principal, t *phigate.TOTPSecret, code, source, action string) (int64, error) {
	src := SourceIP(source)
	if err := s.checkLockout(ctx, p.UserID, src); err != nil {
		return 0, err
	}
	raw, err := s.open(ctx, p.UserID, phigate.Place{Table: "totp", Row: p.UserID, Field: "secret"}, t.Secret)
	if err != nil {
		return 0, err
	}
	step, err := s.TOTP.Verify(raw, code, s.now(), t.LastStep)
	if err == nil && !t.ConfirmedAt.IsZero() {
		if err = s.Store.AdvanceTOTP(ctx, p.UserID, step); phigate.ErrorCode(err) == phigate.ECONFLICT {
			err = phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.checkTOTP", "code already used")
		}
	}
	if err != nil {
		if phigate.ErrorCode(err) != phigate.EUNAUTHENTICATED {
			return 0, err
		}
		return 0, s.loginFailed(ctx, p.UserID, src, action)
	}
	return step, s.record(ctx, &phigate.Event{Action: action, Actor: p.UserID, Source: src, Outcome: phigate.OutcomeSuccess})
}

// markMFA records that the principal's session verified a second factor.
func (s *Service) markMFA(ctx context.Context, p *phigate.Principal) error {
	sess, err := s.Store.SessionByID(ctx, p.SessionID)
	if err != nil {
		return fmt.Errorf("mark mfa: %w", err)
	}
	sess.MFA = true
	if err := s.Store.UpdateSession(ctx, sess); err != nil {
		return fmt.Errorf("mark mfa: %w", err)
	}
	p.MFA = true
	return s.Store.ClearLoginFailure(ctx, "user:"+p.UserID)
}

// NewRecoveryCodes replaces a user's recovery codes and returns the new
// ones, to be shown once.
func (s *Service) NewRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	codes, hashes, err := NewRecoveryCodes(s.Rand)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ReplaceRecoveryCodes(ctx, userID, hashes); err != nil {
		return nil, fmt.Errorf("new recovery codes: %w", err)
	}
	return codes, nil
}

// VerifyRecoveryCode uses up one recovery code as the second factor.
// Codes: EUNAUTHENTICATED, ELOCKED, ERATELIMIT, EAUDIT.
func (s *Service) VerifyRecoveryCode(ctx context.Context, p *phigate.Principal, code, source string) error {
	if p == nil || p.SessionID == "" {
		return phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.VerifyRecoveryCode", "a signed-in session is required")
	}
	src := SourceIP(source)
	if err := s.checkLockout(ctx, p.UserID, src); err != nil {
		return err
	}
	err := s.Store.UseRecoveryCode(ctx, p.UserID, HashRecoveryCode(code), s.now())
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return s.loginFailed(ctx, p.UserID, src, "mfa.recovery_code")
	} else if err != nil {
		return fmt.Errorf("verify recovery code: %w", err)
	}
	if err := s.record(ctx, &phigate.Event{Action: "mfa.recovery_code", Actor: p.UserID, Source: src, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	return s.markMFA(ctx, p)
}

// seal seals a secret of a user when a Sealer is configured.
func (s *Service) seal(ctx context.Context, userID string, place phigate.Place, b []byte) ([]byte, error) {
	if s.Sealer == nil {
		return b, nil
	}
	out, err := s.Sealer.Seal(ctx, "user:"+userID, place, b)
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", place.Field, err)
	}
	return out, nil
}

func (s *Service) open(ctx context.Context, userID string, place phigate.Place, b []byte) ([]byte, error) {
	if s.Sealer == nil {
		return b, nil
	}
	out, err := s.Sealer.Open(ctx, "user:"+userID, place, b)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", place.Field, err)
	}
	return out, nil
}
