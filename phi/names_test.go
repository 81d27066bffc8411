package phi_test

import (
	"os"
	"testing"

	"github.com/phigate/phigate/phi"
)

// TestNamePrefixes scans every prefix of the name goldens, so that a rule
// looking past a name ("reach rob.", "proxies. ivo and lem", "is a 70 yr
// old") at the end of a text or of a streamed window keeps within the
// tokens.
func TestNamePrefixes(t *testing.T) {
	sc, high := phi.NewScanner(), phi.NewScanner()
	high.Sensitivity = phi.HighSensitivity
	for _, in := range []string{"names-plain", "names-plain-lower", "names-plain-caps", "talk-caps", "talk-lower", "kin-caps", "kin-lower", "names-duty", "names-duty-caps", "names-duty-lower",
		"names-neighbour", "names-neighbour-lower", "names-neighbour-caps"} {
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
