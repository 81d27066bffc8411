package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStructuredDeidCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(filepath.Join(in, "sub"), 0o700)
	os.WriteFile(filepath.Join(in, "p.csv"), []byte("mrn,dob,zip,lab\nA1,1950-02-03,02139,5.1\nA2,1931-01-01,03601\nA1,1950-02-03,03601,4.0\n"), 0o600)
	os.WriteFile(filepath.Join(in, "sub", "o.ndjson"), []byte(`{"resourceType":"Observation","id":"1","status":"final","effectiveDateTime":"2020-02-03"}`+"\n"+`{"resourceType":"Nope"}`+"\n"), 0o600)
	os.WriteFile(filepath.Join(in, "notes.txt"), []byte("not structured"), 0o600)
	cfg := filepath.Join(dir, "cfg.json")
	os.WriteFile(cfg, []byte(`{"profile":"safe-harbor","fields":{"mrn":"mrn","dob":"birth-date","zip":"zip","lab":"keep"}}`), 0o600)
	out := filepath.Join(dir, "out")
	report := filepath.Join(dir, "report.json")
	code, _, errs := run(t, nil, "deid-structured", in, "--out", out, "--config", cfg, "--report", report)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"p.csv:3: record has 3 fields, the header has 4", `o.ndjson:2: field "resourceType": unknown FHIR R4 resource type`, "2 malformed records"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(out, "p.csv"))
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 3 || strings.Contains(string(csv), "A1") || !strings.Contains(lines[1], ",1950,021,5.1") {
		t.Errorf("CSV output:\n%s", csv)
	}
	if strings.SplitN(lines[1], ",", 2)[0] != strings.SplitN(lines[2], ",", 2)[0] {
		t.Errorf("the same MRN got two pseudonyms:\n%s", csv)
	}
	nd, _ := os.ReadFile(filepath.Join(out, "sub", "o.ndjson"))
	if strings.Count(string(nd), "\n") != 1 || !strings.Contains(string(nd), `"effectiveDateTime":"2020"`) {
		t.Errorf("NDJSON output: %s", nd)
	}
	if _, err := os.Stat(filepath.Join(out, "notes.txt")); err == nil {
		t.Error("a text file was treated as structured")
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), `"rejected"`) {
		t.Errorf("report: %v %s", err, b)
	}
}

func TestStructuredDeidStdin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(`{"a":"b","resourceType":"Basic","code":{"coding":[{"code":"x"}]}}` + "\n"), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code := m.Run(ctx, []string{"deid-structured", "-", "--format", "ndjson"})
	if code != 0 || !strings.Contains(stdout.String(), `"code":"x"`) {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	for name, args := range map[string][]string{
		"ErrNoOut":    {"deid-structured", "x.csv"},
		"ErrNoFormat": {"deid-structured", "-"},
		"ErrNoInput":  {"deid-structured", "--out", "x"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, _ := run(t, nil, args...); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
		})
	}
}
