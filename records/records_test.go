package records_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
)

// jane is the test patient; every value is checked to stay out of errors,
// audit events and storage.
func jane() *phigate.Patient {
	return &phigate.Patient{MRN: "MRN-4471902", GivenName: "Janeway", FamilyName: "Okonkwo-Baptiste",
		BirthDate: "1961-07-14", Sex: "F", Address: "417 Larkspur Lane, Duluth MN 55802", Phone: "218-555-0143",
		Email: "jane.okb@example.org", SSN: "541-22-9087", InsuranceID: "BCX889120344", AccountNumber: "ACCT-77120"}
}

const noteText = "Pt Janeway Okonkwo-Baptiste seen for chest pain; troponin negative."

func phiValues() []string {
	j := jane()
	return []string{j.MRN, j.GivenName, j.FamilyName, j.BirthDate, j.Address, j.Phone, j.Email, j.SSN, j.InsuranceID, j.AccountNumber, "troponin"}
}

func code(err error) string { return phigate.ErrorCode(err) }

func mustCreate(t *testing.T, e *env) *phigate.Patient {
	t.Helper()
	p, err := e.svc.CreatePatient(as("u_clin"), phigate.PurposeTreatment, jane())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddNote(as("u_clin"), phigate.PurposeTreatment, p.ID, &phigate.Note{Kind: "progress", Text: noteText}); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestViews(t *testing.T) {
	e := MustRecords(t)
	created := mustCreate(t, e)
	if err := e.svc.AddCareTeamMember(as("u_clin"), phigate.PurposeTreatment, created.ID, "u_nurse"); err != nil {
		t.Fatal(err)
	}
	glass := withGlass(as("u_clin2"), e.now.Add(time.Hour))
	tests := []struct {
		name      string
		ctx       context.Context
		purpose   phigate.Purpose
		code      string
		fields    []string // non-empty fields expected
		withheld  []string // fields that must be empty
		notes     string   // "text", "withheld" or an error code
		pseudonym bool
	}{
		{"OKClinician", as("u_clin"), phigate.PurposeTreatment, "", []string{"mrn", "given_name", "ssn", "account_number"}, nil, "text", false},
		{"OKNurse", as("u_nurse"), phigate.PurposeTreatment, "", []string{"mrn", "given_name", "insurance_id"}, []string{"ssn", "account_number"}, "text", false},
		{"OKBilling", as("u_bill"), phigate.PurposePayment, "", []string{"account_number", "insurance_id", "given_name"}, []string{"ssn"}, phigate.EFORBIDDEN, false},
		{"OKResearcher", as("u_res"), phigate.PurposeResearch, "", []string{"birth_date"}, []string{"mrn", "given_name", "family_name", "ssn", "address", "phone", "email", "insurance_id", "account_number"}, "withheld", true},
		{"OKBreakGlass", glass, phigate.PurposeEmergency, "", []string{"ssn", "given_name"}, nil, "text", false},
		{"ErrNotOnCareTeam", as("u_clin2"), phigate.PurposeTreatment, phigate.EFORBIDDEN, nil, nil, phigate.EFORBIDDEN, false},
		{"ErrGlassWrongPurpose", glass, phigate.PurposeTreatment, phigate.EFORBIDDEN, nil, nil, phigate.EFORBIDDEN, false},
		{"ErrEmergencyWithoutGlass", as("u_clin2"), phigate.PurposeEmergency, phigate.EPOLICY, nil, nil, phigate.EPOLICY, false},
		{"ErrNoPurpose", as("u_clin"), "", phigate.EPOLICY, nil, nil, phigate.EPOLICY, false},
		{"ErrBillingForTreatment", as("u_bill"), phigate.PurposeTreatment, phigate.EPOLICY, nil, nil, phigate.EFORBIDDEN, false},
		{"ErrAdmin", as("u_admin"), phigate.PurposeOperations, phigate.EFORBIDDEN, nil, nil, phigate.EFORBIDDEN, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.svc.GetPatient(tt.ctx, tt.purpose, created.ID)
			if code(err) != tt.code {
				t.Fatalf("GetPatient: %v, want %q", err, tt.code)
			}
			if err == nil {
				checkFields(t, p, tt.fields, tt.withheld)
				if tt.pseudonym != (p.ID != created.ID) || (tt.pseudonym && (!p.Deidentified || p.BirthDate != "1961")) {
					t.Fatalf("id %s deidentified %v birth %s", p.ID, p.Deidentified, p.BirthDate)
				}
			}
			notes, err := e.svc.ListNotes(tt.ctx, tt.purpose, created.ID)
			switch tt.notes {
			case "text":
				if err != nil || len(notes) != 1 || notes[0].Text != noteText {
					t.Fatalf("notes: %v %+v", err, notes)
				}
			case "withheld":
				if err != nil || len(notes) != 1 || notes[0].Text != "" || !notes[0].Withheld || notes[0].PatientID == created.ID {
					t.Fatalf("notes: %v %+v", err, notes)
				}
			default:
				if code(err) != tt.notes {
					t.Fatalf("notes: %v, want %s", err, tt.notes)
				}
			}
		})
	}
	ev := e.audit.events
	marked := 0
	for _, x := range ev {
		if x.BreakGlass {
			marked++
		}
	}
	if marked != 2 {
		t.Fatalf("%d break-glass accesses marked, want 2", marked)
	}
}

func checkFields(t *testing.T, p *phigate.Patient, present, absent []string) {
	t.Helper()
	vals := map[string]string{"mrn": p.MRN, "given_name": p.GivenName, "family_name": p.FamilyName, "birth_date": p.BirthDate,
		"address": p.Address, "phone": p.Phone, "email": p.Email, "ssn": p.SSN, "insurance_id": p.InsuranceID, "account_number": p.AccountNumber}
	for _, f := range present {
		if vals[f] == "" {
			t.Errorf("field %s withheld", f)
		}
	}
	for _, f := range absent {
		if vals[f] != "" {
			t.Errorf("field %s returned", f)
		}
	}
}

func TestDeidentifiedNotes(t *testing.T) {
	e := MustRecords(t)
	created := mustCreate(t, e)
	e.svc.Deidentify = func(_ context.Context, s string) (string, error) {
		return strings.ReplaceAll(s, "Janeway Okonkwo-Baptiste", "[NAME]"), nil
	}
	notes, err := e.svc.ListNotes(as("u_res"), phigate.PurposeResearch, created.ID)
	if err != nil || len(notes) != 1 || !strings.HasPrefix(notes[0].Text, "Pt [NAME] seen") || notes[0].CreatedAt.Month() != time.January {
		t.Fatalf("notes %v %+v", err, notes)
	}
}

func TestUpdate(t *testing.T) {
	e := MustRecords(t)
	p := mustCreate(t, e)
	t.Run("ErrNurseMayNotWrite", func(t *testing.T) {
		e.svc.AddCareTeamMember(as("u_clin"), phigate.PurposeTreatment, p.ID, "u_nurse")
		_, err := e.svc.UpdatePatient(as("u_nurse"), phigate.PurposeTreatment, p)
		if code(err) != phigate.EFORBIDDEN {
			t.Fatalf("nurse updated a patient: %v", err)
		}
	})
	t.Run("OKViewLimitsWrite", func(t *testing.T) {
		// Operations view: name, dates, MRN. The SSN sent is ignored.
		in := *p
		in.GivenName, in.SSN = "Janet", "000-00-0000"
		out, err := e.svc.UpdatePatient(as("u_clin"), phigate.PurposeOperations, &in)
		if err != nil || out.Version != 2 || out.GivenName != "Janet" || out.SSN != "" {
			t.Fatalf("update: %v %+v", err, out)
		}
		full, _ := e.svc.GetPatient(as("u_clin"), phigate.PurposeTreatment, p.ID)
		if full.SSN != jane().SSN || full.GivenName != "Janet" {
			t.Fatalf("after update %+v", full)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		_, err := e.svc.UpdatePatient(as("u_clin"), phigate.PurposeTreatment, p) // version 1
		if code(err) != phigate.ECONFLICT {
			t.Fatalf("stale update: %v", err)
		}
	})
	t.Run("ErrDuplicateMRN", func(t *testing.T) {
		_, err := e.svc.CreatePatient(as("u_clin"), phigate.PurposeTreatment, jane())
		if code(err) != phigate.ECONFLICT {
			t.Fatalf("second patient with one MRN: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := jane()
		bad.BirthDate = "14/07/1961"
		_, err := e.svc.CreatePatient(as("u_clin"), phigate.PurposeTreatment, bad)
		if code(err) != phigate.EINVALID || strings.Contains(err.Error(), "1961") {
			t.Fatalf("bad birth date: %v", err)
		}
	})
}

func TestFindByMRN(t *testing.T) {
	e := MustRecords(t)
	p := mustCreate(t, e)
	got, err := e.svc.FindByMRN(as("u_clin"), phigate.PurposeTreatment, " mrn-4471902 ")
	if err != nil || got.ID != p.ID {
		t.Fatalf("FindByMRN: %v", err)
	}
	if _, err := e.svc.FindByMRN(as("u_clin"), phigate.PurposeTreatment, "MRN-0000000"); code(err) != phigate.ENOTFOUND {
		t.Fatalf("unknown MRN: %v", err)
	}
	if _, err := e.svc.FindByMRN(as("u_clin2"), phigate.PurposeTreatment, "MRN-4471902"); code(err) != phigate.EFORBIDDEN {
		t.Fatalf("MRN search outside the care team: %v", err)
	}
}

func TestListPatients(t *testing.T) {
	e := MustRecords(t)
	mustCreate(t, e)
	other, _ := e.svc.CreatePatient(as("u_clin2"), phigate.PurposeTreatment, &phigate.Patient{GivenName: "Other", MRN: "MRN-2"})
	mine, err := e.svc.ListPatients(as("u_clin"), phigate.PurposeTreatment, 0)
	if err != nil || len(mine) != 1 || mine[0].ID == other.ID {
		t.Fatalf("clinician list: %v %d", err, len(mine))
	}
	none, err := e.svc.ListPatients(as("u_nurse"), phigate.PurposeTreatment, 0)
	if err != nil || len(none) != 0 {
		t.Fatalf("nurse without a care team: %v %d", err, len(none))
	}
	all, err := e.svc.ListPatients(as("u_bill"), phigate.PurposePayment, 0)
	if err != nil || len(all) != 2 || all[0].SSN != "" {
		t.Fatalf("billing list: %v %d", err, len(all))
	}
}

func TestSealedAtRest(t *testing.T) {
	e := MustRecords(t)
	mustCreate(t, e)
	var blob bytes.Buffer
	for _, q := range []string{`SELECT sealed FROM patients`, `SELECT sealed FROM notes`, `SELECT COALESCE(mrn_index, '') FROM patients`} {
		rows, err := e.db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var b []byte
			rows.Scan(&b)
			blob.Write(b)
		}
		rows.Close()
	}
	for _, v := range phiValues() {
		if bytes.Contains(blob.Bytes(), []byte(v)) {
			t.Fatalf("stored in clear: a %d-byte value", len(v))
		}
	}
}

func TestShredded(t *testing.T) {
	e := MustRecords(t)
	p := mustCreate(t, e)
	e.sealer.Shred(context.Background(), "patient:"+p.ID)
	if _, err := e.svc.GetPatient(as("u_clin"), phigate.PurposeTreatment, p.ID); code(err) != phigate.ENOTFOUND {
		t.Fatalf("shredded patient: %v", err)
	}
	if _, err := e.svc.ListNotes(as("u_clin"), phigate.PurposeTreatment, p.ID); code(err) != phigate.ENOTFOUND {
		t.Fatalf("notes of a shredded patient: %v", err)
	}
}

func TestShredPatient(t *testing.T) {
	e := MustRecords(t)
	p := mustCreate(t, e)
	t.Run("ErrClinician", func(t *testing.T) {
		if err := e.svc.ShredPatient(as("u_clin"), phigate.PurposeOperations, p.ID); code(err) != phigate.EFORBIDDEN {
			t.Fatalf("clinician shred: %v", err)
		}
	})
	t.Run("ErrAuditDown", func(t *testing.T) {
		e.audit.Fail = true
		err := e.svc.ShredPatient(as("u_admin"), phigate.PurposeOperations, p.ID)
		e.audit.Fail = false
		if code(err) != phigate.EAUDIT {
			t.Fatalf("shred without audit: %v", err)
		}
		if _, err := e.svc.GetPatient(as("u_clin"), phigate.PurposeTreatment, p.ID); err != nil {
			t.Fatalf("a shred refused for audit took effect: %v", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		n := len(e.audit.events)
		if err := e.svc.ShredPatient(as("u_admin"), phigate.PurposeOperations, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.GetPatient(as("u_clin"), phigate.PurposeTreatment, p.ID); code(err) != phigate.ENOTFOUND {
			t.Fatalf("shredded patient: %v", err)
		}
		ev := e.audit.events[n]
		if ev.Action != "patient.shred" || ev.Outcome != phigate.OutcomeSuccess || len(ev.Patients) != 1 || ev.Patients[0] == p.ID {
			t.Fatalf("shred event %+v", ev)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := e.svc.ShredPatient(as("u_admin"), phigate.PurposeOperations, "pt_nobody"); code(err) != phigate.ENOTFOUND {
			t.Fatalf("unknown patient: %v", err)
		}
	})
}

func TestAuditDown(t *testing.T) {
	e := MustRecords(t)
	p := mustCreate(t, e)
	e.audit.Fail = true
	got, err := e.svc.GetPatient(as("u_clin"), phigate.PurposeTreatment, p.ID)
	if code(err) != phigate.EAUDIT || got != nil {
		t.Fatalf("read without audit: %v", err)
	}
	if _, err := e.svc.CreatePatient(as("u_clin"), phigate.PurposeTreatment, &phigate.Patient{MRN: "MRN-9"}); code(err) != phigate.EAUDIT {
		t.Fatalf("write without audit: %v", err)
	}
	e.audit.Fail = false
	if _, err := e.svc.FindByMRN(as("u_clin"), phigate.PurposeTreatment, "MRN-9"); code(err) != phigate.ENOTFOUND {
		t.Fatalf("a write refused for audit took effect: %v", err)
	}
}

// TestNoPHIInErrorsOrAudit runs every refusal and failure and scans the
// errors and audit events for the patient's data.
func TestNoPHIInErrorsOrAudit(t *testing.T) {
	e := MustRecords(t)
	p := mustCreate(t, e)
	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }
	collect(e.svc.GetPatient(as("u_clin2"), phigate.PurposeTreatment, p.ID))
	collect(e.svc.FindByMRN(as("u_clin2"), phigate.PurposeTreatment, jane().MRN))
	collect(e.svc.FindByMRN(as("u_clin"), phigate.PurposeTreatment, "MRN-missing-"+jane().SSN))
	collect(e.svc.CreatePatient(as("u_clin"), phigate.PurposeTreatment, jane()))
	bad := jane()
	bad.BirthDate = jane().Address
	collect(e.svc.CreatePatient(as("u_clin"), phigate.PurposeTreatment, bad))
	collect(e.svc.AddNote(as("u_clin"), phigate.PurposeTreatment, p.ID, &phigate.Note{Kind: jane().GivenName + " !", Text: noteText}))
	collect(e.svc.AddNote(as("u_bill"), phigate.PurposePayment, p.ID, &phigate.Note{Kind: "x", Text: noteText}))
	e.audit.Fail = true
	collect(e.svc.GetPatient(as("u_clin"), phigate.PurposeTreatment, p.ID))
	e.audit.Fail = false
	var text strings.Builder
	for _, err := range errs {
		if err == nil {
			t.Fatal("a refusal succeeded")
		}
		text.WriteString(err.Error() + phigate.ErrorMessage(err) + "\n")
	}
	for _, ev := range e.audit.events {
		text.WriteString(ev.Actor + ev.Resource + ev.Reason + ev.Action + strings.Join(ev.Patients, ",") + ev.Source)
		for k, v := range ev.Fields {
			text.WriteString(k + v)
		}
		if ev.Resource != "" && strings.Contains(ev.Resource, p.ID) {
			t.Fatalf("audit event holds the raw patient id: %s", ev.Resource)
		}
	}
	for _, v := range phiValues() {
		if strings.Contains(text.String(), v) {
			t.Fatalf("PHI (a %d-byte value) in errors or audit events", len(v))
		}
	}
}
