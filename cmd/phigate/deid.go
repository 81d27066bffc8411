package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/phi"
)

// DeidCommand de-identifies text files, folders or stdin.
type DeidCommand struct {
	m         *Main
	method    string
	seedFile  string
	out       string
	workers   int
	keepYears bool
	inputs    []string
}

// ParseFlags reads the method, the seed file, the output and the inputs.
func (c *DeidCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("deid", "deid [--method redact|tag|mask|surrogate] [--seed-file F] [-o OUT] [IN…]\n\n"+
		"De-identifies text files and folders (recursively, on all cores) into OUT, or stdin\n"+
		"to stdout. Surrogates are consistent within a run; with --seed-file they are the same\n"+
		"in every run that uses that file (keep it secret). Each input file is one patient for\n"+
		"date shifting. A file that fails is reported and the others are still processed.")
	fs.StringVar(&c.method, "method", string(deid.Tag), "redact, tag, mask or surrogate")
	fs.StringVar(&c.seedFile, "seed-file", "", "file whose content keys the surrogates (reproducible runs)")
	fs.StringVar(&c.out, "o", "", "output file or folder (stdout for stdin or a single file)")
	fs.IntVar(&c.workers, "workers", 0, "files processed at once (0: all cores)")
	fs.BoolVar(&c.keepYears, "keep-years", false, "keep lone years, which Safe Harbor allows")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch deid.Method(c.method) {
	case deid.Redact, deid.Tag, deid.Mask, deid.Surrogate:
	default:
		return fmt.Errorf("--method must be redact, tag, mask or surrogate")
	}
	c.inputs = fs.Args()
	return nil
}

// Run de-identifies the inputs and prints a per-category summary.
func (c *DeidCommand) Run(ctx context.Context) error {
	tr, err := c.transformer()
	if err != nil {
		return err
	}
	sc := phi.NewScanner()
	if err := sc.Open(); err != nil {
		return err
	}
	if len(c.inputs) == 0 || len(c.inputs) == 1 && c.out == "" && isRegularFile(c.inputs[0]) {
		return c.stream(sc, tr)
	}
	if c.out == "" {
		return fmt.Errorf("-o is required for folders and several files")
	}
	return c.batch(ctx, sc, tr)
}

func (c *DeidCommand) transformer() (*deid.Transformer, error) {
	tr := &deid.Transformer{Method: deid.Method(c.method), KeepYears: c.keepYears}
	if tr.Method != deid.Surrogate {
		return tr, nil
	}
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
	s, err := deid.NewSurrogater(key, nil)
	if err != nil {
		return nil, err
	}
	tr.Surrogates = s
	return tr, nil
}

func isRegularFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// stream de-identifies stdin (or one file) to stdout.
func (c *DeidCommand) stream(sc *phi.Scanner, tr *deid.Transformer) error {
	var r io.Reader = c.m.Stdin
	patient := "stdin"
	if len(c.inputs) == 1 {
		f, err := os.Open(c.inputs[0])
		if err != nil {
			return fmt.Errorf("open %s: %w", c.inputs[0], errors.Unwrap(err))
		}
		defer f.Close()
		r, patient = f, c.inputs[0]
	}
	counts, err := tr.Copy(c.m.Stdout, r, sc, patient)
	if err != nil {
		return err
	}
	c.summary(deid.Summary{Files: 1, Counts: counts})
	return nil
}

// batch de-identifies files and folders into c.out.
func (c *DeidCommand) batch(ctx context.Context, sc *phi.Scanner, tr *deid.Transformer) error {
	b := &deid.Batch{Scanner: sc, Transformer: tr, Workers: c.workers}
	progress := isTerminal(c.m.Stderr)
	b.Progress = func(done, total int, r deid.FileResult) {
		if r.Err != nil {
			fmt.Fprintf(c.m.Stderr, "\rphigate deid: %s: %s\n", r.In, userMessage(r.Err))
		}
		if progress {
			fmt.Fprintf(c.m.Stderr, "\r%s %d/%d files", bar(done, total, 30), done, total)
			if done == total {
				fmt.Fprintln(c.m.Stderr)
			}
		}
	}
	sum, err := b.Run(ctx, c.inputs, c.out)
	if err != nil {
		return err
	}
	c.summary(sum)
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d files failed", sum.Failed, sum.Files)
	}
	return nil
}

// bar draws a progress bar of width cells.
func bar(done, total, width int) string {
	n := width
	if total > 0 {
		n = done * width / total
	}
	b := make([]byte, width+2)
	b[0], b[width+1] = '[', ']'
	for i := 1; i <= width; i++ {
		b[i] = ' '
		if i <= n {
			b[i] = '#'
		}
	}
	return string(b)
}

// summary prints the number of findings replaced per category.
func (c *DeidCommand) summary(s deid.Summary) {
	fmt.Fprintf(c.m.Stderr, "phigate deid: %d file(s), %d failed; replaced:", s.Files, s.Failed)
	var cats []string
	for k := range s.Counts {
		cats = append(cats, string(k))
	}
	sort.Strings(cats)
	if len(cats) == 0 {
		fmt.Fprint(c.m.Stderr, " nothing")
	}
	for _, k := range cats {
		fmt.Fprintf(c.m.Stderr, " %s=%d", k, s.Counts[phigate.Category(k)])
	}
	fmt.Fprintln(c.m.Stderr)
}
