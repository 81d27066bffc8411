package audit

import (
	"context"
	"crypto"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Defaults of Log.
const (
	DefaultOrigin             = "phigate/audit"
	DefaultKeyName            = "phigate"
	DefaultCheckpointEvery    = 10000
	DefaultCheckpointInterval = time.Minute
	DefaultMaxBatch           = 4096
	DefaultCommitTimeout      = 10 * time.Second
	DefaultLinger             = 5 * time.Millisecond
)

// Follower receives events once they are durable, in chain order. Follow
// must not block for long: it runs on the commit path.
type Follower interface {
	Follow(events []*phigate.Event)
}

// Mirror keeps a second copy of every checkpoint (a file, syslog).
type Mirror interface {
	WriteCheckpoint(ctx context.Context, note []byte) error
}

// Log is the audit log: it implements phigate.AuditLog with group commit.
// Concurrent Record calls are batched into one store transaction; each
// returns only once its event is durable. Create with NewLog, set the
// exported fields, then Open.
type Log struct {
	// Store persists the chain. Required.
	Store phigate.AuditStore
	// Origin is the log's identity, the first line of every checkpoint:
	// the same on every node of a deployment. Default DefaultOrigin.
	Origin string
	// Signer is this node's Ed25519 checkpoint key (ed25519.PrivateKey or
	// a signer from the keys package). Required.
	Signer crypto.Signer
	// KeyName names Signer in checkpoint signatures: one per node.
	// Default DefaultKeyName.
	KeyName string
	// CheckpointEvery makes a checkpoint once this many events are not yet
	// covered by one. Default DefaultCheckpointEvery.
	CheckpointEvery int64
	// CheckpointInterval makes a checkpoint this often while events are not
	// covered. Default DefaultCheckpointInterval; negative disables it.
	CheckpointInterval time.Duration
	// MaxBatch bounds the events of one transaction. Default DefaultMaxBatch.
	MaxBatch int
	// CommitTimeout bounds one transaction. Default DefaultCommitTimeout.
	CommitTimeout time.Duration
	// Linger is how long events given to RecordAsync wait for an event
	// someone waits on, to share its commit, before they are committed
	// alone. Default DefaultLinger; zero or negative commits them at once.
	Linger time.Duration
	// Trusted are the verifier keys of the other nodes sharing the log: a
	// node checks the newest checkpoint (whoever signed it) and the events
	// after it before it signs a new one.
	Trusted []VerifierKey
	// FinalCheckpoint makes Close sign a checkpoint over uncovered events.
	// NewLog sets it; tools that only read leave it to the serving nodes.
	FinalCheckpoint bool
	// Mirror, if set, receives a copy of each checkpoint after it is stored.
	Mirror Mirror
	// Followers receive events after they are durable (the SIEM forwarder).
	Followers []Follower
	// OnError, if set, is told of failures off the request path (timed
	// checkpoints, the mirror). The error never holds event contents.
	OnError func(op string, err error)
	// Now is the clock. Default time.Now.
	Now func() time.Time

	signer NoteSigner
	reqs   chan *request
	quit   chan struct{}
	wg     sync.WaitGroup
	mu     sync.RWMutex
	closed bool
}

var _ phigate.AuditLog = (*Log)(nil)

type request struct {
	e     *phigate.Event
	entry []byte
	done  chan error
	// notify, when set, replaces done: the event was given to RecordAsync.
	notify func(error)
}

// finish tells the caller the outcome of the commit of r.
func (r *request) finish(err error) {
	if r.notify != nil {
		r.notify(err)
		return
	}
	r.done <- err
}

// NewLog returns a Log with defaults set.
func NewLog() *Log {
	return &Log{
		Origin:             DefaultOrigin,
		KeyName:            DefaultKeyName,
		CheckpointEvery:    DefaultCheckpointEvery,
		CheckpointInterval: DefaultCheckpointInterval,
		MaxBatch:           DefaultMaxBatch,
		CommitTimeout:      DefaultCommitTimeout,
		Linger:             DefaultLinger,
		FinalCheckpoint:    true,
		Now:                time.Now,
	}
}

// Open checks the configuration and starts the committer.
func (l *Log) Open() error {
	const op = "audit.Log.Open"
	l.signer = NoteSigner{Name: l.KeyName, Key: l.Signer}
	if _, err := l.signer.Verifier(); err != nil {
		return phigate.E(phigate.EINVALID, op, err)
	}
	if l.Store == nil || l.Origin == "" || l.CheckpointEvery <= 0 || l.MaxBatch <= 0 {
		return phigate.Errorf(phigate.EINVALID, op, "store, origin, checkpoint interval and batch size are required")
	}
	l.reqs = make(chan *request, l.MaxBatch)
	l.quit = make(chan struct{})
	l.wg.Add(1)
	go l.commitLoop()
	if l.CheckpointInterval > 0 {
		l.wg.Add(1)
		go l.tickLoop()
	}
	return nil
}

// Close commits pending events, makes a final checkpoint and stops.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed || l.reqs == nil {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.quit)
	close(l.reqs)
	l.mu.Unlock()
	l.wg.Wait()
	if !l.FinalCheckpoint {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.CommitTimeout)
	defer cancel()
	return l.Checkpoint(ctx)
}

// Verifier returns the verifier key of this node's checkpoint signer.
func (l *Log) Verifier() (VerifierKey, error) {
	return NoteSigner{Name: l.KeyName, Key: l.Signer}.Verifier()
}

// Record makes e durable in the chain and sets e.Seq (and e.Time when
// zero). It returns only once the event is committed; the caller must
// refuse the access on any error. Codes: EAUDIT, EINVALID.
func (l *Log) Record(ctx context.Context, e *phigate.Event) error {
	const op = "audit.Log.Record"
	entry, err := l.encode(op, e)
	if err != nil {
		return err
	}
	r := &request{e: e, entry: entry, done: make(chan error, 1)}
	if err := l.enqueue(r); err != nil {
		return phigate.E(phigate.EAUDIT, op, err)
	}
	select {
	case err := <-r.done:
		if err != nil {
			return phigate.E(phigate.EAUDIT, op, err)
		}
		return nil
	case <-ctx.Done():
		return phigate.E(phigate.EAUDIT, op, ctx.Err())
	}
}

// RecordAsync queues e to be committed with the next batch, within Linger,
// and returns without waiting: for an event that refuses nothing, such as
// the result of a call already answered, so that it shares the commit of
// the next event someone waits on. done is called once, on the commit
// goroutine, with the outcome (nil once the event is durable); it must
// not block, and may be nil. An error returned here means e was not
// queued and done will not be called. Close commits queued events.
// Codes: EAUDIT, EINVALID.
func (l *Log) RecordAsync(e *phigate.Event, done func(error)) error {
	const op = "audit.Log.RecordAsync"
	entry, err := l.encode(op, e)
	if err != nil {
		return err
	}
	notify := func(err error) {
		if err != nil {
			err = phigate.E(phigate.EAUDIT, op, err)
		}
		if done != nil {
			done(err)
		}
	}
	if err := l.enqueue(&request{e: e, entry: entry, notify: notify}); err != nil {
		return phigate.E(phigate.EAUDIT, op, err)
	}
	return nil
}

// encode checks e, stamps its time and encodes it as a chain entry.
func (l *Log) encode(op string, e *phigate.Event) ([]byte, error) {
	if e.Action == "" || !validOutcome(e.Outcome) {
		return nil, phigate.Errorf(phigate.EINVALID, op, "event needs an action and a known outcome")
	}
	if e.Time.IsZero() {
		e.Time = l.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Seq = 0
	return Encode(e)
}

func validOutcome(o phigate.Outcome) bool {
	return o == phigate.OutcomeSuccess || o == phigate.OutcomeDenied || o == phigate.OutcomeFailure
}

var errClosed = errors.New("audit log is closed")

func (l *Log) enqueue(r *request) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed || l.reqs == nil {
		return errClosed
	}
	l.reqs <- r
	return nil
}

func (l *Log) commitLoop() {
	defer l.wg.Done()
	batch := make([]*request, 0, l.MaxBatch)
	var linger *time.Timer
	for r := range l.reqs {
		batch = append(batch[:0], r)
		waited := r.notify == nil // someone waits on an event of the batch
	drain:
		for len(batch) < l.MaxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
				waited = waited || r.notify == nil
			default:
				break drain
			}
		}
		if !waited && l.Linger > 0 {
			// Only RecordAsync events: wait a little for one that someone
			// waits on, and share its commit.
			if linger == nil {
				linger = time.NewTimer(l.Linger)
			} else {
				linger.Reset(l.Linger)
			}
		wait:
			for len(batch) < l.MaxBatch {
				select {
				case r, ok := <-l.reqs:
					if !ok {
						break wait
					}
					batch = append(batch, r)
					if r.notify == nil {
						break wait
					}
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		l.commit(batch)
	}
}

func (l *Log) commit(batch []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), l.CommitTimeout)
	defer cancel()
	var cps []*phigate.AuditCheckpoint
	var tailErr error
	err := l.Store.AppendAudit(ctx, func(head phigate.AuditHead) (*phigate.AuditAppend, error) {
		a, err := l.build(ctx, head, batch, &tailErr)
		if a != nil {
			cps = a.Checkpoints
		}
		return a, err
	})
	var events []*phigate.Event
	if err == nil && len(l.Followers) > 0 {
		events = make([]*phigate.Event, len(batch))
		for i, r := range batch { // a copy the caller cannot change
			c := *r.e
			c.Patients = append([]string(nil), r.e.Patients...)
			c.Fields = maps.Clone(r.e.Fields)
			events[i] = &c
		}
	}
	for _, r := range batch {
		r.finish(err)
	}
	if err != nil {
		return
	}
	for _, f := range l.Followers {
		f.Follow(events)
	}
	if tailErr != nil {
		l.report("audit.checkpoint", tailErr)
	}
	l.mirror(ctx, cps)
}

// build chains the batch onto head. It runs inside the append transaction.
// If the committed chain fails its check before a checkpoint is due, the
// events are still appended but no checkpoint is signed, and *tailErr
// says why.
func (l *Log) build(ctx context.Context, head phigate.AuditHead, batch []*request, tailErr *error) (*phigate.AuditAppend, error) {
	st, err := stateOf(head)
	if err != nil {
		return nil, err
	}
	*tailErr = nil
	checked := false
	a := &phigate.AuditAppend{}
	var leaves []Leaf
	var evs []*phigate.Event
	flush := func() {
		if len(leaves) > 0 {
			a.Blocks = append(a.Blocks, blockOf(leaves, evs))
			leaves, evs = nil, nil
		}
	}
	for _, r := range batch {
		seq := st.f.Size + 1
		entry := append([]byte(nil), r.entry...)
		binary.BigEndian.PutUint64(entry[1:9], uint64(seq))
		h := ChainHash(st.prev[:], entry)
		leaves = append(leaves, Leaf{Seq: seq, Entry: entry, Prev: clone(st.prev), Hash: clone(h)})
		evs = append(evs, r.e)
		st.f.Append(h)
		st.prev = h
		r.e.Seq = seq
		if !checked && st.f.Size-head.CheckpointSize >= l.CheckpointEvery {
			*tailErr, checked = l.checkTail(ctx, head), true
		}
		if *tailErr == nil && st.f.Size-head.CheckpointSize >= l.CheckpointEvery {
			cp, err := l.checkpoint(st)
			if err != nil {
				return nil, err
			}
			a.Checkpoints = append(a.Checkpoints, cp)
			head.CheckpointSize = st.f.Size
			flush() // checkpoints end blocks, so archives can end there
		} else if len(leaves) == MaxBlockEvents {
			flush()
		}
	}
	flush()
	a.Head = st.head(head)
	return a, nil
}

func clone(h Hash) []byte { return append([]byte(nil), h[:]...) }

// checkpoint signs the tree state st.
func (l *Log) checkpoint(st *state) (*phigate.AuditCheckpoint, error) {
	c := Checkpoint{Origin: l.Origin, Size: st.f.Size, Root: st.f.Root()}
	note, err := l.signer.Sign(c.Text())
	if err != nil {
		return nil, err
	}
	fr, _ := st.f.MarshalBinary()
	return &phigate.AuditCheckpoint{
		Size: c.Size, Time: l.Now().UTC(), Note: note, Frontier: fr,
		Hash: append([]byte(nil), st.prev[:]...),
	}, nil
}

// Checkpoint signs a checkpoint now if events are not yet covered by one.
// Codes: EAUDIT.
func (l *Log) Checkpoint(ctx context.Context) error {
	var cps []*phigate.AuditCheckpoint
	err := l.Store.AppendAudit(ctx, func(head phigate.AuditHead) (*phigate.AuditAppend, error) {
		if head.Size <= head.CheckpointSize {
			return nil, nil
		}
		st, err := stateOf(head)
		if err != nil {
			return nil, err
		}
		if err := l.checkTail(ctx, head); err != nil {
			return nil, err
		}
		cp, err := l.checkpoint(st)
		if err != nil {
			return nil, err
		}
		head.CheckpointSize = head.Size
		cps = []*phigate.AuditCheckpoint{cp}
		return &phigate.AuditAppend{Checkpoints: cps, Head: head}, nil
	})
	if err != nil {
		return phigate.E(phigate.EAUDIT, "audit.Log.Checkpoint", err)
	}
	l.mirror(ctx, cps)
	return nil
}

func (l *Log) mirror(ctx context.Context, cps []*phigate.AuditCheckpoint) {
	if l.Mirror == nil {
		return
	}
	for _, cp := range cps {
		if err := l.Mirror.WriteCheckpoint(ctx, cp.Note); err != nil {
			l.report("audit.mirror", err)
		}
	}
}

func (l *Log) report(op string, err error) {
	if l.OnError != nil {
		l.OnError(op, err)
	}
}

func (l *Log) tickLoop() {
	defer l.wg.Done()
	t := time.NewTicker(l.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.CommitTimeout)
			if err := l.Checkpoint(ctx); err != nil {
				l.report("audit.checkpoint", err)
			}
			cancel()
		}
	}
}

// state is the chain's end as the audit package sees it.
type state struct {
	f    Frontier
	prev Hash
}

func stateOf(head phigate.AuditHead) (*state, error) {
	f, err := ParseFrontier(head.Size, head.Frontier)
	if err != nil {
		return nil, fmt.Errorf("read chain head: %w", err)
	}
	st := &state{f: f}
	if head.Size > 0 {
		if len(head.Hash) != HashSize {
			return nil, errors.New("read chain head: bad hash")
		}
		copy(st.prev[:], head.Hash)
	}
	return st, nil
}

func (st *state) head(old phigate.AuditHead) phigate.AuditHead {
	fr, _ := st.f.MarshalBinary()
	old.Size, old.Frontier = st.f.Size, fr
	old.Hash = append([]byte(nil), st.prev[:]...)
	if st.f.Size == 0 {
		old.Hash = nil
	}
	return old
}
