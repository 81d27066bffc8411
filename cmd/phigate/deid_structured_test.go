package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deidRun runs the CLI in-process with an environment and stdin.
func deidRun(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return m.Run(ctx, args), out.String(), errb.String()
}

// MustWriteFiles writes files (path relative to dir → content).
func MustWriteFiles(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for p, content := range files {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

func MustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

const (
	labsCSV    = "mrn,dob,zip,lab\nMRN-20417,1950-02-03,02139,5.1\nMRN-20418,1931-01-01,03601\nMRN-20417,1950-02-03,03601,4.0\n"
	fhirNDJSON = `{"resourceType":"Patient","id":"p77","name":[{"family":"Vasquez","given":["Odalys"]}],"birthDate":"1950-02-03","telecom":[{"system":"phone","value":"410-555-1212"}]}
{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"glucose"},"subject":{"reference":"Patient/p77"},"effectiveDateTime":"2020-02-03T10:00:00Z","valueQuantity":{"value":5.5,"unit":"mmol/L"}}
{"resourceType":"Observaton","id":"o2","status":"final"}
`
	fhirBundle = `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:0b6c4a3e-5d1b-4c55-9a1f-7f3f8a2e6d10","resource":{"resourceType":"Patient","id":"p78","name":[{"family":"Brennecke"}]}}]}`
	labsRules  = `{"profile":"safe-harbor","fields":{"mrn":"mrn","dob":"birth-date","zip":"zip","lab":"keep"}}`
)

// TestDeidMixedFolder runs one `phigate deid` over a folder of notes, CSV,
// FHIR NDJSON and a Bundle, a binary file and a malformed CSV row: each
// file goes to its pipeline, the bad parts are reported by file and line,
// the rest is written whole, and the exit code is 1.
func TestDeidMixedFolder(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	MustWriteFiles(t, in, map[string]string{
		"notes/n1.txt":    note,
		"notes/n2":        "Pt Odalys Vasquez, DOB 02/03/1950, phone 410-555-1212.\n",
		"labs.csv":        labsCSV,
		"fhir/obs.ndjson": fhirNDJSON,
		"fhir/b.json":     fhirBundle,
		"scan.png":        "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"rules.cfg":       labsRules,
	})
	report := filepath.Join(dir, "report.json")
	code, stdout, errs := deidRun(t, nil, "", "deid", "-o", out, "--config", filepath.Join(in, "rules.cfg"), "--report", report, in)
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, errs)
	}
	for _, want := range []string{
		filepath.Join(in, "labs.csv") + ":3: record has 3 fields, the header has 4",
		filepath.Join(in, "fhir", "obs.ndjson") + `:3: field "resourceType": unknown FHIR R4 resource type`,
		filepath.Join(in, "scan.png") + ": deid.Copy: invalid: NUL byte",
		"phigate deid: 7 file(s), 1 failed", "text: 4 file(s)", "structured: 3 file(s), 7 records, 5 written, 2 rejected",
		"1 of 7 files failed; 2 malformed records were left out",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	for _, phi := range []string{"Rakusin", "Vasquez", "Odalys", "Brennecke", "410-555-1212", "MRN-20417", "02139", "p77"} {
		if strings.Contains(errs, phi) {
			t.Errorf("stderr holds %q", phi)
		}
	}
	checkMixedOutputs(t, in, out)
	checkNoTemporaries(t, out)
	checkReport(t, report)
}

func checkMixedOutputs(t *testing.T, in, out string) {
	t.Helper()
	if got := MustRead(t, filepath.Join(out, "notes", "n1.txt")); got != "Seen by Dr. [NAME] on [DATE]; call daughter [NAME] at [PHONE].\n" {
		t.Errorf("note: %q", got)
	}
	if got := MustRead(t, filepath.Join(out, "notes", "n2")); strings.Contains(got, "Vasquez") || !strings.Contains(got, "[PHONE]") {
		t.Errorf("note without extension: %q", got)
	}
	rows, err := csv.NewReader(strings.NewReader(MustRead(t, filepath.Join(out, "labs.csv")))).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != "mrn,dob,zip,lab" {
		t.Fatalf("CSV output %v %v", rows, err)
	}
	if rows[1][0] != rows[2][0] || rows[1][0] == "MRN-20417" || rows[1][1] != "1950" || rows[1][2] != "021" || rows[2][2] != "000" {
		t.Errorf("CSV rows (the CSV went through the text pipeline, or the rules did not apply): %v", rows)
	}
	lines := strings.Split(strings.TrimSpace(MustRead(t, filepath.Join(out, "fhir", "obs.ndjson"))), "\n")
	var pat, obs struct {
		ID      string            `json:"id"`
		Name    []any             `json:"name"`
		Subject map[string]string `json:"subject"`
		Birth   string            `json:"birthDate"`
		Eff     string            `json:"effectiveDateTime"`
	}
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &pat) != nil || json.Unmarshal([]byte(lines[1]), &obs) != nil {
		t.Fatalf("NDJSON output: %q", lines)
	}
	if pat.ID == "p77" || pat.Name != nil || pat.Birth != "1950" || obs.Subject["reference"] != "Patient/"+pat.ID || obs.Eff != "2020" {
		t.Errorf("FHIR output: %q", lines)
	}
	var b map[string]any
	if s := MustRead(t, filepath.Join(out, "fhir", "b.json")); json.Unmarshal([]byte(s), &b) != nil || strings.Contains(s, "Brennecke") || strings.Contains(s, "0b6c4a3e") {
		t.Errorf("Bundle output: %s", s)
	}
	if _, err := os.Stat(filepath.Join(out, "scan.png")); err == nil {
		t.Error("the binary file has an output")
	}
	if _, err := os.Stat(filepath.Join(out, "rules.cfg")); err != nil {
		t.Error("a text file with an unknown extension was not de-identified as text")
	}
}

// checkNoTemporaries fails if out holds a temporary or hidden file.
func checkNoTemporaries(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}

func checkReport(t *testing.T, path string) {
	t.Helper()
	var entries []struct {
		File, Kind, Error string
		Replaced          map[string]int
		Records           *struct{ Rejected struct{ Count int } }
	}
	if err := json.Unmarshal([]byte(MustRead(t, path)), &entries); err != nil || len(entries) != 7 {
		t.Fatalf("report: %v, %d entries", err, len(entries))
	}
	kinds := map[string]int{}
	for _, e := range entries {
		kinds[e.Kind]++
		if strings.HasSuffix(e.File, "scan.png") != (e.Error != "") {
			t.Errorf("report entry %+v", e)
		}
	}
	if kinds["text"] != 4 || kinds["structured"] != 3 {
		t.Errorf("report kinds %v", kinds)
	}
}

// TestDeidStdin: stdin is text unless --format says otherwise.
func TestDeidStdin(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	MustWriteFiles(t, dir, map[string]string{"rules.json": labsRules})
	t.Run("OK/text", func(t *testing.T) {
		code, out, errs := deidRun(t, nil, note, "deid", "-")
		if code != 0 || out != "Seen by Dr. [NAME] on [DATE]; call daughter [NAME] at [PHONE].\n" || !strings.Contains(errs, "replaced: NAME=2 DATE=1 PHONE=1") {
			t.Fatalf("exit %d %q %s", code, out, errs)
		}
	})
	t.Run("OK/csvAsText", func(t *testing.T) {
		_, out, _ := deidRun(t, nil, labsCSV, "deid", "--config", rules)
		if strings.Contains(out, "MRN-20417") || !strings.Contains(out, "[") {
			t.Fatalf("CSV on stdin without --format is text: %q", out)
		}
	})
	t.Run("OK/csv", func(t *testing.T) {
		code, out, errs := deidRun(t, nil, labsCSV, "deid", "--format", "csv", "--config", rules)
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != 1 || err != nil || len(rows) != 3 || rows[1][1] != "1950" || strings.Contains(out, "MRN-20417") {
			t.Fatalf("exit %d %v %q: %s", code, err, out, errs)
		}
		if !strings.Contains(errs, "stdin:3: record has 3 fields") {
			t.Errorf("stderr: %s", errs)
		}
	})
	t.Run("OK/fhir", func(t *testing.T) {
		for _, f := range []string{"fhir", "json"} {
			code, out, errs := deidRun(t, nil, fhirBundle, "deid", "--format", f)
			if code != 0 || strings.Contains(out, "Brennecke") || !strings.Contains(out, `"resourceType": "Bundle"`) {
				t.Fatalf("--format %s: exit %d %q %s", f, code, out, errs)
			}
		}
	})
	t.Run("OK/ndjsonToFile", func(t *testing.T) {
		out := filepath.Join(dir, "o.ndjson")
		code, stdout, errs := deidRun(t, nil, fhirNDJSON, "deid", "--format", "ndjson", "-o", out)
		if code != 1 || stdout != "" || strings.Count(MustRead(t, out), "\n") != 2 {
			t.Fatalf("exit %d %q %s", code, stdout, errs)
		}
	})
	t.Run("ErrBinaryToFile", func(t *testing.T) {
		out := filepath.Join(dir, "bin.txt")
		if code, _, errs := deidRun(t, nil, "a\x00b", "deid", "-o", out); code != 1 || !strings.Contains(errs, "stdin: deid.Copy") {
			t.Fatalf("exit %d %s", code, errs)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a failed stdin was written")
		}
		checkNoTemporaries(t, dir)
	})
}

func TestDeidUsage(t *testing.T) {
	dir := t.TempDir()
	MustWriteFiles(t, dir, map[string]string{"a.txt": note})
	for name, args := range map[string][]string{
		"ErrFormat":      {"deid", "--format", "xml"},
		"ErrMethod":      {"deid", "--method", "rot13"},
		"ErrPatientFrom": {"deid", "--patient-id-from", "path"},
		"ErrStdinMixed":  {"deid", "-", filepath.Join(dir, "a.txt"), "-o", filepath.Join(dir, "out")},
		"ErrNoOut":       {"deid", dir},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, errs := deidRun(t, nil, "", args...); code != 2 {
				t.Errorf("exit %d, want 2: %s", code, errs)
			}
		})
	}
	t.Run("ErrRules", func(t *testing.T) {
		MustWriteFiles(t, dir, map[string]string{"bad.json": `{"profile":"nope"}`})
		if code, _, errs := deidRun(t, nil, note, "deid", "--config", filepath.Join(dir, "bad.json")); code != 1 || !strings.Contains(errs, "unknown profile") {
			t.Errorf("exit %d: %s", code, errs)
		}
	})
	t.Run("OKHelp", func(t *testing.T) {
		code, _, errs := deidRun(t, nil, "", "deid", "-h")
		for _, want := range []string{"--patient-id-from", "field:NAME", "--mapping", "--format", "safe-harbor", "deid.mapping.write", "-data-dir"} {
			if code != 0 || !strings.Contains(errs, want) {
				t.Errorf("help lacks %q (exit %d)", want, code)
			}
		}
	})
}
