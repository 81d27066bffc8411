package phigate

import "time"

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
