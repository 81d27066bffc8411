package structured

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// runLines de-identifies JSON lines (and FHIR NDJSON), a chunk of lines
// per worker.
func (d *Deidentifier) runLines(ctx context.Context, r io.Reader, name string, w io.Writer, st *Stats) error {
	lr := &lineReader{br: bufio.NewReaderSize(r, 1<<20), name: name}
	work := func(c *chunk) { d.linesChunk(c, name, st.Format) }
	err := runOrdered(ctx, d.Workers, lr.chunk, work, writeChunk(w, st))
	for _, e := range lr.rejected.List {
		st.Rejected.Add(e)
	}
	st.Rejected.Count += lr.rejected.Count - len(lr.rejected.List)
	st.Records += lr.rejected.Count
	return err
}

// lineReader cuts input into chunks of lines.
type lineReader struct {
	br       *bufio.Reader
	name     string
	line     int
	rejected risk.Rejections // lines too long to hold
}

func (lr *lineReader) chunk() (*chunk, error) {
	c := &chunk{}
	size := 0
	for len(c.recs) < chunkRecords && size < chunkBytes {
		rec, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if lr.line == 1 {
			rec = bytes.TrimPrefix(rec, bom)
		}
		if len(bytes.TrimSpace(rec)) == 0 {
			continue
		}
		c.recs, c.lines = append(c.recs, rec), append(c.lines, lr.line)
		size += len(rec)
	}
	if len(c.recs) == 0 {
		return nil, nil
	}
	return c, nil
}

// next returns the next line; one longer than DefaultMaxLine is skipped
// and rejected.
func (lr *lineReader) next() ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		part, err := lr.br.ReadSlice('\n')
		if !tooLong && len(line)+len(part) > DefaultMaxLine {
			tooLong, line = true, nil
		}
		if !tooLong {
			line = append(line, part...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, phigate.E(phigate.EINTERNAL, "structured.lineReader", fmt.Errorf("read %s: %w", lr.name, err))
		}
		eof := err != nil
		if eof && len(line) == 0 && !tooLong {
			return nil, io.EOF
		}
		lr.line++
		if !tooLong {
			return line, nil
		}
		lr.rejected.Add(&risk.RecordError{File: lr.name, Line: lr.line, Reason: "line longer than the limit"})
		tooLong = false
		if eof {
			return nil, io.EOF
		}
	}
}

// linesChunk de-identifies each line of a chunk.
func (d *Deidentifier) linesChunk(c *chunk, name string, f Format) {
	c.stats = newStats()
	size := 0
	for _, rec := range c.recs {
		size += len(rec)
	}
	c.out = make([]byte, 0, size)
	for j, rec := range c.recs {
		c.stats.Records++
		line := c.lines[j]
		v, err := parseJSON(bytes.TrimRight(rec, "\r\n"))
		var syn *errSyntax
		if errors.As(err, &syn) {
			c.stats.reject(&risk.RecordError{File: name, Line: line, Reason: "invalid JSON at byte " + fmt.Sprint(syn.off+1) + " of the line"})
			continue
		}
		keep, err := d.record(v, name, f, func(int) int { return line }, c.stats)
		if err != nil {
			c.err = err
			return
		}
		if keep {
			c.out = append(appendJSON(c.out, v, "", 0), '\n')
			c.stats.Written++
		}
	}
}

// record de-identifies one JSON value in place and reports whether it may
// be written: FHIR resources by the FHIR rules, other JSON by path.
func (d *Deidentifier) record(v *value, name string, f Format, lineOf func(int) int, st *Stats) (bool, error) {
	var scan *errScan
	if f == NDJSON || v.get("resourceType") != nil {
		w := &fhirWalk{e: d.e, rules: d.fhir, stats: st, file: name, lineOf: lineOf}
		keep, err := w.resource(v, "", "", false)
		if errors.As(err, &scan) {
			st.reject(&risk.RecordError{File: name, Line: lineOf(v.off), Reason: "free text could not be scanned"})
			return false, nil
		}
		return keep, err
	}
	field, err := d.jsonValue(v, st)
	if errors.As(err, &scan) {
		st.reject(&risk.RecordError{File: name, Line: lineOf(v.off), Field: field, Reason: "free text could not be scanned"})
		return false, nil
	}
	return err == nil, err
}

// lineIndex returns a function from byte offset to 1-based line in data.
func lineIndex(data []byte) func(int) int {
	var starts []int
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i)
		}
	}
	return func(off int) int { return sort.SearchInts(starts, off) + 1 }
}
