package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/phigate/phigate"
)

// FileMirror appends every checkpoint to a file as JSON lines
// ({"checkpoint": note}), synced before it returns. Keep the file on
// another disk or host: `audit verify --checkpoints FILE` checks the log
// against it, so a database rewritten or truncated by someone without the
// signing key is caught even if its checkpoints were deleted.
type FileMirror struct {
	Path string
	mu   sync.Mutex
}

var _ Mirror = (*FileMirror)(nil)

type mirrorLine struct {
	Checkpoint string `json:"checkpoint"`
}

// WriteCheckpoint implements Mirror.
func (m *FileMirror) WriteCheckpoint(ctx context.Context, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := os.OpenFile(m.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open checkpoint mirror: %w", err)
	}
	defer f.Close()
	b, _ := json.Marshal(mirrorLine{Checkpoint: string(note)})
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write checkpoint mirror: %w", err)
	}
	return f.Sync()
}

// ReadMirror returns the checkpoint notes of a FileMirror file.
// Codes: EINVALID (malformed), ENOTFOUND.
func ReadMirror(path string) ([][]byte, error) {
	const op = "audit.ReadMirror"
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, phigate.E(phigate.ENOTFOUND, op, err)
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	var notes [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var l mirrorLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Checkpoint == "" {
			return nil, phigate.Errorf(phigate.EINVALID, op, "line %d is not a checkpoint", n)
		}
		notes = append(notes, []byte(l.Checkpoint))
	}
	return notes, sc.Err()
}

// Mirrors copies each checkpoint to several places (a file and syslog).
type Mirrors []Mirror

// WriteCheckpoint implements Mirror: it writes to every mirror and returns
// the first error.
func (ms Mirrors) WriteCheckpoint(ctx context.Context, note []byte) error {
	var first error
	for _, m := range ms {
		if err := m.WriteCheckpoint(ctx, note); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// ActionCheckpoint is the syslog MSGID of a checkpoint copy.
const ActionCheckpoint = "audit.checkpoint"

// WriteCheckpoint queues a copy of a checkpoint for the syslog receiver,
// so the Forwarder can serve as Log.Mirror.
func (f *Forwarder) WriteCheckpoint(ctx context.Context, note []byte) error {
	msg := fmt.Sprintf("<%d>1 %s %s %s - %s - %s", SyslogFacility*8+5,
		f.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"), header(f.Hostname, 255),
		SyslogAppName, ActionCheckpoint, note)
	return f.q.Append([][]byte{[]byte(msg)})
}
