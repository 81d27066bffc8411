package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Defaults of the on-disk queue.
const (
	DefaultQueueSegment = 4 << 20
	DefaultQueueMax     = 1 << 30
)

// qpos is a position in the queue: a segment number and an offset in it.
type qpos struct{ seg, off int64 }

func (p qpos) less(q qpos) bool { return p.seg < q.seg || (p.seg == q.seg && p.off < q.off) }

// queue is an append-only on-disk queue of messages in numbered segment
// files, with a cursor file recording what the receiver has confirmed.
// Each message is a 4-byte big-endian length and its bytes.
type queue struct {
	dir     string
	segSize int64
	max     int64

	mu     sync.Mutex
	w      *os.File
	end    qpos // where the next message goes
	cursor qpos // everything before it is confirmed
	size   int64
	notify chan struct{}
}

var errQueueFull = errors.New("forwarding queue is full")

func openQueue(dir string, segSize, max int64) (*queue, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create queue: %w", err)
	}
	q := &queue{dir: dir, segSize: segSize, max: max, notify: make(chan struct{}, 1)}
	segs, err := q.segments()
	if err != nil {
		return nil, err
	}
	q.end = qpos{seg: 1}
	if len(segs) > 0 {
		q.end.seg = segs[len(segs)-1]
	}
	q.cursor = q.readCursor(segs)
	if err := q.openWriter(); err != nil {
		return nil, err
	}
	for _, s := range segs {
		if fi, err := os.Stat(q.path(s)); err == nil {
			q.size += fi.Size()
		}
	}
	return q, nil
}

func (q *queue) path(seg int64) string {
	return filepath.Join(q.dir, fmt.Sprintf("%016d.q", seg))
}

func (q *queue) segments() ([]int64, error) {
	names, err := filepath.Glob(filepath.Join(q.dir, "*.q"))
	if err != nil {
		return nil, err
	}
	var segs []int64
	for _, n := range names {
		if s, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(n), ".q"), 10, 64); err == nil {
			segs = append(segs, s)
		}
	}
	slices.Sort(segs)
	return segs, nil
}

func (q *queue) readCursor(segs []int64) qpos {
	b, err := os.ReadFile(filepath.Join(q.dir, "cursor"))
	var p qpos
	if err == nil {
		_, err = fmt.Sscanf(string(b), "%d %d", &p.seg, &p.off)
	}
	if err != nil || p.seg < 1 {
		p = qpos{seg: q.end.seg}
		if len(segs) > 0 {
			p.seg = segs[0]
		}
	}
	return p
}

// openWriter opens the last segment for appending, cutting off a message
// that a crash left half written.
func (q *queue) openWriter() error {
	f, err := os.OpenFile(q.path(q.end.seg), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open queue: %w", err)
	}
	off, err := validPrefix(f)
	if err == nil {
		err = f.Truncate(off)
	}
	if err == nil {
		_, err = f.Seek(off, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("open queue: %w", err)
	}
	q.w, q.end.off = f, off
	return nil
}

func validPrefix(f *os.File) (int64, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	var off int64
	for int64(len(data))-off >= 4 {
		n := int64(binary.BigEndian.Uint32(data[off:]))
		if off+4+n > int64(len(data)) {
			break
		}
		off += 4 + n
	}
	return off, nil
}

// Append adds messages at the end. Codes: none; errQueueFull when the
// queue holds more than its maximum.
func (q *queue) Append(msgs [][]byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.size > q.max {
		return errQueueFull
	}
	var buf []byte
	for _, m := range msgs {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(m)))
		buf = append(buf, m...)
	}
	if _, err := q.w.Write(buf); err != nil {
		return fmt.Errorf("append to queue: %w", err)
	}
	q.end.off += int64(len(buf))
	q.size += int64(len(buf))
	if q.end.off >= q.segSize {
		if err := q.rotate(); err != nil {
			return err
		}
	}
	select {
	case q.notify <- struct{}{}:
	default:
	}
	return nil
}

func (q *queue) rotate() error {
	if err := q.w.Sync(); err != nil {
		return err
	}
	q.w.Close()
	q.end = qpos{seg: q.end.seg + 1}
	return q.openWriter()
}

// Sync flushes appended messages to disk.
func (q *queue) Sync() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.w.Sync()
}

// Read returns up to max messages from p and the position after them.
func (q *queue) Read(p qpos, max int) ([][]byte, qpos, error) {
	q.mu.Lock()
	end := q.end
	q.mu.Unlock()
	var msgs [][]byte
	for len(msgs) < max && p.less(end) {
		data, err := readSegment(q.path(p.seg), p.off, end, p.seg)
		if err != nil {
			return nil, p, err
		}
		if len(data) == 0 {
			if p.seg >= end.seg {
				break
			}
			p = qpos{seg: p.seg + 1}
			continue
		}
		for len(msgs) < max && int64(len(data)) >= 4 {
			n := int(binary.BigEndian.Uint32(data))
			msgs = append(msgs, data[4:4+n])
			data = data[4+n:]
			p.off += int64(4 + n)
		}
	}
	return msgs, p, nil
}

// readSegment reads segment seg from off up to end (when end is in it).
func readSegment(path string, off int64, end qpos, seg int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	defer f.Close()
	limit := int64(1 << 20)
	if seg == end.seg {
		limit = min(limit, end.off-off)
	}
	buf := make([]byte, limit)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read queue: %w", err)
	}
	return completeFrames(buf[:n]), nil
}

func completeFrames(b []byte) []byte {
	off := 0
	for len(b)-off >= 4 {
		n := int(binary.BigEndian.Uint32(b[off:]))
		if off+4+n > len(b) {
			break
		}
		off += 4 + n
	}
	return b[:off]
}

// Confirm records that everything before p was delivered and removes
// segments wholly before it.
func (q *queue) Confirm(p qpos) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	tmp := filepath.Join(q.dir, "cursor.tmp")
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", p.seg, p.off), 0o600); err != nil {
		return fmt.Errorf("write queue cursor: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(q.dir, "cursor")); err != nil {
		return fmt.Errorf("write queue cursor: %w", err)
	}
	for s := q.cursor.seg; s < p.seg; s++ {
		if fi, err := os.Stat(q.path(s)); err == nil {
			q.size -= fi.Size()
		}
		os.Remove(q.path(s))
	}
	q.cursor = p
	return nil
}

// Cursor returns the confirmed position.
func (q *queue) Cursor() qpos {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.cursor
}

func (q *queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.w.Sync()
	return q.w.Close()
}
