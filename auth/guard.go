package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	phigate "github.com/phigate/phigate"
)

// Guard is the one authorisation choke point: every access decision, allow
// or deny, goes through Authorize, which asks the policy, writes the audit
// event and only then lets the effect happen. If the event cannot be
// written the access is refused with EAUDIT.
type Guard struct {
	Policy phigate.Decider  // required
	Audit  phigate.AuditLog // required
	// Hasher turns patient ids into keyed HMACs for the audit log. If nil,
	// patient ids are not recorded at all.
	Hasher phigate.Hasher
	Now    func() time.Time // defaults to time.Now
}

var _ phigate.Authorizer = (*Guard)(nil)

// Authorize implements phigate.Authorizer. Security-sensitive: it is the
// only place where a decision becomes an effect.
func (g *Guard) Authorize(ctx context.Context, r *phigate.AccessRequest, effect func(phigate.Decision) error) error {
	const op = "auth.Guard.Authorize"
	if g.Policy == nil || g.Audit == nil {
		return phigate.Errorf(phigate.EINTERNAL, op, "guard without policy or audit log")
	}
	if r.Now.IsZero() {
		r.Now = g.now()
	}
	d := g.Policy.Decide(r)
	e := g.event(r, d)
	if err := g.Audit.Record(ctx, e); err != nil {
		return phigate.E(phigate.EAUDIT, op, fmt.Errorf("record decision: %w", err))
	}
	if !d.Allow {
		code := d.Code
		if code == "" {
			code = phigate.EFORBIDDEN
		}
		return phigate.Errorf(code, op, "refused by rule %s", d.Rule)
	}
	err := effect(d)
	if err != nil {
		// The access was allowed and recorded; say that it failed.
		f := *e
		f.Time, f.Outcome, f.Reason = g.now(), phigate.OutcomeFailure, phigate.ErrorCode(err)
		_ = g.Audit.Record(ctx, &f)
	}
	return err
}

func (g *Guard) event(r *phigate.AccessRequest, d phigate.Decision) *phigate.Event {
	e := &phigate.Event{Time: r.Now.UTC(), Source: SourceIP(r.Source), Action: r.Op, Purpose: r.Purpose,
		Outcome: phigate.OutcomeDenied, Reason: d.Rule, RequestID: r.RequestID, BreakGlass: d.BreakGlass}
	if e.Action == "" {
		e.Action = string(r.Resource) + "." + string(r.Action)
	}
	if d.Allow {
		e.Outcome = phigate.OutcomeSuccess
	} else if d.Code != "" {
		e.Fields = map[string]string{"code": d.Code}
	}
	if p := r.Principal; p != nil {
		e.Actor = p.UserID
		if p.APIKeyID != "" {
			e.Actor = p.APIKeyID
		}
	}
	e.Resource = r.Target
	if r.PatientID != "" && g.Hasher != nil {
		h := g.Hasher.HMAC(phigate.PatientDomain, []byte(r.PatientID))
		e.Patients = []string{h}
		if e.Resource == "" {
			e.Resource = "patient:" + h
		}
	}
	if e.Resource == "" {
		e.Resource = string(r.Resource)
	}
	if d.BreakGlass {
		if e.Fields == nil {
			e.Fields = map[string]string{}
		}
		e.Fields["alert"] = "break_glass_access"
	}
	if d.Allow && len(d.View.Categories) > 0 {
		e.Fields = withField(e.Fields, "view", viewString(d.View))
	}
	return e
}

func withField(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func viewString(v phigate.View) string {
	parts := make([]string, 0, len(v.Categories))
	for _, c := range v.Categories {
		parts = append(parts, string(c))
	}
	return strings.Join(parts, ",")
}

func (g *Guard) now() time.Time {
	if g.Now == nil {
		return time.Now().UTC()
	}
	return g.Now().UTC()
}
