package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// RiskCommand measures the re-identification risk of a delimited file over
// its quasi-identifiers, for Expert Determination.
type RiskCommand struct {
	m          *Main
	file       string
	qi         []string
	sensitive  []string
	k, l       int
	population string
	delimiter  string
	json       bool
	report     string
}

const riskUsage = `risk FILE --qi COL,COL,... [--sensitive COL,...] [flags]

Measures the re-identification risk of FILE (CSV with a header; "-" reads
standard input) over the quasi-identifiers: equivalence classes, k, records
in classes smaller than --k, prosecutor, journalist and marketer risk,
sample uniqueness, and the l-diversity of the sensitive columns. Malformed
records are reported by line and left out; the exit code is then 1.`

// ParseFlags reads FILE and the flags, in any order.
func (c *RiskCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("risk", riskUsage)
	fs.Var(listFlag{&c.qi}, "qi", "quasi-identifier columns, comma-separated (required)")
	fs.Var(listFlag{&c.sensitive}, "sensitive", "sensitive columns for l-diversity, comma-separated")
	fs.IntVar(&c.k, "k", risk.DefaultK, "risk threshold as a class size: records in smaller classes are at risk")
	fs.IntVar(&c.l, "l", risk.DefaultL, "l-diversity threshold for sensitive columns")
	fs.StringVar(&c.population, "population", "", "CSV of the population the data was drawn from, for journalist and marketer risk")
	fs.StringVar(&c.delimiter, "delimiter", "", "field delimiter (default: detected from the header)")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.StringVar(&c.report, "report", "", "also write the Expert Determination report to PREFIX.md and PREFIX.json")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		fs.Usage()
		return fmt.Errorf("%w: want one FILE", errUsage)
	case len(c.qi) == 0:
		return errors.New("--qi is required")
	case c.k < 1 || c.l < 1:
		return errors.New("--k and --l must be at least 1")
	}
	c.file = pos[0]
	return nil
}

// Run measures and prints the risk.
func (c *RiskCommand) Run(ctx context.Context) error {
	comma, err := delimiterRune(c.delimiter)
	if err != nil {
		return err
	}
	a := &risk.Assessor{QI: c.qi, Sensitive: c.sensitive, Comma: comma, Options: risk.Options{K: c.k, L: c.l}}
	if c.population != "" {
		if a.Options.Population, err = readPopulation(c.population, c.qi, comma); err != nil {
			return err
		}
	}
	in, name, err := openInput(c.m, c.file)
	if err != nil {
		return err
	}
	defer in.Close()
	rep, err := a.Assess(name, in)
	if err != nil {
		return err
	}
	if err := c.print(rep); err != nil {
		return err
	}
	if c.report != "" {
		if err := writeReport(rep, c.report); err != nil {
			return err
		}
	}
	return rejections(c.m, rep.Dataset.Rejected, rep.Rejections)
}

func (c *RiskCommand) print(rep *risk.Report) error {
	if c.json {
		return rep.WriteJSON(c.m.Stdout)
	}
	fmt.Fprintf(c.m.Stdout, "%s: %d records, %d columns\n\n", rep.Dataset.Name, rep.Dataset.Records, rep.Dataset.Columns)
	return rep.Before.WriteText(c.m.Stdout)
}

func readPopulation(path string, qi []string, comma rune) (*risk.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "risk", fmt.Errorf("open population: %w", err))
	}
	defer f.Close()
	return risk.ReadTable(f, filepath.Base(path), qi, comma)
}

// rejections lists malformed records on stderr and fails when there were
// any: the output stands, without them.
func rejections(m *Main, count int, list []*risk.RecordError) error {
	if count == 0 {
		return nil
	}
	for _, e := range list {
		fmt.Fprintf(m.Stderr, "%s\n", e)
	}
	if count > len(list) {
		fmt.Fprintf(m.Stderr, "... and %d more\n", count-len(list))
	}
	return fmt.Errorf("%d malformed records were left out", count)
}

// writeReport writes rep to prefix.md and prefix.json, each whole or not
// at all.
func writeReport(rep *risk.Report, prefix string) error {
	for _, w := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".md", rep.WriteMarkdown}, {".json", rep.WriteJSON}} {
		f, err := risk.CreateAtomic(prefix + w.ext)
		if err != nil {
			return err
		}
		if err := w.write(f); err != nil {
			f.Abort()
			return phigate.E(phigate.EINTERNAL, "report", fmt.Errorf("write report: %w", err))
		}
		if err := f.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// openInput opens a file, or standard input for "-".
func openInput(m *Main, path string) (io.ReadCloser, string, error) {
	if path == "-" {
		return io.NopCloser(m.Stdin), "stdin", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", phigate.E(phigate.EINVALID, "open", fmt.Errorf("open input: %w", err))
	}
	return f, filepath.Base(path), nil
}

// delimiterRune reads --delimiter: one character, or "tab"; "" detects.
func delimiterRune(s string) (rune, error) {
	switch {
	case s == "":
		return 0, nil
	case s == "tab" || s == `\t`:
		return '\t', nil
	case len([]rune(s)) == 1 && s != "\"" && s != "\n":
		return []rune(s)[0], nil
	}
	return 0, fmt.Errorf("--delimiter must be one character")
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// listFlag is a comma-separated list; repeating the flag adds to it.
type listFlag struct{ list *[]string }

func (f listFlag) String() string {
	if f.list == nil {
		return ""
	}
	return strings.Join(*f.list, ",")
}

func (f listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*f.list = append(*f.list, v)
		}
	}
	return nil
}

// percentFlag is a share given as "5%" or "0.05".
type percentFlag struct{ v *float64 }

func (f percentFlag) String() string {
	if f.v == nil {
		return "0%"
	}
	return strconv.FormatFloat(100**f.v, 'g', -1, 64) + "%"
}

func (f percentFlag) Set(s string) error {
	p, isPct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(p, 64)
	if err != nil {
		return errors.New("want a share like 5% or 0.05")
	}
	if isPct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return errors.New("the share must lie between 0% and 100%")
	}
	*f.v = v
	return nil
}
