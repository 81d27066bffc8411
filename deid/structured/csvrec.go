package structured

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// csvPlan is what to do with each column of one CSV input.
type csvPlan struct {
	header  []string
	rules   []*Rule  // per column; nil keeps it
	domains []string // pseudonym domain per column
	patient int      // the column with the patient's id, or -1
}

// planCSV matches the configuration to a header. Codes: EINVALID (a rule
// or the patient names a column the header lacks).
func (d *Deidentifier) planCSV(header []string) (*csvPlan, error) {
	const op = "structured.planCSV"
	c := d.Config
	p := &csvPlan{header: header, rules: make([]*Rule, len(header)), domains: make([]string, len(header)), patient: -1}
	index := map[string]int{}
	for i, h := range header {
		index[h] = i
		p.domains[i] = "column:" + h
		if k, ok := c.Fields[h]; ok && k != "keep" {
			p.domains[i] = kindDomain(k)
		}
	}
	for _, r := range c.Rules {
		if r.Column == "" {
			continue
		}
		i, ok := index[r.Column]
		if !ok {
			return nil, phigate.Errorf(phigate.EINVALID, op, "a rule names column %q, which the header lacks", r.Column)
		}
		if p.rules[i] == nil {
			p.rules[i] = &r
		}
	}
	for i, h := range header {
		if r, ok := fieldRule(c, h); ok && p.rules[i] == nil {
			r.Column, r.Path = h, ""
			p.rules[i] = &r
		}
	}
	var rules []Rule
	for _, r := range p.rules {
		if r != nil {
			rules = append(rules, *r)
		}
	}
	if err := d.e.check(rules); err != nil {
		return nil, err
	}
	return p, p.findPatient(c, index)
}

func (p *csvPlan) findPatient(c *Config, index map[string]int) error {
	if c.Patient != "" {
		i, ok := index[c.Patient]
		if !ok {
			return phigate.Errorf(phigate.EINVALID, "structured.planCSV", "the patient column %q is not in the header", c.Patient)
		}
		p.patient = i
		return nil
	}
	for i, h := range p.header {
		if k := c.Fields[h]; k == "patient-id" || k == "mrn" && p.patient < 0 {
			p.patient = i
		}
	}
	return nil
}

func (d *Deidentifier) runCSV(ctx context.Context, r io.Reader, name string, w io.Writer, st *Stats) error {
	rr, err := risk.NewRowReader(r, name, 0)
	if err != nil {
		return err
	}
	plan, err := d.planCSV(rr.Header)
	if err != nil {
		return err
	}
	var head bytes.Buffer
	if err := writeCSV(&head, rr.Comma, [][]string{rr.Header}); err != nil {
		return err
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return phigate.E(phigate.EINTERNAL, "structured.runCSV", fmt.Errorf("write header: %w", err))
	}
	read := func() (*chunk, error) { return readCSVChunk(rr) }
	work := func(c *chunk) { d.csvChunk(c, plan, name, rr.Comma) }
	err = runOrdered(ctx, d.Workers, read, work, writeChunk(w, st))
	for _, e := range rr.Rejected.List {
		st.Rejected.Add(e)
	}
	st.Rejected.Count += rr.Rejected.Count - len(rr.Rejected.List)
	st.Records += rr.Rejected.Count
	return err
}

func readCSVChunk(rr *risk.RowReader) (*chunk, error) {
	c := &chunk{}
	for len(c.rows) < chunkRecords {
		rec, line, err := rr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		c.rows = append(c.rows, append([]string(nil), rec...))
		c.lines = append(c.lines, line)
	}
	if len(c.rows) == 0 {
		return nil, nil
	}
	return c, nil
}

// writeChunk returns the pipeline's writer: it writes a chunk's output
// and adds up its Stats.
func writeChunk(w io.Writer, st *Stats) func(*chunk) error {
	return func(c *chunk) error {
		st.add(c.stats)
		if _, err := w.Write(c.out); err != nil {
			return phigate.E(phigate.EINTERNAL, "structured.write", fmt.Errorf("write output: %w", err))
		}
		return nil
	}
}

// csvChunk de-identifies the rows of a chunk.
func (d *Deidentifier) csvChunk(c *chunk, p *csvPlan, name string, comma rune) {
	c.stats = newStats()
	out := make([][]string, 0, len(c.rows))
	for j, row := range c.rows {
		c.stats.Records++
		field, err := d.csvRow(row, p, c.stats)
		var scan *errScan
		switch {
		case errors.As(err, &scan):
			c.stats.reject(&risk.RecordError{File: name, Line: c.lines[j], Field: field, Reason: "free text could not be scanned"})
		case err != nil:
			c.err = err
			return
		default:
			out = append(out, row)
			c.stats.Written++
		}
	}
	var buf bytes.Buffer
	c.err = writeCSV(&buf, comma, out)
	c.out = buf.Bytes()
}

// csvRow de-identifies one row in place; on failure it names the column.
func (d *Deidentifier) csvRow(row []string, p *csvPlan, st *Stats) (string, error) {
	patient := ""
	if p.patient >= 0 {
		patient = row[p.patient]
	}
	for i, r := range p.rules {
		if r == nil || row[i] == "" {
			continue
		}
		out, drop, err := d.e.apply(*r, row[i], leaf{patient: patient, target: p.header[i], domain: p.domains[i], form: FormToken, stats: st})
		if err != nil {
			return p.header[i], err
		}
		if drop {
			out = ""
		}
		row[i] = out
	}
	return "", nil
}

func writeCSV(w io.Writer, comma rune, rows [][]string) error {
	cw := csv.NewWriter(w)
	cw.Comma = comma
	if err := cw.WriteAll(rows); err != nil {
		return phigate.E(phigate.EINTERNAL, "structured.writeCSV", fmt.Errorf("encode rows: %w", err))
	}
	return nil
}
