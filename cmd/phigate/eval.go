package main

import (
	"context"
	"errors"
	"flag"
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
	swapSeed       uint64
	swap           bool
	pool           string
	recase         string
	sensitivity    string
}

// ParseFlags reads --physionet TEXT PHRASE.
func (c *EvalCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("eval", "eval [--swap-seed N] [--swap-pool madeup|dict] [--case asis|lower|upper] [--sensitivity default|high] --physionet TEXT PHRASE\n\n"+
		"Scores the PHI detector on a corpus in the PhysioNet deid format (TEXT: the notes,\n"+
		"PHRASE: the gold spans): recall per type with the any-overlap and exact rules,\n"+
		"precision, for all types and for the Safe Harbor view (lone years left out),\n"+
		"and throughput, and how many gold strings would be left once every finding is\n"+
		"replaced by a placeholder. --swap-seed and --case rewrite the corpus first, to\n"+
		"measure recall on names, places and dates the detector cannot have been tuned on.")
	fs.BoolVar(&c.physionet, "physionet", false, "the corpus is in the PhysioNet deid format (TEXT PHRASE)")
	fs.Float64Var(&c.minRecall, "min-recall", 0, "fail if Safe Harbor any-overlap recall is below this")
	fs.Float64Var(&c.min, "min-precision", 0, "fail if Safe Harbor any-overlap precision is below this")
	fs.BoolVar(&c.errors, "errors", false, "also print each missed span and false finding with its context (quotes the corpus)")
	fs.Uint64Var(&c.swapSeed, "swap-seed", 0, "before scoring, replace every gold span by a made-up value of the same type\n"+
		"and shape drawn with this seed (a generalisation test: names and places the scanner cannot know)")
	fs.StringVar(&c.pool, "swap-pool", string(eval.PoolMadeUp), "where swapped names and places come from: madeup (words no dictionary\n"+
		"holds: context and shape alone) or dict (real names and cities from the scanner's own\n"+
		"census and city lists, never the original value: names that are real but not the corpus's)")
	fs.StringVar(&c.recase, "case", "", "score only the mixed-case notes, rewritten: asis (unchanged), lower or upper")
	fs.StringVar(&c.sensitivity, "sensitivity", "default", "scanner sensitivity: default or high")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { c.swap = c.swap || f.Name == "swap-seed" || f.Name == "swap-pool" })
	if !eval.ValidPool(eval.Pool(c.pool)) {
		fmt.Fprintln(c.m.Stderr, "phigate eval: --swap-pool must be madeup or dict")
		return errUsage
	}
	if c.recase != "" && !eval.ValidCase(eval.Case(c.recase)) {
		fmt.Fprintln(c.m.Stderr, "phigate eval: --case must be asis, lower or upper")
		return errUsage
	}
	if _, err := phi.ParseSensitivity(c.sensitivity); err != nil {
		fmt.Fprintln(c.m.Stderr, "phigate eval: --sensitivity must be default or high")
		return errUsage
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
	recs, gold, err = c.rewrite(recs, gold)
	if err != nil {
		return err
	}
	sc := phi.NewScanner()
	sc.Sensitivity, _ = phi.ParseSensitivity(c.sensitivity)
	res, err := eval.Score(sc, recs, gold)
	if err != nil {
		return err
	}
	if err := eval.WriteReport(c.m.Stdout, res); err != nil {
		return err
	}
	if c.errors {
		fmt.Fprintln(c.m.Stdout)
		if err := eval.WriteErrors(c.m.Stdout, sc, recs, gold, eval.SafeHarbor); err != nil {
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

// rewrite applies --swap-seed, --swap-pool and --case to the corpus and says so.
func (c *EvalCommand) rewrite(recs []eval.Record, gold []eval.Span) ([]eval.Record, []eval.Span, error) {
	if c.swap {
		var err error
		if recs, gold, err = eval.SwapFrom(recs, gold, c.swapSeed, eval.Pool(c.pool)); err != nil {
			return nil, nil, err
		}
		what := "a made-up value"
		if eval.Pool(c.pool) == eval.PoolDict {
			what = "a real name or city from the scanner's lists (numbers re-drawn)"
		}
		fmt.Fprintf(c.m.Stdout, "corpus rewritten: every gold span swapped for %s (seed %d, pool %s)\n", what, c.swapSeed, c.pool)
	}
	if c.recase != "" {
		n := len(recs)
		recs, gold = eval.RecaseMixed(recs, gold, eval.Case(c.recase))
		fmt.Fprintf(c.m.Stdout, "case %s: the %d mixed-case notes of %d, %d gold spans\n", c.recase, len(recs), n, len(gold))
	}
	fmt.Fprintf(c.m.Stdout, "sensitivity: %s\n\n", c.sensitivity)
	return recs, gold, nil
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
