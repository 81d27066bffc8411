package risk

import "math"

// Metric names a measure of information loss. Each is normalised to
// [0, 1]: 0 for the original data, 1 when every record is suppressed.
type Metric string

// The information-loss measures.
const (
	// Loss is Iyengar's generalised loss metric (ARX's "Loss"): a value
	// generalised to a label covering w of the hierarchy's n leaves loses
	// (w-1)/(n-1); a suppressed value loses 1. Averaged over all cells of
	// the quasi-identifiers.
	Loss Metric = "loss"
	// Precision is Sweeney's Prec: a value on level l of a hierarchy of
	// height h loses l/(h-1); a suppressed value loses 1. Averaged.
	Precision Metric = "precision"
	// Entropy is the non-uniform entropy of Gionis and Tassa: a value v
	// generalised to g loses -log2(P(v|g)) bits, counted in the data;
	// normalised by the loss of suppressing every record.
	Entropy Metric = "entropy"
	// Discernibility is Bayardo and Agrawal's DM: each record costs the
	// size of its class, a suppressed one the size of the table;
	// normalised by the square of the table's size.
	Discernibility Metric = "discernibility"
)

// DefaultMetric is the measure the search minimises unless told otherwise.
const DefaultMetric = Loss

// Metrics lists the measures.
var Metrics = []Metric{Loss, Precision, Entropy, Discernibility}

// Valid reports whether m is one of Metrics.
func (m Metric) Valid() bool {
	for _, x := range Metrics {
		if x == m {
			return true
		}
	}
	return false
}

// lossTables precomputes the loss of every quasi-identifier on every level.
type lossTables struct {
	metric Metric
	// sum[i][l] is the loss of quasi-identifier i on level l, summed over
	// all records (additive measures only).
	sum [][]float64
	// pen[i][l][c] is the extra loss of suppressing a record whose value
	// of i generalises to label c on level l.
	pen  [][][]float64
	norm float64
}

func (m Metric) additive() bool { return m != Discernibility }

func newLossTables(p *Problem, m Metric) *lossTables {
	t := &lossTables{metric: m, sum: make([][]float64, len(p.QI)), pen: make([][][]float64, len(p.QI))}
	n := float64(p.Records)
	if !m.additive() {
		t.norm = n * n
		return t
	}
	t.norm = n * float64(len(p.QI))
	if m == Entropy {
		t.norm = 0
	}
	for i, h := range p.Hierarchies {
		counts := p.labelCounts(i)
		t.sum[i] = make([]float64, h.Height())
		t.pen[i] = make([][]float64, h.Height())
		for l := range h.Height() {
			cell := make([]float64, len(h.labels[l]))
			t.pen[i][l] = make([]float64, len(cell))
			for c := range cell {
				cell[c] = t.labelLoss(h, l, c, counts)
				t.pen[i][l][c] = t.suppressLoss(n) - cell[c]
			}
			for e, leaf := range p.leaf[i] {
				t.sum[i][l] += float64(p.count[e]) * (cell[h.gen[l][leaf]] - t.leafLoss(leaf, counts))
			}
		}
		if m == Entropy {
			for e, leaf := range p.leaf[i] {
				t.norm += float64(p.count[e]) * (t.suppressLoss(n) - t.leafLoss(leaf, counts))
			}
		}
	}
	return t
}

// labelLoss is the loss of one record's value generalised to label c of
// level l, less its leafLoss.
func (t *lossTables) labelLoss(h *Hierarchy, l, c int, counts [][]float64) float64 {
	switch t.metric {
	case Loss:
		if h.Leaves() <= 1 {
			return 0
		}
		return float64(h.width[l][c]-1) / float64(h.Leaves()-1)
	case Precision:
		if h.Height() <= 1 {
			return 0
		}
		return float64(l) / float64(h.Height()-1)
	default: // Entropy: -log2 P(v|g) = log2 cnt(g) - log2 cnt(v)
		if counts[l][c] == 0 {
			return 0 // a label no record has
		}
		return math.Log2(counts[l][c])
	}
}

// leafLoss is the part of a cell's loss that depends on its leaf only.
func (t *lossTables) leafLoss(leaf int32, counts [][]float64) float64 {
	if t.metric == Entropy {
		return math.Log2(counts[0][leaf])
	}
	return 0
}

// suppressLoss is the loss of one suppressed cell, plus its leafLoss.
func (t *lossTables) suppressLoss(n float64) float64 {
	if t.metric == Entropy {
		return math.Log2(n)
	}
	return 1
}

// labelCounts counts the records under each label of each level of
// quasi-identifier i.
func (p *Problem) labelCounts(i int) [][]float64 {
	h := p.Hierarchies[i]
	counts := make([][]float64, h.Height())
	for l := range counts {
		counts[l] = make([]float64, len(h.labels[l]))
		for e, leaf := range p.leaf[i] {
			counts[l][h.gen[l][leaf]] += float64(p.count[e])
		}
	}
	return counts
}
