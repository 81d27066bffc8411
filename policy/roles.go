package policy

import phigate "github.com/phigate/phigate"

func perms(spec ...string) []phigate.Permission {
	var out []phigate.Permission
	for _, s := range spec {
		for i := 0; i < len(s); i++ {
			if s[i] != ':' {
				continue
			}
			res, acts := phigate.Resource(s[:i]), s[i+1:]
			if acts == "rw" || acts == "r" {
				out = append(out, phigate.Permission{Resource: res, Action: phigate.ActionRead})
			}
			if acts == "rw" || acts == "w" {
				out = append(out, phigate.Permission{Resource: res, Action: phigate.ActionWrite})
			}
		}
	}
	return out
}

func cats(c ...phigate.Category) []phigate.Category { return c }

// The views the built-in roles use.
var (
	// ViewFull is every category and the notes: treatment by a clinician.
	ViewFull = phigate.View{Categories: append([]phigate.Category(nil), phigate.Categories...), Notes: true}
	// ViewNursing is the clinical record without SSN or account numbers.
	ViewNursing = phigate.View{Categories: cats(phigate.NAME, phigate.DATE, phigate.LOCATION,
		phigate.PHONE, phigate.EMAIL, phigate.MRN, phigate.HEALTH_PLAN_ID), Notes: true}
	// ViewClinicalOps is enough to review care: name, dates, MRN and notes.
	ViewClinicalOps = phigate.View{Categories: cats(phigate.NAME, phigate.DATE, phigate.MRN), Notes: true}
	// ViewBilling is the account and insurance identifiers and contact
	// details, without notes or SSN.
	ViewBilling = phigate.View{Categories: cats(phigate.NAME, phigate.DATE, phigate.LOCATION,
		phigate.PHONE, phigate.EMAIL, phigate.MRN, phigate.HEALTH_PLAN_ID, phigate.ACCOUNT)}
	// ViewBillingOps is the identifiers needed to reconcile accounts.
	ViewBillingOps = phigate.View{Categories: cats(phigate.MRN, phigate.HEALTH_PLAN_ID, phigate.ACCOUNT)}
	// ViewDeidentified is de-identified data only.
	ViewDeidentified = phigate.View{Notes: true, Deidentified: true}
)

// Builtin returns the definitions of the built-in roles, in phigate.Roles order.
func Builtin() []phigate.RoleDef {
	P := phigate.PurposeTreatment
	Pay, Ops, Res, Em := phigate.PurposePayment, phigate.PurposeOperations, phigate.PurposeResearch, phigate.PurposeEmergency
	type views = map[phigate.Purpose]phigate.View
	defs := []phigate.RoleDef{
		{Name: phigate.RoleAdministrator, Description: "manages users, API keys, vendors and backups; no access to patient data",
			Permissions: perms("users:rw", "keys:rw", "vendors:rw", "backups:rw")},
		{Name: phigate.RoleSecurityOfficer, Description: "reviews the audit log and break-glass alerts, disables users, revokes keys",
			Permissions: perms("audit:r", "users:rw", "keys:rw", "vendors:r", "backups:r")},
		{Name: phigate.RoleAuditor, Description: "reads the audit log and the user list",
			Permissions: perms("audit:r", "users:r")},
		{Name: phigate.RoleClinician, Description: "treats the patients of their care team; may break the glass",
			Permissions: perms("patients:rw", "notes:rw", "conversations:rw"),
			Purposes:    []phigate.Purpose{P, Ops, Em}, CareTeam: true, BreakGlass: true,
			Views: views{P: ViewFull, Ops: ViewClinicalOps, Em: ViewFull}},
		{Name: phigate.RoleNurse, Description: "cares for the patients of their care team; writes notes; may break the glass",
			Permissions: perms("patients:r", "notes:rw", "conversations:rw"),
			Purposes:    []phigate.Purpose{P, Em}, CareTeam: true, BreakGlass: true,
			Views: views{P: ViewNursing, Em: ViewNursing}},
		{Name: phigate.RoleBilling, Description: "sees account and insurance identifiers for payment; never notes",
			Permissions: perms("patients:r", "conversations:rw"),
			Purposes:    []phigate.Purpose{Pay, Ops},
			Views:       views{Pay: ViewBilling, Ops: ViewBillingOps}},
		{Name: phigate.RoleResearcher, Description: "sees de-identified data only, for research",
			Permissions: perms("patients:r", "notes:r", "conversations:rw"),
			Purposes:    []phigate.Purpose{Res},
			Views:       views{Res: ViewDeidentified}},
		{Name: phigate.RoleService, Description: "a service calling AI models through the gateway with an API key",
			Permissions: perms("conversations:rw"),
			Purposes:    []phigate.Purpose{P, Pay, Ops, Res},
			Views:       views{P: ViewFull, Pay: ViewBilling, Ops: ViewClinicalOps, Res: ViewDeidentified}},
	}
	for i := range defs {
		defs[i].Builtin = true
	}
	return defs
}
