package structured_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

// TestNDJSONBadLines writes a Bulk Data file of a million resources (ten
// thousand with -short, a hundred thousand under the race detector) with
// invalid JSON on line 7 and an unknown
// resource type on line 9: both are reported by line and field, the rest
// is written in order, and the output appears whole.
func TestNDJSONBadLines(t *testing.T) {
	n := 1_000_000
	switch {
	case testing.Short():
		n = 10_000
	case raceEnabled:
		n = 100_000
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "Observation.ndjson")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 1; i <= n; i++ {
		switch i {
		case 7:
			fmt.Fprintf(w, `{"resourceType":"Observation","id":"o%d","status":"final"`+"\n", i)
		case 9:
			fmt.Fprintf(w, `{"resourceType":"Observaton","id":"o%d","status":"final"}`+"\n", i)
		default:
			fmt.Fprintf(w, `{"resourceType":"Observation","id":"o%d","status":"final","subject":{"reference":"Patient/p%d"},"effectiveDateTime":"2020-01-%02dT10:00:00Z","valueQuantity":{"value":%d.5,"unit":"mmol/L"}}`+"\n", i, i%1000, 1+i%28, i%100)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "out.ndjson")
	d := MustDeidentifier(t, nil)
	st, err := d.File(context.Background(), in, out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != n || st.Written != n-2 || st.Rejected.Count != 2 {
		t.Fatalf("records %d written %d rejected %d", st.Records, st.Written, st.Rejected.Count)
	}
	bad := len(`{"resourceType":"Observation","id":"o7","status":"final"`)
	want := []string{
		fmt.Sprintf("Observation.ndjson:7: invalid JSON at byte %d of the line", bad+1),
		`Observation.ndjson:9: field "resourceType": unknown FHIR R4 resource type`,
	}
	for i, e := range st.Rejected.List {
		if e.Error() != want[i] {
			t.Errorf("rejection %d: %q, want %q", i, e.Error(), want[i])
		}
	}
	checkLines(t, out, n-2)
}

// checkLines checks that out holds lines valid JSON objects, in order,
// with de-identified dates.
func checkLines(t *testing.T, out string, lines int) {
	t.Helper()
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	got := 0
	for sc.Scan() {
		var obs struct {
			Effective string                      `json:"effectiveDateTime"`
			Value     struct{ Value json.Number } `json:"valueQuantity"`
		}
		if err := json.Unmarshal(sc.Bytes(), &obs); err != nil {
			t.Fatalf("line %d: %v", got+1, err)
		}
		if obs.Effective != "2020" || !strings.HasSuffix(string(obs.Value.Value), ".5") {
			t.Fatalf("line %d: %s", got+1, sc.Text())
		}
		got++
	}
	if got != lines {
		t.Errorf("%d lines written, want %d", got, lines)
	}
}

func TestNoHalfWrittenOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "patient.json")
	if err := os.WriteFile(in, []byte("{\n  \"resourceType\": \"Patient\",\n  \"id\": \n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	_, err := MustDeidentifier(t, nil).File(context.Background(), in, out)
	if phigate.ErrorCode(err) != phigate.EINVALID || !strings.Contains(err.Error(), "patient.json:4") {
		t.Fatalf("error %v, want invalid naming patient.json:4", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the input alone", len(entries))
	}
}

func TestJSONLinesByPath(t *testing.T) {
	c := &structured.Config{
		Profile: structured.SafeHarbor,
		Fields:  map[string]string{"patient.name": "name", "patient.mrn": "mrn", "patient.dob": "birth-date", "visits.zip": "zip", "score": "keep"},
		Rules:   []structured.Rule{{Path: "$.visits[*].date", Action: structured.DateShift}},
		Patient: "patient.mrn",
	}
	in := `{"patient":{"name":"John Smith","mrn":"A1","dob":"1930-05-01"},"visits":[{"date":"2020-01-10","zip":"02139","note":"seen by Jane Doe"}],"score":7}
{"patient":{"name":"Jane Doe","mrn":"A1","dob":"1990-05-01"},"visits":[{"date":"2020-01-20","zip":"03601"}],"score":8}
`
	var out bytes.Buffer
	st, err := MustDeidentifier(t, c).Run(context.Background(), strings.NewReader(in), "v.jsonl", structured.JSONLines, &out)
	if err != nil || st.Rejected.Count != 0 {
		t.Fatal(err, st.Rejected.List)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var a, b struct {
		Patient struct{ Name, MRN, DOB string }
		Visits  []struct{ Date, Zip, Note string }
		Score   int
	}
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &b); err != nil {
		t.Fatal(err)
	}
	switch {
	case a.Patient.Name != "" || a.Patient.MRN == "A1" || a.Patient.MRN != b.Patient.MRN:
		t.Errorf("patient: %+v / %+v", a.Patient, b.Patient)
	case a.Patient.DOB != "" || b.Patient.DOB != "1990":
		t.Errorf("birth dates: %q (over 89: removed), %q", a.Patient.DOB, b.Patient.DOB)
	case a.Visits[0].Zip != "021" || b.Visits[0].Zip != "000":
		t.Errorf("zips %q %q", a.Visits[0].Zip, b.Visits[0].Zip)
	case a.Visits[0].Note != "seen by [NAME]" || a.Score != 7:
		t.Errorf("note %q score %d", a.Visits[0].Note, a.Score)
	}
	// Same patient (mrn A1): same shift, so the 10 days between visits stay.
	da, db := mustDate(t, a.Visits[0].Date), mustDate(t, b.Visits[0].Date)
	if db.Sub(da).Hours() != 240 || a.Visits[0].Date == "2020-01-10" {
		t.Errorf("shifted visits %s and %s", a.Visits[0].Date, b.Visits[0].Date)
	}
}
