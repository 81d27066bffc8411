package risk

import (
	"strconv"
	"strings"
)

// MaxRejected is how many rejected records a Table keeps in detail; the
// rest are only counted.
const MaxRejected = 100

// RecordError reports one input record that could not be used. It says
// where the record is and what is wrong with it, never what it holds: the
// value may be PHI.
type RecordError struct {
	File   string `json:"file"`            // the input's name
	Line   int    `json:"line,omitempty"`  // 1-based line where the record starts; 0 if unknown
	Field  string `json:"field,omitempty"` // the column or path at fault; empty when the whole record is
	Reason string `json:"reason"`          // fixed text, free of payload
}

// Error returns "file:line: field F: reason".
func (e *RecordError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString("field ")
		b.WriteString(strconv.Quote(e.Field))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Rejections collects rejected records: the first MaxRejected in detail,
// the rest counted.
type Rejections struct {
	List  []*RecordError `json:"list"`
	Count int            `json:"count"`
}

// Add records e.
func (r *Rejections) Add(e *RecordError) {
	r.Count++
	if len(r.List) < MaxRejected {
		r.List = append(r.List, e)
	}
}
