package phigate

import (
	"context"
	"time"
)

// Resource is a kind of thing a permission applies to. The string values are
// a stable interface (API, CLI, audit events).
type Resource string

// The resources.
const (
	ResourcePatients      Resource = "patients"
	ResourceNotes         Resource = "notes"
	ResourceConversations Resource = "conversations"
	ResourceVendors       Resource = "vendors"
	ResourceUsers         Resource = "users"
	ResourceKeys          Resource = "keys"
	ResourceAudit         Resource = "audit"
	ResourceBackups       Resource = "backups"
)

// Resources lists every resource in a fixed order.
var Resources = []Resource{
	ResourcePatients, ResourceNotes, ResourceConversations, ResourceVendors,
	ResourceUsers, ResourceKeys, ResourceAudit, ResourceBackups,
}

// PHI reports whether r holds protected health information, so that access
// to it needs a purpose of use, MFA and a minimum-necessary view.
func (r Resource) PHI() bool {
	return r == ResourcePatients || r == ResourceNotes || r == ResourceConversations
}

// Action is what is done to a resource.
type Action string

// The actions.
const (
	ActionRead  Action = "read"  // view or list
	ActionWrite Action = "write" // create, update, disable, revoke
)

// Actions lists every action.
var Actions = []Action{ActionRead, ActionWrite}

// Permission allows one action on one resource. Its text form is
// "resource:action" ("patients:read").
type Permission struct {
	Resource Resource `json:"resource"`
	Action   Action   `json:"action"`
}

// String returns "resource:action".
func (p Permission) String() string { return string(p.Resource) + ":" + string(p.Action) }

// Purposes lists every purpose of use in a fixed order.
var Purposes = []Purpose{
	PurposeTreatment, PurposePayment, PurposeOperations, PurposeResearch, PurposeEmergency,
}

// Valid reports whether p is one of Purposes.
func (p Purpose) Valid() bool {
	for _, q := range Purposes {
		if q == p {
			return true
		}
	}
	return false
}

// Roles lists the built-in roles in a fixed order.
var Roles = []Role{
	RoleAdministrator, RoleSecurityOfficer, RoleAuditor, RoleClinician,
	RoleNurse, RoleBilling, RoleResearcher, RoleService,
}

// Relationship is how the requester relates to the patient concerned.
type Relationship string

// The relationships.
const (
	RelationNone     Relationship = ""          // none known
	RelationCareTeam Relationship = "care_team" // on the patient's care team
)

// View is the minimum-necessary view of a patient record: which PHI
// categories and record parts a requester may see for one role and purpose.
type View struct {
	// Categories lists the PHI categories that may be returned; a field of
	// a record whose category is absent is withheld.
	Categories []Category `json:"categories"`
	// Notes allows the text of clinical notes.
	Notes bool `json:"notes"`
	// Deidentified asks for de-identified data only: direct identifiers
	// removed, dates reduced to the year, note text de-identified.
	Deidentified bool `json:"deidentified,omitempty"`
}

// Allows reports whether v returns category c.
func (v View) Allows(c Category) bool {
	for _, k := range v.Categories {
		if k == c {
			return true
		}
	}
	return false
}

// AccessRequest is one authorisation question: may Principal do Action on
// Resource for Purpose? It never holds PHI: PatientID is phigate's own
// opaque id, hashed before it reaches the audit log.
type AccessRequest struct {
	Principal *Principal
	Resource  Resource
	Action    Action
	Purpose   Purpose
	// PatientID names the patient concerned, "" when none.
	PatientID string
	// Relationship is the principal's relationship to the patient.
	Relationship Relationship
	// Target names the non-patient object concerned ("user:u_1"), "" when none.
	Target string
	// Op names the operation for the audit log ("patient.read").
	Op        string
	Source    string // client address
	RequestID string
	Now       time.Time // the decision time; break-glass windows are judged against it
}

// Decision is the answer of the policy to an AccessRequest.
type Decision struct {
	Allow bool `json:"allow"`
	// Code is the error code of a refusal: EFORBIDDEN, EPOLICY or EMFAREQUIRED.
	Code string `json:"code,omitempty"`
	// Rule names the rule that decided ("care_team", "no_permission").
	Rule string `json:"rule"`
	// BreakGlass marks an access allowed only by emergency access.
	BreakGlass bool `json:"break_glass,omitempty"`
	// View is the minimum-necessary view for an allowed PHI access.
	View View `json:"view"`
}

// Decider makes authorisation decisions. It is pure: no I/O, no clock.
// Implemented by the policy package.
type Decider interface {
	Decide(r *AccessRequest) Decision
}

// Authorizer is the one choke point of access control: it decides, records
// the decision in the audit log, and only then lets the effect happen.
// Implemented by the auth package.
type Authorizer interface {
	// Authorize decides r and records the decision. Only when the access is
	// allowed and recorded does it call effect with the decision. Codes:
	// EFORBIDDEN, EPOLICY, EMFAREQUIRED (refused), EAUDIT (not recorded,
	// so refused), or the code of effect's error.
	Authorize(ctx context.Context, r *AccessRequest, effect func(Decision) error) error
}

// RoleDef defines what a role may do. Built-in roles are fixed; custom roles
// are defined by administrators and checked by policy.Validate.
type RoleDef struct {
	Name        Role         `json:"name"`
	Description string       `json:"description"`
	Builtin     bool         `json:"builtin"`
	Permissions []Permission `json:"permissions"`
	// Purposes lists the purposes of use the role may act under when it
	// touches PHI. PurposeEmergency also needs an open break-glass window.
	Purposes []Purpose `json:"purposes"`
	// CareTeam requires a care-team relationship to open a given patient's
	// record or notes (unless under break-glass).
	CareTeam bool `json:"care_team"`
	// BreakGlass lets the role open an emergency-access window.
	BreakGlass bool `json:"break_glass"`
	// Views gives the minimum-necessary view per purpose of use.
	Views map[Purpose]View `json:"views"`
}

// MFARequired reports whether a person holding the role must use a second
// factor: every role that can touch PHI or change anything.
func (d *RoleDef) MFARequired() bool {
	for _, p := range d.Permissions {
		if p.Resource.PHI() || p.Action == ActionWrite {
			return true
		}
	}
	return false
}

// Can reports whether the role holds the permission.
func (d *RoleDef) Can(r Resource, a Action) bool {
	for _, p := range d.Permissions {
		if p.Resource == r && p.Action == a {
			return true
		}
	}
	return false
}

// ActsFor reports whether the role may act under purpose p.
func (d *RoleDef) ActsFor(p Purpose) bool {
	for _, q := range d.Purposes {
		if q == p {
			return true
		}
	}
	return false
}
