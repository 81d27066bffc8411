// Package eval scores a phigate.Detector against a gold-standard corpus in
// the PhysioNet deid format: recall per PHI type with the any-overlap and
// exact-boundary rules, precision, for all types and for the Safe Harbor
// view (lone years left out), and throughput.
package eval

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/phigate/phigate"
)

// Record is one note of a corpus.
type Record struct {
	Patient, Note string
	Text          []byte
}

// Span is one gold PHI span: bytes [Start, End) of a record's text.
type Span struct {
	Patient, Note string
	Start, End    int
	Type          string // HCPName, PTName, Date, DateYear, Location, ...
}

var (
	startMark = []byte("START_OF_RECORD=")
	endMark   = []byte("||||END_OF_RECORD")
)

// ParseText reads notes in the PhysioNet format: a line
// "START_OF_RECORD=P||||N||||", the body, then "||||END_OF_RECORD".
func ParseText(r io.Reader) ([]Record, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	var recs []Record
	for len(data) > 0 {
		i := bytes.Index(data, startMark)
		if i < 0 {
			if len(bytes.TrimSpace(data)) > 0 {
				return nil, phigate.Errorf(phigate.EINVALID, "eval.ParseText", "text after record %d", len(recs))
			}
			break
		}
		nl := bytes.IndexByte(data[i:], '\n')
		if nl < 0 {
			return nil, phigate.Errorf(phigate.EINVALID, "eval.ParseText", "record %d: header without newline", len(recs)+1)
		}
		header := data[i+len(startMark) : i+nl]
		parts := bytes.Split(header, []byte("||||"))
		if len(parts) < 2 {
			return nil, phigate.Errorf(phigate.EINVALID, "eval.ParseText", "record %d: bad header", len(recs)+1)
		}
		body := data[i+nl+1:]
		e := bytes.Index(body, endMark)
		if e < 0 {
			return nil, phigate.Errorf(phigate.EINVALID, "eval.ParseText", "record %d: no end mark", len(recs)+1)
		}
		recs = append(recs, Record{Patient: string(parts[0]), Note: string(parts[1]), Text: body[:e]})
		data = body[e+len(endMark):]
	}
	return recs, nil
}

// ParsePhrases reads gold spans, one a line: "P N START END TYPE TEXT".
func ParsePhrases(r io.Reader) ([]Span, error) {
	var spans []Span
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 {
			return nil, phigate.Errorf(phigate.EINVALID, "eval.ParsePhrases", "line %d: %d fields", line, len(f))
		}
		s, err1 := strconv.Atoi(string(f[2]))
		e, err2 := strconv.Atoi(string(f[3]))
		if err1 != nil || err2 != nil || s < 0 || e < s {
			return nil, phigate.Errorf(phigate.EINVALID, "eval.ParsePhrases", "line %d: bad offsets", line)
		}
		spans = append(spans, Span{Patient: string(f[0]), Note: string(f[1]), Start: s, End: e, Type: string(f[4])})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read phrases: %w", err)
	}
	return spans, nil
}
