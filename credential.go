package phigate

import (
	"context"
	"time"
)

// Session is a signed-in browser or CLI session. Its ID is the SHA-256 of
// the opaque token held by the client: the token itself is never stored.
type Session struct {
	ID         string    `json:"-"`
	UserID     string    `json:"user_id"`
	Source     string    `json:"source"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time `json:"expires_at"`
	// MFA reports that a second factor was verified (or asserted by the IdP).
	MFA bool `json:"mfa"`
	// BreakGlassUntil ends an open emergency-access window.
	BreakGlassUntil time.Time `json:"break_glass_until,omitzero"`
}

// APIKey is a credential for a service. Only the hash of the secret is kept.
type APIKey struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	OwnerID string `json:"owner_id"` // the user who answers for it
	// Hash is the SHA-256 of the secret. Never shown.
	Hash     string    `json:"-"`
	Roles    []Role    `json:"roles"`
	Purposes []Purpose `json:"purposes,omitempty"` // empty: any the roles allow
	// Routes limits the routes ("POST /v1/chat/completions", "GET /api/v1/*");
	// empty means any.
	Routes []string `json:"routes,omitempty"`
	// CIDRs limits the source addresses; empty means any.
	CIDRs      []string  `json:"cidrs,omitempty"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// TOTPSecret is a user's authenticator secret. Secret is sealed at rest
// when a Sealer is configured.
type TOTPSecret struct {
	UserID string
	Secret []byte
	// LastStep is the last time step accepted: codes of that step or
	// earlier are refused, so a code cannot be replayed.
	LastStep    int64
	ConfirmedAt time.Time // zero while enrolment is not confirmed
}

// WebAuthnCredential is a registered passkey or security key.
type WebAuthnCredential struct {
	ID         []byte    `json:"id"`
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	Data       []byte    `json:"-"` // the library's credential record (public key, counters, flags)
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// LoginFailure counts failed logins for one key ("user:<id>", "source:<ip>").
type LoginFailure struct {
	Key         string
	Failures    int
	LastFailure time.Time
	LockedUntil time.Time
}

// BreakGlass is an emergency-access window opened by a user.
type BreakGlass struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	SessionID string    `json:"-"`
	Reason    []byte    `json:"-"` // the stated reason, sealed: free text may hold PHI
	OpenedAt  time.Time `json:"opened_at"`
	Until     time.Time `json:"until"`
}

// CustomRole is an administrator-defined role; Definition is its JSON
// (policy.RoleDef).
type CustomRole struct {
	Name       Role
	Definition []byte
	CreatedAt  time.Time
}

// AuthStore persists credentials and sign-in state. It holds no rules.
type AuthStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByID returns a session. Codes: ENOTFOUND.
	SessionByID(ctx context.Context, id string) (*Session, error)
	// UpdateSession replaces LastSeenAt, ExpiresAt, MFA and BreakGlassUntil. Codes: ENOTFOUND.
	UpdateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of a user and returns how many.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)

	// CreateAPIKey inserts k. Codes: ECONFLICT.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash and APIKeyByID return a key. Codes: ENOTFOUND.
	APIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	APIKeyByID(ctx context.Context, id string) (*APIKey, error)
	// ListAPIKeys returns keys by creation time; ownerID "" lists all.
	ListAPIKeys(ctx context.Context, ownerID string) ([]*APIKey, error)
	// RevokeAPIKey sets RevokedAt. Codes: ENOTFOUND.
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
	TouchAPIKey(ctx context.Context, id string, at time.Time) error

	// PutTOTP creates or replaces a user's secret.
	PutTOTP(ctx context.Context, t *TOTPSecret) error
	// TOTPByUser returns a user's secret. Codes: ENOTFOUND.
	TOTPByUser(ctx context.Context, userID string) (*TOTPSecret, error)
	// AdvanceTOTP sets LastStep to step only if it is larger, atomically.
	// Codes: ECONFLICT (the step was already used: a replay).
	AdvanceTOTP(ctx context.Context, userID string, step int64) error
	DeleteTOTP(ctx context.Context, userID string) error

	// ReplaceRecoveryCodes drops a user's codes and stores new hashes.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	// UseRecoveryCode marks an unused code used. Codes: ENOTFOUND.
	UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error
	// CountRecoveryCodes returns the number of unused codes.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)

	// CreateWebAuthnCredential inserts c. Codes: ECONFLICT.
	CreateWebAuthnCredential(ctx context.Context, c *WebAuthnCredential) error
	WebAuthnCredentials(ctx context.Context, userID string) ([]*WebAuthnCredential, error)
	// UpdateWebAuthnCredential replaces Data and LastUsedAt. Codes: ENOTFOUND.
	UpdateWebAuthnCredential(ctx context.Context, c *WebAuthnCredential) error
	DeleteWebAuthnCredentials(ctx context.Context, userID string) error

	// LoginFailure returns the failures of a key, nil when none.
	LoginFailure(ctx context.Context, key string) (*LoginFailure, error)
	PutLoginFailure(ctx context.Context, f *LoginFailure) error
	ClearLoginFailure(ctx context.Context, key string) error

	// LinkIdentity maps an external identity (OIDC issuer and subject) to a
	// user. Codes: ECONFLICT.
	LinkIdentity(ctx context.Context, issuer, subject, userID string) error
	// IdentityUser returns the user linked to an identity. Codes: ENOTFOUND.
	IdentityUser(ctx context.Context, issuer, subject string) (string, error)

	CreateBreakGlass(ctx context.Context, b *BreakGlass) error
	// ListBreakGlass returns windows opened at or after since, newest first.
	ListBreakGlass(ctx context.Context, since time.Time) ([]*BreakGlass, error)

	// PutCustomRole creates or replaces a custom role.
	PutCustomRole(ctx context.Context, r *CustomRole) error
	ListCustomRoles(ctx context.Context) ([]*CustomRole, error)
	// DeleteCustomRole removes a custom role. Codes: ENOTFOUND.
	DeleteCustomRole(ctx context.Context, name Role) error
}

// LoginResult is the outcome of a successful password sign-in.
type LoginResult struct {
	Token   string // the opaque session token for the cookie; shown once
	Session *Session
	User    *User
	// MFAEnrolled reports that the user has a second factor to verify next.
	MFAEnrolled bool
}

// NewUser describes a user to create.
type NewUser struct {
	Name  string
	Roles []Role
	// Password is the initial password; if empty a one-time password is
	// generated and returned. Either way the user must change it at first
	// sign-in unless Permanent is set (only for provisioning by the user
	// themself, as the CLI does with --password-stdin).
	Password  string
	Permanent bool
}

// NewAPIKey describes a key to create.
type NewAPIKey struct {
	Name     string
	OwnerID  string // the user who answers for the key
	Roles    []Role
	Purposes []Purpose
	Routes   []string
	CIDRs    []string
	TTL      time.Duration // 0: DefaultAPIKeyTTL
}

// MFAStatus lists a user's second factors.
type MFAStatus struct {
	TOTP          bool `json:"totp"`
	RecoveryCodes int  `json:"recovery_codes"`
	Passkeys      int  `json:"passkeys"`
}

// Enrolled reports whether any second factor is set up.
func (m MFAStatus) Enrolled() bool { return m.TOTP || m.Passkeys > 0 }
