package risk

import (
	"fmt"
	"sync"

	"github.com/phigate/phigate"
)

// Problem is a table prepared for anonymisation: its records reduced to
// the distinct combinations of quasi-identifier values (and sensitive
// value), each value a leaf of its column's hierarchy.
type Problem struct {
	QI          []string     // the quasi-identifiers, one per hierarchy
	Hierarchies []*Hierarchy // in the order of QI
	Sensitive   string       // the sensitive column, or ""
	Records     int          // records in the table

	leaf     [][]int32 // leaf[i][e]: leaf of quasi-identifier i in entry e
	sens     []uint32  // sensitive value of each entry
	count    []int32   // records of each entry
	entry    []int32   // entry of each record
	sensCard int
	line     []int32 // source line of each record

	mu     sync.Mutex
	tables map[Metric]*lossTables
}

// lossTables returns the loss tables of m, computed once.
func (p *Problem) lossTables(m Metric) *lossTables {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tables == nil {
		p.tables = make(map[Metric]*lossTables)
	}
	if p.tables[m] == nil {
		p.tables[m] = newLossTables(p, m)
	}
	return p.tables[m]
}

// NewProblem prepares t for anonymisation over the columns of hs, with
// sensitive ("" for none) as the column l-diversity protects. Codes:
// EINVALID (a column missing, a value its hierarchy lacks).
func NewProblem(t *Table, hs []*Hierarchy, sensitive string) (*Problem, error) {
	const op = "risk.NewProblem"
	p := &Problem{Hierarchies: hs, Sensitive: sensitive, Records: t.Rows, line: t.Lines}
	codes := make([][]uint32, 0, len(hs)+1)
	cards := make([]int, 0, len(hs)+1)
	for _, h := range hs {
		leaves, err := leafCodes(t, h)
		if err != nil {
			return nil, phigate.E(phigate.EINVALID, op, err)
		}
		p.QI = append(p.QI, h.Column)
		codes, cards = append(codes, leaves), append(cards, h.Leaves())
	}
	if sensitive != "" {
		c := t.Column(sensitive)
		if c == nil {
			return nil, phigate.Errorf(phigate.EINVALID, op, "column %q was not read", sensitive)
		}
		p.sensCard = len(c.Values)
		codes, cards = append(codes, c.Codes), append(cards, p.sensCard)
	}
	p.snapshot(codes, cards)
	return p, nil
}

// leafCodes maps the column of h in t to leaf indices of h.
func leafCodes(t *Table, h *Hierarchy) ([]uint32, error) {
	c := t.Column(h.Column)
	if c == nil {
		return nil, fmt.Errorf("column %q was not read", h.Column)
	}
	leafOf := make([]int32, len(c.Values))
	for code, v := range c.Values {
		leaf, ok := h.Leaf(v)
		if !ok {
			return nil, fmt.Errorf("%s:%d: column %q: the value is not in its hierarchy", t.Name, firstLine(t, c, uint32(code)), h.Column)
		}
		leafOf[code] = leaf
	}
	out := make([]uint32, len(c.Codes))
	for r, code := range c.Codes {
		out[r] = uint32(leafOf[code])
	}
	return out, nil
}

func firstLine(t *Table, c *Column, code uint32) int {
	for r, x := range c.Codes {
		if x == code && r < len(t.Lines) {
			return int(t.Lines[r])
		}
	}
	return 0
}

// snapshot reduces the records to distinct tuples with counts.
func (p *Problem) snapshot(codes [][]uint32, cards []int) {
	ids, n := tupleKeys(codes, cards, p.Records)
	p.entry = ids
	p.count = make([]int32, n)
	p.leaf = make([][]int32, len(p.QI))
	for i := range p.leaf {
		p.leaf[i] = make([]int32, n)
	}
	if p.Sensitive != "" {
		p.sens = make([]uint32, n)
	}
	for r, e := range ids {
		p.count[e]++
		for i := range p.leaf {
			p.leaf[i][e] = int32(codes[i][r])
		}
		if p.sens != nil {
			p.sens[e] = codes[len(p.QI)][r]
		}
	}
}

// Entries returns the number of distinct tuples the records reduce to.
func (p *Problem) Entries() int { return len(p.count) }

// LatticeSize returns the number of generalisation nodes.
func (p *Problem) LatticeSize() float64 {
	n := 1.0
	for _, h := range p.Hierarchies {
		n *= float64(h.Height())
	}
	return n
}
