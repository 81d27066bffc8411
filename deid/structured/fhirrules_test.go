package structured_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

// runJSON de-identifies one document and decodes the result.
func runJSON(t *testing.T, d *structured.Deidentifier, in string, f structured.Format) (map[string]any, *structured.Stats) {
	t.Helper()
	var out bytes.Buffer
	st, err := d.Run(context.Background(), strings.NewReader(in), "in."+string(f), f, &out)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	}
	return m, st
}

// at walks a decoded document: at(m, "entry", 0, "resource", "id").
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

const refBundle = `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:6F5A2C1E-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Smith"}]},
  "request":{"method":"PUT","url":"Patient/p1"}},
 {"fullUrl":"urn:uuid:6f5a2c1e-0000-4000-8000-000000000002","resource":{"resourceType":"Observation","id":"o1","status":"final",
  "code":{"text":"glucose"},"subject":{"reference":"urn:uuid:6f5a2c1e-0000-4000-8000-000000000001","display":"John Smith"},
  "performer":[{"reference":"#pr1"}],
  "contained":[{"resourceType":"Practitioner","id":"pr1","name":[{"family":"Doe"}]}]},
  "request":{"method":"POST","url":"Observation"}},
 {"fullUrl":"http://hospital.example.org/fhir/Encounter/e1","resource":{"resourceType":"Encounter","id":"e1","status":"finished",
  "class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"partOf":{"reference":"http://hospital.example.org/fhir/Encounter/e0/_history/2"}},
  "request":{"method":"PUT","url":"Encounter?identifier=123"}}
]}`

func TestFHIRReferencesConsistent(t *testing.T) {
	m, st := runJSON(t, MustDeidentifier(t, nil), refBundle, structured.JSON)
	pid := at(m, "entry", 0, "resource", "id").(string)
	patientURL := at(m, "entry", 0, "fullUrl").(string)
	checks := map[string][2]any{
		"patient id is a code":              {pid != "p1" && len(pid) == 16, true},
		"request url follows the id":        {at(m, "entry", 0, "request", "url"), "Patient/" + pid},
		"urn:uuid subject follows fullUrl":  {at(m, "entry", 1, "resource", "subject", "reference"), patientURL},
		"relative subject follows the id":   {at(m, "entry", 2, "resource", "subject", "reference"), "Patient/" + pid},
		"display goes":                      {at(m, "entry", 1, "resource", "subject", "display"), nil},
		"local reference follows":           {at(m, "entry", 1, "resource", "performer", 0, "reference"), "#" + at(m, "entry", 1, "resource", "contained", 0, "id").(string)},
		"contained id is a code":            {at(m, "entry", 1, "resource", "contained", 0, "id") != "pr1", true},
		"contained name goes":               {at(m, "entry", 1, "resource", "contained", 0, "name"), nil},
		"absolute fullUrl loses its server": {strings.HasPrefix(at(m, "entry", 2, "fullUrl").(string), "https://example.invalid/fhir/Encounter/"), true},
		"fullUrl follows the id":            {at(m, "entry", 2, "fullUrl"), "https://example.invalid/fhir/Encounter/" + at(m, "entry", 2, "resource", "id").(string)},
		"history dropped":                   {strings.Contains(at(m, "entry", 2, "resource", "partOf", "reference").(string), "_history"), false},
		"conditional url goes":              {at(m, "entry", 2, "request", "url"), nil},
		"uuid stays a uuid":                 {len(strings.TrimPrefix(patientURL, "urn:uuid:")), 36},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %v, want %v", what, c[0], c[1])
		}
	}
	if st.Rejected.Count != 0 {
		t.Error(st.Rejected.List)
	}
}

func TestFHIRDateShiftPerPatient(t *testing.T) {
	c := &structured.Config{
		Profile: structured.SafeHarbor,
		Rules: []structured.Rule{
			{Path: "date", Action: structured.DateShift},
			{Path: "dateTime", Action: structured.DateShift},
		},
	}
	d := MustDeidentifier(t, c)
	lines := `{"resourceType":"Patient","id":"p1","birthDate":"1980-01-10"}
{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"1980-01-20T08:30:00+01:00"}
{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p2"},"effectiveDateTime":"1980-01-20T08:30:00+01:00"}
`
	var out bytes.Buffer
	if _, err := d.Run(context.Background(), strings.NewReader(lines), "a.ndjson", structured.NDJSON, &out); err != nil {
		t.Fatal(err)
	}
	var res []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		res = append(res, m)
	}
	birth := mustDate(t, res[0]["birthDate"].(string))
	obs1 := res[1]["effectiveDateTime"].(string)
	obs2 := res[2]["effectiveDateTime"].(string)
	if !strings.HasSuffix(obs1, "T08:30:00+01:00") || mustDate(t, obs1[:10]).Sub(birth).Hours() != 240 {
		t.Errorf("patient p1: birth %s, observation %s: want 10 days apart, time kept", birth, obs1)
	}
	if obs1 == obs2 || birth.Format("2006-01-02") == "1980-01-10" {
		t.Errorf("p1 and p2 share a shift (%s, %s), or nothing moved", obs1, obs2)
	}
	// A CSV row of the same patient, in another run, moves by the same offset.
	cc := &structured.Config{Profile: structured.SafeHarbor, Patient: "patient", Fields: map[string]string{"patient": "keep"},
		Rules: []structured.Rule{{Column: "born", Action: structured.DateShift}}}
	var csvOut bytes.Buffer
	if _, err := MustDeidentifier(t, cc).Run(context.Background(), strings.NewReader("patient,born\np1,01/10/1980\n"), "b.csv", structured.CSV, &csvOut); err != nil {
		t.Fatal(err)
	}
	if want := birth.Format("01/02/2006"); !strings.Contains(csvOut.String(), "p1,"+want) {
		t.Errorf("CSV: %q, want p1,%s", csvOut.String(), want)
	}
}

func TestFHIRAgesAndUnknownElements(t *testing.T) {
	in := `{"resourceType":"Bundle","type":"collection","entry":[
{"resourceType_":"x","resource":{"resourceType":"Patient","id":"a","birthDate":"1930-02-03","nickname":"Jo","gender":"female"}},
{"resource":{"resourceType":"Patient","id":"b","birthDate":"1990-02-03"}},
{"resource":{"resourceType":"FamilyMemberHistory","id":"f","status":"completed","patient":{"reference":"Patient/b"},
  "relationship":{"text":"mother"},"ageAge":{"value":95,"unit":"yr","system":"http://unitsofmeasure.org","code":"a"}}}]}`
	m, st := runJSON(t, MustDeidentifier(t, nil), in, structured.JSON)
	if at(m, "entry", 0, "resource", "birthDate") != nil || at(m, "entry", 1, "resource", "birthDate") != "1990" {
		t.Errorf("birth dates %v %v: want the one over 89 removed", at(m, "entry", 0, "resource", "birthDate"), at(m, "entry", 1, "resource", "birthDate"))
	}
	if at(m, "entry", 2, "resource", "ageAge", "value") != 90.0 || at(m, "entry", 2, "resource", "ageAge", "comparator") != ">=" {
		t.Errorf("age %v", at(m, "entry", 2, "resource", "ageAge"))
	}
	if st.Unknown["Patient.nickname"] != 1 || st.Unknown["Bundle.entry.resourceType_"] != 1 || at(m, "entry", 0, "resource", "nickname") != nil {
		t.Errorf("unknown %v", st.Unknown)
	}
}

func TestFHIRNarrativeScan(t *testing.T) {
	c := &structured.Config{Profile: structured.SafeHarbor, Rules: []structured.Rule{{Path: "Narrative.div", Action: structured.Scan}}}
	in := `{"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p title=\"John\">Seen by John Smith on 2020-01-02</p></div>"}}`
	m, st := runJSON(t, MustDeidentifier(t, c), in, structured.JSON)
	want := `<div xmlns="http://www.w3.org/1999/xhtml"><p title="[NAME]">Seen by [NAME] on [DATE]</p></div>`
	if got := at(m, "text", "div"); got != want || at(m, "text", "status") != "generated" {
		t.Errorf("div %v", got)
	}
	if st.Findings[phigate.NAME] != 2 || st.Findings[phigate.DATE] != 1 || len(st.Findings) != 2 {
		t.Errorf("findings %v", st.Findings)
	}
}

type failingDetector struct{}

func (failingDetector) Detect(dst []phigate.Finding, _ []byte) ([]phigate.Finding, error) {
	return dst, errors.New("scanner down")
}

func TestScanFailureFailsClosed(t *testing.T) {
	d := structured.NewDeidentifier()
	d.Detector = failingDetector{}
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	in := `{"resourceType":"Observation","id":"o","status":"final","code":{"text":"glucose"}}
{"resourceType":"Observation","id":"p","status":"final"}
`
	var out bytes.Buffer
	st, err := d.Run(context.Background(), strings.NewReader(in), "o.ndjson", structured.NDJSON, &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 1 || st.Rejected.Count != 1 || st.Rejected.List[0].Line != 1 || strings.Contains(out.String(), "glucose") {
		t.Errorf("written %d, rejected %v, output %s", st.Written, st.Rejected.List, out.String())
	}
}

// One run codes a patient and an MRN alike in CSV and in FHIR.
func TestPseudonymsLinkAcrossFormats(t *testing.T) {
	c := &structured.Config{Profile: structured.SafeHarbor, Fields: map[string]string{"patient": "patient-id", "mrn": "mrn"}}
	d := MustDeidentifier(t, c)
	var csvOut bytes.Buffer
	if _, err := d.Run(context.Background(), strings.NewReader("patient,mrn\n123,M-9\n"), "a.csv", structured.CSV, &csvOut); err != nil {
		t.Fatal(err)
	}
	m, _ := runJSON(t, d, `{"resourceType":"Patient","id":"123","identifier":[{"system":"urn:mrn","value":"M-9"}]}`, structured.JSON)
	want := fmt.Sprintf("patient,mrn\n%s,%s\n", at(m, "id"), at(m, "identifier", 0, "value"))
	if csvOut.String() != want {
		t.Errorf("CSV %q, FHIR gives %q", csvOut.String(), want)
	}
}
