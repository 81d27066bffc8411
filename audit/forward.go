package audit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Defaults of Forwarder.
const (
	DefaultMinBackoff   = 100 * time.Millisecond
	DefaultMaxBackoff   = 30 * time.Second
	DefaultConfirmAfter = 2 * time.Second
	DefaultSendBatch    = 512
)

// Forwarder sends every event, once durable, to a syslog receiver as
// RFC 5424 over TLS (RFC 5425, octet-counted framing). Events wait in an
// on-disk queue until the connection has stayed up ConfirmAfter past
// their sending; after a disconnect it reconnects with backoff and resends
// from the last confirmed event, so a receiver that goes down loses
// nothing (it may see an event twice; Seq tells duplicates). Add it to
// Log.Followers. Create with NewForwarder, set fields, then Open.
type Forwarder struct {
	// Addr is the receiver's host:port. Required.
	Addr string
	// TLS configures the connection (RootCAs, ServerName, client
	// certificates). Required: events never travel in clear. TLS 1.2 is
	// the minimum.
	TLS *tls.Config
	// Dir holds the on-disk queue. Required.
	Dir string
	// Hostname names this node in messages. Default os.Hostname.
	Hostname string
	// MinBackoff and MaxBackoff bound the wait between reconnects.
	MinBackoff, MaxBackoff time.Duration
	// ConfirmAfter is how long the connection must stay up after a message
	// is sent before the message leaves the queue.
	ConfirmAfter time.Duration
	// QueueMax bounds the queue in bytes; beyond it new events are not
	// queued (they stay in the log) and OnError is told.
	QueueMax int64
	// OnError, if set, is told of send and queue failures.
	OnError func(op string, err error)
	// Now is the clock. Default time.Now.
	Now func() time.Time

	enc  SyslogEncoder
	q    *queue
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

var _ Follower = (*Forwarder)(nil)

// NewForwarder returns a Forwarder with defaults set.
func NewForwarder() *Forwarder {
	return &Forwarder{MinBackoff: DefaultMinBackoff, MaxBackoff: DefaultMaxBackoff,
		ConfirmAfter: DefaultConfirmAfter, QueueMax: DefaultQueueMax, Now: time.Now}
}

// Open opens the queue and starts sending. Codes: EINVALID.
func (f *Forwarder) Open() error {
	const op = "audit.Forwarder.Open"
	if f.Addr == "" || f.TLS == nil || f.Dir == "" {
		return phigate.Errorf(phigate.EINVALID, op, "address, TLS configuration and queue directory are required")
	}
	if f.Hostname == "" {
		f.Hostname, _ = os.Hostname()
	}
	q, err := openQueue(f.Dir, DefaultQueueSegment, f.QueueMax)
	if err != nil {
		return phigate.E(phigate.EINVALID, op, err)
	}
	f.enc, f.q = SyslogEncoder{Hostname: f.Hostname}, q
	f.quit, f.done = make(chan struct{}), make(chan struct{})
	go f.run()
	return nil
}

// Close stops sending; queued events stay on disk for the next Open.
func (f *Forwarder) Close() error {
	if f.q == nil {
		return nil
	}
	f.once.Do(func() { close(f.quit) })
	<-f.done
	return f.q.Close()
}

// Follow queues events for sending. It implements Follower.
func (f *Forwarder) Follow(events []*phigate.Event) {
	msgs := make([][]byte, 0, len(events))
	for _, e := range events {
		m, err := f.enc.Message(e)
		if err != nil {
			f.report("audit.forward.encode", err)
			continue
		}
		msgs = append(msgs, m)
	}
	if err := f.q.Append(msgs); err != nil {
		f.report("audit.forward.queue", err)
	}
}

// Pending reports whether queued events are not yet confirmed.
func (f *Forwarder) Pending() bool {
	f.q.mu.Lock()
	defer f.q.mu.Unlock()
	return f.q.cursor.less(f.q.end)
}

func (f *Forwarder) report(op string, err error) {
	if f.OnError != nil {
		f.OnError(op, err)
	}
}

func (f *Forwarder) run() {
	defer close(f.done)
	backoff := f.MinBackoff
	for {
		conn, err := f.dial()
		if err == nil {
			backoff = f.MinBackoff
			err = f.session(conn)
			conn.Close()
		}
		if errors.Is(err, errQuit) {
			return
		}
		f.report("audit.forward.send", err)
		select {
		case <-f.quit:
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, f.MaxBackoff)
	}
}

var errQuit = errors.New("forwarder closed")

func (f *Forwarder) dial() (net.Conn, error) {
	cfg := f.TLS.Clone()
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	return d.DialContext(ctx, "tcp", f.Addr)
}

// sent is a position reached in the queue and when it was sent.
type sent struct {
	pos qpos
	at  time.Time
}

// session sends from the confirmed cursor until the connection fails.
func (f *Forwarder) session(conn net.Conn) error {
	pos := f.q.Cursor()
	var inflight []sent
	var err error
	tick := time.NewTicker(max(f.ConfirmAfter/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if inflight, err = f.confirm(conn, inflight); err != nil {
				return err
			}
		default:
		}
		msgs, next, err := f.q.Read(pos, DefaultSendBatch)
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			if err := f.send(conn, msgs); err != nil {
				return err
			}
			pos = next
			inflight = append(inflight, sent{pos, f.Now()})
			continue
		}
		f.q.Sync()
		select {
		case <-f.quit:
			return errQuit
		case <-f.q.notify:
		case <-tick.C:
		}
		if inflight, err = f.confirm(conn, inflight); err != nil {
			return err
		}
	}
}

func (f *Forwarder) send(conn net.Conn, msgs [][]byte) error {
	var buf []byte
	for _, m := range msgs {
		buf = strconv.AppendInt(buf, int64(len(m)), 10)
		buf = append(append(buf, ' '), m...)
	}
	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(buf); err != nil {
		return fmt.Errorf("send to syslog: %w", err)
	}
	return nil
}

// confirm checks the connection is still up and moves the cursor past
// messages sent at least ConfirmAfter ago.
func (f *Forwarder) confirm(conn net.Conn, inflight []sent) ([]sent, error) {
	if len(inflight) == 0 {
		return nil, nil
	}
	if err := alive(conn); err != nil {
		return nil, err
	}
	cut := f.Now().Add(-f.ConfirmAfter)
	i := 0
	for i < len(inflight) && !inflight[i].at.After(cut) {
		i++
	}
	if i == 0 {
		return inflight, nil
	}
	if err := f.q.Confirm(inflight[i-1].pos); err != nil {
		return nil, err
	}
	return inflight[i:], nil
}

// alive reports a closed or reset connection: a syslog receiver never
// writes, so a read that does not time out means the peer went away.
func alive(conn net.Conn) error {
	conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	_, err := conn.Read(b[:])
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	if err == nil {
		err = errors.New("syslog receiver sent data")
	}
	return fmt.Errorf("syslog connection lost: %w", err)
}
