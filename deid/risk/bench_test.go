package risk_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// syntheticHierarchies builds hierarchies for the synthetic columns: age
// in 5/10/20-year bands, ZIP3 by its first two and one digits, and
// value → * for the others.
func syntheticHierarchies(tb testing.TB, t *risk.Table) []*risk.Hierarchy {
	var hs []*risk.Hierarchy
	for _, c := range syntheticQI {
		col := t.Column(c)
		var rows [][]string
		for _, v := range col.Values {
			switch c {
			case "age":
				a, _ := strconv.Atoi(v)
				rows = append(rows, []string{v, band(a, 5), band(a, 10), band(a, 20), "*"})
			case "zip3":
				rows = append(rows, []string{v, v[:2] + "*", v[:1] + "**", "*"})
			default:
				rows = append(rows, []string{v, "*"})
			}
		}
		h, err := risk.NewHierarchy(c, rows)
		if err != nil {
			tb.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

func band(a, w int) string { return fmt.Sprintf("%d-%d", a/w*w, a/w*w+w-1) }

// BenchmarkSearch1M searches the lattice (5 quasi-identifiers, 160 nodes)
// of a 1,000,000-record table for 5-anonymity with at most 1% suppression.
// Run: go test -run x -bench Search1M -cpu 1 -benchtime 3x ./deid/risk/
func BenchmarkSearch1M(b *testing.B) {
	path := writeSynthetic(b, 1_000_000)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	t, err := risk.ReadTable(f, "synthetic.csv", syntheticQI, 0)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	hs := syntheticHierarchies(b, t)
	b.ResetTimer()
	for b.Loop() {
		p, err := risk.NewProblem(t, hs, "")
		if err != nil {
			b.Fatal(err)
		}
		sol, err := p.Search(risk.Model{K: 5, MaxSuppression: 0.01})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sol.Evaluated), "nodes")
	}
}
