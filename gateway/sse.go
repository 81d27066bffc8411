package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxEventBytes bounds one server-sent event from a vendor.
const maxEventBytes = 4 << 20

// sseEvent is one server-sent event.
type sseEvent struct {
	name string // the "event:" field, "" when absent
	data []byte // the "data:" lines joined by newlines
}

// sseReader reads server-sent events from a vendor's stream.
type sseReader struct {
	br *bufio.Reader
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{br: bufio.NewReaderSize(r, 32<<10)} }

var errEventTooLarge = errors.New("event too large")

// next returns the next event with data, or io.EOF at the end.
func (r *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	var data []byte
	has := false
	for {
		line, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return ev, errEventTooLarge
		}
		if err != nil && (len(line) == 0 || !errors.Is(err, io.EOF)) {
			if has && errors.Is(err, io.EOF) {
				ev.data = data
				return ev, nil
			}
			return ev, err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if has {
				ev.data = data
				return ev, nil
			}
			ev.name = ""
		case line[0] == ':':
		case bytes.HasPrefix(line, []byte("data:")):
			v := bytes.TrimPrefix(line[5:], []byte(" "))
			if has {
				data = append(data, '\n')
			}
			data = append(data, v...)
			has = true
			if len(data) > maxEventBytes {
				return ev, errEventTooLarge
			}
		case bytes.HasPrefix(line, []byte("event:")):
			ev.name = string(bytes.TrimSpace(line[6:]))
		}
		if err != nil {
			if has {
				ev.data = data
				return ev, nil
			}
			return ev, err
		}
	}
}

// appendEvent appends one server-sent event.
func appendEvent(dst []byte, name string, data []byte) []byte {
	if name != "" {
		dst = append(append(append(dst, "event: "...), name...), '\n')
	}
	dst = append(append(dst, "data: "...), data...)
	return append(dst, '\n', '\n')
}
