package policy

import (
	"sync/atomic"

	phigate "github.com/phigate/phigate"
)

// Live is a policy whose custom roles can be replaced while it serves:
// decisions in flight keep the policy they started with. The zero value is
// not useful; use NewLive.
type Live struct {
	p atomic.Pointer[Policy]
}

var _ phigate.Decider = (*Live)(nil)

// NewLive returns a live policy with the built-in and the given custom
// roles. Codes: as New.
func NewLive(custom ...phigate.RoleDef) (*Live, error) {
	p, err := New(custom...)
	if err != nil {
		return nil, err
	}
	l := &Live{}
	l.p.Store(p)
	return l, nil
}

// Set replaces the custom roles. On error the policy is unchanged. Codes:
// as New.
func (l *Live) Set(custom ...phigate.RoleDef) error {
	p, err := New(custom...)
	if err != nil {
		return err
	}
	l.p.Store(p)
	return nil
}

// Policy returns the current policy.
func (l *Live) Policy() *Policy { return l.p.Load() }

// Decide decides with the current policy.
func (l *Live) Decide(r *phigate.AccessRequest) phigate.Decision { return l.p.Load().Decide(r) }

// Roles, Role, KnownRoles, MFARequired and CanBreakGlass ask the current policy.
func (l *Live) Roles() []phigate.RoleDef { return l.p.Load().Roles() }

// Role returns a role of the current policy. Codes: ENOTFOUND.
func (l *Live) Role(name phigate.Role) (phigate.RoleDef, error) { return l.p.Load().Role(name) }

// KnownRoles checks roles against the current policy. Codes: EINVALID.
func (l *Live) KnownRoles(roles []phigate.Role) error { return l.p.Load().KnownRoles(roles) }

// MFARequired asks the current policy.
func (l *Live) MFARequired(roles []phigate.Role) bool { return l.p.Load().MFARequired(roles) }

// CanBreakGlass asks the current policy.
func (l *Live) CanBreakGlass(roles []phigate.Role) bool { return l.p.Load().CanBreakGlass(roles) }

// Custom returns the custom roles of the current policy, by name.
func (l *Live) Custom() []phigate.RoleDef {
	var out []phigate.RoleDef
	for _, d := range l.Roles() {
		if !d.Builtin {
			out = append(out, d)
		}
	}
	return out
}
