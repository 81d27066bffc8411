package policy

import (
	phigate "github.com/phigate/phigate"
)

// Rules named in decisions (and so in audit events). Stable.
const (
	RuleNoPrincipal        = "no_principal"
	RuleUnknownRequest     = "unknown_request"
	RuleMFARequired        = "mfa_required"
	RuleNoPermission       = "no_permission"
	RulePurposeMissing     = "purpose_missing"
	RulePurposeNotAllowed  = "purpose_not_allowed"
	RuleKeyPurpose         = "purpose_not_allowed_for_key"
	RuleBreakGlassRequired = "break_glass_required"
	RuleCareTeamRequired   = "care_team_required"
	RulePermission         = "permission"
	RuleCareTeam           = "care_team"
	RuleBreakGlass         = "break_glass"
	RuleNoRelationNeeded   = "role_without_care_team"
)

// Decide answers r. It is the only place where access rules are applied:
// a principal's roles are tried in turn and the access is allowed when one
// allows it; the views of all allowing roles are merged.
func (p *Policy) Decide(r *phigate.AccessRequest) phigate.Decision {
	if d, done := p.precheck(r); done {
		return d
	}
	best := deny(phigate.EFORBIDDEN, RuleNoPermission)
	allowed := []phigate.View{}
	for _, role := range r.Principal.Roles {
		def, ok := p.roles[role]
		if !ok {
			continue
		}
		d := decideRole(def, r)
		if d.Allow {
			allowed = append(allowed, d.View)
			if !best.Allow || (best.BreakGlass && !d.BreakGlass) {
				best = d
			}
			continue
		}
		if !best.Allow && rank(d.Rule) > rank(best.Rule) {
			best = d
		}
	}
	if best.Allow && r.Resource.PHI() {
		best.View = merge(allowed)
	}
	return best
}

// precheck refuses what no role can allow: no principal, an unknown
// resource or action, a missing second factor, a missing or unpermitted
// purpose.
func (p *Policy) precheck(r *phigate.AccessRequest) (phigate.Decision, bool) {
	switch {
	case r.Principal == nil:
		return deny(phigate.EFORBIDDEN, RuleNoPrincipal), true
	case !validResource(r.Resource) || (r.Action != phigate.ActionRead && r.Action != phigate.ActionWrite):
		return deny(phigate.EFORBIDDEN, RuleUnknownRequest), true
	case r.Principal.APIKeyID == "" && !r.Principal.MFA && p.MFARequired(r.Principal.Roles):
		return deny(phigate.EMFAREQUIRED, RuleMFARequired), true
	case !r.Resource.PHI():
		return phigate.Decision{}, false
	case !r.Purpose.Valid():
		return deny(phigate.EPOLICY, RulePurposeMissing), true
	case len(r.Principal.Purposes) > 0 && !contains(r.Principal.Purposes, r.Purpose):
		return deny(phigate.EPOLICY, RuleKeyPurpose), true
	}
	return phigate.Decision{}, false
}

// decideRole applies one role's rules.
func decideRole(def *phigate.RoleDef, r *phigate.AccessRequest) phigate.Decision {
	if !def.Can(r.Resource, r.Action) {
		return deny(phigate.EFORBIDDEN, RuleNoPermission)
	}
	if !r.Resource.PHI() {
		return phigate.Decision{Allow: true, Rule: RulePermission}
	}
	if !def.ActsFor(r.Purpose) {
		return deny(phigate.EPOLICY, RulePurposeNotAllowed)
	}
	view := def.Views[r.Purpose]
	if r.Purpose == phigate.PurposeEmergency {
		if !def.BreakGlass || !breakGlassOpen(r) {
			return deny(phigate.EPOLICY, RuleBreakGlassRequired)
		}
		return phigate.Decision{Allow: true, Rule: RuleBreakGlass, BreakGlass: true, View: view}
	}
	if !def.CareTeam || r.Resource == phigate.ResourceConversations {
		return phigate.Decision{Allow: true, Rule: RuleNoRelationNeeded, View: view}
	}
	if r.PatientID == "" {
		// Listing (filtered to the care team by the caller) or creating.
		return phigate.Decision{Allow: true, Rule: RulePermission, View: view}
	}
	if r.Relationship != phigate.RelationCareTeam {
		return deny(phigate.EFORBIDDEN, RuleCareTeamRequired)
	}
	return phigate.Decision{Allow: true, Rule: RuleCareTeam, View: view}
}

func breakGlassOpen(r *phigate.AccessRequest) bool {
	u := r.Principal.BreakGlassUntil
	return !u.IsZero() && !r.Now.IsZero() && r.Now.Before(u)
}

func deny(code, rule string) phigate.Decision {
	return phigate.Decision{Code: code, Rule: rule}
}

// rank orders refusals so that the most specific reason is reported: a
// role that had the permission but lacked the relationship explains more
// than a role without the permission.
func rank(rule string) int {
	switch rule {
	case RuleCareTeamRequired:
		return 3
	case RuleBreakGlassRequired:
		return 2
	case RulePurposeNotAllowed:
		return 1
	}
	return 0
}

// merge unions the views of the roles that allowed an access: the widest
// categories and notes, de-identified only if every view is.
func merge(views []phigate.View) phigate.View {
	var out phigate.View
	out.Deidentified = true
	seen := map[phigate.Category]bool{}
	for _, v := range views {
		for _, c := range v.Categories {
			seen[c] = true
		}
		out.Notes = out.Notes || v.Notes
		out.Deidentified = out.Deidentified && v.Deidentified
	}
	for _, c := range phigate.Categories {
		if seen[c] {
			out.Categories = append(out.Categories, c)
		}
	}
	return out
}

func contains(ps []phigate.Purpose, p phigate.Purpose) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}
