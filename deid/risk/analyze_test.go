package risk_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

const smallCSV = `age,sex,dx
30,F,a
30,F,b
30,F,a
40,M,a
40,M,a
50,F,c
*,*,x
`

func mustTable(t *testing.T, in string, cols ...string) *risk.Table {
	t.Helper()
	tab, err := risk.ReadTable(strings.NewReader(in), "in.csv", cols, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAnalyze(t *testing.T) {
	qi := []string{"age", "sex"}
	t.Run("OK", func(t *testing.T) {
		r, err := risk.Analyze(mustTable(t, smallCSV, "age", "sex", "dx"), qi, []string{"dx"}, risk.Options{K: 3})
		if err != nil {
			t.Fatal(err)
		}
		// Classes (30,F)=3 {a,b,a}, (40,M)=2 {a,a}, (50,F)=1 {c}; one suppressed record.
		if r.Records != 6 || r.Suppressed != 1 || r.Classes != 3 || r.K != 1 ||
			r.ClassesBelowK != 2 || r.RecordsBelowK != 3 || r.SampleUniques != 1 {
			t.Fatalf("figures %+v", r)
		}
		if !near(r.Prosecutor.Highest, 1) || !near(r.Prosecutor.Average, 0.5) || !near(r.Prosecutor.RecordsAtRisk, 0.5) ||
			!near(r.Marketer, 0.5) || r.Journalist != r.Prosecutor || !near(r.SampleUniqueness, 1.0/6) {
			t.Errorf("risk %+v %+v marketer %v", r.Prosecutor, r.Journalist, r.Marketer)
		}
		d := r.Sensitive[0]
		if d.DistinctL != 1 || !near(d.EntropyL, 1) || d.ClassesBelowL != 2 || d.RecordsBelowL != 3 || d.HomogeneousRecords != 3 {
			t.Errorf("diversity %+v", d)
		}
	})
	t.Run("OKPopulation", func(t *testing.T) {
		var pop strings.Builder
		pop.WriteString("sex,age\n")
		for _, c := range []struct {
			row string
			n   int
		}{{"F,30", 6}, {"M,40", 2}, {"F,50", 4}, {"M,20", 5}} {
			for range c.n {
				pop.WriteString(c.row + "\n")
			}
		}
		opt := risk.Options{K: 3, Population: mustTable(t, pop.String(), "age", "sex")}
		r, err := risk.Analyze(mustTable(t, smallCSV, "age", "sex"), qi, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		// Population sizes 6, 2, 4: marketer (3/6 + 2/2 + 1/4)/6, classes/population 3/12.
		if !r.Population || !near(r.Journalist.Highest, 0.5) || !near(r.Journalist.RecordsAtRisk, 2.0/6) ||
			!near(r.Marketer, 1.75/6) || !near(r.Journalist.Average, 1.75/6) || !near(r.Prosecutor.Highest, 1) {
			t.Errorf("journalist %+v marketer %v", r.Journalist, r.Marketer)
		}
	})
	t.Run("ErrPopulationLacksClass", func(t *testing.T) {
		opt := risk.Options{Population: mustTable(t, "age,sex\n30,F\n", "age", "sex")}
		_, err := risk.Analyze(mustTable(t, smallCSV, "age", "sex"), qi, nil, opt)
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("code %q, want invalid", phigate.ErrorCode(err))
		}
	})
	t.Run("ErrNoQI", func(t *testing.T) {
		_, err := risk.Analyze(mustTable(t, smallCSV, "age"), nil, nil, risk.Options{})
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("code %q, want invalid", phigate.ErrorCode(err))
		}
	})
	t.Run("ErrColumnNotRead", func(t *testing.T) {
		_, err := risk.Analyze(mustTable(t, smallCSV, "age"), qi, nil, risk.Options{})
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("code %q, want invalid", phigate.ErrorCode(err))
		}
	})
	t.Run("OKText", func(t *testing.T) {
		r, err := risk.Analyze(mustTable(t, smallCSV, "age", "sex", "dx"), qi, []string{"dx"}, risk.Options{K: 3})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"k (smallest class)                 1", "Records in classes smaller than 3  3 (50.00%)", `Sensitive column "dx"`} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("text lacks %q:\n%s", want, b.String())
			}
		}
	})
}
