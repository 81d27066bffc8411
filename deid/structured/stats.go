package structured

import (
	"maps"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// Stats counts what de-identifying one input did. It holds no values.
type Stats struct {
	File     string          `json:"file"`
	Format   Format          `json:"format"`
	Records  int             `json:"records"` // records read (resources, rows, lines)
	Written  int             `json:"written"` // records written
	Rejected risk.Rejections `json:"rejected"`
	// Changes counts the values each rule target changed, per action.
	Changes map[string]map[Action]int `json:"changes"`
	// Findings counts the PHI found in free text, per category.
	Findings map[phigate.Category]int `json:"findings"`
	// Unknown counts elements FHIR R4 does not define, removed, per path.
	Unknown map[string]int `json:"unknown_elements,omitempty"`
}

func newStats() *Stats {
	return &Stats{Changes: map[string]map[Action]int{}, Findings: map[phigate.Category]int{}, Unknown: map[string]int{}}
}

func (s *Stats) change(target string, a Action) {
	m := s.Changes[target]
	if m == nil {
		m = map[Action]int{}
		s.Changes[target] = m
	}
	m[a]++
}

func (s *Stats) reject(e *risk.RecordError) { s.Rejected.Add(e) }

// add merges o into s.
func (s *Stats) add(o *Stats) {
	s.Records += o.Records
	s.Written += o.Written
	for _, e := range o.Rejected.List {
		s.Rejected.Add(e)
	}
	s.Rejected.Count += o.Rejected.Count - len(o.Rejected.List)
	for t, m := range o.Changes {
		if s.Changes[t] == nil {
			s.Changes[t] = maps.Clone(m)
			continue
		}
		for a, n := range m {
			s.Changes[t][a] += n
		}
	}
	for k, n := range o.Findings {
		s.Findings[k] += n
	}
	for k, n := range o.Unknown {
		s.Unknown[k] += n
	}
}
