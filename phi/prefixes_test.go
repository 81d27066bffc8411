package phi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phigate/phigate/phi"
)

// prefixGoldens are the golden inputs of the rules that look past their
// cue ("reach rob.", "proxies. ivo and lem", "Alder Rehab and", "job in"):
// with -short only these are scanned prefix by prefix, otherwise all.
var prefixGoldens = []string{
	"names-plain", "names-plain-lower", "names-plain-caps", "talk-caps", "talk-lower", "kin-caps", "kin-lower",
	"names-duty", "names-duty-caps", "names-duty-lower", "names-neighbour", "names-neighbour-lower", "names-neighbour-caps",
	"places-cues", "places-cues-caps", "places-wards", "places-wards-caps", "places-town", "places-town-caps",
	"places-town-lower", "places-agency", "places-agency-caps", "places-features-lower", "places-features-caps",
	"places-words", "places-words-caps", "places-words-lower", "high/strange", "high/strange-mixed",
	"names-homograph", "names-homograph-caps", "names-homograph-lower", "places-named", "names-signed", "photos", "numbers", "fields", "fields-caps", "chat", "names-rt", "names-rt-caps",
}

// TestGoldenPrefixes scans every prefix of the goldens at both
// sensitivities, so that a rule reaching past its cue at the end of a
// text or of a streamed window stays within the tokens.
func TestGoldenPrefixes(t *testing.T) {
	sc, high := phi.NewScanner(), phi.NewScanner()
	high.Sensitivity = phi.HighSensitivity
	inputs := prefixGoldens
	if !testing.Short() {
		// Every golden, not only the listed ones: a rule that looks one
		// token too far panics only where a text ends right there.
		all, _ := filepath.Glob("testdata/*.input")
		more, _ := filepath.Glob("testdata/high/*.input")
		inputs = nil
		for _, f := range append(all, more...) {
			inputs = append(inputs, strings.TrimSuffix(strings.TrimPrefix(f, "testdata/"), ".input"))
		}
	}
	for _, in := range inputs {
		text, err := os.ReadFile("testdata/" + in + ".input")
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(text) + 1 {
			for _, s := range []*phi.Scanner{sc, high} {
				fs, err := s.Detect(nil, text[:n])
				if err != nil {
					t.Fatal(err)
				}
				checkFindings(t, text[:n], fs)
			}
		}
	}
}
