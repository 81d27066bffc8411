package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/phi/eval"
)

// EvalCommand scores the detector on a gold-standard corpus.
type EvalCommand struct {
	m              *Main
	text, phrase   string
	physionet      bool
	minRecall, min float64
	errors         bool
}

// ParseFlags reads --physionet TEXT PHRASE.
func (c *EvalCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("eval", "eval --physionet TEXT PHRASE\n\n"+
		"Scores the PHI detector on a corpus in the PhysioNet deid format (TEXT: the notes,\n"+
		"PHRASE: the gold spans): recall per type with the any-overlap and exact rules,\n"+
		"precision, for all types and for the Safe Harbor view (lone years left out),\n"+
		"and throughput.")
	fs.BoolVar(&c.physionet, "physionet", false, "the corpus is in the PhysioNet deid format (TEXT PHRASE)")
	fs.Float64Var(&c.minRecall, "min-recall", 0, "fail if Safe Harbor any-overlap recall is below this")
	fs.Float64Var(&c.min, "min-precision", 0, "fail if Safe Harbor any-overlap precision is below this")
	fs.BoolVar(&c.errors, "errors", false, "also print each missed span and false finding with its context (quotes the corpus)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !c.physionet || fs.NArg() != 2 {
		fs.Usage()
		return errUsage
	}
	c.text, c.phrase = fs.Arg(0), fs.Arg(1)
	return nil
}

// Run scores and prints the report.
func (c *EvalCommand) Run(ctx context.Context) error {
	recs, err := readCorpus(c.text, eval.ParseText)
	if err != nil {
		return err
	}
	gold, err := readCorpus(c.phrase, eval.ParsePhrases)
	if err != nil {
		return err
	}
	res, err := eval.Score(phi.NewScanner(), recs, gold)
	if err != nil {
		return err
	}
	if err := eval.WriteReport(c.m.Stdout, res); err != nil {
		return err
	}
	if c.errors {
		fmt.Fprintln(c.m.Stdout)
		if err := eval.WriteErrors(c.m.Stdout, phi.NewScanner(), recs, gold, eval.SafeHarbor); err != nil {
			return err
		}
	}
	sh := res.Views[1] // Safe Harbor
	if r := sh.Total.RecallOverlap(); r < c.minRecall {
		return fmt.Errorf("recall %.4f (Safe Harbor view) is below %.4f", r, c.minRecall)
	}
	if p := sh.PrecisionOverlap(); p < c.min {
		return fmt.Errorf("precision %.4f (Safe Harbor view) is below %.4f", p, c.min)
	}
	return nil
}

func readCorpus[T any](path string, parse func(r io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fmt.Errorf("open %s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}
