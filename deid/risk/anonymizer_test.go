package risk_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/phigate/phigate/deid/risk"
)

func fileOpener(path string) risk.Opener {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

func TestAnonymizeAdult(t *testing.T) {
	dir := adultDir(t)
	path := filepath.Join(dir, "adult.csv")
	for name, tc := range map[string]struct {
		qi  []string
		sup float64
	}{"a/0%": {adultQIa, 0}, "a/5%": {adultQIa, 0.05}, "b/0%": {adultQIb, 0}, "b/5%": {adultQIb, 0.05}} {
		t.Run(name, func(t *testing.T) {
			if (testing.Short() || raceEnabled) && tc.sup == 0 {
				t.Skip("-short or -race")
			}
			a := &risk.Anonymizer{
				Model:       risk.Model{K: 5, MaxSuppression: tc.sup},
				Hierarchies: adultHierarchies(t, dir, tc.qi),
				Sensitive:   []string{"salary-class"},
				Now:         func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
			}
			var out bytes.Buffer
			rep, err := a.Anonymize("adult.csv", fileOpener(path), &out)
			if err != nil {
				t.Fatal(err)
			}
			// The written file, read back, must show the figures the report claims.
			back, err := risk.ReadTable(bytes.NewReader(out.Bytes()), "out.csv", append(slices.Clone(tc.qi), "salary-class"), 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := risk.Analyze(back, tc.qi, []string{"salary-class"}, risk.Options{K: 5})
			if err != nil {
				t.Fatal(err)
			}
			if back.Rows != 30162 || got.K < 5 || got.Suppressed != rep.Solution.Suppressed ||
				got.Classes != rep.After.Classes || got.K != rep.After.K || got.Marketer != rep.After.Marketer {
				t.Errorf("output: %d rows, k %d, %d suppressed, %d classes; report: k %d, %d suppressed, %d classes",
					back.Rows, got.K, got.Suppressed, got.Classes, rep.After.K, rep.Solution.Suppressed, rep.After.Classes)
			}
			if float64(rep.Solution.Suppressed) > tc.sup*30162 {
				t.Errorf("suppressed %d records, more than %.0f%%", rep.Solution.Suppressed, 100*tc.sup)
			}
			if testing.Verbose() {
				var md bytes.Buffer
				if err := rep.WriteMarkdown(&md); err != nil {
					t.Fatal(err)
				}
				t.Log(md.String())
			}
		})
	}
}
