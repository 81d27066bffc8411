package structured

import (
	"context"
	"sync"
)

// chunk is a batch of records on its way through the pipeline.
type chunk struct {
	seq   int
	recs  [][]byte   // JSON lines
	rows  [][]string // CSV rows
	lines []int      // the line each record starts on
	out   []byte     // the de-identified records, encoded
	stats *Stats
	err   error // a failure that stops the run
}

// chunkRecords is how many records a chunk holds at most.
const chunkRecords = 256

// chunkBytes is how many input bytes a chunk of JSON lines holds at most.
const chunkBytes = 1 << 20

// runOrdered reads chunks with read (nil at the end), processes them with
// work on workers goroutines and hands them to write in input order. At
// most 2*workers+2 chunks are in flight, which bounds memory whatever the
// input's size. The first error of read, write or a chunk stops the run.
func runOrdered(ctx context.Context, workers int, read func() (*chunk, error), work func(*chunk), write func(*chunk) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, 2*workers+2)
	jobs := make(chan *chunk)
	done := make(chan *chunk, cap(slots))
	var readErr error
	go func() {
		defer close(jobs)
		readErr = feed(ctx, slots, jobs, read)
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				work(c)
				done <- c
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	err := drain(done, slots, write, cancel)
	if err == nil {
		err = readErr
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// feed reads chunks into jobs, one slot each, until the end or a failure.
func feed(ctx context.Context, slots chan struct{}, jobs chan<- *chunk, read func() (*chunk, error)) error {
	for seq := 0; ; seq++ {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		c, err := read()
		if err != nil || c == nil {
			return err
		}
		c.seq = seq
		select {
		case jobs <- c:
		case <-ctx.Done():
			return nil
		}
	}
}

// drain writes finished chunks in order and frees their slots; after a
// failure it keeps draining, without writing, until the workers stop.
func drain(done <-chan *chunk, slots chan struct{}, write func(*chunk) error, cancel func()) error {
	pending := map[int]*chunk{}
	next := 0
	var err error
	for c := range done {
		pending[c.seq] = c
		for p, ok := pending[next]; ok; p, ok = pending[next] {
			delete(pending, next)
			next++
			if err == nil && p.err != nil {
				err = p.err
			}
			if err == nil {
				err = write(p)
			}
			if err != nil {
				cancel()
			}
			<-slots
		}
	}
	return err
}
