package risk_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/phigate/phigate/deid/risk"
)

// writeSynthetic writes a CSV of rows records with five quasi-identifiers
// (age, sex, zip3, race, marital) and a sensitive diagnosis.
func writeSynthetic(tb testing.TB, rows int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "synthetic.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	races := []string{"White", "Black", "Asian", "Native", "Other"}
	marital := []string{"Married", "Single", "Divorced", "Widowed", "Separated", "Partner", "Unknown"}
	fmt.Fprintln(w, "id,age,sex,zip3,race,marital,diagnosis")
	for i := range rows {
		sex := "F"
		if rng.IntN(2) == 0 {
			sex = "M"
		}
		fmt.Fprintf(w, "%d,%d,%s,%03d,%s,%s,D%03d\n", i, rng.IntN(100), sex, rng.IntN(900)+100,
			races[rng.IntN(len(races))], marital[rng.IntN(len(marital))], rng.IntN(300))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

var syntheticQI = []string{"age", "sex", "zip3", "race", "marital"}

// BenchmarkAnalyze1M reads a 1,000,000-record CSV and measures its risk
// over five quasi-identifiers (the budget: under 10 s on one core).
// Run: go test -run x -bench Analyze1M -cpu 1 -benchtime 3x ./deid/risk/
func BenchmarkAnalyze1M(b *testing.B) {
	path := writeSynthetic(b, 1_000_000)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		t, err := risk.ReadTable(f, "synthetic.csv", append(slices.Clone(syntheticQI), "diagnosis"), 0)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		r, err := risk.Analyze(t, syntheticQI, []string{"diagnosis"}, risk.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if r.Records != 1_000_000 {
			b.Fatalf("analysed %d records", r.Records)
		}
	}
}

// BenchmarkSearchAdult searches the lattice of the adult data set over six
// quasi-identifiers for 5-anonymity with at most 5% suppression.
func BenchmarkSearchAdult(b *testing.B) {
	dir := adultDir(b)
	t := MustReadTable(b, filepath.Join(dir, "adult.csv"), adultQIb)
	hs := adultHierarchies(b, dir, adultQIb)
	for _, sup := range []float64{0, 0.05} {
		b.Run(fmt.Sprintf("suppression=%.0f%%", 100*sup), func(b *testing.B) {
			for b.Loop() {
				p, err := risk.NewProblem(t, hs, "")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Search(risk.Model{K: 5, MaxSuppression: sup}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
