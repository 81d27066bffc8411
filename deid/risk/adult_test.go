package risk_test

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate/deid/risk"
)

// naiveClasses counts the equivalence classes of adult.csv over qi a
// second way: plain line splitting and a map of joined values.
func naiveClasses(tb testing.TB, path string, qi []string, sensitive string) (map[string]int, map[string]map[string]int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	header := strings.Split(strings.TrimRight(sc.Text(), "\r"), ";")
	idx := make([]int, len(qi))
	for i, q := range qi {
		idx[i] = slices.Index(header, q)
	}
	sidx := slices.Index(header, sensitive)
	sizes := map[string]int{}
	sens := map[string]map[string]int{}
	for sc.Scan() {
		fields := strings.Split(strings.TrimRight(sc.Text(), "\r"), ";")
		parts := make([]string, len(idx))
		for i, j := range idx {
			parts[i] = fields[j]
		}
		key := strings.Join(parts, "\x1f")
		sizes[key]++
		if sens[key] == nil {
			sens[key] = map[string]int{}
		}
		sens[key][fields[sidx]]++
	}
	return sizes, sens
}

func TestAnalyzeAdult(t *testing.T) {
	dir := adultDir(t)
	path := filepath.Join(dir, "adult.csv")
	for name, qi := range map[string][]string{"a": adultQIa, "b": adultQIb} {
		t.Run(name, func(t *testing.T) {
			tab := MustReadTable(t, path, append(slices.Clone(qi), "salary-class"))
			got, err := risk.Analyze(tab, qi, []string{"salary-class"}, risk.Options{K: 5})
			if err != nil {
				t.Fatal(err)
			}
			sizes, sens := naiveClasses(t, path, qi, "salary-class")
			want := naiveRisk(sizes, sens, 5)
			if got.Records != 30162 || got.Suppressed != 0 || tab.Rejected.Count != 0 {
				t.Fatalf("records %d suppressed %d rejected %d, want 30162 0 0", got.Records, got.Suppressed, tab.Rejected.Count)
			}
			check := func(what string, g, w float64) {
				t.Helper()
				if math.Abs(g-w) > 1e-12 {
					t.Errorf("%s = %v, counted a second way %v", what, g, w)
				}
			}
			check("classes", float64(got.Classes), float64(len(sizes)))
			check("k", float64(got.K), want.k)
			check("records below 5", float64(got.RecordsBelowK), want.below)
			check("classes below 5", float64(got.ClassesBelowK), want.classesBelow)
			check("sample uniques", float64(got.SampleUniques), want.uniques)
			check("prosecutor highest", got.Prosecutor.Highest, want.highest)
			check("prosecutor average", got.Prosecutor.Average, want.average)
			check("prosecutor at risk", got.Prosecutor.RecordsAtRisk, want.below/30162)
			check("journalist average", got.Journalist.Average, want.average)
			check("marketer", got.Marketer, want.average)
			check("distinct l", float64(got.Sensitive[0].DistinctL), want.distinctL)
			check("entropy l", got.Sensitive[0].EntropyL, want.entropyL)
			check("homogeneous", float64(got.Sensitive[0].HomogeneousRecords), want.homogeneous)
			t.Logf("QI %v: %d classes, k=%d, %d records in classes < 5 (%.2f%%), %d sample uniques (%.2f%%), prosecutor max %.3f avg %.4f, marketer %.4f, salary-class distinct-l %d entropy-l %.3f",
				qi, got.Classes, got.K, got.RecordsBelowK, 100*got.Prosecutor.RecordsAtRisk, got.SampleUniques, 100*got.SampleUniqueness,
				got.Prosecutor.Highest, got.Prosecutor.Average, got.Marketer, got.Sensitive[0].DistinctL, got.Sensitive[0].EntropyL)
		})
	}
}

type naive struct {
	k, below, classesBelow, uniques, highest, average float64
	distinctL, entropyL, homogeneous                  float64
}

// naiveRisk derives the figures from the class sizes, record by record.
func naiveRisk(sizes map[string]int, sens map[string]map[string]int, k int) naive {
	w := naive{k: math.Inf(1), distinctL: math.Inf(1), entropyL: math.Inf(1)}
	n := 0
	var sumRisk float64
	for key, s := range sizes {
		n += s
		w.k = math.Min(w.k, float64(s))
		for range s {
			sumRisk += 1 / float64(s) // each record's prosecutor risk
		}
		if s < k {
			w.below += float64(s)
			w.classesBelow++
		}
		if s == 1 {
			w.uniques++
		}
		var h float64
		for _, c := range sens[key] {
			p := float64(c) / float64(s)
			h -= p * math.Log(p)
		}
		w.distinctL = math.Min(w.distinctL, float64(len(sens[key])))
		w.entropyL = math.Min(w.entropyL, math.Exp(h))
		if len(sens[key]) == 1 {
			w.homogeneous += float64(s)
		}
	}
	w.highest = 1 / w.k
	w.average = sumRisk / float64(n)
	return w
}

func TestSearchAdult(t *testing.T) {
	dir := adultDir(t)
	path := filepath.Join(dir, "adult.csv")
	type tc struct {
		qi        []string
		sup       float64
		metric    risk.Metric
		l         int
		diversity string
		sensitive string
	}
	cases := map[string]tc{
		"a/0%": {qi: adultQIa}, "a/5%": {qi: adultQIa, sup: 0.05},
		"b/0%": {qi: adultQIb}, "b/5%": {qi: adultQIb, sup: 0.05},
	}
	for _, m := range risk.Metrics {
		cases["a/0%/"+string(m)] = tc{qi: adultQIa, metric: m}
		cases["a/5%/"+string(m)] = tc{qi: adultQIa, sup: 0.05, metric: m}
	}
	cases["a/5%/distinct-2"] = tc{qi: adultQIa, sup: 0.05, l: 2, diversity: risk.DistinctDiversity, sensitive: "salary-class"}
	cases["a/5%/entropy-3"] = tc{qi: adultQIa, sup: 0.05, l: 3, diversity: risk.EntropyDiversity, sensitive: "occupation"}
	cases["b/5%/distinct-2"] = tc{qi: adultQIb, sup: 0.05, l: 2, sensitive: "salary-class"}
	cases["b/1%/discernibility"] = tc{qi: adultQIb, sup: 0.01, metric: risk.Discernibility}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sensitive := c.sensitive
			cols := slices.Clone(c.qi)
			if sensitive != "" {
				cols = append(cols, sensitive)
			}
			tab := MustReadTable(t, path, cols)
			p, err := risk.NewProblem(tab, adultHierarchies(t, dir, c.qi), sensitive)
			if err != nil {
				t.Fatal(err)
			}
			m := risk.Model{K: 5, MaxSuppression: c.sup, Metric: c.metric, L: c.l, Diversity: c.diversity}
			start := time.Now()
			sol, err := p.Search(m)
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			if (testing.Short() || raceEnabled) && len(c.qi) > 4 {
				t.Log("-short or -race: not checking against every node (TestSearchExact covers the search)")
			} else if best := exhaustive(t, p, m); !slices.Equal(sol.Levels, best.Levels) || math.Abs(sol.Loss-best.Loss) > 1e-12 {
				t.Errorf("search chose %v (loss %.6f), every node says %v (loss %.6f)", sol.Levels, sol.Loss, best.Levels, best.Loss)
			}
			if lim := int(c.sup * float64(p.Records)); sol.Suppressed > lim {
				t.Errorf("suppressed %d records, limit %d", sol.Suppressed, lim)
			}
			t.Logf("%s: levels %v, loss %.6f, suppressed %d, classes %d, evaluated %d of %.0f nodes in %v",
				m, sol.Levels, sol.Loss, sol.Suppressed, sol.Classes, sol.Evaluated, sol.LatticeSize, elapsed)
		})
	}
}

// exhaustive evaluates every node and returns the best anonymous one.
func exhaustive(t *testing.T, p *risk.Problem, m risk.Model) *risk.Node {
	t.Helper()
	heights := make([]int, len(p.Hierarchies))
	for i, h := range p.Hierarchies {
		heights[i] = h.Height()
	}
	var best *risk.Node
	levels := make([]int, len(heights))
	for {
		n, err := p.Evaluate(levels, m)
		if err != nil {
			t.Fatal(err)
		}
		if n.Anonymous && (best == nil || n.Loss < best.Loss-1e-10 ||
			(math.Abs(n.Loss-best.Loss) <= 1e-10 && lessLevels(n.Levels, best.Levels))) {
			best = n
		}
		i := 0
		for ; i < len(levels); i++ {
			if levels[i]++; levels[i] < heights[i] {
				break
			}
			levels[i] = 0
		}
		if i == len(levels) {
			return best
		}
	}
}

func lessLevels(a, b []int) bool {
	sa, sb := 0, 0
	for i := range a {
		sa, sb = sa+a[i], sb+b[i]
	}
	if sa != sb {
		return sa < sb
	}
	return slices.Compare(a, b) < 0
}
