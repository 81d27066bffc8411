package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/risk"
	"github.com/phigate/phigate/deid/structured"
	"github.com/phigate/phigate/phi"
)

// DeidCommand de-identifies clinical text and structured records (CSV,
// JSON lines, FHIR R4) from files, folders or stdin, routing each input to
// the pipeline its kind needs.
type DeidCommand struct {
	m           *Main
	method      string
	seedFile    string
	out         string
	workers     int
	keepYears   bool
	config      string
	format      string
	patientFrom string
	mapping     string
	report      string
	inputs      []string
	from        deid.PatientFrom
	deployment  *configLoader
}

const deidUsage = `deid [--method redact|tag|mask|surrogate] [--seed-file F] [-o OUT] [flags] [IN…]

De-identifies clinical text and structured records, from files, folders (recursively,
on all cores, with bounded memory) or stdin ("-", or no IN). Each file goes to the
pipeline its kind needs, by its extension:
  .csv .tsv   CSV with a header
  .jsonl      JSON lines (FHIR R4 resources recognised by resourceType)
  .ndjson     FHIR R4 Bulk Data NDJSON
  .json       a FHIR R4 resource or Bundle, or other JSON
  any other   text: the PHI the detector finds is replaced by --method
Stdin is text unless --format says otherwise; --format also overrides the extension of
files named on the command line (not of files found in folders). Structured records
follow the rules of --config, or the built-in safe-harbor profile; their free-text
fields (notes, comments, narrative) are de-identified by --method like text.

A single input goes to stdout unless -o names a file; several inputs or a folder need
-o (a folder, mirroring the inputs' tree). Each output is written to a temporary name
and renamed when complete. A file that fails (binary, unreadable) is reported and the
others are still processed; a malformed record is reported by file, line and field,
left out, and the rest of its file written. Any failure makes the exit code 1. The
summary counts replacements per category for text, and per rule target and category
for structured records.

Patients and dates: all of a patient's dates move by one offset (intervals survive),
the same in every file and, with --seed-file, in every run that uses that file (keep
it secret): structured dates under date-shift rules in --config (the safe-harbor
profile keeps their year alone), dates in text and free-text fields with --method
surrogate. Structured records name their patient: a FHIR resource its Patient's id
(Patient/ID), CSV and JSON lines the column or path given as "patient" in --config.
A text file's patient comes from --patient-id-from:
  file        each file is a patient of its own (the default)
  name        the file's name up to its first dot: notes/12345.2023-07-22.txt is 12345
  dir         the folder that holds the file: notes/12345/discharge.txt is 12345
  field:NAME  the first "NAME: value" line in its first 64 KiB ("field" alone reads
              Patient-ID); the value is always replaced, as an MRN
A file without an id fails. A note whose id equals its patient's structured id shifts
exactly as the patient's records do.

Pseudonyms: structured ids and identifiers become random codes, the same for the same
value within a run (FHIR references follow). With --mapping FILE the codes last across
runs: FILE is read first if it exists, then rewritten with the new codes, every value
sealed with the deployment's keys (its data folder's key file, or KMS: the flags below,
PHIGATE_* variables or --phigate-config), so that authorised users holding the keys
can re-identify. Reading FILE needs the key that sealed it: another key fails and
nothing is written. Both are recorded in the audit log (deid.mapping.read,
deid.mapping.write). Use a mapping in one run at a time. Without --mapping nothing
is kept; text surrogates are never kept (--seed-file reproduces them).`

// deidDeploymentFlags are the configuration flags deid offers for
// --mapping; the rest of the configuration comes from --phigate-config and
// PHIGATE_* variables.
var deidDeploymentFlags = map[string]bool{"data-dir": true, "database": true, "database-file": true,
	"key-passphrase-file": true, "kms": true, "transit-address": true, "transit-token-file": true,
	"transit-mount": true, "transit-key": true}

// ParseFlags reads the flags and the inputs, in any order.
func (c *DeidCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("deid", deidUsage)
	fs.StringVar(&c.method, "method", string(deid.Tag), "redact, tag, mask or surrogate (text and free-text fields)")
	fs.StringVar(&c.seedFile, "seed-file", "", "file whose content keys date shifts and surrogates (the same in every run that uses it; keep it secret)")
	fs.StringVar(&c.out, "o", "", "output file, or folder for folders and several inputs (default: stdout for one input)")
	fs.IntVar(&c.workers, "workers", 0, "files (text) or records (structured) processed at once (0: all cores)")
	fs.BoolVar(&c.keepYears, "keep-years", false, "keep lone years in text and free-text fields, which Safe Harbor allows")
	fs.StringVar(&c.config, "config", "", "JSON rules for structured records (default: the safe-harbor profile)")
	fs.StringVar(&c.format, "format", "", "format of stdin and of named files: text, csv, jsonl, ndjson, fhir or json")
	fs.StringVar(&c.patientFrom, "patient-id-from", deid.PatientFile, "a text file's patient: file, name, dir or field:NAME")
	fs.StringVar(&c.mapping, "mapping", "", "sealed pseudonym mapping to read (if it exists) and write")
	fs.StringVar(&c.report, "report", "", "write a JSON report per file (counts, rejections; no values) to this file")
	c.deployment = bindDeploymentFlags(fs, "phigate-config")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c.inputs = pos
	return c.validate()
}

// validate checks the flags against each other.
func (c *DeidCommand) validate() error {
	switch deid.Method(c.method) {
	case deid.Redact, deid.Tag, deid.Mask, deid.Surrogate:
	default:
		return fmt.Errorf("--method must be redact, tag, mask or surrogate")
	}
	if _, ok := parseDeidFormat(c.format); !ok {
		return fmt.Errorf("--format must be text, csv, jsonl, ndjson, fhir or json")
	}
	from, err := deid.ParsePatientFrom(c.patientFrom)
	if err != nil {
		return fmt.Errorf("--patient-id-from must be file, name, dir or field:NAME")
	}
	c.from = from
	for _, in := range c.inputs {
		if in == "-" && len(c.inputs) > 1 {
			return fmt.Errorf("stdin (-) cannot be mixed with other inputs")
		}
	}
	if c.out == "" && !c.streams() {
		return fmt.Errorf("-o is required for folders and several files")
	}
	return nil
}

// bindDeploymentFlags registers the configuration file flag (under name,
// since deid's --config holds rules) and the deployment flags deid offers.
func bindDeploymentFlags(fs *flag.FlagSet, name string) *configLoader {
	l := &configLoader{fs: fs, flags: map[string]*string{}}
	l.path = fs.String(name, "", "phigate configuration file (TOML) for --mapping's keys; also PHIGATE_CONFIG")
	var cfg Config
	for _, f := range configFields(&cfg) {
		if deidDeploymentFlags[f.flag] {
			l.flags[f.flag] = fs.String(f.flag, "", f.help+" (env "+f.env()+")")
		}
	}
	return l
}

// parseDeidFormat maps --format to a structured format; "" is text.
func parseDeidFormat(s string) (structured.Format, bool) {
	switch s {
	case "", "text":
		return "", true
	case "fhir":
		return structured.JSON, true
	case string(structured.CSV), string(structured.JSONLines), string(structured.NDJSON), string(structured.JSON):
		return structured.Format(s), true
	}
	return "", false
}

// Run de-identifies the inputs, prints the summary and keeps the mapping.
func (c *DeidCommand) Run(ctx context.Context) (err error) {
	p, err := c.pipelines()
	if err != nil {
		return err
	}
	if c.mapping != "" {
		ctx = c.m.cliContext(ctx)
		mp, merr := c.openMapping(ctx)
		if merr != nil {
			return merr
		}
		defer mp.close()
		p.records.Pseudonyms = mp.codes
		defer func() { err = errors.Join(err, mp.write(ctx)) }()
	}
	if err := p.records.Open(); err != nil {
		return err
	}
	if c.streams() {
		t := newDeidTotals(newProgress(c.m.Stderr, 1, false))
		err = c.stream(ctx, p, t)
		return c.finish(t, err)
	}
	plan, err := c.plan()
	if err != nil {
		return err
	}
	t := newDeidTotals(newProgress(c.m.Stderr, len(plan.inputs)+len(plan.failed), true))
	return c.finish(t, c.batch(ctx, p, plan, t))
}

// finish prints the summary, writes the report and returns the run's
// failure, if any.
func (c *DeidCommand) finish(t *deidTotals, err error) error {
	t.print(c.m.Stderr)
	if c.report != "" {
		if rerr := writeJSONFile(c.report, t.report); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if err != nil {
		return err
	}
	return t.err()
}

// deidPipes are the two pipelines, sharing one keyed surrogater (date
// shifts) and one transformer (free text).
type deidPipes struct {
	scanner *phi.Scanner
	text    *deid.Transformer
	records *structured.Deidentifier
	from    deid.PatientFrom
}

// pipelines builds the scanner, the text transformer and the structured
// de-identifier (to be opened once its pseudonyms are set).
func (c *DeidCommand) pipelines() (*deidPipes, error) {
	sc := phi.NewScanner()
	if err := sc.Open(); err != nil {
		return nil, err
	}
	sur, err := c.surrogater()
	if err != nil {
		return nil, err
	}
	tr := &deid.Transformer{Method: deid.Method(c.method), KeepYears: c.keepYears, Surrogates: sur}
	p := &deidPipes{scanner: sc, text: tr, from: c.from}
	if p.records, err = c.deidentifier(sc, tr, sur); err != nil {
		return nil, err
	}
	return p, nil
}

// surrogater is keyed by --seed-file, or by a random key for this run.
func (c *DeidCommand) surrogater() (*deid.Surrogater, error) {
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

// streams reports whether the run reads stdin or writes one input to stdout.
func (c *DeidCommand) streams() bool {
	switch {
	case len(c.inputs) == 0 || len(c.inputs) == 1 && c.inputs[0] == "-":
		return true
	case len(c.inputs) == 1 && c.out == "":
		fi, err := os.Stat(c.inputs[0])
		return err != nil || !fi.IsDir() // a missing file fails when opened
	}
	return false
}

// stream de-identifies stdin or one file to stdout, or to the file -o
// (whole or not at all).
func (c *DeidCommand) stream(ctx context.Context, p *deidPipes, t *deidTotals) error {
	in := deidInput{in: "-", out: c.out}
	var r io.Reader = c.m.Stdin
	if len(c.inputs) == 1 && c.inputs[0] != "-" {
		f, err := os.Open(c.inputs[0])
		if err != nil {
			return fmt.Errorf("open %s: %w", c.inputs[0], errors.Unwrap(err))
		}
		defer f.Close()
		r, in.in = f, c.inputs[0]
	}
	in.format = c.formatOf(in.in, true)
	if c.out == "" {
		c.streamTo(ctx, p, t, in, r, c.m.Stdout)
		return nil
	}
	af, err := risk.CreateAtomic(c.out)
	if err != nil {
		return err
	}
	defer af.Abort()
	if !c.streamTo(ctx, p, t, in, r, af) {
		return nil
	}
	return af.Commit()
}

// streamTo de-identifies r into w by in's kind and reports whether it
// succeeded (malformed records left out count as success).
func (c *DeidCommand) streamTo(ctx context.Context, p *deidPipes, t *deidTotals, in deidInput, r io.Reader, w io.Writer) bool {
	if in.format == "" {
		res := c.textStream(r, w, in.in, p)
		t.addText(in, res)
		return res.Err == nil
	}
	st, err := p.records.Run(ctx, r, c.displayName(in.in), in.format, w)
	t.addRecords(in, st, err)
	return err == nil
}

// textStream de-identifies one text stream into w.
func (c *DeidCommand) textStream(r io.Reader, w io.Writer, name string, p *deidPipes) deid.FileResult {
	res := deid.FileResult{In: c.displayName(name)}
	patient, text, counts, err := p.from.OpenText(name, bufio.NewReaderSize(r, deid.PatientWindow), p.text)
	if err != nil {
		res.Err = err
		return res
	}
	res.Counts, res.Err = p.text.Copy(w, text, p.scanner, patient)
	counts.Add(res.Counts)
	res.Counts = counts
	return res
}

// displayName is how an input is named in messages.
func (c *DeidCommand) displayName(in string) string {
	if in == "-" {
		return "stdin"
	}
	return in
}

// formatOf is the structured format of an input ("" for text): by
// --format for stdin and named files, else by its extension.
func (c *DeidCommand) formatOf(path string, named bool) structured.Format {
	if named && c.format != "" || path == "-" {
		f, _ := parseDeidFormat(c.format)
		return f
	}
	f, _ := structured.DetectFormat(path)
	return f
}

// batch de-identifies the planned files: text files on all cores, then
// structured files, each on all cores.
func (c *DeidCommand) batch(ctx context.Context, p *deidPipes, plan *deidPlan, t *deidTotals) error {
	for _, f := range plan.failed {
		t.addText(deidInput{in: f.In}, f)
	}
	if err := c.batchText(ctx, p, plan.text(), t); err != nil {
		return err
	}
	for _, in := range plan.records() {
		if err := ctx.Err(); err != nil {
			return err
		}
		stop := t.prog.running(in.in)
		st, err := c.recordsFile(ctx, p.records, in)
		stop()
		t.addRecords(in, st, err)
	}
	return nil
}

// batchText runs the text pipeline on its files.
func (c *DeidCommand) batchText(ctx context.Context, p *deidPipes, pairs [][2]string, t *deidTotals) error {
	if len(pairs) == 0 {
		return nil
	}
	b := &deid.Batch{Scanner: p.scanner, Transformer: p.text, Workers: c.workers, PatientFrom: p.from}
	b.Progress = func(_, _ int, r deid.FileResult) { t.addText(deidInput{in: r.In, out: r.Out}, r) }
	_, err := b.RunPairs(ctx, pairs)
	return err
}

// errSummary joins the failures of a run: files that failed, records left out.
func errSummary(failed, files, rejected int) error {
	var parts []string
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d files failed", failed, files))
	}
	if rejected > 0 {
		parts = append(parts, fmt.Sprintf("%d malformed records were left out", rejected))
	}
	if len(parts) == 0 {
		return nil
	}
	return errors.New(strings.Join(parts, "; "))
}
