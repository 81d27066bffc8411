package risk

import (
	"fmt"
	"math"

	"github.com/phigate/phigate"
)

// Diversity models for Model.Diversity.
const (
	DistinctDiversity = "distinct" // at least L distinct sensitive values per class
	EntropyDiversity  = "entropy"  // the sensitive values' entropy at least log(L)
)

// Model is the privacy model a generalisation must meet, and the measure
// that ranks the generalisations that do.
type Model struct {
	// K is the smallest size of an equivalence class (k-anonymity).
	K int `json:"k"`
	// L, if above 1, is the l-diversity each class must have in the
	// problem's sensitive column.
	L int `json:"l,omitempty"`
	// Diversity is DistinctDiversity (the default) or EntropyDiversity.
	Diversity string `json:"diversity,omitempty"`
	// MaxSuppression is the largest share of records, in [0, 1], that may
	// be suppressed: records in classes that fail K or L are.
	MaxSuppression float64 `json:"max_suppression"`
	// Metric is the information loss to minimise; "" means DefaultMetric.
	Metric Metric `json:"metric"`
}

func (m Model) validate(p *Problem) (Model, error) {
	if m.Metric == "" {
		m.Metric = DefaultMetric
	}
	if m.Diversity == "" {
		m.Diversity = DistinctDiversity
	}
	switch {
	case m.K < 1:
		return m, fmt.Errorf("k is %d, it must be at least 1", m.K)
	case m.MaxSuppression < 0 || m.MaxSuppression > 1 || math.IsNaN(m.MaxSuppression):
		return m, fmt.Errorf("the suppression limit must lie between 0 and 1")
	case !m.Metric.Valid():
		return m, fmt.Errorf("unknown metric %q", m.Metric)
	case m.Diversity != DistinctDiversity && m.Diversity != EntropyDiversity:
		return m, fmt.Errorf("unknown diversity model %q", m.Diversity)
	case m.L > 1 && p.Sensitive == "":
		return m, fmt.Errorf("l-diversity needs a sensitive column")
	}
	return m, nil
}

// maxSuppressed is the number of records m lets a solution suppress.
func (m Model) maxSuppressed(records int) int {
	return int(math.Floor(m.MaxSuppression*float64(records) + 1e-9))
}

// String describes m in words, for reports.
func (m Model) String() string {
	s := fmt.Sprintf("%d-anonymity", m.K)
	if m.L > 1 {
		d := m.Diversity
		if d == "" {
			d = DistinctDiversity
		}
		s += fmt.Sprintf(", %s %d-diversity", d, m.L)
	}
	return s + fmt.Sprintf(", at most %.4g%% of records suppressed", 100*m.MaxSuppression)
}

// Node is one generalisation: a level for each quasi-identifier, and what
// it gives.
type Node struct {
	Levels     []int   `json:"levels"`
	Anonymous  bool    `json:"anonymous"`  // meets the model within the suppression limit
	Suppressed int     `json:"suppressed"` // records in classes that fail the model
	Classes    int     `json:"classes"`    // classes that meet it
	Loss       float64 `json:"loss"`       // information loss, suppression included
}

// Evaluate applies the generalisation levels to p and measures it against
// m. Codes: EINVALID (a bad model or levels).
func (p *Problem) Evaluate(levels []int, m Model) (*Node, error) {
	const op = "risk.Problem.Evaluate"
	m, err := m.validate(p)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	if err := p.checkLevels(levels); err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	e := newEvaluator(p, m)
	r := e.eval(levels, p.baseRows())
	return r.node(levels), nil
}

func (p *Problem) checkLevels(levels []int) error {
	if len(levels) != len(p.QI) {
		return fmt.Errorf("%d levels for %d quasi-identifiers", len(levels), len(p.QI))
	}
	for i, l := range levels {
		if l < 0 || l >= p.Hierarchies[i].Height() {
			return fmt.Errorf("level %d of column %q is outside 0..%d", l, p.QI[i], p.Hierarchies[i].Height()-1)
		}
	}
	return nil
}
