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

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/risk"
	"github.com/phigate/phigate/deid/structured"
	"github.com/phigate/phigate/phi"
)

// The structured half of `phigate deid`, and the plan that routes each
// input file to its pipeline.

// deidInput is one input and its output; format "" means text.
type deidInput struct {
	in, out string
	format  structured.Format
}

// deidPlan is a batch: the inputs, routed, and the paths that cannot be
// read (each a failed file).
type deidPlan struct {
	inputs []deidInput
	failed []deid.FileResult
}

// text returns the (input, output) pairs of the text files.
func (p *deidPlan) text() [][2]string {
	var pairs [][2]string
	for _, in := range p.inputs {
		if in.format == "" {
			pairs = append(pairs, [2]string{in.in, in.out})
		}
	}
	return pairs
}

// records returns the structured inputs.
func (p *deidPlan) records() []deidInput {
	var out []deidInput
	for _, in := range p.inputs {
		if in.format != "" {
			out = append(out, in)
		}
	}
	return out
}

// plan pairs each input file with its output, as deid.Plan does: a file
// to -o (or into it, if -o is a folder or there are several inputs), a
// folder's files to the same paths below -o. Files named on the command
// line take --format; files found in folders are routed by extension.
func (c *DeidCommand) plan() (*deidPlan, error) {
	outDir := len(c.inputs) > 1
	if st, err := os.Stat(c.out); err == nil && st.IsDir() {
		outDir = true
	}
	p := &deidPlan{}
	for _, in := range c.inputs {
		st, err := os.Stat(in)
		switch {
		case err != nil:
			p.fail(in, err)
		case st.IsDir():
			if err := p.walk(c, in); err != nil {
				return nil, err
			}
		default:
			out := c.out
			if outDir {
				out = filepath.Join(c.out, filepath.Base(in))
			}
			p.inputs = append(p.inputs, deidInput{in: in, out: out, format: c.formatOf(in, true)})
		}
	}
	sort.Slice(p.inputs, func(i, j int) bool { return p.inputs[i].in < p.inputs[j].in })
	return p, nil
}

// walk adds the files below dir; what cannot be read is a failed file.
func (p *deidPlan) walk(c *DeidCommand, dir string) error {
	return filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			p.fail(path, err)
		case e.IsDir():
		case !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0:
			p.failed = append(p.failed, deid.FileResult{In: path, Err: phigate.Errorf(phigate.EINVALID, "deid", "not a regular file")})
		default:
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return fmt.Errorf("walk input: %w", err)
			}
			p.inputs = append(p.inputs, deidInput{in: path, out: filepath.Join(c.out, rel), format: c.formatOf(path, false)})
		}
		return nil
	})
}

func (p *deidPlan) fail(path string, err error) {
	if u := errors.Unwrap(err); u != nil {
		err = u // the cause without the path, which the report names
	}
	p.failed = append(p.failed, deid.FileResult{In: path, Err: phigate.E(phigate.EINVALID, "deid", fmt.Errorf("read input: %w", err))})
}

// deidentifier wires the PHI scanner and the text transformer (free
// text) and the keyed surrogater (date shifts per patient) into a
// structured Deidentifier by --config; Run opens it.
func (c *DeidCommand) deidentifier(sc *phi.Scanner, tr *deid.Transformer, sur *deid.Surrogater) (*structured.Deidentifier, error) {
	d := structured.NewDeidentifier()
	d.Shifter, d.Workers = sur, c.workers
	d.Scrubber = structured.TransformScrubber{Detector: sc, Transformer: tr}
	if c.config == "" {
		return d, nil
	}
	f, err := os.Open(c.config)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "deid", fmt.Errorf("open rules: %w", err))
	}
	defer f.Close()
	if d.Config, err = structured.ParseConfig(f); err != nil {
		return nil, fmt.Errorf("--config %s: %w", c.config, err)
	}
	return d, nil
}

// recordsFile de-identifies one structured file into its output, which
// appears whole or not at all.
func (c *DeidCommand) recordsFile(ctx context.Context, d *structured.Deidentifier, in deidInput) (*structured.Stats, error) {
	src, err := os.Open(in.in)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "deid", fmt.Errorf("open input: %w", errors.Unwrap(err)))
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(in.out), 0o700); err != nil {
		return nil, phigate.E(phigate.EINVALID, "deid", fmt.Errorf("create output folder: %w", err))
	}
	dst, err := risk.CreateAtomic(in.out)
	if err != nil {
		return nil, err
	}
	defer dst.Abort()
	st, err := d.Run(ctx, src, in.in, in.format, dst)
	if err != nil {
		return st, err
	}
	return st, dst.Commit()
}

// writeJSONFile writes v as indented JSON to path, whole or not at all.
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
