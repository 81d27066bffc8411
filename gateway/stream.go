package gateway

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/phigate/phigate"
)

// reidStream re-identifies text that arrives in pieces: it releases all
// but the bytes at the end that may be the start of a code whose rest has
// not arrived, so a placeholder split across chunks is still restored and
// every other byte goes out at once.
type reidStream struct {
	m       *Map
	escape  bool // the text is JSON (tool arguments): values are escaped
	pending []byte
	stats   *reidStats
}

// write adds text and returns the re-identified text that is final.
func (r *reidStream) write(text string) []byte {
	r.pending = append(r.pending, text...)
	hold := r.m.Pending(r.pending)
	out, st := r.m.Reidentify(nil, r.pending[:len(r.pending)-hold], r.escape)
	r.stats.add(st)
	r.pending = append(r.pending[:0], r.pending[len(r.pending)-hold:]...)
	return out
}

// flush returns the rest: the stream is over.
func (r *reidStream) flush() []byte {
	out, st := r.m.Reidentify(nil, r.pending, r.escape)
	r.stats.add(st)
	r.pending = r.pending[:0]
	return out
}

// streamHandler turns a vendor's events into the client's.
type streamHandler interface {
	// event handles one vendor event; done reports the end of the stream.
	event(ev sseEvent) (out []byte, done bool, err error)
	// idle releases text held only for the output scan after a pause.
	idle() ([]byte, error)
	// holding reports whether idle would release something.
	holding() bool
	// end flushes everything when the vendor's stream ends.
	end() ([]byte, error)
	// failure is the event that tells the client the stream failed.
	failure(err error) []byte
}

type readResult struct {
	ev  sseEvent
	err error
}

// pump relays a vendor's stream to the client through h. It ends on the
// vendor's last event, a vendor error or silence, or the client leaving
// (or not reading within the write stall timeout).
func (x *exchange) pump(resp *http.Response, h streamHandler) error {
	x.w.Header().Set("Content-Type", "text/event-stream")
	x.w.Header().Set("Cache-Control", "no-cache")
	x.w.Header().Set("X-Accel-Buffering", "no")
	x.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(x.w)
	rc.Flush()
	events, stop := readEvents(resp.Body)
	defer close(stop)
	idle := time.NewTimer(x.g.streamIdle())
	defer idle.Stop()
	var flush <-chan time.Time
	for {
		var out []byte
		var done bool
		var err error
		select {
		case <-x.r.Context().Done():
			return refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("client left"))
		case <-idle.C:
			err = refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("vendor stream went silent"))
		case <-flush:
			flush = nil
			out, err = h.idle()
		case rr := <-events:
			idle.Reset(x.g.streamIdle())
			switch {
			case errors.Is(rr.err, io.EOF):
				out, err = h.end()
				done = true
			case rr.err != nil:
				err = refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("vendor stream broke off"))
			default:
				out, done, err = h.event(rr.ev)
			}
		}
		if err != nil {
			x.write(rc, h.failure(err))
			return err
		}
		if werr := x.write(rc, out); werr != nil {
			return werr
		}
		if done {
			return nil
		}
		if flush == nil && h.holding() {
			flush = time.After(x.g.flushDelay())
		}
	}
}

// write sends b to the client within the write stall timeout.
func (x *exchange) write(rc *http.ResponseController, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	rc.SetWriteDeadline(time.Now().Add(x.g.writeStall()))
	if _, err := x.w.Write(b); err != nil {
		return refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("client stopped reading"))
	}
	if err := rc.Flush(); err != nil {
		return refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("client stopped reading"))
	}
	return nil
}

// readEvents reads events from body in a goroutine until it fails or stop
// is closed.
func readEvents(body io.Reader) (<-chan readResult, chan struct{}) {
	out := make(chan readResult)
	stop := make(chan struct{})
	go func() {
		r := newSSEReader(body)
		for {
			ev, err := r.next()
			ev.data = append([]byte(nil), ev.data...)
			select {
			case out <- readResult{ev, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, stop
}
