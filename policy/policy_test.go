package policy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/policy"
)

// allowSpec is the specification of the built-in roles: one line per grant,
// "role resource actions purposes relationship", where purposes "-" means
// the resource holds no PHI (any purpose), relationship is "any",
// "care_team" or "break_glass" (an open window, any relationship). Every
// request not granted by a line must be refused.
const allowSpec = `
administrator users rw - any
administrator keys rw - any
administrator vendors rw - any
administrator backups rw - any
security_officer audit r - any
security_officer users rw - any
security_officer keys rw - any
security_officer vendors r - any
security_officer backups r - any
auditor audit r - any
auditor users r - any
clinician patients rw treatment,operations care_team
clinician notes rw treatment,operations care_team
clinician conversations rw treatment,operations any
clinician patients rw emergency break_glass
clinician notes rw emergency break_glass
clinician conversations rw emergency break_glass
nurse patients r treatment care_team
nurse notes rw treatment care_team
nurse conversations rw treatment any
nurse patients r emergency break_glass
nurse notes rw emergency break_glass
nurse conversations rw emergency break_glass
billing patients r payment,operations any
billing conversations rw payment,operations any
researcher patients r research any
researcher notes r research any
researcher conversations rw research any
service conversations rw treatment,payment,operations,research any
`

type grant struct {
	role     phigate.Role
	resource phigate.Resource
	actions  string
	purposes []string
	rel      string
}

func parseSpec(t *testing.T) []grant {
	var gs []grant
	for _, line := range strings.Split(strings.TrimSpace(allowSpec), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("bad spec line %q", line)
		}
		gs = append(gs, grant{phigate.Role(f[0]), phigate.Resource(f[1]), f[2], strings.Split(f[3], ","), f[4]})
	}
	return gs
}

func (g grant) matches(role phigate.Role, res phigate.Resource, act phigate.Action, pur phigate.Purpose, rel phigate.Relationship, glass bool) bool {
	if g.role != role || g.resource != res || !strings.Contains(g.actions, string(act)[:1]) {
		return false
	}
	if g.purposes[0] != "-" && !contains(g.purposes, string(pur)) {
		return false
	}
	switch g.rel {
	case "care_team":
		return rel == phigate.RelationCareTeam
	case "break_glass":
		return glass
	}
	return true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestDecideMatrix checks every role × resource × action × purpose ×
// relationship × break-glass combination against allowSpec.
func TestDecideMatrix(t *testing.T) {
	gs := parseSpec(t)
	p := policy.MustNew()
	purposes := append([]phigate.Purpose{""}, phigate.Purposes...)
	rels := []phigate.Relationship{phigate.RelationNone, phigate.RelationCareTeam}
	n, allowed := 0, 0
	for _, role := range phigate.Roles {
		for _, res := range phigate.Resources {
			for _, act := range phigate.Actions {
				for _, pur := range purposes {
					for _, rel := range rels {
						for _, glass := range []bool{false, true} {
							want := false
							for _, g := range gs {
								want = want || g.matches(role, res, act, pur, rel, glass)
							}
							pr := &phigate.Principal{UserID: "u1", Roles: []phigate.Role{role}, MFA: true}
							if glass {
								pr.BreakGlassUntil = now.Add(time.Hour)
							}
							d := p.Decide(&phigate.AccessRequest{Principal: pr, Resource: res, Action: act,
								Purpose: pur, PatientID: "p1", Relationship: rel, Now: now})
							name := fmt.Sprintf("%s/%s/%s/%s/%s/glass=%v", role, res, act, pur, rel, glass)
							if d.Allow != want {
								t.Errorf("%s: allow=%v (rule %s), want %v", name, d.Allow, d.Rule, want)
							}
							if !d.Allow && d.Code == "" {
								t.Errorf("%s: refusal without a code", name)
							}
							if d.Allow && d.BreakGlass != (pur == phigate.PurposeEmergency && res.PHI()) {
								t.Errorf("%s: break_glass=%v", name, d.BreakGlass)
							}
							n++
							if d.Allow {
								allowed++
							}
						}
					}
				}
			}
		}
	}
	if n != 8*8*2*6*2*2 || allowed == 0 || allowed == n {
		t.Fatalf("matrix: %d cases, %d allowed", n, allowed)
	}
}

func decide(p *policy.Policy, pr *phigate.Principal, res phigate.Resource, act phigate.Action, pur phigate.Purpose, rel phigate.Relationship) phigate.Decision {
	return p.Decide(&phigate.AccessRequest{Principal: pr, Resource: res, Action: act, Purpose: pur,
		PatientID: "p1", Relationship: rel, Now: now})
}

func TestDecideCodes(t *testing.T) {
	p := policy.MustNew()
	clin := []phigate.Role{phigate.RoleClinician}
	tests := []struct {
		name string
		pr   *phigate.Principal
		res  phigate.Resource
		pur  phigate.Purpose
		rel  phigate.Relationship
		code string
		rule string
	}{
		{"ErrNoPrincipal", nil, phigate.ResourcePatients, phigate.PurposeTreatment, "", phigate.EFORBIDDEN, policy.RuleNoPrincipal},
		{"ErrMFA", &phigate.Principal{Roles: clin}, phigate.ResourcePatients, phigate.PurposeTreatment, phigate.RelationCareTeam, phigate.EMFAREQUIRED, policy.RuleMFARequired},
		{"ErrMFAAdmin", &phigate.Principal{Roles: []phigate.Role{phigate.RoleAdministrator}}, phigate.ResourceUsers, "", "", phigate.EMFAREQUIRED, policy.RuleMFARequired},
		{"ErrPurposeMissing", &phigate.Principal{Roles: clin, MFA: true}, phigate.ResourcePatients, "", phigate.RelationCareTeam, phigate.EPOLICY, policy.RulePurposeMissing},
		{"ErrPurposeNotAllowed", &phigate.Principal{Roles: clin, MFA: true}, phigate.ResourcePatients, phigate.PurposeResearch, phigate.RelationCareTeam, phigate.EPOLICY, policy.RulePurposeNotAllowed},
		{"ErrCareTeam", &phigate.Principal{Roles: clin, MFA: true}, phigate.ResourcePatients, phigate.PurposeTreatment, "", phigate.EFORBIDDEN, policy.RuleCareTeamRequired},
		{"ErrBreakGlassClosed", &phigate.Principal{Roles: clin, MFA: true, BreakGlassUntil: now}, phigate.ResourcePatients, phigate.PurposeEmergency, "", phigate.EPOLICY, policy.RuleBreakGlassRequired},
		{"ErrKeyPurpose", &phigate.Principal{APIKeyID: "k1", Roles: []phigate.Role{phigate.RoleService}, Purposes: []phigate.Purpose{phigate.PurposePayment}}, phigate.ResourceConversations, phigate.PurposeTreatment, "", phigate.EPOLICY, policy.RuleKeyPurpose},
		{"OKKeyWithoutMFA", &phigate.Principal{APIKeyID: "k1", Roles: []phigate.Role{phigate.RoleService}}, phigate.ResourceConversations, phigate.PurposeTreatment, "", "", policy.RuleNoRelationNeeded},
		{"OKAuditorWithoutMFA", &phigate.Principal{Roles: []phigate.Role{phigate.RoleAuditor}}, phigate.ResourceAudit, "", "", "", policy.RulePermission},
		{"OKCareTeam", &phigate.Principal{Roles: clin, MFA: true}, phigate.ResourceNotes, phigate.PurposeTreatment, phigate.RelationCareTeam, "", policy.RuleCareTeam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act := phigate.ActionRead
			d := decide(p, tt.pr, tt.res, act, tt.pur, tt.rel)
			if d.Code != tt.code || d.Rule != tt.rule || d.Allow != (tt.code == "") {
				t.Fatalf("got %+v, want code %q rule %q", d, tt.code, tt.rule)
			}
		})
	}
}

func TestDecideViews(t *testing.T) {
	p := policy.MustNew()
	view := func(roles []phigate.Role, pur phigate.Purpose) phigate.View {
		d := decide(p, &phigate.Principal{Roles: roles, MFA: true}, phigate.ResourcePatients, phigate.ActionRead, pur, phigate.RelationCareTeam)
		if !d.Allow {
			t.Fatalf("%v/%s refused: %s", roles, pur, d.Rule)
		}
		return d.View
	}
	t.Run("OKBilling", func(t *testing.T) {
		v := view([]phigate.Role{phigate.RoleBilling}, phigate.PurposePayment)
		if v.Notes || !v.Allows(phigate.ACCOUNT) || !v.Allows(phigate.HEALTH_PLAN_ID) || v.Allows(phigate.SSN) {
			t.Fatalf("billing view %+v", v)
		}
	})
	t.Run("OKResearcher", func(t *testing.T) {
		v := view([]phigate.Role{phigate.RoleResearcher}, phigate.PurposeResearch)
		if !v.Deidentified || len(v.Categories) != 0 {
			t.Fatalf("researcher view %+v", v)
		}
	})
	t.Run("OKClinician", func(t *testing.T) {
		v := view([]phigate.Role{phigate.RoleClinician}, phigate.PurposeTreatment)
		if !v.Notes || v.Deidentified || len(v.Categories) != len(phigate.Categories) {
			t.Fatalf("clinician view %+v", v)
		}
	})
	t.Run("OKMerged", func(t *testing.T) {
		v := view([]phigate.Role{phigate.RoleResearcher, phigate.RoleBilling}, phigate.PurposeResearch)
		if !v.Deidentified {
			t.Fatalf("billing must not widen a research view: %+v", v)
		}
		v = view([]phigate.Role{phigate.RoleNurse, phigate.RoleClinician}, phigate.PurposeTreatment)
		if !v.Allows(phigate.SSN) {
			t.Fatalf("clinician role must widen nurse view: %+v", v)
		}
	})
}

func TestCustomRole(t *testing.T) {
	coder := phigate.RoleDef{Name: "coder", Permissions: []phigate.Permission{{Resource: phigate.ResourceNotes, Action: phigate.ActionRead}},
		Purposes: []phigate.Purpose{phigate.PurposePayment},
		Views:    map[phigate.Purpose]phigate.View{phigate.PurposePayment: {Categories: []phigate.Category{phigate.MRN}, Notes: true}}}
	p, err := policy.New(coder)
	if err != nil {
		t.Fatal(err)
	}
	pr := &phigate.Principal{Roles: []phigate.Role{"coder"}, MFA: true}
	if d := decide(p, pr, phigate.ResourceNotes, phigate.ActionRead, phigate.PurposePayment, ""); !d.Allow || !d.View.Notes {
		t.Fatalf("coder read notes: %+v", d)
	}
	if d := decide(p, pr, phigate.ResourceNotes, phigate.ActionWrite, phigate.PurposePayment, ""); d.Allow {
		t.Fatalf("coder wrote notes: %+v", d)
	}
	if got := len(p.Roles()); got != len(phigate.Roles)+1 {
		t.Fatalf("roles: %d", got)
	}
	bad := []phigate.RoleDef{
		{Name: "Bad Name"},
		{Name: "clinician"},
		{Name: "x1", Permissions: []phigate.Permission{{Resource: "rockets", Action: "read"}}},
		{Name: "x2", Permissions: coder.Permissions, Purposes: []phigate.Purpose{phigate.PurposeTreatment}},
		{Name: "x3", Purposes: []phigate.Purpose{"fun"}},
	}
	for _, d := range bad {
		if _, err := policy.New(d); err == nil {
			t.Errorf("role %q accepted", d.Name)
		}
	}
	if _, err := policy.New(coder, coder); phigate.ErrorCode(err) != phigate.ECONFLICT {
		t.Errorf("duplicate custom role: %v", err)
	}
}

func TestMFARequired(t *testing.T) {
	p := policy.MustNew()
	want := map[phigate.Role]bool{phigate.RoleAuditor: false}
	for _, r := range phigate.Roles {
		w, ok := want[r]
		if !ok {
			w = true
		}
		if got := p.MFARequired([]phigate.Role{r}); got != w {
			t.Errorf("%s: MFA required %v, want %v", r, got, w)
		}
	}
}

func TestLive(t *testing.T) {
	l, err := policy.NewLive()
	if err != nil {
		t.Fatal(err)
	}
	coder := phigate.RoleDef{Name: "coder", Permissions: []phigate.Permission{{Resource: phigate.ResourceNotes, Action: phigate.ActionRead}},
		Purposes: []phigate.Purpose{phigate.PurposePayment}, Views: map[phigate.Purpose]phigate.View{phigate.PurposePayment: {Notes: true}}}
	pr := &phigate.Principal{Roles: []phigate.Role{"coder"}, MFA: true}
	req := &phigate.AccessRequest{Principal: pr, Resource: phigate.ResourceNotes, Action: phigate.ActionRead, Purpose: phigate.PurposePayment, PatientID: "p"}
	if l.Decide(req).Allow {
		t.Fatal("unknown role allowed")
	}
	if err := l.Set(coder); err != nil {
		t.Fatal(err)
	}
	if !l.Decide(req).Allow || len(l.Custom()) != 1 || l.KnownRoles([]phigate.Role{"coder"}) != nil {
		t.Fatal("custom role not live")
	}
	if err := l.Set(phigate.RoleDef{Name: "Bad"}); err == nil || len(l.Custom()) != 1 {
		t.Fatal("a bad set changed the policy")
	}
	if err := l.Set(); err != nil || l.Decide(req).Allow {
		t.Fatal("removed role still allowed")
	}
}
