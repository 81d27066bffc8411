package risk

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"slices"
	"time"

	"github.com/phigate/phigate"
)

// Opener opens an input for reading; the anonymiser reads it twice.
type Opener func() (io.ReadCloser, error)

// Anonymizer anonymises a delimited file to a privacy model: it measures
// the risk, searches the lattice, writes the released data and returns an
// Expert Determination report. Set the fields, then call Anonymize.
type Anonymizer struct {
	// Model is the privacy model and information-loss measure.
	Model Model
	// Hierarchies generalise the quasi-identifiers, one per column.
	Hierarchies []*Hierarchy
	// Sensitive columns get diversity figures; the first is the one
	// l-diversity protects when Model.L > 1.
	Sensitive []string
	// Drop lists columns left out of the output (direct identifiers).
	Drop []string
	// Comma is the input's delimiter; zero detects it.
	Comma rune
	// Now stamps the report and times the run; nil means time.Now.
	Now func() time.Time
}

func (a *Anonymizer) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// QI returns the quasi-identifiers: the hierarchies' columns.
func (a *Anonymizer) QI() []string {
	qi := make([]string, len(a.Hierarchies))
	for i, h := range a.Hierarchies {
		qi[i] = h.Column
	}
	return qi
}

// Anonymize reads the input named name through open (twice), writes the
// released data to out, delimited like the input, and returns the report.
// Malformed records are left out and listed in the report's Rejections.
// Codes: EINVALID (bad model, columns or hierarchies), ENOTFOUND (no
// generalisation meets the model).
func (a *Anonymizer) Anonymize(name string, open Opener, out io.Writer) (*Report, error) {
	start := a.now()
	qi := a.QI()
	t, sum, err := readHashed(open, name, slices.Concat(qi, a.Sensitive), a.Comma)
	if err != nil {
		return nil, err
	}
	opt := Options{K: a.Model.K, L: a.Model.L}
	before, err := Analyze(t, qi, a.Sensitive, opt)
	if err != nil {
		return nil, err
	}
	sol, rel, err := a.solve(t)
	if err != nil {
		return nil, err
	}
	rt, err := rel.Table(t, a.Sensitive)
	if err != nil {
		return nil, err
	}
	opt.Suppressed = SuppressedMark()
	after, err := Analyze(rt, qi, a.Sensitive, opt)
	if err != nil {
		return nil, err
	}
	if err := a.write(open, name, t.Comma, rel, out); err != nil {
		return nil, err
	}
	r := newReport(t, sum, a.now(), before, a.Sensitive)
	r.After = after
	a.describe(r, t, rt, sol, rel, a.now().Sub(start))
	r.Finish()
	return r, nil
}

func (a *Anonymizer) solve(t *Table) (*Solution, *Release, error) {
	sensitive := ""
	if a.Model.L > 1 && len(a.Sensitive) > 0 {
		sensitive = a.Sensitive[0]
	}
	p, err := NewProblem(t, a.Hierarchies, sensitive)
	if err != nil {
		return nil, nil, err
	}
	sol, err := p.Search(a.Model)
	if err != nil {
		return nil, nil, err
	}
	rel, err := p.Release(sol.Levels, sol.Model)
	if err != nil {
		return nil, nil, err
	}
	return sol, rel, nil
}

func (a *Anonymizer) write(open Opener, name string, comma rune, rel *Release, out io.Writer) error {
	rc, err := open()
	if err != nil {
		return phigate.E(phigate.EINVALID, "risk.Anonymize", fmt.Errorf("reopen input: %w", err))
	}
	defer rc.Close()
	return rel.WriteCSV(out, rc, name, comma, a.Drop)
}

// describe fills the report's model and solution sections.
func (a *Anonymizer) describe(r *Report, t, rt *Table, sol *Solution, rel *Release, took time.Duration) {
	m := sol.Model
	r.Title = "Expert Determination: anonymisation and re-identification risk"
	r.Model, r.Metric = &m, DescribeMetric(m.Metric)
	r.Thresholds.L, r.Thresholds.MaxSuppression = m.L, m.MaxSuppression
	r.QuasiIdentifiers = r.QuasiIdentifiers[:0]
	for i, h := range a.Hierarchies {
		level := sol.Levels[i]
		r.QuasiIdentifiers = append(r.QuasiIdentifiers, QuasiIdentifier{
			Column: h.Column, Hierarchy: h.Source, Levels: h.Height(), Level: &level,
			Values: usedValues(rt.Columns[i]), Example: exampleLabel(h, level),
		})
	}
	r.Solution = &SolutionInfo{
		Loss: sol.Loss, Suppressed: rel.Suppressed, Classes: sol.Classes,
		LatticeSize: sol.LatticeSize, Evaluated: sol.Evaluated,
		Runtime: took.Round(time.Millisecond).String(), RuntimeSeconds: took.Seconds(),
	}
	if t.Rows > 0 {
		r.Solution.SuppressedShare = float64(rel.Suppressed) / float64(t.Rows)
	}
}

// usedValues counts the distinct values of c that some record holds,
// the suppression mark aside.
func usedValues(c *Column) int {
	used := make([]bool, len(c.Values))
	n := 0
	for _, code := range c.Codes {
		if !used[code] && c.Values[code] != suppressedMark {
			used[code] = true
			n++
		}
	}
	return n
}

// exampleLabel returns the first label of a generalised level, taken from
// the hierarchy, never from the data; "" for level 0.
func exampleLabel(h *Hierarchy, level int) string {
	if level == 0 {
		return ""
	}
	return h.Labels(level)[0]
}

// readHashed reads the table from open and returns the input's SHA-256.
func readHashed(open Opener, name string, cols []string, comma rune) (*Table, string, error) {
	rc, err := open()
	if err != nil {
		return nil, "", phigate.E(phigate.EINVALID, "risk.readHashed", fmt.Errorf("open input: %w", err))
	}
	defer rc.Close()
	h := sha256.New()
	t, err := ReadTable(io.TeeReader(rc, h), name, cols, comma)
	if err != nil {
		return nil, "", err
	}
	return t, hexSum(h), nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// newReport starts a report on t with its risk figures.
func newReport(t *Table, sum string, now time.Time, before *Risk, sensitive []string) *Report {
	r := &Report{
		Title:     "Expert Determination: re-identification risk",
		Generated: now,
		Tool:      "phigate",
		Dataset: Dataset{
			Name: t.Name, SHA256: sum, Records: t.Rows,
			Rejected: t.Rejected.Count, Columns: len(t.Header),
		},
		Sensitive:  sensitive,
		Thresholds: Thresholds{K: before.ThresholdK, HighestRisk: 1 / float64(before.ThresholdK), L: before.ThresholdL},
		Before:     before,
		Rejections: t.Rejected.List,
	}
	for _, q := range before.QuasiIdentifiers {
		r.QuasiIdentifiers = append(r.QuasiIdentifiers, QuasiIdentifier{Column: q, Values: len(t.Column(q).Values)})
	}
	return r
}

// Assessor measures the re-identification risk of a delimited file.
type Assessor struct {
	QI        []string
	Sensitive []string
	Options   Options
	// Comma is the input's delimiter; zero detects it.
	Comma rune
	// Now stamps the report; nil means time.Now.
	Now func() time.Time
}

// Assess reads the input named name from r and returns a report whose
// Before holds the figures. Codes: EINVALID (no header, columns missing).
func (a *Assessor) Assess(name string, r io.Reader) (*Report, error) {
	h := sha256.New()
	t, err := ReadTable(io.TeeReader(r, h), name, slices.Concat(a.QI, a.Sensitive), a.Comma)
	if err != nil {
		return nil, err
	}
	fig, err := Analyze(t, a.QI, a.Sensitive, a.Options)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	rep := newReport(t, hexSum(h), now(), fig, a.Sensitive)
	if a.Options.Population != nil {
		rep.Thresholds.PopulationSource = a.Options.Population.Name
	}
	rep.Finish()
	return rep, nil
}
