package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
	"github.com/phigate/phigate/deid/structured"
)

// StructuredDeidCommand de-identifies structured records: CSV, JSON lines
// and FHIR R4 (resources, Bundles, Bulk Data NDJSON), from files, folders
// or standard input. `phigate deid` hands it the inputs that
// isStructuredInput recognises.
type StructuredDeidCommand struct {
	m       *Main
	inputs  []string
	out     string
	config  string
	format  string
	workers int
	report  string

	// detector finds PHI in free text; shifter moves dates per patient.
	// Nil until the PHI engine is wired in: configurations that need them
	// are then refused (fail closed).
	detector phigate.Detector
	shifter  structured.DateShifter
}

const structuredUsage = `deid-structured INPUT... --out PATH [--config FILE] [flags]

De-identifies CSV (with a header), JSON lines, FHIR R4 JSON resources and
Bundles, and FHIR Bulk Data NDJSON, by a configuration of rules per column,
JSON path or FHIR element (default: the built-in safe-harbor profile).
INPUT is a file, a folder (its structured files, recursively) or "-" for
standard input (with --format). Each output appears whole or not at all.
Malformed records are reported by file, line and field and left out; the
exit code is then 1.`

// isStructuredInput reports whether path is a structured input by its
// extension: .csv, .tsv, .jsonl, .ndjson or .json.
func isStructuredInput(path string) bool {
	_, ok := structured.DetectFormat(path)
	return ok
}

// ParseFlags reads the inputs and flags, in any order.
func (c *StructuredDeidCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("deid-structured", structuredUsage)
	fs.StringVar(&c.out, "out", "", "output file, or folder for several inputs (required unless the input is -)")
	fs.StringVar(&c.config, "config", "", "JSON configuration (default: the safe-harbor profile)")
	fs.StringVar(&c.format, "format", "", "format of standard input: csv, jsonl, ndjson or json")
	fs.IntVar(&c.workers, "workers", 0, "records processed at once (default: one per core)")
	fs.StringVar(&c.report, "report", "", "write the per-file, per-category report as JSON to this file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c.inputs = pos
	switch {
	case len(pos) == 0:
		fs.Usage()
		return fmt.Errorf("%w: want an INPUT", errUsage)
	case len(pos) == 1 && pos[0] == "-" && c.format == "":
		return errors.New("standard input needs --format")
	case !(len(pos) == 1 && pos[0] == "-") && c.out == "":
		return errors.New("--out is required")
	}
	return nil
}

// Run de-identifies every input.
func (c *StructuredDeidCommand) Run(ctx context.Context) error {
	d, err := c.deidentifier()
	if err != nil {
		return err
	}
	if len(c.inputs) == 1 && c.inputs[0] == "-" {
		st, err := d.Run(ctx, c.m.Stdin, "stdin", structured.Format(c.format), c.m.Stdout)
		if err != nil {
			return err
		}
		return c.finish([]*structured.Stats{st})
	}
	pairs, err := planStructured(c.inputs, c.out)
	if err != nil {
		return err
	}
	var all []*structured.Stats
	for i, p := range pairs {
		st, err := c.file(ctx, d, p, i+1, len(pairs))
		if err != nil {
			return fmt.Errorf("%s: %w", p[0], err)
		}
		all = append(all, st)
	}
	return c.finish(all)
}

func (c *StructuredDeidCommand) deidentifier() (*structured.Deidentifier, error) {
	d := structured.NewDeidentifier()
	d.Detector, d.Shifter, d.Workers = c.detector, c.shifter, c.workers
	if c.config != "" {
		f, err := os.Open(c.config)
		if err != nil {
			return nil, phigate.E(phigate.EINVALID, "deid", fmt.Errorf("open configuration: %w", err))
		}
		defer f.Close()
		if d.Config, err = structured.ParseConfig(f); err != nil {
			return nil, err
		}
	}
	if err := d.Open(); err != nil {
		return nil, err
	}
	return d, nil
}

// file de-identifies one input file, showing progress on a terminal.
func (c *StructuredDeidCommand) file(ctx context.Context, d *structured.Deidentifier, p [2]string, n, total int) (*structured.Stats, error) {
	if err := os.MkdirAll(filepath.Dir(p[1]), 0o700); err != nil {
		return nil, phigate.E(phigate.EINVALID, "deid", fmt.Errorf("create output folder: %w", err))
	}
	stop := c.progress(p[0], n, total)
	st, err := d.File(ctx, p[0], p[1])
	stop()
	return st, err
}

// progress prints how far a file has got, once a second, when stderr is a
// terminal; it returns the function that ends it.
func (c *StructuredDeidCommand) progress(path string, n, total int) func() {
	f, ok := c.m.Stderr.(*os.File)
	st, err := os.Stat(path)
	if !ok || err != nil || !isTerminal(f) {
		return func() {}
	}
	var done atomic.Bool
	start := time.Now()
	go func() {
		for !done.Load() {
			fmt.Fprintf(f, "\r[%d/%d] %s (%d MB) %s", n, total, filepath.Base(path), st.Size()>>20, time.Since(start).Round(time.Second))
			time.Sleep(time.Second)
		}
	}()
	return func() { done.Store(true); fmt.Fprintln(f) }
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// finish prints a summary per file, writes the report and fails if any
// record was left out.
func (c *StructuredDeidCommand) finish(all []*structured.Stats) error {
	rejected := 0
	for _, st := range all {
		fmt.Fprintf(c.m.Stderr, "%s: %d records, %d written, %d rejected%s\n", st.File, st.Records, st.Written, st.Rejected.Count, categories(st))
		for _, e := range st.Rejected.List {
			fmt.Fprintf(c.m.Stderr, "  %s\n", e)
		}
		rejected += st.Rejected.Count
	}
	if c.report != "" {
		if err := writeJSONFile(c.report, all); err != nil {
			return err
		}
	}
	if rejected > 0 {
		return fmt.Errorf("%d malformed records were left out", rejected)
	}
	return nil
}

// categories renders the PHI found in free text: "; NAME 3, DATE 1".
func categories(st *structured.Stats) string {
	var parts []string
	for _, k := range phigate.Categories {
		if n := st.Findings[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; in free text: " + strings.Join(parts, ", ")
}

func writeJSONFile(path string, v any) error {
	f, err := risk.CreateAtomic(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return phigate.E(phigate.EINTERNAL, "deid", fmt.Errorf("write report: %w", err))
	}
	return f.Commit()
}

// planStructured pairs each structured input file with its output: out
// itself for a single file input (unless out is a folder), else the
// input's path below its folder, inside out.
func planStructured(inputs []string, out string) ([][2]string, error) {
	outDir := len(inputs) > 1
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		outDir = true
	}
	var pairs [][2]string
	for _, in := range inputs {
		st, err := os.Stat(in)
		if err != nil {
			return nil, phigate.E(phigate.ENOTFOUND, "deid", fmt.Errorf("stat input: %w", err))
		}
		if !st.IsDir() {
			if !isStructuredInput(in) {
				return nil, phigate.Errorf(phigate.EINVALID, "deid", "%s is not CSV, JSON lines or JSON", filepath.Base(in))
			}
			o := out
			if outDir || st.IsDir() {
				o = filepath.Join(out, filepath.Base(in))
			}
			pairs = append(pairs, [2]string{in, o})
			continue
		}
		found, err := walkStructured(in, out)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, found...)
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	return pairs, nil
}

func walkStructured(dir, out string) ([][2]string, error) {
	var pairs [][2]string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || !isStructuredInput(p) {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		pairs = append(pairs, [2]string{p, filepath.Join(out, rel)})
		return nil
	})
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "deid", fmt.Errorf("walk input folder: %w", err))
	}
	return pairs, nil
}
