package deid

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/phigate/phigate"
)

// Where a text file's patient id comes from (PatientFrom.Kind).
const (
	PatientFile  = "file"  // each file is a patient of its own, named by its path
	PatientName  = "name"  // the file's name up to its first dot: "12345.note.txt" is 12345
	PatientDir   = "dir"   // the name of the folder that holds the file: "12345/note.txt" is 12345
	PatientField = "field" // the value of a "NAME: value" line near the top of the text
)

// DefaultPatientField is the line PatientField reads when none is named.
const DefaultPatientField = "Patient-ID"

// PatientWindow is how far into a text PatientField looks for its line.
const PatientWindow = 64 << 10

// PatientFrom says how to find the patient of a text, which scopes date
// shifts and surrogates: all of a patient's dates move by one offset. To
// make a note agree with its patient's structured records, the id it
// yields must be the records' patient id (a FHIR Patient's id, a CSV
// patient column's value).
type PatientFrom struct {
	Kind  string // PatientFile, PatientName, PatientDir or PatientField
	Field string // PatientField: the name before the colon
}

// ParsePatientFrom reads "file", "name", "dir", "field" or "field:NAME".
// Codes: EINVALID.
func ParsePatientFrom(s string) (PatientFrom, error) {
	kind, field, hasField := strings.Cut(s, ":")
	switch {
	case kind == PatientField && !hasField:
		return PatientFrom{Kind: kind, Field: DefaultPatientField}, nil
	case kind == PatientField && strings.TrimSpace(field) != "" && !strings.ContainsAny(field, ":=\n"):
		return PatientFrom{Kind: kind, Field: strings.TrimSpace(field)}, nil
	case !hasField && (kind == PatientFile || kind == PatientName || kind == PatientDir):
		return PatientFrom{Kind: kind}, nil
	case kind == "":
		return PatientFrom{Kind: PatientFile}, nil
	}
	return PatientFrom{}, phigate.Errorf(phigate.EINVALID, "deid.ParsePatientFrom", "want file, name, dir or field:NAME")
}

// String returns the form ParsePatientFrom reads.
func (p PatientFrom) String() string {
	if p.Kind == PatientField {
		return p.Kind + ":" + p.Field
	}
	return p.Kind
}

// Patient returns the patient of the text at path ("" or "-" for
// standard input) whose content r gives; r is peeked (up to
// PatientWindow or its buffer size), never consumed. Errors name the path
// and the field, never the text. Codes: EINVALID (no patient id).
func (p PatientFrom) Patient(path string, r *bufio.Reader) (string, error) {
	id, _, _, err := p.find(path, r)
	return id, err
}

// OpenText is Patient for a text about to be de-identified: it also
// returns the text to read instead of r, in which the value of a
// PatientField line is already replaced by t as an MRN (and counted), so
// that the id cannot survive a detector that misses it. Codes: as Patient.
func (p PatientFrom) OpenText(path string, r *bufio.Reader, t *Transformer) (string, io.Reader, Counts, error) {
	id, start, end, err := p.find(path, r)
	if err != nil || end == 0 {
		return id, r, Counts{}, err
	}
	head, _ := r.Peek(end)
	out, counts, err := t.Apply(nil, head, []phigate.Finding{{Start: start, End: end, Category: phigate.MRN, Confidence: 1}}, id)
	if err != nil {
		return "", nil, nil, err
	}
	if _, err := r.Discard(end); err != nil {
		return "", nil, nil, phigate.E(phigate.EINVALID, "deid.OpenText", fmt.Errorf("read input: %w", err))
	}
	return id, io.MultiReader(bytes.NewReader(out), r), counts, nil
}

// find returns the patient id and, for PatientField, where its value
// lies in r.
func (p PatientFrom) find(path string, r *bufio.Reader) (id string, start, end int, err error) {
	const op = "deid.Patient"
	stdin := path == "" || path == "-"
	switch p.Kind {
	case PatientFile, "":
		if stdin {
			return "stdin", 0, 0, nil
		}
		return path, 0, 0, nil
	case PatientName, PatientDir:
		if stdin {
			return "", 0, 0, phigate.Errorf(phigate.EINVALID, op, "standard input has no file name: use --patient-id-from field:NAME")
		}
		id, err := p.fromPath(path)
		return id, 0, 0, err
	case PatientField:
		return p.fromField(r)
	}
	return "", 0, 0, phigate.Errorf(phigate.EINVALID, op, "unknown patient source %q", p.Kind)
}

func (p PatientFrom) fromPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", phigate.E(phigate.EINVALID, "deid.Patient", fmt.Errorf("resolve path: %w", err))
	}
	id := filepath.Base(filepath.Dir(abs))
	if p.Kind == PatientName {
		id, _, _ = strings.Cut(filepath.Base(abs), ".")
	}
	if id == "" || id == string(filepath.Separator) || id == "." {
		return "", phigate.Errorf(phigate.EINVALID, "deid.Patient", "no patient id in the %s of %s", p.Kind, path)
	}
	return id, nil
}

// fromField finds the first line "NAME: value" (or "NAME = value"; the
// name in any case, spaces around it allowed) in the text's first bytes.
func (p PatientFrom) fromField(r *bufio.Reader) (string, int, int, error) {
	head, err := r.Peek(min(PatientWindow, r.Size()))
	complete := err != nil // the whole text is in head
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", 0, 0, phigate.E(phigate.EINVALID, "deid.Patient", fmt.Errorf("read input: %w", err))
	}
	for off := 0; off < len(head); {
		line := head[off:]
		n := bytes.IndexByte(line, '\n')
		if n < 0 && !complete {
			break // a line cut by the window
		}
		if n >= 0 {
			line = line[:n]
		}
		if i, j, ok := fieldValue(line, p.Field); ok {
			return string(line[i:j]), off + i, off + j, nil
		}
		off += len(line) + 1
	}
	return "", 0, 0, phigate.Errorf(phigate.EINVALID, "deid.Patient", "no %q line in the first %d KiB", p.Field, PatientWindow>>10)
}

// fieldValue returns where the value of line lies if line is
// "name: value".
func fieldValue(line []byte, name string) (int, int, bool) {
	i := len(line) - len(bytes.TrimLeft(line, " \t"))
	if len(line)-i <= len(name) || !strings.EqualFold(string(line[i:i+len(name)]), name) {
		return 0, 0, false
	}
	i += len(name)
	i += len(line[i:]) - len(bytes.TrimLeft(line[i:], " \t"))
	if i >= len(line) || line[i] != ':' && line[i] != '=' {
		return 0, 0, false
	}
	i++
	i += len(line[i:]) - len(bytes.TrimLeft(line[i:], " \t"))
	j := i + len(bytes.TrimRight(line[i:], " \t\r"))
	return i, j, j > i
}
