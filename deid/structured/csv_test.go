package structured_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

var patientsCSV = `mrn,name,dob,zip,phone,visit,age,note,lab
A1,John Smith,1931-04-02,02139,617-555-0100,2020-03-04,95,"Seen by Jane Doe, call 617-555-0100",5.4
A2,Jane Doe,1980-12-31,03601,617-555-0101,2020-03-05,40,stable,6.1
A1,John Smith,1931-04-02,02139,617-555-0100,2020-04-04,95,,
A3,Bad Row,1970-01-01
A3,Peter James,04/05/1970,60601-1234,,2021-01-01,50,no complaints,7.0
`

func csvConfig() *structured.Config {
	return &structured.Config{
		Profile: structured.SafeHarbor,
		Fields: map[string]string{
			"mrn": "mrn", "name": "name", "dob": "birth-date", "zip": "zip", "phone": "phone",
			"visit": "date", "age": "age", "note": "text", "lab": "keep",
		},
	}
}

func TestCSVSafeHarbor(t *testing.T) {
	var out bytes.Buffer
	d := MustDeidentifier(t, csvConfig())
	st, err := d.Run(context.Background(), strings.NewReader(patientsCSV), "patients.csv", structured.CSV, &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 5 || st.Written != 4 || st.Rejected.Count != 1 {
		t.Fatalf("records %d written %d rejected %v", st.Records, st.Written, st.Rejected.List)
	}
	if got := st.Rejected.List[0].Error(); got != "patients.csv:5: record has 3 fields, the header has 9" {
		t.Errorf("rejection %q", got)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"mrn", "name", "dob", "zip", "phone", "visit", "age", "note", "lab"},
		{rows[1][0], "", "", "021", "", "2020", "90+", "Seen by [NAME], call [PHONE]", "5.4"},
		{rows[2][0], "", "1980", "000", "", "2020", "40", "stable", "6.1"},
		{rows[1][0], "", "", "021", "", "2020", "90+", "", ""},
		{rows[4][0], "", "1970", "606", "", "2021", "50", "no complaints", "7.0"},
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	if rows[1][0] == "A1" || rows[1][0] == rows[2][0] || rows[1][0] != rows[3][0] {
		t.Errorf("pseudonyms %q %q %q: want random, and the same for the same MRN", rows[1][0], rows[2][0], rows[3][0])
	}
	if st.Findings[phigate.NAME] != 1 || st.Findings[phigate.PHONE] != 1 {
		t.Errorf("findings %v", st.Findings)
	}
}

func TestCSVErrors(t *testing.T) {
	for name, c := range map[string]*structured.Config{
		"ErrRuleColumn":    {Rules: []structured.Rule{{Column: "nmae", Action: structured.Redact}}},
		"ErrPatientColumn": {Patient: "patient_id"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := MustDeidentifier(t, c).Run(context.Background(), strings.NewReader(patientsCSV), "p.csv", structured.CSV, &bytes.Buffer{})
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Errorf("code %q (%v), want invalid", phigate.ErrorCode(err), err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for name, c := range map[string]structured.Config{
		"ErrProfile":  {Profile: "hipaa"},
		"ErrKind":     {Fields: map[string]string{"a": "nickname"}},
		"ErrAction":   {Rules: []structured.Rule{{Column: "a", Action: "hash"}}},
		"ErrNoTarget": {Rules: []structured.Rule{{Action: structured.Redact}}},
		"ErrBoth":     {Rules: []structured.Rule{{Column: "a", Path: "b", Action: structured.Redact}}},
		"ErrAs":       {Rules: []structured.Rule{{Column: "a", Action: structured.Generalise, As: "decade"}}},
		"ErrBand":     {Rules: []structured.Rule{{Column: "a", Action: structured.Generalise, As: "age-band:0"}}},
		"ErrAsKeep":   {Rules: []structured.Rule{{Column: "a", Action: structured.Keep, As: "year"}}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := c.Validate(); phigate.ErrorCode(err) != phigate.EINVALID {
				t.Errorf("code %q, want invalid", phigate.ErrorCode(err))
			}
		})
	}
	t.Run("OKParse", func(t *testing.T) {
		c, err := structured.ParseConfig(strings.NewReader(`{"profile":"safe-harbor","fields":{"dob":"birth-date"},"rules":[{"column":"age","action":"generalise","as":"age-band:10"}]}`))
		if err != nil || len(c.Rules) != 1 {
			t.Fatal(c, err)
		}
	})
	t.Run("ErrParseUnknownField", func(t *testing.T) {
		_, err := structured.ParseConfig(strings.NewReader(`{"profil":"safe-harbor"}`))
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("code %q", phigate.ErrorCode(err))
		}
	})
	t.Run("ErrScanWithoutDetector", func(t *testing.T) {
		d := structured.NewDeidentifier()
		d.Config = &structured.Config{Rules: []structured.Rule{{Column: "note", Action: structured.Scan}}}
		if err := d.Open(); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("Open without a detector: code %q, want invalid", phigate.ErrorCode(err))
		}
		d = structured.NewDeidentifier()
		if err := d.Open(); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		_, err := d.Run(context.Background(), strings.NewReader(`{"resourceType":"Patient","id":"1","name":[{"text":"x"}],"extension":[{"url":"u","valueString":"John"}]}`), "p.json", structured.JSON, &out)
		if phigate.ErrorCode(err) != phigate.EINVALID || out.Len() > 0 {
			t.Errorf("free text without a detector: code %q, output %q", phigate.ErrorCode(err), out.String())
		}
		_, err = d.Run(context.Background(), strings.NewReader("a,b\n1,2\n"), "p.csv", structured.CSV, &out)
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("undeclared CSV columns without a detector: code %q", phigate.ErrorCode(err))
		}
	})
}

func TestDetectFormat(t *testing.T) {
	for name, want := range map[string]structured.Format{
		"a.csv": structured.CSV, "b.TSV": structured.CSV, "c.jsonl": structured.JSONLines,
		"Patient.ndjson": structured.NDJSON, "bundle.json": structured.JSON, "note.txt": "",
	} {
		got, ok := structured.DetectFormat(name)
		if got != want || ok != (want != "") {
			t.Errorf("DetectFormat(%q) = %q, %v", name, got, ok)
		}
	}
}
