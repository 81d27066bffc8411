package risk

import (
	"fmt"
	"math"

	"github.com/phigate/phigate"
)

// Defaults for Options.
const (
	// DefaultK is the class size below which records count as at risk:
	// a prosecutor risk above 1/5 = 0.2.
	DefaultK = 5
	// DefaultL is the number of distinct sensitive values below which an
	// equivalence class counts as not diverse.
	DefaultL = 2
	// DefaultSuppressed is the value of a suppressed cell.
	DefaultSuppressed = "*"
)

// Options tune Analyze. The zero value uses the defaults.
type Options struct {
	// K is the risk threshold as a class size: records in classes smaller
	// than K have a prosecutor risk above 1/K. Zero means DefaultK.
	K int
	// L is the l-diversity threshold for sensitive columns. Zero means
	// DefaultL.
	L int
	// Suppressed marks suppressed cells: records whose every
	// quasi-identifier holds it were suppressed and are left out of the
	// figures, as ARX does. Empty means DefaultSuppressed.
	Suppressed string
	// Population, if set, is the table the data set was drawn from, with
	// the same quasi-identifier columns; journalist and marketer risk are
	// then measured against it. Nil means the data set is its own
	// population, and journalist risk equals prosecutor risk.
	Population *Table
}

func (o Options) withDefaults() Options {
	if o.K <= 0 {
		o.K = DefaultK
	}
	if o.L <= 0 {
		o.L = DefaultL
	}
	if o.Suppressed == "" {
		o.Suppressed = DefaultSuppressed
	}
	return o
}

// AttackerRisk sums up re-identification risk under one attacker model.
type AttackerRisk struct {
	// Highest is the largest probability of re-identifying one record.
	Highest float64 `json:"highest"`
	// Average is the expected share of records re-identified (ARX's
	// "success rate").
	Average float64 `json:"average"`
	// RecordsAtRisk is the share of records whose risk exceeds 1/K.
	RecordsAtRisk float64 `json:"records_at_risk"`
}

// SizeBucket counts the equivalence classes whose size lies in [Min, Max]
// (Max 0: no upper bound).
type SizeBucket struct {
	Min     int `json:"min"`
	Max     int `json:"max,omitempty"`
	Classes int `json:"classes"`
	Records int `json:"records"`
}

// Diversity is the l-diversity of one sensitive column over the
// equivalence classes.
type Diversity struct {
	Column string `json:"column"`
	// DistinctL is the fewest distinct sensitive values in a class.
	DistinctL int `json:"distinct_l"`
	// EntropyL is the smallest exp(entropy) of a class's sensitive values.
	EntropyL float64 `json:"entropy_l"`
	// ClassesBelowL and RecordsBelowL count classes with fewer than L
	// distinct values, and the records in them.
	ClassesBelowL int `json:"classes_below_l"`
	RecordsBelowL int `json:"records_below_l"`
	// HomogeneousRecords are records in classes with a single value: their
	// sensitive value is disclosed without re-identification.
	HomogeneousRecords int `json:"homogeneous_records"`
}

// Risk is the re-identification risk of a table over its quasi-identifiers.
type Risk struct {
	QuasiIdentifiers []string `json:"quasi_identifiers"`
	Records          int      `json:"records"`    // records analysed
	Suppressed       int      `json:"suppressed"` // records left out as suppressed
	Classes          int      `json:"classes"`    // equivalence classes
	K                int      `json:"k"`          // the smallest class
	ThresholdK       int      `json:"threshold_k"`
	ClassesBelowK    int      `json:"classes_below_threshold"`
	RecordsBelowK    int      `json:"records_below_threshold"`
	// SampleUniques are records alone in their class.
	SampleUniques    int          `json:"sample_uniques"`
	SampleUniqueness float64      `json:"sample_uniqueness"`
	Prosecutor       AttackerRisk `json:"prosecutor"`
	Journalist       AttackerRisk `json:"journalist"`
	// Marketer is the expected share of records re-identified by an
	// attacker who links every record.
	Marketer   float64      `json:"marketer"`
	Population bool         `json:"population_table"`
	ClassSizes []SizeBucket `json:"class_sizes"`
	Sensitive  []Diversity  `json:"sensitive,omitempty"`
	ThresholdL int          `json:"threshold_l,omitempty"`
}

// classes is the partition of a table's records by quasi-identifiers.
type classes struct {
	of     []int32 // class of each record
	size   []int   // records per class
	out    int32   // the class of suppressed records, or -1
	rep    []int   // a record of each class
	counts int     // records not suppressed
}

// Analyze measures the re-identification risk of t over the columns qi,
// and the l-diversity of the columns sensitive. Every named column must be
// one of t's. Codes: EINVALID (no quasi-identifier, a column missing, a
// population that lacks a class of t).
func Analyze(t *Table, qi, sensitive []string, opt Options) (*Risk, error) {
	const op = "risk.Analyze"
	opt = opt.withDefaults()
	if len(qi) == 0 {
		return nil, phigate.Errorf(phigate.EINVALID, op, "no quasi-identifier given")
	}
	qcols, err := pick(t, qi)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	scols, err := pick(t, sensitive)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	cl := partition(qcols, t.Rows, opt.Suppressed)
	r := &Risk{QuasiIdentifiers: qi, ThresholdK: opt.K, Suppressed: t.Rows - cl.counts}
	sampleFigures(r, cl)
	pop, err := populationSizes(cl, qcols, opt.Population, qi)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	attackFigures(r, cl, pop)
	for _, s := range scols {
		r.Sensitive = append(r.Sensitive, diversity(cl, s, opt.L))
		r.ThresholdL = opt.L
	}
	return r, nil
}

func pick(t *Table, names []string) ([]*Column, error) {
	cols := make([]*Column, len(names))
	for i, n := range names {
		if cols[i] = t.Column(n); cols[i] == nil {
			return nil, fmt.Errorf("column %q was not read", n)
		}
	}
	return cols, nil
}

// partition groups the records by their values in cols.
func partition(cols []*Column, rows int, suppressed string) *classes {
	codes := make([][]uint32, len(cols))
	cards := make([]int, len(cols))
	star := make([]int64, len(cols))
	for i, c := range cols {
		codes[i], cards[i], star[i] = c.Codes, len(c.Values), -1
		for code, v := range c.Values {
			if v == suppressed {
				star[i] = int64(code)
			}
		}
	}
	of, n := tupleKeys(codes, cards, rows)
	cl := &classes{of: of, size: make([]int, n), rep: make([]int, n), out: -1}
	for r := rows - 1; r >= 0; r-- {
		cl.size[of[r]]++
		cl.rep[of[r]] = r
	}
	if len(cols) > 0 && rows > 0 {
		cl.out = suppressedClass(cl, codes, star)
	}
	cl.counts = rows
	if cl.out >= 0 {
		cl.counts -= cl.size[cl.out]
	}
	return cl
}

// suppressedClass returns the class whose every value is suppressed, or -1.
func suppressedClass(cl *classes, codes [][]uint32, star []int64) int32 {
	for _, s := range star {
		if s < 0 {
			return -1
		}
	}
	for c, r := range cl.rep {
		all := true
		for d := range codes {
			if int64(codes[d][r]) != star[d] {
				all = false
				break
			}
		}
		if all {
			return int32(c)
		}
	}
	return -1
}

// sampleFigures fills the figures that need only the sample's classes.
func sampleFigures(r *Risk, cl *classes) {
	r.K = 0
	r.ClassSizes = newBuckets()
	for c, s := range cl.size {
		if int32(c) == cl.out {
			continue
		}
		r.Records += s
		r.Classes++
		if r.K == 0 || s < r.K {
			r.K = s
		}
		if s < r.ThresholdK {
			r.ClassesBelowK++
			r.RecordsBelowK += s
		}
		if s == 1 {
			r.SampleUniques++
		}
		addBucket(r.ClassSizes, s)
	}
	if r.Records > 0 {
		r.SampleUniqueness = float64(r.SampleUniques) / float64(r.Records)
	}
}

var bucketBounds = [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 9}, {10, 19}, {20, 49}, {50, 99}, {100, 0}}

func newBuckets() []SizeBucket {
	b := make([]SizeBucket, len(bucketBounds))
	for i, mm := range bucketBounds {
		b[i].Min, b[i].Max = mm[0], mm[1]
	}
	return b
}

func addBucket(b []SizeBucket, size int) {
	for i := len(b) - 1; i >= 0; i-- {
		if size >= b[i].Min {
			b[i].Classes++
			b[i].Records += size
			return
		}
	}
}

// attackFigures fills prosecutor, journalist and marketer risk. pop holds
// the population size of each class (nil: the sample is the population).
func attackFigures(r *Risk, cl *classes, pop []int) {
	r.Population = pop != nil
	if r.Records == 0 {
		return
	}
	n := float64(r.Records)
	r.Prosecutor = AttackerRisk{
		Highest:       1 / float64(r.K),
		Average:       float64(r.Classes) / n,
		RecordsAtRisk: float64(r.RecordsBelowK) / n,
	}
	if pop == nil {
		r.Journalist = r.Prosecutor
		r.Marketer = r.Prosecutor.Average
		return
	}
	var atRisk, popSum, marketer float64
	smallest := math.MaxInt
	for c, s := range cl.size {
		if int32(c) == cl.out {
			continue
		}
		f := pop[c]
		smallest = min(smallest, f)
		if f < r.ThresholdK {
			atRisk += float64(s)
		}
		popSum += float64(f)
		marketer += float64(s) / float64(f)
	}
	r.Marketer = marketer / n
	r.Journalist = AttackerRisk{
		Highest:       1 / float64(smallest),
		Average:       max(float64(r.Classes)/popSum, r.Marketer),
		RecordsAtRisk: atRisk / n,
	}
}

// populationSizes returns the size in pop of each class of the sample, or
// nil when there is no population table.
func populationSizes(cl *classes, qcols []*Column, pop *Table, qi []string) ([]int, error) {
	if pop == nil {
		return nil, nil
	}
	pcols, err := pick(pop, qi)
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	counts := make(map[string]int)
	key := make([]byte, 0, 64)
	for r := 0; r < pop.Rows; r++ {
		key = key[:0]
		for _, c := range pcols {
			key = appendField(key, c.Value(r))
		}
		counts[string(key)]++
	}
	sizes := make([]int, len(cl.size))
	for c, r := range cl.rep {
		if int32(c) == cl.out {
			continue
		}
		key = key[:0]
		for _, col := range qcols {
			key = appendField(key, col.Value(r))
		}
		sizes[c] = counts[string(key)]
		if sizes[c] < cl.size[c] {
			return nil, fmt.Errorf("population: class %d has %d records in the sample but %d in the population", c, cl.size[c], sizes[c])
		}
	}
	return sizes, nil
}

// appendField appends v and a separator that cannot occur in it unescaped.
func appendField(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] == 0 || v[i] == 1 {
			b = append(b, 1)
		}
		b = append(b, v[i])
	}
	return append(b, 0)
}

// diversity measures the l-diversity of column s over the classes.
func diversity(cl *classes, s *Column, l int) Diversity {
	d := Diversity{Column: s.Name, DistinctL: math.MaxInt, EntropyL: math.Inf(1)}
	card := uint64(len(s.Values))
	var g grouper
	g.reset(len(cl.size))
	var pairClass []int32
	var pairCount []int
	for r, c := range cl.of {
		if c == cl.out {
			continue
		}
		id := g.id(uint64(c)*card + uint64(s.Codes[r]))
		if int(id) == len(pairCount) {
			pairClass, pairCount = append(pairClass, c), append(pairCount, 0)
		}
		pairCount[id]++
	}
	distinct := make([]int, len(cl.size))
	entropy := make([]float64, len(cl.size))
	for p, c := range pairClass {
		distinct[c]++
		q := float64(pairCount[p]) / float64(cl.size[c])
		entropy[c] -= q * math.Log(q)
	}
	for c, size := range cl.size {
		if int32(c) == cl.out {
			continue
		}
		d.DistinctL = min(d.DistinctL, distinct[c])
		d.EntropyL = min(d.EntropyL, math.Exp(entropy[c]))
		if distinct[c] < l {
			d.ClassesBelowL++
			d.RecordsBelowL += size
		}
		if distinct[c] == 1 {
			d.HomogeneousRecords += size
		}
	}
	if d.DistinctL == math.MaxInt {
		d.DistinctL, d.EntropyL = 0, 0
	}
	return d
}
