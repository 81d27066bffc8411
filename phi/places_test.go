package phi_test

import (
	"os"
	"testing"

	"github.com/phigate/phigate/phi"
)

// TestPlacePrefixes scans every prefix of the place goldens, so that a
// rule looking past a cue ("Alder Rehab and", "job in") at the end of a
// text or of a streamed window keeps within the tokens.
func TestPlacePrefixes(t *testing.T) {
	sc, high := phi.NewScanner(), phi.NewScanner()
	high.Sensitivity = phi.HighSensitivity
	for _, in := range []string{"places-cues", "places-cues-caps", "places-wards", "places-wards-caps", "places-town", "places-town-caps", "places-town-lower", "places-agency", "places-agency-caps", "places-features-lower", "places-features-caps", "places-words", "places-words-caps", "places-words-lower"} {
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
