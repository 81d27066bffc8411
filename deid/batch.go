package deid

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
)

// Batch de-identifies files and folders on all cores. Each worker streams
// one file at a time, so memory stays flat whatever the input size; each
// output is written to a temporary name and renamed when complete, so no
// output is ever half-written.
type Batch struct {
	Scanner     *phi.Scanner
	Transformer *Transformer
	// Workers is the number of files processed at once; zero means GOMAXPROCS.
	Workers int
	// Progress, if set, is called after each file (from one goroutine at a time).
	Progress func(done, total int, r FileResult)
	// PatientFrom names the patient of each file, which scopes date
	// shifts and surrogates; the zero value makes each file's path its
	// patient. A file without a patient id fails.
	PatientFrom PatientFrom
}

// FileResult is the outcome of one file. Err never holds file content.
type FileResult struct {
	In, Out string
	Counts  Counts
	Err     error
}

// Summary is the outcome of a batch.
type Summary struct {
	Files, Failed int
	Counts        Counts
	Results       []FileResult
}

// Plan lists (input, output) pairs: a file maps to out (or into out if out
// is a folder); a folder maps recursively under out.
func Plan(inputs []string, out string) ([][2]string, error) {
	var pairs [][2]string
	outDir := len(inputs) > 1
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		outDir = true
	}
	for _, in := range inputs {
		st, err := os.Stat(in)
		if err != nil {
			return nil, phigate.E(phigate.ENOTFOUND, "deid.Plan", fmt.Errorf("stat input: %w", errors.Unwrap(err)))
		}
		if !st.IsDir() {
			o := out
			if outDir {
				o = filepath.Join(out, filepath.Base(in))
			}
			pairs = append(pairs, [2]string{in, o})
			continue
		}
		err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil // unreadable folders are reported per file below when possible
			}
			rel, _ := filepath.Rel(in, p)
			pairs = append(pairs, [2]string{p, filepath.Join(out, rel)})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk input: %w", err)
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	return pairs, nil
}

// Run de-identifies every pair of Plan(inputs, out). It returns an error
// only if the plan fails; per-file errors are in the Summary.
func (b *Batch) Run(ctx context.Context, inputs []string, out string) (Summary, error) {
	pairs, err := Plan(inputs, out)
	if err != nil {
		return Summary{}, err
	}
	return b.RunPairs(ctx, pairs)
}

// RunPairs de-identifies each (input, output) pair. It returns an error
// only if ctx ends; per-file errors are in the Summary.
func (b *Batch) RunPairs(ctx context.Context, pairs [][2]string) (Summary, error) {
	workers := b.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan [2]string)
	results := make(chan FileResult)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				results <- b.file(ctx, p[0], p[1])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, p := range pairs {
			select {
			case jobs <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	sum := Summary{Counts: Counts{}}
	for r := range results {
		sum.Files++
		if r.Err != nil {
			sum.Failed++
		}
		sum.Counts.Add(r.Counts)
		sum.Results = append(sum.Results, r)
		if b.Progress != nil {
			b.Progress(sum.Files, len(pairs), r)
		}
	}
	sort.Slice(sum.Results, func(i, j int) bool { return sum.Results[i].In < sum.Results[j].In })
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("run batch: %w", err)
	}
	return sum, nil
}

// file de-identifies one file through a temporary file and a rename.
func (b *Batch) file(ctx context.Context, in, out string) FileResult {
	res := FileResult{In: in, Out: out}
	if err := ctx.Err(); err != nil {
		res.Err = err
		return res
	}
	res.Counts, res.Err = b.copyFile(in, out)
	return res
}

func (b *Batch) copyFile(in, out string) (Counts, error) {
	src, err := os.Open(in)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "deid.Batch", fmt.Errorf("open input: %w", errors.Unwrap(err)))
	}
	defer src.Close()
	patient, text, counts, err := b.PatientFrom.OpenText(in, bufio.NewReaderSize(src, PatientWindow), b.Transformer)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create output: %w", err)
	}
	c, err := b.Transformer.Copy(tmp, text, b.Scanner, patient)
	counts.Add(c)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close output: %w", cerr)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return counts, err
	}
	return counts, nil
}
