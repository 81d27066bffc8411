// Package policy owns the access-control rules of phigate: roles and their
// permissions on resources, purposes of use, care-team relationships, the
// minimum-necessary view per role and purpose, and break-glass. It is pure:
// no I/O and no clock (the time of a decision comes with the request), so
// the gateway, the console, the API and the CLI all get the same answer.
package policy

import (
	"fmt"
	"regexp"
	"sort"

	phigate "github.com/phigate/phigate"
)

// Policy decides access requests from a set of role definitions.
type Policy struct {
	roles map[phigate.Role]*phigate.RoleDef
}

var _ phigate.Decider = (*Policy)(nil)

// New returns a policy with the built-in roles and the given custom roles.
// Codes: EINVALID (a custom role fails Validate), ECONFLICT (a name is
// taken).
func New(custom ...phigate.RoleDef) (*Policy, error) {
	p := &Policy{roles: map[phigate.Role]*phigate.RoleDef{}}
	for _, d := range Builtin() {
		p.roles[d.Name] = &d
	}
	for _, d := range custom {
		if err := Validate(&d); err != nil {
			return nil, err
		}
		if _, ok := p.roles[d.Name]; ok {
			return nil, phigate.Errorf(phigate.ECONFLICT, "policy.New", "role %q defined twice", d.Name)
		}
		d.Builtin = false
		p.roles[d.Name] = &d
	}
	return p, nil
}

// MustNew is New for tests and built-in use; it panics on error.
func MustNew(custom ...phigate.RoleDef) *Policy {
	p, err := New(custom...)
	if err != nil {
		panic(err)
	}
	return p
}

var roleName = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// Validate checks a custom role definition. Codes: EINVALID.
func Validate(d *phigate.RoleDef) error {
	const op = "policy.Validate"
	if !roleName.MatchString(string(d.Name)) {
		return phigate.Errorf(phigate.EINVALID, op, "role name must match %s", roleName)
	}
	for _, r := range phigate.Roles {
		if d.Name == r {
			return phigate.Errorf(phigate.ECONFLICT, op, "role %q is built in", d.Name)
		}
	}
	for _, pm := range d.Permissions {
		if !validResource(pm.Resource) || (pm.Action != phigate.ActionRead && pm.Action != phigate.ActionWrite) {
			return phigate.Errorf(phigate.EINVALID, op, "unknown permission %q", pm.String())
		}
	}
	for _, pu := range d.Purposes {
		if !pu.Valid() {
			return phigate.Errorf(phigate.EINVALID, op, "unknown purpose %q", string(pu))
		}
		if _, ok := d.Views[pu]; !ok && hasPHI(d) {
			return phigate.Errorf(phigate.EINVALID, op, "purpose %q has no view", string(pu))
		}
	}
	return validateViews(d)
}

func validateViews(d *phigate.RoleDef) error {
	for pu, v := range d.Views {
		if !d.ActsFor(pu) {
			return phigate.Errorf(phigate.EINVALID, "policy.Validate", "view for purpose %q the role does not act for", string(pu))
		}
		for _, c := range v.Categories {
			if !c.Valid() {
				return phigate.Errorf(phigate.EINVALID, "policy.Validate", "unknown category %q", string(c))
			}
		}
	}
	return nil
}

func hasPHI(d *phigate.RoleDef) bool {
	for _, p := range d.Permissions {
		if p.Resource.PHI() {
			return true
		}
	}
	return false
}

func validResource(r phigate.Resource) bool {
	for _, x := range phigate.Resources {
		if x == r {
			return true
		}
	}
	return false
}

// Role returns the definition of a role. Codes: ENOTFOUND.
func (p *Policy) Role(name phigate.Role) (phigate.RoleDef, error) {
	d, ok := p.roles[name]
	if !ok {
		return phigate.RoleDef{}, phigate.Errorf(phigate.ENOTFOUND, "policy.Role", "no role %q", name)
	}
	return *d, nil
}

// Roles returns every role, built-in ones first in their fixed order, then
// custom ones by name.
func (p *Policy) Roles() []phigate.RoleDef {
	var out, custom []phigate.RoleDef
	for _, r := range phigate.Roles {
		out = append(out, *p.roles[r])
	}
	for _, d := range p.roles {
		if !d.Builtin {
			custom = append(custom, *d)
		}
	}
	sort.Slice(custom, func(i, j int) bool { return custom[i].Name < custom[j].Name })
	return append(out, custom...)
}

// KnownRoles checks that every role exists. Codes: EINVALID.
func (p *Policy) KnownRoles(roles []phigate.Role) error {
	for _, r := range roles {
		if _, ok := p.roles[r]; !ok {
			return phigate.E(phigate.EINVALID, "policy.KnownRoles", fmt.Errorf("unknown role %q", r))
		}
	}
	return nil
}

// MFARequired reports whether a person holding roles must use a second
// factor before anything but enrolment.
func (p *Policy) MFARequired(roles []phigate.Role) bool {
	for _, r := range roles {
		if d, ok := p.roles[r]; ok && d.MFARequired() {
			return true
		}
	}
	return false
}

// CanBreakGlass reports whether any of roles may open emergency access.
func (p *Policy) CanBreakGlass(roles []phigate.Role) bool {
	for _, r := range roles {
		if d, ok := p.roles[r]; ok && d.BreakGlass {
			return true
		}
	}
	return false
}
