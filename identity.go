package phigate

import (
	"context"
	"time"
)

// Role is a named set of permissions. The built-in roles are below; custom
// roles may be defined by administrators.
type Role string

// The built-in roles.
const (
	RoleAdministrator   Role = "administrator"
	RoleSecurityOfficer Role = "security_officer"
	RoleAuditor         Role = "auditor"
	RoleClinician       Role = "clinician"
	RoleNurse           Role = "nurse"
	RoleBilling         Role = "billing"
	RoleResearcher      Role = "researcher"
	RoleService         Role = "service"
)

// Purpose is the purpose of use that travels with every request touching PHI.
type Purpose string

// The purposes of use.
const (
	PurposeTreatment  Purpose = "treatment"
	PurposePayment    Purpose = "payment"
	PurposeOperations Purpose = "operations"
	PurposeResearch   Purpose = "research"
	PurposeEmergency  Purpose = "emergency"
)

// User is a unique person (or service) that can sign in. Users are never
// hard-deleted once they appear in the audit log; they are disabled.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"` // unique login name
	// PasswordHash is the argon2id hash in PHC string format. Never logged.
	PasswordHash string `json:"-"`
	Roles        []Role `json:"roles"`
	Disabled     bool   `json:"disabled"`
	// MustChangePassword is set for a one-time (bootstrap or reset) password.
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Principal is who makes a request, as established by authentication.
type Principal struct {
	UserID    string `json:"user_id"`
	APIKeyID  string `json:"api_key_id,omitempty"` // set when authenticated by API key
	SessionID string `json:"-"`
	Roles     []Role `json:"roles"`
	// Purposes limits the purposes of use (API keys); empty means any the
	// roles permit.
	Purposes []Purpose `json:"purposes,omitempty"`
	// MFA reports that a second factor was verified for this session.
	MFA bool `json:"mfa"`
	// BreakGlassUntil is the end of an emergency-access window, if any.
	BreakGlassUntil time.Time `json:"break_glass_until,omitzero"`
	// MustChangePassword limits the session to changing the one-time
	// password: Roles is then empty.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// Name is the user's login name, for display.
	Name string `json:"name,omitempty"`
}

// Credential is what a request presents to authenticate.
type Credential struct {
	SessionToken string // from the session cookie
	APIKey       string // from "Authorization: Bearer phg_..."
	Source       string // client address
	Route        string // the route pattern, for API keys limited to routes
	// Method is the HTTP method; state-changing methods with a session
	// cookie need CSRFToken.
	Method    string
	CSRFToken string // from the X-CSRF-Token header or a form field
}

// Authenticator establishes the principal behind a credential.
// Implemented by the auth package.
type Authenticator interface {
	// Authenticate returns the principal or an error with code
	// EUNAUTHENTICATED (missing, unknown, expired or revoked credential),
	// EFORBIDDEN (outside its address range or routes) or EMFAREQUIRED.
	Authenticate(ctx context.Context, c Credential) (*Principal, error)
}
