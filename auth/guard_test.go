package auth_test

import (
	"errors"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/policy"
)

type hasher struct{}

func (hasher) HMAC(domain string, v []byte) string { return "h(" + domain + ":" + string(v) + ")" }

func TestGuard(t *testing.T) {
	rec := &recorder{}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	g := &auth.Guard{Policy: policy.MustNew(), Audit: rec, Hasher: hasher{}, Now: func() time.Time { return now }}
	clin := &phigate.Principal{UserID: "u1", Roles: []phigate.Role{phigate.RoleClinician}, MFA: true}
	req := func(rel phigate.Relationship, pur phigate.Purpose) *phigate.AccessRequest {
		return &phigate.AccessRequest{Principal: clin, Resource: phigate.ResourcePatients, Action: phigate.ActionRead,
			Purpose: pur, PatientID: "p_1", Relationship: rel, Op: "patient.read", Source: "10.0.0.1:9"}
	}
	t.Run("OKRecordsBeforeEffect", func(t *testing.T) {
		before := len(rec.events)
		ran := false
		err := g.Authorize(ctxb(), req(phigate.RelationCareTeam, phigate.PurposeTreatment), func(d phigate.Decision) error {
			if len(rec.events) != before+1 {
				t.Fatal("effect ran before the event was recorded")
			}
			if !d.View.Notes {
				t.Fatal("decision without its view")
			}
			ran = true
			return nil
		})
		if err != nil || !ran {
			t.Fatalf("allowed access: %v", err)
		}
		ev := rec.events[len(rec.events)-1]
		if ev.Outcome != phigate.OutcomeSuccess || ev.Patients[0] != "h(audit.patient:p_1)" || ev.Resource != "patient:h(audit.patient:p_1)" ||
			ev.Actor != "u1" || ev.Source != "10.0.0.1" || ev.Purpose != phigate.PurposeTreatment || ev.Action != "patient.read" {
			t.Fatalf("event %+v", ev)
		}
	})
	t.Run("ErrDeniedNoEffect", func(t *testing.T) {
		err := g.Authorize(ctxb(), req(phigate.RelationNone, phigate.PurposeTreatment), func(phigate.Decision) error {
			t.Fatal("effect ran on a denial")
			return nil
		})
		if code(err) != phigate.EFORBIDDEN {
			t.Fatalf("got %v", err)
		}
		ev := rec.events[len(rec.events)-1]
		if ev.Outcome != phigate.OutcomeDenied || ev.Reason != policy.RuleCareTeamRequired {
			t.Fatalf("denial event %+v", ev)
		}
	})
	t.Run("ErrAuditDown", func(t *testing.T) {
		rec.Fail = true
		defer func() { rec.Fail = false }()
		err := g.Authorize(ctxb(), req(phigate.RelationCareTeam, phigate.PurposeTreatment), func(phigate.Decision) error {
			t.Fatal("effect ran without an audit event")
			return nil
		})
		if code(err) != phigate.EAUDIT {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OKEffectFailureRecorded", func(t *testing.T) {
		err := g.Authorize(ctxb(), req(phigate.RelationCareTeam, phigate.PurposeTreatment), func(phigate.Decision) error {
			return phigate.Errorf(phigate.ENOTFOUND, "test", "gone")
		})
		ev := rec.events[len(rec.events)-1]
		if code(err) != phigate.ENOTFOUND || ev.Outcome != phigate.OutcomeFailure || ev.Reason != phigate.ENOTFOUND {
			t.Fatalf("got %v, event %+v", err, ev)
		}
	})
	t.Run("OKBreakGlassMarked", func(t *testing.T) {
		bg := *clin
		bg.BreakGlassUntil = now.Add(time.Hour)
		r := req(phigate.RelationNone, phigate.PurposeEmergency)
		r.Principal = &bg
		if err := g.Authorize(ctxb(), r, func(phigate.Decision) error { return nil }); err != nil {
			t.Fatal(err)
		}
		ev := rec.events[len(rec.events)-1]
		if !ev.BreakGlass || ev.Fields["alert"] != "break_glass_access" {
			t.Fatalf("break-glass access not marked: %+v", ev)
		}
	})
	t.Run("ErrNoPolicy", func(t *testing.T) {
		bad := &auth.Guard{Audit: rec}
		if err := bad.Authorize(ctxb(), req("", ""), func(phigate.Decision) error { return errors.New("no") }); err == nil {
			t.Fatal("guard without policy allowed")
		}
	})
}
