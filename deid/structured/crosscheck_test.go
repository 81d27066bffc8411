package structured_test

import (
	"bytes"
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/phigate/phigate/deid/structured"
)

// TestCrossCheckAnonymizer compares the safe-harbor profile with what
// Microsoft's FHIR anonymizer produced for the same resources (the
// -target.json beside each input): every value that tool changed or
// removed, the profile must change or remove too, unless it is listed in
// keptOnPurpose with the reason.
func TestCrossCheckAnonymizer(t *testing.T) {
	keptOnPurpose := map[string]string{
		// Safe Harbor keeps the year; that tool shifts whole dates instead.
		"year": "a date already cut to its year",
		// Codes, systems and flags identify nobody; some configurations of
		// that tool substitute or redact them for their own tests.
		"code": "code", "uri": "uri", "boolean": "boolean", "positiveInt": "positiveInt",
		"decimal": "decimal", "integer": "integer", "canonical": "canonical",
		// Coding.display names a concept, not a person.
		"Coding.display": "terminology display text",
		// State and country are allowed by Safe Harbor.
		"Address.state": "allowed by Safe Harbor", "Address.country": "allowed by Safe Harbor",
		// Strings the PHI engine scanned and found nothing in.
		"string": "scanned free text with no finding", "markdown": "scanned free text with no finding",
	}
	dir := fhirDir(t)
	var diffs []string
	for _, f := range sharedResources(t) {
		target := strings.TrimSuffix(f, ".json") + "-target.json"
		tb, err := os.ReadFile(target)
		if err != nil {
			continue
		}
		in, _ := os.ReadFile(f)
		var out bytes.Buffer
		if _, err := MustDeidentifier(t, nil).Run(context.Background(), bytes.NewReader(in), f, structured.JSON, &out); err != nil {
			t.Fatal(err)
		}
		before, _ := structured.FHIRLeaves(in)
		theirs, err := structured.FHIRLeaves(tb)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		ours, _ := structured.FHIRLeaves(out.Bytes())
		theirSet, ourSet := leafSet(theirs), leafSet(ours)
		for _, l := range before {
			k := l.Path + "\x00" + l.Value
			if theirSet[k] || !ourSet[k] {
				continue // that tool kept it, or we changed it too
			}
			reason := keptOnPurpose[l.Type]
			if r, ok := keptOnPurpose[l.Owner+l.Path[strings.LastIndexByte(l.Path, '.'):]]; ok {
				reason = r
			}
			if (l.Type == "date" || l.Type == "dateTime") && len(l.Value) == 4 {
				reason = keptOnPurpose["year"]
			}
			if reason == "" {
				rel := strings.TrimPrefix(f, dir+"/")
				t.Errorf("%s: %s (%s) was changed by that tool but kept", rel, l.Path, l.Type)
				continue
			}
			diffs = append(diffs, l.Path+": "+reason)
		}
	}
	sort.Strings(diffs)
	t.Logf("kept where that tool changed the value (%d):\n%s", len(diffs), strings.Join(uniq(diffs), "\n"))
}

func leafSet(ls []structured.Leaf) map[string]bool {
	m := map[string]bool{}
	for _, l := range ls {
		m[l.Path+"\x00"+l.Value] = true
	}
	return m
}

func uniq(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
