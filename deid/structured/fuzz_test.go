package structured_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

// FuzzJSONLines feeds arbitrary lines to the de-identifier: it must not
// fail as a whole, and every line it writes must be valid JSON, one per
// good input line.
func FuzzJSONLines(f *testing.F) {
	f.Add(`{"resourceType":"Patient","id":"1","name":[{"family":"Smith"}],"birthDate":"1950-01-02"}`) // FHIR
	f.Add(`{"a":[1,2,{"b":"John Smith 617-555-0100"}],"c":null,"d":true,"e":-1.5e3}`)                 // other JSON
	f.Add(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Nope"}}]}`)                 // unknown type
	f.Add("{\"s\":\"\\ud83d\\ude00 \\u00e9\\n\"}\n[1,\n{")                                            // escapes, broken line
	f.Fuzz(func(t *testing.T, in string) {
		d := MustDeidentifier(t, nil)
		d.Workers = 1
		var out bytes.Buffer
		st, err := d.Run(context.Background(), strings.NewReader(in), "f.jsonl", structured.JSONLines, &out)
		if err != nil {
			t.Fatalf("run failed: %v", err)
		}
		lines := 0
		for _, l := range strings.Split(out.String(), "\n") {
			if l == "" {
				continue
			}
			lines++
			if !json.Valid([]byte(l)) {
				t.Fatalf("wrote invalid JSON %q", l)
			}
		}
		if lines != st.Written {
			t.Fatalf("%d lines for %d written", lines, st.Written)
		}
	})
}

// FuzzFHIRLeaves checks the document parser: JSON it accepts is JSON.
func FuzzFHIRLeaves(f *testing.F) {
	f.Add(`{"resourceType":"Patient","name":[{"given":["A","B"]}],"_birthDate":{"extension":[]}}`)
	f.Add(`[1, 2.50, "x\u0000"]`)
	f.Fuzz(func(t *testing.T, in string) {
		_, err := structured.FHIRLeaves([]byte(in))
		valid := json.Valid([]byte(strings.TrimPrefix(in, "\xef\xbb\xbf")))
		if (err == nil) != valid {
			t.Fatalf("parser accepts %v, encoding/json says valid %v: %q", err == nil, valid, in)
		}
		if err != nil && phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatalf("code %q", phigate.ErrorCode(err))
		}
	})
}
