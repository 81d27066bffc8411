package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	phigate "github.com/phigate/phigate"
)

// Login checks a name and password from source, subject to lockout of the
// account and of the source. Every attempt is audited; failures also raise
// an alert event. The session it opens has MFA unset: the user verifies a
// factor (or enrols one) next. Codes: EUNAUTHENTICATED (one message for an
// unknown user, a wrong password or a disabled account), ELOCKED,
// ERATELIMIT, EAUDIT.
func (s *Service) Login(ctx context.Context, name, password, source string) (*phigate.LoginResult, error) {
	src := SourceIP(source)
	u, err := s.Store.UserByName(ctx, name)
	if err != nil && phigate.ErrorCode(err) != phigate.ENOTFOUND {
		return nil, fmt.Errorf("login: %w", err)
	}
	actor := ""
	if u != nil {
		actor = u.ID
	}
	if err := s.checkLockout(ctx, actor, src); err != nil {
		_ = s.record(ctx, &phigate.Event{Action: "auth.login", Actor: actor, Source: src, Outcome: phigate.OutcomeDenied, Reason: phigate.ErrorCode(err)})
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok := VerifyPassword(hash, password) && u != nil && !u.Disabled
	if !ok {
		return nil, s.loginFailed(ctx, actor, src, "auth.login")
	}
	if err := s.loginSucceeded(ctx, u, password, src); err != nil {
		return nil, err
	}
	token, sess, err := s.newSession(ctx, u.ID, src, false)
	if err != nil {
		return nil, err
	}
	enrolled, err := s.MFAEnrolled(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &phigate.LoginResult{Token: token, Session: sess, User: u, MFAEnrolled: enrolled}, nil
}

func (s *Service) loginSucceeded(ctx context.Context, u *phigate.User, password, src string) error {
	if err := s.record(ctx, &phigate.Event{Action: "auth.login", Actor: u.ID, Source: src, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	if err := s.Store.ClearLoginFailure(ctx, "user:"+u.ID); err != nil {
		return fmt.Errorf("clear failures: %w", err)
	}
	if NeedsRehash(u.PasswordHash, s.Argon2) {
		if h, err := HashPassword(s.Argon2, s.Rand, password); err == nil {
			u.PasswordHash, u.UpdatedAt = h, s.now()
			_ = s.Store.UpdateUser(ctx, u) // best effort: the old hash still works
		}
	}
	return nil
}

// checkLockout refuses attempts for a locked or slowed account or source.
func (s *Service) checkLockout(ctx context.Context, userID, src string) error {
	if userID != "" {
		f, err := s.Store.LoginFailure(ctx, "user:"+userID)
		if err != nil {
			return fmt.Errorf("check lockout: %w", err)
		}
		if err := s.AccountLockout.Check(f, s.now()); err != nil {
			return err
		}
	}
	f, err := s.Store.LoginFailure(ctx, "source:"+src)
	if err != nil {
		return fmt.Errorf("check lockout: %w", err)
	}
	return s.SourceLockout.Check(f, s.now())
}

// loginFailed counts a failure against the account and the source, audits
// it and raises an alert; it returns the error to give the caller.
func (s *Service) loginFailed(ctx context.Context, userID, src, action string) error {
	locked := false
	if userID != "" {
		l, err := s.countFailure(ctx, s.AccountLockout, "user:"+userID)
		if err != nil {
			return err
		}
		locked = l
	}
	l, err := s.countFailure(ctx, s.SourceLockout, "source:"+src)
	if err != nil {
		return err
	}
	locked = locked || l
	if err := s.record(ctx, &phigate.Event{Action: action, Actor: userID, Source: src, Outcome: phigate.OutcomeDenied, Reason: phigate.EUNAUTHENTICATED}); err != nil {
		return err
	}
	s.alert(ctx, "login_failed", userID, src, phigate.EUNAUTHENTICATED)
	if locked {
		s.alert(ctx, "lockout", userID, src, phigate.ELOCKED)
	}
	return phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.Login", "credentials rejected")
}

func (s *Service) countFailure(ctx context.Context, l Lockout, key string) (bool, error) {
	f, err := s.Store.LoginFailure(ctx, key)
	if err != nil {
		return false, fmt.Errorf("count failure: %w", err)
	}
	next, locked := l.Fail(f, key, s.now())
	if err := s.Store.PutLoginFailure(ctx, next); err != nil {
		return false, fmt.Errorf("count failure: %w", err)
	}
	return locked, nil
}

// newSession stores a session and returns its token.
func (s *Service) newSession(ctx context.Context, userID, src string, mfa bool) (string, *phigate.Session, error) {
	token, err := newToken(s.Rand)
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	sess := &phigate.Session{ID: HashToken(token), UserID: userID, Source: src, CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(s.AbsoluteTimeout), MFA: mfa}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return token, sess, nil
}

// Logout ends the session of token. Unknown tokens are ignored.
func (s *Service) Logout(ctx context.Context, token, source string) error {
	sess, err := s.Store.SessionByID(ctx, HashToken(token))
	if err != nil {
		return nil
	}
	_ = s.record(ctx, &phigate.Event{Action: "auth.logout", Actor: sess.UserID, Source: SourceIP(source), Outcome: phigate.OutcomeSuccess})
	return s.Store.DeleteSession(ctx, sess.ID)
}

// touchEvery bounds how often a session's last activity is written.
const touchEvery = 15 * time.Second

// CSRFToken returns the anti-forgery token of a session: derived from the
// session token, so it needs no storage and dies with the session.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("phigate-csrf:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// safeMethod reports whether an HTTP method changes nothing. An unknown
// (empty) method is not safe: CSRF is then required.
func safeMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "GET", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// Authenticate implements phigate.Authenticator: an API key if one is
// presented, else the session token. Codes: EUNAUTHENTICATED, EFORBIDDEN.
func (s *Service) Authenticate(ctx context.Context, c phigate.Credential) (*phigate.Principal, error) {
	switch {
	case c.APIKey != "":
		return s.authenticateKey(ctx, c)
	case c.SessionToken != "":
		return s.authenticateSession(ctx, c)
	}
	return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.Authenticate", "no credential")
}

func (s *Service) authenticateSession(ctx context.Context, c phigate.Credential) (*phigate.Principal, error) {
	const op = "auth.Authenticate"
	sess, err := s.session(ctx, c.SessionToken)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil || u.Disabled {
		_ = s.Store.DeleteSession(ctx, sess.ID)
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "user unknown or disabled")
	}
	if !safeMethod(c.Method) && !EqualHash(CSRFToken(c.SessionToken), c.CSRFToken) {
		return nil, phigate.Errorf(phigate.EFORBIDDEN, op, "missing or wrong CSRF token")
	}
	if now := s.now(); now.Sub(sess.LastSeenAt) >= touchEvery {
		// Recording activity at most every touchEvery can only end an idle
		// session earlier, never later.
		sess.LastSeenAt = now
		if err := s.Store.UpdateSession(ctx, sess); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	p := &phigate.Principal{UserID: u.ID, Name: u.Name, SessionID: sess.ID, Roles: u.Roles, MFA: sess.MFA,
		BreakGlassUntil: sess.BreakGlassUntil}
	if u.MustChangePassword {
		p.Roles, p.MustChangePassword = nil, true
	}
	return p, nil
}

// session returns the live session of token, ending it if it has passed its
// idle or absolute timeout. Codes: EUNAUTHENTICATED.
func (s *Service) session(ctx context.Context, token string) (*phigate.Session, error) {
	const op = "auth.session"
	sess, err := s.Store.SessionByID(ctx, HashToken(token))
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "unknown session")
	} else if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.IdleTimeout {
		_ = s.Store.DeleteSession(ctx, sess.ID)
		_ = s.record(ctx, &phigate.Event{Action: "auth.logoff", Actor: sess.UserID, Outcome: phigate.OutcomeSuccess, Reason: "timeout"})
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "session expired")
	}
	return sess, nil
}
