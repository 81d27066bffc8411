package main

import (
	"context"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/records"
)

// recordsOf builds the records service of a deployment, as serve does.
func recordsOf(t *testing.T, d *deployment) *records.Service {
	t.Helper()
	pol, err := d.openPolicy(context.Background())
	storetest.NoErr(t, err)
	rs := &records.Service{Store: d.store, Guard: &auth.Guard{Policy: pol, Audit: d.audit, Hasher: d.hasher()},
		Sealer: d.sealer(), Hasher: d.hasher()}
	storetest.NoErr(t, rs.Open())
	return rs
}

func TestPatientShred(t *testing.T) {
	dir := t.TempDir()
	clin := phigate.NewContextWithPrincipal(context.Background(),
		&phigate.Principal{UserID: "u1", Roles: []phigate.Role{phigate.RoleClinician}, MFA: true})
	d := mustDeployment(t, dir)
	storetest.NoErr(t, d.store.CreateUser(context.Background(), &phigate.User{ID: "u1", Name: "clin", PasswordHash: "x",
		Roles: []phigate.Role{phigate.RoleClinician}}))
	p, err := recordsOf(t, d).CreatePatient(clin, phigate.PurposeTreatment,
		&phigate.Patient{MRN: "MRN-55120", GivenName: "Odalys", FamilyName: "Brennecke"})
	storetest.NoErr(t, err)
	storetest.NoErr(t, d.Close())

	env := map[string]string{"PHIGATE_DATA_DIR": dir, "USER": "ops"}
	code, out, errs := run(t, env, "patient", "shred", p.ID)
	if code != 0 || !strings.Contains(out, "shredded") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	d = mustDeployment(t, dir)
	defer d.Close()
	if _, err := recordsOf(t, d).GetPatient(clin, phigate.PurposeTreatment, p.ID); phigate.ErrorCode(err) != phigate.ENOTFOUND {
		t.Fatalf("shredded patient opened: %v", err)
	}
	code, out, _ = run(t, env, "audit", "search", "--action", "patient.shred", "--json")
	if code != 0 || !strings.Contains(out, `"actor": "cli:ops"`) || strings.Contains(out, "Brennecke") {
		t.Fatalf("audit of the shred: %s", out)
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		if code, _, errs := run(t, env, "patient", "shred", "pt_nobody"); code != 1 || !strings.Contains(errs, "not_found") {
			t.Fatalf("exit %d %s", code, errs)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		if code, _, _ := run(t, env, "patient", "shred"); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
	})
}
