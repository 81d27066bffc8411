package risk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/phigate/phigate"
)

// Hierarchy generalises the values of one column step by step: level 0 is
// the value itself, each higher level coarser, the last usually "*". It is
// read from the ARX CSV format: one line per value, the value followed by
// its generalisations, most specific first. Equal labels on one level are
// one value, so each label must generalise to a single label on the level
// above.
type Hierarchy struct {
	Column string // the column it generalises
	Source string // where it was read from ("" if built)

	leaves map[string]int32 // leaf value → leaf index
	labels [][]string       // labels[l][code]
	gen    [][]int32        // gen[l][leaf] → code on level l
	width  [][]int          // width[l][code] → leaves under it
}

// Height returns the number of levels, the leaves included.
func (h *Hierarchy) Height() int { return len(h.labels) }

// Leaves returns the number of leaf values.
func (h *Hierarchy) Leaves() int { return len(h.gen[0]) }

// Leaf returns the index of a leaf value, and false if h lacks it.
func (h *Hierarchy) Leaf(v string) (int32, bool) {
	i, ok := h.leaves[v]
	return i, ok
}

// Label returns what leaf generalises to on level.
func (h *Hierarchy) Label(level int, leaf int32) string {
	return h.labels[level][h.gen[level][leaf]]
}

// Labels returns the distinct labels of level, in order of first use.
func (h *Hierarchy) Labels(level int) []string { return h.labels[level] }

// ReadHierarchy reads a hierarchy for column in the ARX CSV format
// (delimiter detected among ';', ',', tab and '|'). Codes: EINVALID (empty,
// lines of unequal length, a repeated value, a label that generalises to
// two labels).
func ReadHierarchy(r io.Reader, source, column string) (*Hierarchy, error) {
	const op = "risk.ReadHierarchy"
	rows, lines, err := readHierarchyRows(r)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, fmt.Errorf("read hierarchy %s: %w", source, err))
	}
	h, err := buildHierarchy(column, rows, lines)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, fmt.Errorf("read hierarchy %s: %w", source, err))
	}
	h.Source = source
	return h, nil
}

func readHierarchyRows(r io.Reader) ([][]string, []int, error) {
	cr, _ := newCSVReader(r, 0)
	cr.ReuseRecord = false
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			return nil, nil, fmt.Errorf("line %d has %d levels, line %d has %d", pe.StartLine, len(rec), lines[0], len(rows[0]))
		}
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("malformed line %d", pe.StartLine)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		rows, lines = append(rows, rec), append(lines, line)
	}
	return rows, lines, nil
}

// NewHierarchy builds a hierarchy from rows, each a value followed by its
// generalisations. Codes: EINVALID as for ReadHierarchy.
func NewHierarchy(column string, rows [][]string) (*Hierarchy, error) {
	lines := make([]int, len(rows))
	for i := range lines {
		lines[i] = i + 1
	}
	h, err := buildHierarchy(column, rows, lines)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "risk.NewHierarchy", err)
	}
	return h, nil
}

// FlatHierarchy returns the two-level hierarchy value → "*" over values.
func FlatHierarchy(column string, values []string) *Hierarchy {
	rows := make([][]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			rows = append(rows, []string{v, DefaultSuppressed})
		}
	}
	h, _ := NewHierarchy(column, rows)
	return h
}

func buildHierarchy(column string, rows [][]string, lines []int) (*Hierarchy, error) {
	if len(rows) == 0 {
		return nil, errors.New("no values")
	}
	height := len(rows[0])
	h := &Hierarchy{
		Column: column,
		leaves: make(map[string]int32, len(rows)),
		labels: make([][]string, height),
		gen:    make([][]int32, height),
		width:  make([][]int, height),
	}
	codes := make([]map[string]int32, height)
	for l := range codes {
		codes[l] = make(map[string]int32)
	}
	for i, row := range rows {
		if len(row) != height {
			return nil, fmt.Errorf("line %d has %d levels, line %d has %d", lines[i], len(row), lines[0], height)
		}
		if j, dup := h.leaves[row[0]]; dup {
			return nil, fmt.Errorf("line %d repeats the value of line %d", lines[i], lines[j])
		}
		h.leaves[row[0]] = int32(i)
		for l, label := range row {
			c, ok := codes[l][label]
			if !ok {
				c = int32(len(h.labels[l]))
				codes[l][label] = c
				h.labels[l] = append(h.labels[l], label)
				h.width[l] = append(h.width[l], 0)
			}
			h.gen[l] = append(h.gen[l], c)
			h.width[l][c]++
		}
	}
	return h, h.checkNested(lines)
}

// checkNested verifies that every label generalises to one label above.
func (h *Hierarchy) checkNested(lines []int) error {
	for l := 1; l+1 < h.Height(); l++ {
		up := make([]int32, len(h.labels[l]))
		first := make([]int, len(h.labels[l]))
		for i := range up {
			up[i] = -1
		}
		for leaf, c := range h.gen[l] {
			switch next := h.gen[l+1][leaf]; {
			case up[c] < 0:
				up[c], first[c] = next, leaf
			case up[c] != next:
				return fmt.Errorf("line %d generalises level %d to level %d differently from line %d", lines[leaf], l, l+1, lines[first[c]])
			}
		}
	}
	return nil
}
