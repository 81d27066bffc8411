package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// AnonymizeCommand generalises and suppresses a delimited file until it
// meets k-anonymity (and l-diversity), with the least information loss,
// and writes an Expert Determination report.
type AnonymizeCommand struct {
	m           *Main
	file        string
	model       risk.Model
	hierarchies []string // COL=FILE
	flatQI      []string
	sensitive   []string
	drop        []string
	out         string
	report      string
	delimiter   string
	json        bool
}

const anonymizeUsage = `anonymize FILE --k K --hierarchy COL=FILE... [--max-suppression 5%] [flags]

Searches the lattice of generalisation levels of the quasi-identifiers (the
columns with a --hierarchy, in ARX CSV format, and those in --qi, which can
only be kept or suppressed) for the solution with the least information
loss that meets k-anonymity (and l-diversity with --l), suppressing at most
--max-suppression of the records. Writes the data to --out and the Expert
Determination report to --report.md and --report.json.`

// ParseFlags reads FILE and the flags, in any order.
func (c *AnonymizeCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("anonymize", anonymizeUsage)
	fs.IntVar(&c.model.K, "k", 0, "smallest equivalence class (required)")
	fs.Var(percentFlag{&c.model.MaxSuppression}, "max-suppression", "largest share of records that may be suppressed, as 5% or 0.05")
	fs.Var(listFlag{&c.hierarchies}, "hierarchy", "COL=FILE: a quasi-identifier and its generalisation hierarchy (repeat)")
	fs.Var(listFlag{&c.flatQI}, "qi", "quasi-identifiers without a hierarchy: kept or suppressed")
	fs.Var(listFlag{&c.sensitive}, "sensitive", "sensitive columns; the first is protected by --l")
	fs.IntVar(&c.model.L, "l", 0, "l-diversity of the first sensitive column (0: none)")
	fs.StringVar(&c.model.Diversity, "diversity", risk.DistinctDiversity, "l-diversity model: distinct or entropy")
	metric := fs.String("metric", string(risk.DefaultMetric), "information loss to minimise: loss, precision, entropy or discernibility")
	fs.Var(listFlag{&c.drop}, "drop", "columns to leave out of the output (direct identifiers)")
	fs.StringVar(&c.out, "out", "", "anonymised output (default: FILE with .anonymized before its extension)")
	fs.StringVar(&c.report, "report", "", "report prefix (default: the output without its extension, plus .report)")
	fs.StringVar(&c.delimiter, "delimiter", "", "field delimiter (default: detected from the header)")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON instead of a summary")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c.model.Metric = risk.Metric(*metric)
	switch {
	case len(pos) != 1:
		fs.Usage()
		return fmt.Errorf("%w: want one FILE", errUsage)
	case c.model.K < 1:
		return errors.New("--k is required and must be at least 1")
	case len(c.hierarchies) == 0 && len(c.flatQI) == 0:
		return errors.New("give the quasi-identifiers with --hierarchy COL=FILE (or --qi)")
	case !c.model.Metric.Valid():
		return fmt.Errorf("unknown --metric %q", *metric)
	case c.model.L > 1 && len(c.sensitive) == 0:
		return errors.New("--l needs --sensitive")
	}
	c.file = pos[0]
	return nil
}

// Run anonymises the file and writes the data and the report.
func (c *AnonymizeCommand) Run(ctx context.Context) error {
	comma, err := delimiterRune(c.delimiter)
	if err != nil {
		return err
	}
	path, name, cleanup, err := c.input()
	if err != nil {
		return err
	}
	defer cleanup()
	a := &risk.Anonymizer{Model: c.model, Sensitive: c.sensitive, Drop: c.drop, Comma: comma}
	if a.Hierarchies, err = c.loadHierarchies(path, comma); err != nil {
		return err
	}
	outPath, reportPrefix := c.outputs()
	out, err := risk.CreateAtomic(outPath)
	if err != nil {
		return err
	}
	defer out.Abort()
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	rep, err := a.Anonymize(name, open, out)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return fmt.Errorf("%w: allow more suppression (--max-suppression) or coarser hierarchies", err)
	}
	if err != nil {
		return err
	}
	rep.Output = filepath.Base(outPath)
	if err := out.Commit(); err != nil {
		return err
	}
	if err := writeReport(rep, reportPrefix); err != nil {
		return err
	}
	if err := c.print(rep, outPath, reportPrefix); err != nil {
		return err
	}
	return rejections(c.m, rep.Dataset.Rejected, rep.Rejections)
}

// input returns the file to read twice: FILE, or standard input spooled
// to a private temporary file.
func (c *AnonymizeCommand) input() (path, name string, cleanup func(), err error) {
	if c.file != "-" {
		return c.file, filepath.Base(c.file), func() {}, nil
	}
	f, err := os.CreateTemp("", "phigate-anonymize-*.csv")
	if err != nil {
		return "", "", nil, phigate.E(phigate.EINTERNAL, "anonymize", fmt.Errorf("spool stdin: %w", err))
	}
	cleanup = func() { os.Remove(f.Name()) }
	_, err = io.Copy(f, c.m.Stdin)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", "", nil, phigate.E(phigate.EINTERNAL, "anonymize", fmt.Errorf("spool stdin: %w", err))
	}
	return f.Name(), "stdin", cleanup, nil
}

// outputs returns the data path and the report prefix.
func (c *AnonymizeCommand) outputs() (string, string) {
	out := c.out
	if out == "" {
		base := c.file
		if base == "-" {
			base = "stdin.csv"
		}
		ext := filepath.Ext(base)
		out = strings.TrimSuffix(base, ext) + ".anonymized" + ext
	}
	report := c.report
	if report == "" {
		report = strings.TrimSuffix(out, filepath.Ext(out)) + ".report"
	}
	return out, report
}

// loadHierarchies reads each COL=FILE, and builds value → * hierarchies
// for --qi columns from the data.
func (c *AnonymizeCommand) loadHierarchies(path string, comma rune) ([]*risk.Hierarchy, error) {
	var hs []*risk.Hierarchy
	for _, spec := range c.hierarchies {
		col, file, ok := strings.Cut(spec, "=")
		if !ok || col == "" || file == "" {
			return nil, fmt.Errorf("--hierarchy %q: want COL=FILE", spec)
		}
		f, err := os.Open(file)
		if err != nil {
			return nil, phigate.E(phigate.EINVALID, "anonymize", fmt.Errorf("open hierarchy: %w", err))
		}
		h, err := risk.ReadHierarchy(f, filepath.Base(file), col)
		f.Close()
		if err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	if len(c.flatQI) == 0 {
		return hs, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "anonymize", fmt.Errorf("open input: %w", err))
	}
	defer f.Close()
	t, err := risk.ReadTable(f, filepath.Base(path), c.flatQI, comma)
	if err != nil {
		return nil, err
	}
	for _, col := range t.Columns {
		hs = append(hs, risk.FlatHierarchy(col.Name, col.Values))
	}
	return hs, nil
}

// print writes a summary, or the report as JSON.
func (c *AnonymizeCommand) print(rep *risk.Report, out, report string) error {
	if c.json {
		return rep.WriteJSON(c.m.Stdout)
	}
	s, b, a := rep.Solution, rep.Before, rep.After
	w := c.m.Stdout
	fmt.Fprintf(w, "%s → %s: %d records, %d suppressed (%.2f%%)\n", rep.Dataset.Name, out, rep.Dataset.Records, s.Suppressed, 100*s.SuppressedShare)
	fmt.Fprintf(w, "Model:            %s\n", rep.Model)
	var levels []string
	for _, q := range rep.QuasiIdentifiers {
		l := fmt.Sprintf("%s=%d/%d", q.Column, *q.Level, q.Levels-1)
		if q.Example != "" {
			l += fmt.Sprintf(" (%q)", q.Example)
		}
		levels = append(levels, l)
	}
	fmt.Fprintf(w, "Levels:           %s\n", strings.Join(levels, ", "))
	fmt.Fprintf(w, "Information loss: %.6f (%s)\n", s.Loss, rep.Metric.Name)
	fmt.Fprintf(w, "k:                %d → %d\n", b.K, a.K)
	fmt.Fprintf(w, "Prosecutor risk:  highest %.4f → %.4f, average %.4f → %.4f\n", b.Prosecutor.Highest, a.Prosecutor.Highest, b.Prosecutor.Average, a.Prosecutor.Average)
	fmt.Fprintf(w, "Marketer risk:    %.4f → %.4f\n", b.Marketer, a.Marketer)
	fmt.Fprintf(w, "Sample uniques:   %d → %d\n", b.SampleUniques, a.SampleUniques)
	fmt.Fprintf(w, "Search:           exact, %d of %.0f nodes evaluated in %s\n", s.Evaluated, s.LatticeSize, s.Runtime)
	fmt.Fprintf(w, "Report:           %s.md, %s.json\n", report, report)
	return nil
}
