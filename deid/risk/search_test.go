package risk_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// randomHierarchy builds a nested hierarchy over leaves values: each level
// merges random groups of the level below, the last level is "*".
func randomHierarchy(rng *rand.Rand, column string, leaves, height int) *risk.Hierarchy {
	rows := make([][]string, leaves)
	group := make([]int, leaves) // label index of each leaf on the current level
	for v := range leaves {
		rows[v] = []string{fmt.Sprintf("%s%d", column, v)}
		group[v] = v
	}
	groups := leaves
	for l := 1; l < height; l++ {
		if l == height-1 {
			for v := range rows {
				rows[v] = append(rows[v], "*")
			}
			break
		}
		next := max(1, groups/2+rng.IntN(2))
		remap := make([]int, groups)
		for g := range remap {
			remap[g] = rng.IntN(next)
		}
		for v := range rows {
			group[v] = remap[group[v]]
			rows[v] = append(rows[v], fmt.Sprintf("L%d-%d", l, group[v]))
		}
		groups = next
	}
	h, err := risk.NewHierarchy(column, rows)
	if err != nil {
		panic(err)
	}
	return h
}

// randomProblem returns a random table with q quasi-identifiers and a
// sensitive column, and hierarchies for the quasi-identifiers.
func randomProblem(t *testing.T, rng *rand.Rand) (*risk.Table, []*risk.Hierarchy, []string) {
	q := 2 + rng.IntN(3)
	var qi []string
	var hs []*risk.Hierarchy
	leaves := make([]int, q)
	for i := range q {
		col := string(rune('a' + i))
		leaves[i] = 2 + rng.IntN(10)
		qi = append(qi, col)
		hs = append(hs, randomHierarchy(rng, col, leaves[i], 2+rng.IntN(3)))
	}
	var b strings.Builder
	b.WriteString(strings.Join(qi, ",") + ",s\n")
	n := 20 + rng.IntN(300)
	for range n {
		for i := range q {
			// Skewed: low leaves far more common, so classes vary in size.
			v := int(math.Floor(float64(leaves[i]) * math.Pow(rng.Float64(), 2)))
			fmt.Fprintf(&b, "%s%d,", qi[i], v)
		}
		fmt.Fprintf(&b, "s%d\n", rng.IntN(2+rng.IntN(3)))
	}
	tab, err := risk.ReadTable(strings.NewReader(b.String()), "random.csv", append(slices.Clone(qi), "s"), 0)
	if err != nil {
		t.Fatal(err)
	}
	return tab, hs, qi
}

// TestSearchExact checks the search against every node of random
// lattices, for every metric, with and without suppression and l-diversity.
func TestSearchExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	iterations := 300
	if testing.Short() {
		iterations = 40
	}
	for it := range iterations {
		tab, hs, _ := randomProblem(t, rng)
		m := risk.Model{
			K:              1 + rng.IntN(6),
			MaxSuppression: []float64{0, 0.02, 0.1, 0.3}[rng.IntN(4)],
			Metric:         risk.Metrics[rng.IntN(len(risk.Metrics))],
		}
		sensitive := ""
		if rng.IntN(3) == 0 {
			sensitive, m.L = "s", 2
			m.Diversity = []string{risk.DistinctDiversity, risk.EntropyDiversity}[rng.IntN(2)]
		}
		p, err := risk.NewProblem(tab, hs, sensitive)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := p.Search(m)
		best := exhaustive(t, p, m)
		switch {
		case best == nil && phigate.ErrorCode(err) != phigate.ENOTFOUND:
			t.Fatalf("#%d %s: no node meets it, Search says %v", it, m, err)
		case best == nil:
			continue
		case err != nil:
			t.Fatalf("#%d %s: Search: %v; best node %v", it, m, err, best.Levels)
		case !slices.Equal(sol.Levels, best.Levels) || math.Abs(sol.Loss-best.Loss) > 1e-12:
			t.Fatalf("#%d %s %s: search chose %v (loss %.9f), every node says %v (loss %.9f)",
				it, m, m.Metric, sol.Levels, sol.Loss, best.Levels, best.Loss)
		}
	}
}

func TestSearchErrors(t *testing.T) {
	tab, err := risk.ReadTable(strings.NewReader("a,s\nx,1\nx,1\ny,2\n"), "t.csv", []string{"a", "s"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := risk.FlatHierarchy("a", []string{"x", "y"})
	p, err := risk.NewProblem(tab, []*risk.Hierarchy{h}, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		m    risk.Model
		code string
	}{
		"ErrK":           {risk.Model{K: 0}, phigate.EINVALID},
		"ErrSuppression": {risk.Model{K: 2, MaxSuppression: 1.5}, phigate.EINVALID},
		"ErrMetric":      {risk.Model{K: 2, Metric: "nope"}, phigate.EINVALID},
		"ErrNoSensitive": {risk.Model{K: 2, L: 2}, phigate.EINVALID},
		"ErrNotFound":    {risk.Model{K: 4}, phigate.ENOTFOUND},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := p.Search(tc.m); phigate.ErrorCode(err) != tc.code {
				t.Errorf("code %q (%v), want %q", phigate.ErrorCode(err), err, tc.code)
			}
		})
	}
	t.Run("OKAllSuppressed", func(t *testing.T) {
		sol, err := p.Search(risk.Model{K: 4, MaxSuppression: 1})
		if err != nil || sol.Suppressed != 3 || sol.Loss != 1 {
			t.Errorf("solution %+v, %v", sol, err)
		}
	})
}
