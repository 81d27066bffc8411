package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/structured"
	"github.com/phigate/phigate/internal/storetest"
)

// shiftRules shift every structured date of a patient (FHIR date and
// dateTime, the CSV column visit) instead of cutting it to the year.
const shiftRules = `{"profile":"safe-harbor","patient":"patient","fields":{"patient":"patient-id"},
 "rules":[{"column":"visit","action":"date-shift"},{"path":"date","action":"date-shift"},{"path":"dateTime","action":"date-shift"}]}`

// patientFHIR is patient 123: the Patient, an Encounter and an
// Observation with a note, all on 2023-07-22.
const patientFHIR = `{"resourceType":"Patient","id":"123","birthDate":"1950-02-03"}
{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/123"},"period":{"start":"2023-07-22"}}
{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"glucose"},"subject":{"reference":"Patient/123"},"effectiveDateTime":"2023-07-22T10:00:00Z","note":[{"text":"Drawn on 07/22/2023 after breakfast."}]}
`

var (
	isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	usDate  = regexp.MustCompile(`\d{1,2}/\d{1,2}/\d{4}`)
)

// daysFrom returns the day offsets from 2023-07-22 of every date in s.
func daysFrom(t *testing.T, s string) []int {
	t.Helper()
	base := time.Date(2023, 7, 22, 0, 0, 0, 0, time.UTC)
	var out []int
	for _, d := range isoDate.FindAllString(s, -1) {
		if tm, err := time.Parse("2006-01-02", d); err == nil && !strings.HasPrefix(d, "19") {
			out = append(out, int(tm.Sub(base).Hours()/24))
		}
	}
	for _, d := range usDate.FindAllString(s, -1) {
		if tm, err := time.Parse("1/2/2006", d); err == nil {
			out = append(out, int(tm.Sub(base).Hours()/24))
		}
	}
	return out
}

// TestDeidDateShiftAgreement checks that, with --seed-file, one patient's
// note (found by name, folder or field) and the patient's FHIR resources
// and CSV rows all move by the same offset: the one the seed gives
// patient 123.
func TestDeidDateShiftAgreement(t *testing.T) {
	seed := []byte("a secret seed for this test")
	sur, err := deid.NewSurrogater(seed, nil)
	storetest.NoErr(t, err)
	want := sur.DateShift("123")
	for _, tc := range []struct{ from, path, text string }{
		{"name", "notes/123.2023-07-22.txt", "Admitted on 07/22/2023.\n"},
		{"dir", "notes/123/discharge.txt", "Admitted on 07/22/2023.\n"},
		{"field:MRN", "notes/discharge.txt", "MRN: 123\nAdmitted on 07/22/2023.\n"},
	} {
		t.Run(tc.from, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
			MustWriteFiles(t, dir, map[string]string{"seed": string(seed), "rules.json": shiftRules})
			MustWriteFiles(t, in, map[string]string{tc.path: tc.text, "fhir/123.ndjson": patientFHIR,
				"visits.csv": "patient,visit\n123,2023-07-22\n"})
			code, _, errs := deidRun(t, nil, "", "deid", "--method", "surrogate", "--seed-file", filepath.Join(dir, "seed"),
				"--patient-id-from", tc.from, "--config", filepath.Join(dir, "rules.json"), "-o", out, in)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			text := MustRead(t, filepath.Join(out, tc.path))
			if strings.Contains(text, "MRN: 123") {
				t.Errorf("the patient field survived: %q", text)
			}
			fhir := MustRead(t, filepath.Join(out, "fhir", "123.ndjson"))
			visits := MustRead(t, filepath.Join(out, "visits.csv"))
			got := map[string][]int{"note": daysFrom(t, text), "fhir": daysFrom(t, fhir), "csv": daysFrom(t, visits)}
			if len(got["note"]) != 1 || len(got["fhir"]) != 3 || len(got["csv"]) != 1 {
				t.Fatalf("dates found: %v in\n%s\n%s\n%s", got, text, fhir, visits)
			}
			for k, ds := range got {
				for _, d := range ds {
					if d != want {
						t.Errorf("%s shifted by %d days, want %d (the seed's shift of patient 123)", k, d, want)
					}
				}
			}
		})
	}
}

// MustDeidMapping runs deid on a CSV of MRNs with --mapping in the
// deployment dir and returns the code of each MRN.
func MustDeidMapping(t *testing.T, env map[string]string, dir, mapping string, mrns ...string) map[string]string {
	t.Helper()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	MustWriteFiles(t, dir, map[string]string{"in.csv": "mrn,lab\n" + strings.Join(mrns, ",1\n") + ",1\n", "rules.json": labsRules})
	code, _, errs := deidRun(t, env, "", "deid", "--config", filepath.Join(dir, "rules.json"), "--mapping", mapping, "-o", out, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(MustRead(t, out))).ReadAll()
	if err != nil || len(rows) != len(mrns)+1 {
		t.Fatalf("output %v %v", rows, err)
	}
	codes := map[string]string{}
	for i, m := range mrns {
		codes[m] = rows[i+1][0]
	}
	return codes
}

// TestDeidMapping: --mapping writes the pseudonyms sealed with the
// deployment's keys, a later run reads and extends it, an authorised
// user re-identifies with it, both are audited, and a wrong key fails
// before anything is written.
func TestDeidMapping(t *testing.T) {
	data, work := t.TempDir(), t.TempDir()
	env := map[string]string{"PHIGATE_DATA_DIR": data, "USER": "analyst"}
	mapping := filepath.Join(work, "keep", "mapping.jsonl")
	first := MustDeidMapping(t, env, work, mapping, "MRN-1001", "MRN-1002")
	sealed := MustRead(t, mapping)
	if strings.Contains(sealed, "MRN-100") || strings.Count(sealed, "\n") != 3 {
		t.Fatalf("mapping: %s", sealed)
	}
	if fi, _ := os.Stat(mapping); fi.Mode().Perm() != 0o600 {
		t.Errorf("mapping mode %v", fi.Mode())
	}
	second := MustDeidMapping(t, env, work, mapping, "MRN-1001", "MRN-1003")
	if second["MRN-1001"] != first["MRN-1001"] || second["MRN-1003"] == first["MRN-1002"] {
		t.Fatalf("codes across runs: %v then %v", first, second)
	}
	t.Run("OKReidentify", func(t *testing.T) {
		d := mustDeployment(t, data)
		defer d.Close()
		f, err := os.Open(mapping)
		storetest.NoErr(t, err)
		defer f.Close()
		p := structured.NewPseudonymizer(nil)
		_, err = p.ReadMapping(context.Background(), f, d.sealer())
		storetest.NoErr(t, err)
		for mrn, code := range map[string]string{"MRN-1001": first["MRN-1001"], "MRN-1002": first["MRN-1002"], "MRN-1003": second["MRN-1003"]} {
			if got, _ := p.Code("identifier", mrn, structured.FormToken); got != code || p.Len() != 3 {
				t.Errorf("%s: %s, want %s (%d codes)", mrn, got, code, p.Len())
			}
		}
	})
	t.Run("OKAudited", func(t *testing.T) {
		code, out, errs := run(t, env, "audit", "search", "--action", "deid.mapping.", "--json")
		if code != 0 || strings.Count(out, `"deid.mapping.write"`) != 2 || strings.Count(out, `"deid.mapping.read"`) != 1 ||
			!strings.Contains(out, `"actor": "cli:analyst"`) || !strings.Contains(out, structured.MappingSubjectPrefix) || strings.Contains(out, "MRN-100") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		other := t.TempDir()
		mustDeployment(t, other).Close()
		key := filepath.Join(data, keyFileName)
		orig := MustRead(t, key)
		storetest.NoErr(t, os.WriteFile(key, []byte(MustRead(t, filepath.Join(other, keyFileName))), 0o600))
		defer os.WriteFile(key, []byte(orig), 0o600)
		checkMappingRefused(t, env, work, mapping, "does not open with this deployment's keys")
	})
	t.Run("OKFailureAudited", func(t *testing.T) {
		code, out, errs := run(t, env, "audit", "search", "--action", "deid.mapping.read", "--outcome", "failure", "--json")
		if code != 0 || strings.Count(out, `"deid.mapping.read"`) != 1 || !strings.Contains(out, `"reason": "crypto"`) ||
			!strings.Contains(out, structured.MappingSubjectPrefix) {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("ErrOtherDeployment", func(t *testing.T) {
		other := t.TempDir()
		mustDeployment(t, other).Close()
		checkMappingRefused(t, map[string]string{"PHIGATE_DATA_DIR": other}, work, mapping, "does not open with this deployment's keys")
	})
	t.Run("ErrNoKeyFile", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "none")
		checkMappingRefused(t, map[string]string{"PHIGATE_DATA_DIR": empty}, work, mapping, "needs the key file")
		if _, err := os.Stat(empty); err == nil {
			t.Error("a data folder was created for a mapping it cannot open")
		}
	})
}

// checkMappingRefused runs deid with a mapping that must not open: exit
// 1, the message, no output, the mapping unchanged.
func checkMappingRefused(t *testing.T, env map[string]string, work, mapping, msg string) {
	t.Helper()
	before := MustRead(t, mapping)
	out := filepath.Join(t.TempDir(), "out.csv")
	MustWriteFiles(t, work, map[string]string{"new.csv": "mrn,lab\nMRN-1009,1\n"})
	code, stdout, errs := deidRun(t, env, "", "deid", "--config", filepath.Join(work, "rules.json"), "--mapping", mapping, "-o", out, filepath.Join(work, "new.csv"))
	if code != 1 || !strings.Contains(errs, msg) || !strings.Contains(errs, "nothing was written") || stdout != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("output written with a mapping that does not open")
	}
	if after := MustRead(t, mapping); after != before {
		t.Error("the mapping changed")
	}
	if strings.Contains(errs, "MRN-1009") {
		t.Error("stderr holds PHI")
	}
}

// TestDeidReportJSON checks the report of a stdin run names no value.
func TestDeidReportJSON(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.json")
	code, _, errs := deidRun(t, nil, note, "deid", "--report", report)
	var entries []map[string]any
	b := []byte(MustRead(t, report))
	if code != 0 || json.Unmarshal(b, &entries) != nil || len(entries) != 1 || entries[0]["file"] != "stdin" || bytes.Contains(b, []byte("Rakusin")) {
		t.Fatalf("exit %d %s: %s", code, b, errs)
	}
}
