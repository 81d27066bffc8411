package audit_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
)

// hasher is a keyed HMAC like the keys package's, for tests.
type hasher struct{}

func (hasher) HMAC(domain string, v []byte) string {
	m := hmac.New(sha256.New, []byte("test key"))
	m.Write([]byte(domain + "\x00"))
	m.Write(v)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

var (
	auditor   = audit.Caller{Principal: &phigate.Principal{UserID: "u-aud", Roles: []phigate.Role{phigate.RoleAuditor}}, Source: "10.1.1.1"}
	clinician = audit.Caller{Principal: &phigate.Principal{UserID: "u-doc", Roles: []phigate.Role{phigate.RoleClinician}}, Source: "10.1.1.2"}
)

func MustReader(tb testing.TB) (*audit.Reader, *audittest.Store) {
	s := audittest.NewStore()
	l := MustLog(tb, s, 1000)
	return &audit.Reader{Store: s, Log: l, Hasher: hasher{}, Now: func() time.Time { return t0.Add(time.Hour) }}, s
}

func TestSearch(t *testing.T) {
	r, s := MustReader(t)
	l := r.Log.(*audit.Log)
	MustRecord(t, l, 30)
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		q := phigate.AuditQuery{Actor: "user-1", Action: "patient.", Limit: 4}
		var seqs []int64
		for {
			p, err := r.Search(ctx, auditor, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Events {
				if e.Actor != "user-1" {
					t.Fatalf("event %d by %s", e.Seq, e.Actor)
				}
				seqs = append(seqs, e.Seq)
			}
			if p.Next == 0 {
				break
			}
			q.After = p.Next
		}
		if len(seqs) != 10 || seqs[0] != 2 || seqs[9] != 29 {
			t.Fatalf("seqs %v", seqs)
		}
	})
	t.Run("OKPatientAndTime", func(t *testing.T) {
		p, err := r.Search(ctx, auditor, phigate.AuditQuery{Patient: "h2", Since: t0.Add(10 * time.Second), Until: t0.Add(20 * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			if e.Patients[0] != "h2" || e.Time.Before(t0.Add(10*time.Second)) || !e.Time.Before(t0.Add(20*time.Second)) {
				t.Fatalf("event %+v", e)
			}
		}
		if len(p.Events) != 2 {
			t.Fatalf("%d events", len(p.Events))
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := r.Search(ctx, clinician, phigate.AuditQuery{})
		if phigate.ErrorCode(err) != phigate.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := r.Search(ctx, auditor, phigate.AuditQuery{Limit: 5000}); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ReadsAreAudited", func(t *testing.T) {
		p, err := r.Search(ctx, auditor, phigate.AuditQuery{Action: "audit.*"})
		if err != nil {
			t.Fatal(err)
		}
		var denied, allowed int
		for _, e := range p.Events {
			switch {
			case e.Outcome == phigate.OutcomeDenied && e.Actor == "u-doc":
				denied++
			case e.Outcome == phigate.OutcomeSuccess && e.Actor == "u-aud":
				allowed++
			}
		}
		if denied != 1 || allowed < 4 {
			t.Fatalf("denied %d allowed %d in %d", denied, allowed, len(p.Events))
		}
	})
	t.Run("ErrAuditUnavailable", func(t *testing.T) {
		s.Fail = errAny
		defer func() { s.Fail = nil }()
		if _, err := r.Search(ctx, auditor, phigate.AuditQuery{}); phigate.ErrorCode(err) != phigate.EAUDIT {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestDisclosures(t *testing.T) {
	r, _ := MustReader(t)
	l := r.Log.(*audit.Log)
	ctx := context.Background()
	pat, _ := r.PatientKey("MRN-0042")
	other, _ := r.PatientKey("MRN-0043")
	rec := func(e *phigate.Event) {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	rec(&phigate.Event{Actor: "u1", Action: "patient.read", Outcome: phigate.OutcomeSuccess, Patients: []string{pat}})
	rec(&phigate.Event{Actor: "svc", Action: "ai.chat", Outcome: phigate.OutcomeSuccess, Purpose: phigate.PurposeTreatment, Patients: []string{pat},
		Fields: map[string]string{phigate.FieldRecipient: "vendor:openai", phigate.FieldModel: "gpt-4o", phigate.FieldDisclosed: "NAME:1"}})
	rec(&phigate.Event{Actor: "svc", Action: "ai.chat", Outcome: phigate.OutcomeDenied, Patients: []string{pat},
		Fields: map[string]string{phigate.FieldRecipient: "vendor:acme"}})
	rec(&phigate.Event{Actor: "svc", Action: "ai.chat", Outcome: phigate.OutcomeSuccess, Patients: []string{other},
		Fields: map[string]string{phigate.FieldRecipient: "vendor:openai"}})
	ds, err := r.Disclosures(ctx, auditor, pat, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Recipient != "vendor:openai" || ds[0].Description != "ai.chat (gpt-4o): NAME:1" || ds[0].Purpose != phigate.PurposeTreatment {
		t.Fatalf("disclosures %+v", ds)
	}
	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := r.Disclosures(ctx, clinician, pat, time.Time{}); phigate.ErrorCode(err) != phigate.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("OKSince", func(t *testing.T) {
		ds, err := r.Disclosures(ctx, auditor, pat, t0.Add(time.Hour))
		if err != nil || len(ds) != 0 {
			t.Fatalf("%v %v", ds, err)
		}
	})
}
