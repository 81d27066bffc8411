package gateway

import (
	"bytes"

	"github.com/phigate/phigate"
)

// Redacted replaces PHI in an answer that the caller did not send.
const Redacted = "[REDACTED]"

// outContext is how many released bytes a stream keeps as left context
// for the output scan ("Dr." before a name).
const outContext = 64

// outMaxHold bounds the bytes an output scan holds back waiting for the
// end of a word.
const outMaxHold = 64

// outScanner finds PHI in an answer that the caller did not send and may
// not see (a value of another conversation, a memorised record): it is
// redacted (OutputRedact) and counted for the audit log.
type outScanner struct {
	det     phigate.Detector
	mode    OutputScan
	req     *scanned
	m       *Map
	flagged map[phigate.Category]int
	// beforeRelease, if set, must make the flags durable before flagged
	// text that is not redacted (OutputFlag) is released: a stream's
	// result event comes only after the stream. It is called once.
	beforeRelease func(flagged map[phigate.Category]int) error
	released      bool
}

func newOutScanner(det phigate.Detector, mode OutputScan, req *scanned, m *Map) *outScanner {
	return &outScanner{det: det, mode: mode, req: req, m: m, flagged: map[phigate.Category]int{}}
}

// allowed reports whether the caller may see value: it sent it.
func (o *outScanner) allowed(value string) bool {
	return o.m.Knows(value) || o.req.sent(value)
}

// scan returns text with the PHI the caller may not see redacted, looking
// only at bytes from start on (those before are context). Codes:
// EUNAVAILABLE (the detector failed).
func (o *outScanner) scan(text []byte, start int) ([]byte, error) {
	if o.mode == OutputOff || len(text) == start {
		return text[start:], nil
	}
	fs, err := o.det.Detect(nil, text)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, "gateway.outputScan", err)
	}
	var out []byte
	last := start
	shown := false // flagged text left in the answer
	for _, f := range fs {
		if f.End <= start || f.End > len(text) || o.allowed(string(text[f.Start:f.End])) {
			continue
		}
		o.flagged[f.Category]++
		if o.mode != OutputRedact {
			shown = true
			continue
		}
		from := max(f.Start, last)
		out = append(append(out, text[last:from]...), Redacted...)
		last = f.End
	}
	if shown && o.beforeRelease != nil && !o.released {
		if err := o.beforeRelease(o.flagged); err != nil {
			return nil, err
		}
		o.released = true
	}
	if last == start {
		return text[start:], nil
	}
	return append(out, text[last:]...), nil
}

// outStream runs the output scan over streamed text: it releases text up
// to the last white space, so a word is judged whole, and keeps a little
// released text as context.
type outStream struct {
	o       *outScanner
	context []byte
	pending []byte
}

// write adds text and returns what may be released.
func (s *outStream) write(text []byte) ([]byte, error) {
	if s.o.mode == OutputOff {
		return text, nil
	}
	s.pending = append(s.pending, text...)
	cut := bytes.LastIndexAny(s.pending, " \t\r\n") + 1
	if cut == 0 {
		if len(s.pending) < outMaxHold {
			return nil, nil
		}
		cut = len(s.pending)
	}
	return s.release(cut)
}

// flush releases everything held.
func (s *outStream) flush() ([]byte, error) {
	if s.o.mode == OutputOff || len(s.pending) == 0 {
		return nil, nil
	}
	return s.release(len(s.pending))
}

// held reports whether text is waiting.
func (s *outStream) held() bool { return len(s.pending) > 0 }

func (s *outStream) release(cut int) ([]byte, error) {
	buf := append(append([]byte(nil), s.context...), s.pending[:cut]...)
	out, err := s.o.scan(buf, len(s.context))
	if err != nil {
		return nil, err
	}
	out = append([]byte(nil), out...)
	s.context = append(s.context[:0], buf[max(0, len(buf)-outContext):]...)
	s.pending = append(s.pending[:0], s.pending[cut:]...)
	return out, nil
}
