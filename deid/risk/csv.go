package risk

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/phigate/phigate"
)

// Delimiters are the field separators DetectComma chooses from.
var Delimiters = []rune{',', ';', '\t', '|'}

// DetectComma returns the delimiter in Delimiters that occurs most often
// outside quotes in a header line, or ',' if none does.
func DetectComma(line []byte) rune {
	counts := make(map[rune]int, len(Delimiters))
	quoted := false
	for _, c := range string(line) {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted {
			counts[c]++
		}
	}
	best, n := ',', 0
	for _, d := range Delimiters {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best
}

// RowReader reads the records of a delimited file with a header line. Bad
// records (wrong number of fields, broken quoting) are skipped and kept in
// Rejected; the caller sees only good ones.
type RowReader struct {
	Name     string   // the input's name, for errors
	Header   []string // the header's fields
	Comma    rune     // the delimiter in use
	Rejected Rejections

	cr *csv.Reader
}

// NewRowReader reads the header of r. A zero comma is detected from the
// header line. Codes: EINVALID (no header, empty or duplicate column name).
func NewRowReader(r io.Reader, name string, comma rune) (*RowReader, error) {
	const op = "risk.NewRowReader"
	cr, comma := newCSVReader(r, comma)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, phigate.Errorf(phigate.EINVALID, op, "read header of %s: empty input", name)
	}
	if err != nil {
		return nil, phigate.Errorf(phigate.EINVALID, op, "read header of %s: malformed line 1", name)
	}
	header = append([]string(nil), header...)
	if err := checkHeader(header); err != nil {
		return nil, phigate.E(phigate.EINVALID, op, fmt.Errorf("read header of %s: %w", name, err))
	}
	cr.FieldsPerRecord = len(header)
	return &RowReader{Name: name, Header: header, Comma: comma, cr: cr}, nil
}

// newCSVReader skips a byte-order mark and, for a zero comma, detects the
// delimiter from the first line.
func newCSVReader(r io.Reader, comma rune) (*csv.Reader, rune) {
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	if comma == 0 {
		comma = DetectComma(peekLine(br))
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.ReuseRecord = true
	return cr, comma
}

func peekLine(br *bufio.Reader) []byte {
	buf, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		return buf[:i]
	}
	return buf
}

func checkHeader(header []string) error {
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		if h == "" {
			return fmt.Errorf("column %d has no name", i+1)
		}
		if seen[h] {
			return fmt.Errorf("column %q appears twice", h)
		}
		seen[h] = true
	}
	return nil
}

// Next returns the next good record and the line it starts on, or io.EOF.
// The slice is reused by the following call.
func (rr *RowReader) Next() ([]string, int, error) {
	for {
		rec, err := rr.cr.Read()
		if err == nil {
			line, _ := rr.cr.FieldPos(0)
			return rec, line, nil
		}
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, 0, phigate.E(phigate.EINVALID, "risk.RowReader.Next", fmt.Errorf("read %s: %w", rr.Name, err))
		}
		rr.Rejected.Add(rr.parseError(pe, len(rec)))
	}
}

func (rr *RowReader) parseError(pe *csv.ParseError, fields int) *RecordError {
	e := &RecordError{File: rr.Name, Line: pe.StartLine}
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		e.Reason = "record has " + strconv.Itoa(fields) + " fields, the header has " + strconv.Itoa(len(rr.Header))
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		e.Line = pe.Line
		e.Reason = "malformed quoting at column " + strconv.Itoa(pe.Column)
	default:
		e.Reason = "malformed record"
	}
	return e
}

// Column is one column of a Table, dictionary encoded.
type Column struct {
	Name   string   // the header's name for it
	Index  int      // its position in the header
	Values []string // distinct values, in order of first appearance
	Codes  []uint32 // per record, an index into Values
}

// Value returns the column's value in record row.
func (c *Column) Value(row int) string { return c.Values[c.Codes[row]] }

// Table holds chosen columns of a delimited file, one Column each.
type Table struct {
	Name     string    // the input's name
	Header   []string  // every column of the input, in order
	Comma    rune      // the delimiter found or given
	Columns  []*Column // the columns asked for, in the order asked
	Rows     int       // good records read
	Lines    []int32   // the line each record starts on
	Rejected Rejections
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ReadTable reads a delimited file with a header line and keeps the named
// columns. Bad records are skipped and listed in Rejected. Codes: EINVALID
// (no header, a named column missing).
func ReadTable(r io.Reader, name string, cols []string, comma rune) (*Table, error) {
	rr, err := NewRowReader(r, name, comma)
	if err != nil {
		return nil, err
	}
	t := &Table{Name: name, Header: rr.Header, Comma: rr.Comma}
	if t.Columns, err = newColumns(rr.Header, cols); err != nil {
		return nil, phigate.E(phigate.EINVALID, "risk.ReadTable", fmt.Errorf("read %s: %w", name, err))
	}
	dicts := make([]map[string]uint32, len(cols))
	for i := range dicts {
		dicts[i] = make(map[string]uint32)
	}
	for {
		rec, line, err := rr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		t.Lines = append(t.Lines, int32(line))
		for i, c := range t.Columns {
			c.Codes = append(c.Codes, encode(dicts[i], c, rec[c.Index]))
		}
		t.Rows++
	}
	t.Rejected = rr.Rejected
	return t, nil
}

func encode(dict map[string]uint32, c *Column, v string) uint32 {
	code, ok := dict[v]
	if !ok {
		code = uint32(len(c.Values))
		v = string([]byte(v)) // detach from the reader's record buffer
		dict[v] = code
		c.Values = append(c.Values, v)
	}
	return code
}

func newColumns(header, names []string) ([]*Column, error) {
	index := make(map[string]int, len(header))
	for i, h := range header {
		index[h] = i
	}
	cols := make([]*Column, len(names))
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		j, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("column %q is not in the header", n)
		}
		if seen[n] {
			return nil, fmt.Errorf("column %q is named twice", n)
		}
		seen[n] = true
		cols[i] = &Column{Name: n, Index: j}
	}
	return cols, nil
}
