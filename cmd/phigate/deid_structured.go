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
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/risk"
	"github.com/phigate/phigate/deid/structured"
	"github.com/phigate/phigate/phi"
)

// StructuredDeidCommand de-identifies structured records: CSV, JSON lines
// and FHIR R4 (resources, Bundles, Bulk Data NDJSON), from files, folders
// or standard input. `phigate deid` hands it the inputs that
// isStructuredInput recognises.
type StructuredDeidCommand struct {
	m        *Main
	inputs   []string
	out      string
	config   string
	format   string
	method   string
	seedFile string
	workers  int
	report   string
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
	fs.StringVar(&c.method, "method", string(deid.Tag), "replacement of PHI found in free text: redact, tag, mask or surrogate")
	fs.StringVar(&c.seedFile, "seed-file", "", "file whose content keys date shifts and surrogates (the same in every run that uses it; keep it secret)")
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
	switch deid.Method(c.method) {
	case deid.Redact, deid.Tag, deid.Mask, deid.Surrogate:
	default:
		return errors.New("--method must be redact, tag, mask or surrogate")
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

// deidentifier wires the PHI scanner, the text transforms and the keyed
// surrogater (date shifts per patient) into a Deidentifier.
func (c *StructuredDeidCommand) deidentifier() (*structured.Deidentifier, error) {
	sc := phi.NewScanner()
	if err := sc.Open(); err != nil {
		return nil, err
	}
	sur, err := c.surrogater()
	if err != nil {
		return nil, err
	}
	d := structured.NewDeidentifier()
	d.Shifter, d.Workers = sur, c.workers
	d.Scrubber = structured.TransformScrubber{Detector: sc, Transformer: &deid.Transformer{Method: deid.Method(c.method), Surrogates: sur}}
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

// surrogater is keyed by --seed-file, or by a random key for this run.
func (c *StructuredDeidCommand) surrogater() (*deid.Surrogater, error) {
	var key []byte
	if c.seedFile != "" {
		b, err := os.ReadFile(c.seedFile)
		if err != nil {
			return nil, fmt.Errorf("read seed file: %w", errors.Unwrap(err))
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("seed file %s is empty", c.seedFile)
		}
		key = b
	}
	return deid.NewSurrogater(key, nil)
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

// progress shows, once a second while a file runs and when stderr is a
// terminal, which file of how many and for how long.
func (c *StructuredDeidCommand) progress(path string, n, total int) func() {
	if !isTerminal(c.m.Stderr) {
		return func() {}
	}
	var done atomic.Bool
	start := time.Now()
	go func() {
		for !done.Load() {
			fmt.Fprintf(c.m.Stderr, "\r%s %d/%d files, %s %s", bar(n-1, total, 30), n-1, total, filepath.Base(path), time.Since(start).Round(time.Second))
			time.Sleep(time.Second)
		}
	}()
	return func() { done.Store(true); fmt.Fprintf(c.m.Stderr, "\r%s %d/%d files\n", bar(n, total, 30), n, total) }
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
