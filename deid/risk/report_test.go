package risk_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate/deid/risk"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

func testHierarchies(t *testing.T) []*risk.Hierarchy {
	var hs []*risk.Hierarchy
	for _, c := range []string{"age", "sex", "zip3"} {
		hs = append(hs, MustReadHierarchy(t, filepath.Join("testdata", "hierarchy_"+c+".csv"), c))
	}
	return hs
}

var reportTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func TestAnonymizerGolden(t *testing.T) {
	a := &risk.Anonymizer{
		Model:       risk.Model{K: 3, MaxSuppression: 0.1},
		Hierarchies: testHierarchies(t),
		Sensitive:   []string{"diagnosis"},
		Drop:        []string{"id"},
		Now:         func() time.Time { return reportTime },
	}
	var out bytes.Buffer
	rep, err := a.Anonymize("patients.csv", fileOpener(filepath.Join("testdata", "patients.csv")), &out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "P001") || !strings.HasPrefix(out.String(), "age,sex,zip3,diagnosis\n") {
		t.Errorf("output keeps the dropped id column:\n%s", out.String()[:80])
	}
	if rep.After.K < 3 || rep.Solution.Suppressed > 6 {
		t.Errorf("after: k %d, suppressed %d", rep.After.K, rep.Solution.Suppressed)
	}
	var md, js bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "patients.anon.csv.golden", out.Bytes())
	golden(t, "patients.report.md.golden", md.Bytes())
	golden(t, "patients.report.json.golden", js.Bytes())
}

func TestAssessorGolden(t *testing.T) {
	a := &risk.Assessor{
		QI:        []string{"age", "sex", "zip3"},
		Sensitive: []string{"diagnosis"},
		Options:   risk.Options{K: 3},
		Now:       func() time.Time { return reportTime },
	}
	f, err := os.Open(filepath.Join("testdata", "patients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := a.Assess("patients.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	var txt, md bytes.Buffer
	if err := rep.Before.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "patients.risk.txt.golden", txt.Bytes())
	golden(t, "patients.risk.md.golden", md.Bytes())
}
