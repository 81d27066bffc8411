package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const riskCSV = "id;age;sex;zip3;dx\n1;30;F;021;a\n2;30;F;021;b\n3;30;F;021;a\n4;41;M;100;a\n5;41;M;100;a\n6;52;F;606;c\n7;52;F\n"

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRiskCommand(t *testing.T) {
	in := writeTemp(t, "p.csv", riskCSV)
	t.Run("OKText", func(t *testing.T) {
		code, out, errs := run(t, nil, "risk", in, "--qi", "age,sex,zip3", "--sensitive", "dx", "--k", "3")
		// Line 8 has too few fields: reported, left out, exit 1.
		if code != 1 || !strings.Contains(errs, "p.csv:8: record has 3 fields, the header has 5") || !strings.Contains(errs, "1 malformed records") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		for _, want := range []string{"Records analysed                   6", "k (smallest class)                 1", "Records in classes smaller than 3  3 (50.00%)"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("OKJSONAndReport", func(t *testing.T) {
		prefix := filepath.Join(t.TempDir(), "rep")
		_, out, _ := run(t, nil, "risk", "--qi", "age,sex", in, "--json", "--report", prefix)
		var rep struct {
			Before struct {
				K       int `json:"k"`
				Classes int `json:"classes"`
			} `json:"risk_before"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Before.K != 1 || rep.Before.Classes != 3 {
			t.Fatalf("%v %+v\n%s", err, rep, out)
		}
		for _, ext := range []string{".md", ".json"} {
			if _, err := os.Stat(prefix + ext); err != nil {
				t.Error(err)
			}
		}
	})
	for name, args := range map[string][]string{
		"ErrNoQI":     {"risk", in},
		"ErrNoFile":   {"risk", "--qi", "age"},
		"ErrBadK":     {"risk", in, "--qi", "age", "--k", "0"},
		"ErrTwoFiles": {"risk", in, in, "--qi", "age"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, _ := run(t, nil, args...); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
		})
	}
	t.Run("ErrColumn", func(t *testing.T) {
		code, _, errs := run(t, nil, "risk", in, "--qi", "age,postcode")
		if code != 1 || !strings.Contains(errs, `"postcode"`) {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

func TestAnonymizeCommand(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("name,age,sex,dx\n")
	for i := range 40 {
		b.WriteString("P" + string(rune('A'+i%26)) + "," + []string{"31", "34", "38", "42", "47", "88"}[i%6] + "," + []string{"F", "M"}[i%2] + ",d" + string(rune('0'+i%3)) + "\n")
	}
	in := filepath.Join(dir, "people.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	age := writeTemp(t, "age.csv", "31;30-34;30-39;*\n34;30-34;30-39;*\n38;35-39;30-39;*\n42;40-44;40-49;*\n47;45-49;40-49;*\n88;85-89;80-89;*\n")
	t.Run("OK", func(t *testing.T) {
		code, out, errs := run(t, nil, "anonymize", in, "--k", "5", "--max-suppression", "10%", "--hierarchy", "age="+age, "--qi", "sex", "--drop", "name", "--sensitive", "dx")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		data, err := os.ReadFile(filepath.Join(dir, "people.anonymized.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "age,sex,dx\n") || strings.Contains(string(data), "PA") {
			t.Errorf("output:\n%s", data)
		}
		if _, err := os.Stat(filepath.Join(dir, "people.anonymized.report.md")); err != nil {
			t.Error(err)
		}
		if !strings.Contains(out, "k:                1 → ") && !strings.Contains(out, "k:                6 → ") {
			t.Errorf("summary:\n%s", out)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		code, _, errs := run(t, nil, "anonymize", in, "--k", "41", "--hierarchy", "age="+age, "--out", filepath.Join(dir, "x.csv"))
		if code != 1 || !strings.Contains(errs, "--max-suppression") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
		if _, err := os.Stat(filepath.Join(dir, "x.csv")); err == nil {
			t.Error("a failed run left its output")
		}
	})
	for name, args := range map[string][]string{
		"ErrNoK":         {"anonymize", in, "--hierarchy", "age=" + age},
		"ErrNoQI":        {"anonymize", in, "--k", "5"},
		"ErrSuppression": {"anonymize", in, "--k", "5", "--hierarchy", "age=" + age, "--max-suppression", "150%"},
		"ErrMetric":      {"anonymize", in, "--k", "5", "--hierarchy", "age=" + age, "--metric", "nope"},
		"ErrLNoSens":     {"anonymize", in, "--k", "5", "--hierarchy", "age=" + age, "--l", "2"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, _ := run(t, nil, args...); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
		})
	}
}

func TestAnonymizeAdultCommand(t *testing.T) {
	root := os.Getenv("PHIGATE_TEST_DATA")
	d := filepath.Join(root, "adult")
	if _, err := os.Stat(filepath.Join(d, "adult.csv")); root == "" || err != nil {
		t.Skip("PHIGATE_TEST_DATA has no adult data set")
	}
	args := []string{"anonymize", filepath.Join(d, "adult.csv"), "--k", "5", "--max-suppression", "5%", "--out", filepath.Join(t.TempDir(), "a.csv")}
	for _, c := range []string{"age", "sex", "race", "marital-status"} {
		args = append(args, "--hierarchy", c+"="+filepath.Join(d, "adult_hierarchy_"+c+".csv"))
	}
	code, out, errs := run(t, nil, args...)
	if code != 0 || !strings.Contains(out, "k:                1 → 5") || !strings.Contains(out, "Levels:           age=1/4") {
		t.Fatalf("exit %d %s\n%s", code, errs, out)
	}
}
