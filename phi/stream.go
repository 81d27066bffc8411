package phi

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/phigate/phigate"
)

// Stream tuning. A Stream holds back the last StreamHold bytes (the end
// of an identifier may still be arriving), keeps StreamContext bytes of
// final text as left context ("Dr." before a name), and cuts a line with
// no space after StreamMax bytes so memory stays bounded.
const (
	StreamHold    = 256
	StreamContext = 256
	StreamMax     = 1 << 20
)

// Segment is a piece of streamed text that is final: every finding in it
// is known. Offsets of Findings count from the start of the stream. Text
// is valid until the next call on the Stream.
type Segment struct {
	Offset   int64
	Text     []byte
	Findings []phigate.Finding
}

// Stream scans text that arrives in chunks. It never reports a finding
// twice and never misses one that straddles two chunks. Not safe for
// concurrent use; use one Stream per text.
type Stream struct {
	s    *Scanner
	buf  []byte // text from offset base
	base int64
	done int64 // text before done has been returned
	fs   []phigate.Finding
}

// NewStream returns a Stream that scans with s.
func (s *Scanner) NewStream() *Stream { return &Stream{s: s} }

// Feed appends p and returns the text that became final, with its findings.
func (st *Stream) Feed(p []byte) (Segment, error) {
	st.buf = append(st.buf, p...)
	pending := len(st.buf) - int(st.done-st.base)
	// Scan when enough text waits and a cut is possible: a space arrived,
	// or the line has grown past StreamMax.
	if pending < 2*StreamHold || !hasSpace(p) && pending < StreamMax+StreamHold {
		return Segment{Offset: st.done}, nil
	}
	return st.emit(false)
}

func hasSpace(p []byte) bool {
	for _, c := range p {
		if isSpace(c) {
			return true
		}
	}
	return false
}

// Close returns the rest of the text and its findings.
func (st *Stream) Close() (Segment, error) { return st.emit(true) }

func (st *Stream) emit(final bool) (Segment, error) {
	from := int(st.done - st.base)
	fs, err := st.s.Detect(st.fs[:0], st.buf)
	st.fs = fs
	if err != nil {
		return Segment{}, fmt.Errorf("scan stream: %w", err)
	}
	cut := len(st.buf)
	if !final {
		cut = st.cutPoint(from)
		for _, f := range fs {
			if f.Start < cut && f.End > cut && f.Start > from {
				cut = f.Start // an identifier straddles the cut: hold it back
				break
			}
		}
	}
	var out []phigate.Finding
	for _, f := range fs {
		if f.End <= from || f.Start >= cut {
			continue
		}
		f.Start, f.End = max(f.Start, from), min(f.End, cut)
		f.Start += int(st.base)
		f.End += int(st.base)
		out = append(out, f)
	}
	seg := Segment{Offset: st.done, Text: append([]byte(nil), st.buf[from:cut]...), Findings: out}
	st.done = st.base + int64(cut)
	st.trim(cut)
	return seg, nil
}

// cutPoint returns where final text ends: the last space before the
// held-back tail, or a rune boundary if the line is too long.
func (st *Stream) cutPoint(from int) int {
	limit := len(st.buf) - StreamHold
	for i := limit; i > from; i-- {
		if isSpace(st.buf[i-1]) {
			return i
		}
	}
	if limit-from < StreamMax {
		return from
	}
	for limit > from && !utf8.RuneStart(st.buf[limit]) {
		limit--
	}
	return limit
}

// trim drops text before cut, keeping StreamContext bytes of context.
func (st *Stream) trim(cut int) {
	keep := cut - StreamContext
	if keep <= 0 {
		return
	}
	for keep < cut && !isSpace(st.buf[keep]) {
		keep++
	}
	n := copy(st.buf, st.buf[keep:])
	st.buf = st.buf[:n]
	st.base += int64(keep)
}

// ScanReader scans r in chunks with bounded memory and calls fn with each
// final segment in order. It stops at the first error of r or fn.
func (s *Scanner) ScanReader(r io.Reader, fn func(Segment) error) error {
	st := s.NewStream()
	chunk := make([]byte, 64*1024)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			seg, ferr := st.Feed(chunk[:n])
			if ferr != nil {
				return ferr
			}
			if len(seg.Text) > 0 {
				if ferr := fn(seg); ferr != nil {
					return ferr
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read text: %w", err)
		}
	}
	seg, err := st.Close()
	if err != nil {
		return err
	}
	if len(seg.Text) > 0 {
		return fn(seg)
	}
	return nil
}
