package risk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/phigate/phigate"
)

// Release is a generalisation applied to a problem's records: each
// quasi-identifier replaced by its label on the chosen level, and the
// records of classes that fail the model suppressed (every
// quasi-identifier "*").
type Release struct {
	Levels     []int
	Suppressed int // records suppressed

	p          *Problem
	suppressed []bool // per entry
}

// Release applies levels under m. Codes: EINVALID (bad levels or model).
func (p *Problem) Release(levels []int, m Model) (*Release, error) {
	const op = "risk.Problem.Release"
	m, err := m.validate(p)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	if err := p.checkLevels(levels); err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	r := newEvaluator(p, m).eval(levels, p.baseRows())
	rl := &Release{Levels: append([]int(nil), levels...), Suppressed: r.suppressed, p: p}
	rl.suppressed = make([]bool, len(p.count))
	for e, c := range r.classOf {
		rl.suppressed[e] = r.fail[c]
	}
	return rl, nil
}

// IsSuppressed reports whether record row is suppressed.
func (rl *Release) IsSuppressed(row int) bool { return rl.suppressed[rl.p.entry[row]] }

// Value returns the released value of quasi-identifier i in record row.
func (rl *Release) Value(row, i int) string {
	if rl.IsSuppressed(row) {
		return DefaultSuppressed
	}
	e := rl.p.entry[row]
	return rl.p.Hierarchies[i].Label(rl.Levels[i], rl.p.leaf[i][e])
}

// suppressedMark marks suppressed records in Table: no label can hold it.
const suppressedMark = "\x00suppressed"

// Table returns the released quasi-identifiers, and the sensitive columns
// of src, as a table for Analyze with Options.Suppressed set to
// SuppressedMark(). src is the table the problem was built from.
func (rl *Release) Table(src *Table, sensitive []string) (*Table, error) {
	t := &Table{Name: src.Name, Header: src.Header, Comma: src.Comma, Rows: src.Rows, Lines: src.Lines}
	for i, h := range rl.p.Hierarchies {
		c := &Column{Name: h.Column, Index: src.Column(h.Column).Index}
		c.Values = append(append(c.Values, h.labels[rl.Levels[i]]...), suppressedMark)
		star := uint32(len(c.Values) - 1)
		c.Codes = make([]uint32, src.Rows)
		for r, e := range rl.p.entry {
			if rl.suppressed[e] {
				c.Codes[r] = star
			} else {
				c.Codes[r] = uint32(h.gen[rl.Levels[i]][rl.p.leaf[i][e]])
			}
		}
		t.Columns = append(t.Columns, c)
	}
	for _, s := range sensitive {
		c := src.Column(s)
		if c == nil {
			return nil, phigate.Errorf(phigate.EINVALID, "risk.Release.Table", "column %q was not read", s)
		}
		t.Columns = append(t.Columns, c)
	}
	return t, nil
}

// SuppressedMark is the Options.Suppressed value for tables from
// Release.Table.
func SuppressedMark() string { return suppressedMark }

// WriteCSV reads src, the input the problem's table was read from, again
// and writes it to dst with the release applied: quasi-identifiers
// generalised, suppressed records' quasi-identifiers "*", the columns in
// drop left out. Rejected records are left out as in the first pass.
// Codes: EINVALID (src differs from the first pass, a drop column missing).
func (rl *Release) WriteCSV(dst io.Writer, src io.Reader, name string, comma rune, drop []string) error {
	const op = "risk.Release.WriteCSV"
	rr, err := NewRowReader(src, name, comma)
	if err != nil {
		return err
	}
	keep, qiAt, err := rl.layout(rr.Header, drop)
	if err != nil {
		return phigate.E(phigate.EINVALID, op, err)
	}
	w := csv.NewWriter(dst)
	w.Comma = rr.Comma
	out := make([]string, len(keep))
	for j, c := range keep {
		out[j] = rr.Header[c]
	}
	if err := w.Write(out); err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("write header: %w", err))
	}
	if err := rl.writeRows(w, rr, keep, qiAt, out); err != nil {
		return phigate.E(phigate.ErrorCode(err), op, err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("write rows: %w", err))
	}
	return nil
}

func (rl *Release) writeRows(w *csv.Writer, rr *RowReader, keep, qiAt []int, out []string) error {
	row := 0
	for {
		rec, _, err := rr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if row >= rl.p.Records {
			return phigate.Errorf(phigate.EINVALID, "", "%s has more records than when it was first read", rr.Name)
		}
		for j, c := range keep {
			if i := qiAt[c]; i >= 0 {
				out[j] = rl.Value(row, i)
			} else {
				out[j] = rec[c]
			}
		}
		if err := w.Write(out); err != nil {
			return phigate.E(phigate.EINTERNAL, "", fmt.Errorf("write record: %w", err))
		}
		row++
	}
	if row != rl.p.Records {
		return phigate.Errorf(phigate.EINVALID, "", "%s has %d records, %d when it was first read", rr.Name, row, rl.p.Records)
	}
	return nil
}

// layout returns the header positions to write and, per position, the
// quasi-identifier there (-1 for none).
func (rl *Release) layout(header, drop []string) (keep, qiAt []int, err error) {
	dropped := make(map[string]bool, len(drop))
	for _, d := range drop {
		dropped[d] = true
	}
	qiAt = make([]int, len(header))
	found := 0
	for c, h := range header {
		qiAt[c] = -1
		for i, q := range rl.p.QI {
			if q == h {
				qiAt[c] = i
			}
		}
		if dropped[h] {
			found++
			if qiAt[c] >= 0 {
				return nil, nil, fmt.Errorf("column %q is a quasi-identifier and cannot be dropped", h)
			}
			continue
		}
		keep = append(keep, c)
	}
	if found != len(dropped) {
		return nil, nil, errors.New("a column to drop is not in the header")
	}
	return keep, qiAt, nil
}
