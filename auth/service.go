// Package auth owns authentication in phigate: argon2id passwords and the
// password policy, TOTP and recovery codes, WebAuthn passkeys, server-side
// sessions with idle and absolute timeouts, API keys, OpenID Connect sign-in,
// lockout of accounts and sources, and the authorisation choke point
// (Guard) through which every access decision is audited before it takes
// effect. It implements phigate.Authenticator and phigate.Authorizer.
package auth

import (
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"sync"
	"time"

	phigate "github.com/phigate/phigate"
)

// Defaults.
const (
	DefaultIdleTimeout      = 15 * time.Minute
	DefaultAbsoluteTimeout  = 12 * time.Hour
	DefaultBreakGlassWindow = time.Hour
	// SessionCookie is the name of the session cookie.
	SessionCookie = "phigate_session"
)

// Store is what the service persists: users and credentials.
type Store interface {
	phigate.UserStore
	phigate.AuthStore
}

// Service signs users in and authenticates requests. Create it with
// NewService, set the exported fields, then call Open.
type Service struct {
	Store Store
	// Audit records every sign-in attempt, factor change and failure. Required.
	Audit phigate.AuditLog
	// Sealer seals TOTP secrets and break-glass reasons at rest. If nil they
	// are stored as they are (only for tests and development).
	Sealer phigate.Sealer
	// KnownRoles checks roles given to users and keys (policy.KnownRoles).
	// If nil, only the built-in roles are accepted.
	KnownRoles func([]phigate.Role) error

	Argon2            Argon2Params
	MinPasswordLength int
	TOTP              TOTP
	IdleTimeout       time.Duration
	AbsoluteTimeout   time.Duration
	BreakGlassWindow  time.Duration
	AccountLockout    Lockout
	SourceLockout     Lockout

	// WebAuthn configures passkeys; nil disables them.
	WebAuthn *WebAuthnConfig

	Now  func() time.Time // defaults to time.Now
	Rand io.Reader        // defaults to crypto/rand

	dummyHash  string // verified for unknown users so timing does not tell
	webauthn   *webauthnState
	mu         sync.Mutex
	ceremonies map[string]ceremony // WebAuthn challenges by session id
	oidc       *oidcState
	pending    map[string]pendingOIDC // OIDC sign-ins in progress by state
}

var _ phigate.Authenticator = (*Service)(nil)

// NewService returns a service with the default settings.
func NewService() *Service {
	return &Service{
		Argon2: DefaultArgon2, MinPasswordLength: DefaultMinPasswordLength, TOTP: DefaultTOTP,
		IdleTimeout: DefaultIdleTimeout, AbsoluteTimeout: DefaultAbsoluteTimeout,
		BreakGlassWindow: DefaultBreakGlassWindow,
		AccountLockout:   DefaultAccountLockout, SourceLockout: DefaultSourceLockout,
		Now: time.Now,
	}
}

// Open checks the settings and prepares the service. Codes: EINVALID.
func (s *Service) Open() error {
	const op = "auth.Service.Open"
	if s.Store == nil || s.Audit == nil {
		return phigate.Errorf(phigate.EINVALID, op, "store and audit log are required")
	}
	if err := s.Argon2.Validate(); err != nil {
		return err
	}
	if s.IdleTimeout <= 0 || s.AbsoluteTimeout < s.IdleTimeout || s.BreakGlassWindow <= 0 {
		return phigate.Errorf(phigate.EINVALID, op, "timeouts must be positive, absolute ≥ idle")
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	h, err := HashPassword(s.Argon2, s.Rand, "phigate-dummy-password")
	if err != nil {
		return fmt.Errorf("open auth: %w", err)
	}
	s.dummyHash = h
	s.ceremonies = map[string]ceremony{}
	s.pending = map[string]pendingOIDC{}
	if s.WebAuthn != nil {
		if err := s.openWebAuthn(); err != nil {
			return err
		}
	}
	return nil
}

// Close releases nothing today; it is here for the component pattern.
func (s *Service) Close() error { return nil }

func (s *Service) now() time.Time { return s.Now().UTC() }

// record writes one audit event; the caller must refuse what it could not
// record. Codes: EAUDIT.
func (s *Service) record(ctx context.Context, e *phigate.Event) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	if err := s.Audit.Record(ctx, e); err != nil {
		return phigate.E(phigate.EAUDIT, "auth.record", fmt.Errorf("record %s: %w", e.Action, err))
	}
	return nil
}

// alert records an alert event for the security officer; best effort on
// top of the event it accompanies.
func (s *Service) alert(ctx context.Context, kind, actor, source, reason string) {
	_ = s.record(ctx, &phigate.Event{Action: "alert." + kind, Actor: actor, Source: source,
		Outcome: phigate.OutcomeDenied, Reason: reason, Fields: map[string]string{"alert": kind}})
}

// SourceIP returns the address part of a client address ("ip:port" or "ip").
func SourceIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

var loginName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

func (s *Service) checkRoles(roles []phigate.Role) error {
	if s.KnownRoles != nil {
		return s.KnownRoles(roles)
	}
	for _, r := range roles {
		known := false
		for _, b := range phigate.Roles {
			known = known || r == b
		}
		if !known {
			return phigate.Errorf(phigate.EINVALID, "auth.checkRoles", "unknown role %q", r)
		}
	}
	return nil
}
