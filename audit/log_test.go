package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// MustLog opens a Log over store with a fixed clock and key 1.
func MustLog(tb testing.TB, store phigate.AuditStore, every int64) *audit.Log {
	tb.Helper()
	return MustNodeLog(tb, store, every, 1)
}

// MustNodeLog opens a Log for node n signing with key n.
func MustNodeLog(tb testing.TB, store phigate.AuditStore, every int64, n byte) *audit.Log {
	tb.Helper()
	l := audit.NewLog()
	l.Store = store
	l.Signer = MustKey(tb, n)
	l.KeyName = fmt.Sprintf("node%d", n)
	l.CheckpointEvery = every
	l.CheckpointInterval = -1
	var mu sync.Mutex
	now := t0
	l.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	if err := l.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func event(i int) *phigate.Event {
	return &phigate.Event{
		Actor: fmt.Sprintf("user-%d", i%3), Source: "10.0.0.1", Action: "patient.read",
		Resource: "patient:h" + fmt.Sprint(i%5), Purpose: phigate.PurposeTreatment,
		Outcome: phigate.OutcomeSuccess, RequestID: fmt.Sprintf("req-%d", i),
		Patients: []string{"h" + fmt.Sprint(i%5)},
		Fields:   map[string]string{"n": fmt.Sprint(i)},
	}
}

// MustRecord records n events and returns them.
func MustRecord(tb testing.TB, l *audit.Log, n int) []*phigate.Event {
	tb.Helper()
	out := make([]*phigate.Event, n)
	for i := range out {
		out[i] = event(i)
		if err := l.Record(context.Background(), out[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

func verifier(tb testing.TB, store phigate.AuditStore) *audit.Verifier {
	return &audit.Verifier{Store: store, Keys: []audit.VerifierKey{MustVerifier(tb, audit.NoteSigner{Name: "node1", Key: MustKey(tb, 1)})}}
}

func MustVerify(tb testing.TB, store phigate.AuditStore) *audit.Report {
	tb.Helper()
	rep, err := verifier(tb, store).Verify(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func TestRecordChainsAndCheckpoints(t *testing.T) {
	store := audittest.NewStore()
	l := MustLog(t, store, 10)
	evs := MustRecord(t, l, 25)
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d got seq %d", i, e.Seq)
		}
	}
	if len(store.Checkpoints) != 2 {
		t.Fatalf("%d checkpoints, want 2", len(store.Checkpoints))
	}
	if err := l.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := MustVerify(t, store)
	if !rep.OK() || rep.Size != 25 || rep.Covered != 25 || rep.Checkpoints != 3 {
		t.Fatalf("report %+v %v", rep, rep.Problem)
	}
	got, err := audit.Decode(leavesOf(t, store)[7].Entry)
	if err != nil || got.RequestID != "req-7" || got.Seq != 8 || !got.Time.Equal(evs[7].Time) {
		t.Fatalf("decoded %+v, %v", got, err)
	}
}

func TestRecordConcurrentGroupCommit(t *testing.T) {
	store := audittest.NewStore()
	l := MustLog(t, store, 100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if err := l.Record(context.Background(), event(g*50+i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if rep := MustVerify(t, store); !rep.OK() || rep.Size != 400 || rep.Covered != 400 {
		t.Fatalf("report %+v %v", rep, rep.Problem)
	}
}

func TestRecordFailsClosed(t *testing.T) {
	store := audittest.NewStore()
	l := MustLog(t, store, 10)
	store.Fail = errors.New("disk full")
	err := l.Record(context.Background(), event(1))
	if phigate.ErrorCode(err) != phigate.EAUDIT {
		t.Fatalf("err = %v, want EAUDIT", err)
	}
	t.Run("ErrClosed", func(t *testing.T) {
		store.Fail = nil
		l.Close()
		if err := l.Record(context.Background(), event(1)); phigate.ErrorCode(err) != phigate.EAUDIT {
			t.Fatalf("err = %v, want EAUDIT", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		l := MustLog(t, audittest.NewStore(), 10)
		if err := l.Record(context.Background(), &phigate.Event{Action: "x", Outcome: "maybe"}); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}

func TestTwoNodesOneChain(t *testing.T) {
	// Two logs (two nodes with their own keys) append to one store; the
	// chain stays one and verifies with both nodes' keys.
	store := audittest.NewStore()
	a := MustLog(t, store, 7)
	b := MustNodeLog(t, store, 7, 2)
	a.Trusted = []audit.VerifierKey{MustVerifier(t, audit.NoteSigner{Name: "node2", Key: MustKey(t, 2)})}
	b.Trusted = []audit.VerifierKey{MustVerifier(t, audit.NoteSigner{Name: "node1", Key: MustKey(t, 1)})}
	var wg sync.WaitGroup
	for _, l := range []*audit.Log{a, b} {
		wg.Go(func() { MustRecord(t, l, 40) })
	}
	wg.Wait()
	a.Close()
	b.Close()
	v := verifier(t, store)
	v.Keys = append(v.Keys, MustVerifier(t, audit.NoteSigner{Name: "node2", Key: MustKey(t, 2)}))
	rep, err := v.Verify(context.Background())
	if err != nil || !rep.OK() || rep.Size != 80 || rep.Covered != 80 || len(rep.Signers) != 2 {
		t.Fatalf("report %+v %v %v", rep, rep.Problem, err)
	}
}

func TestNoCheckpointOverDamagedChain(t *testing.T) {
	// An event edited after the newest checkpoint: the node keeps
	// recording but refuses to sign a checkpoint over the damage.
	store := audittest.NewStore()
	l := MustLog(t, store, 10)
	var mu sync.Mutex
	var reported []error
	l.OnError = func(op string, err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}
	MustRecord(t, l, 15)
	ls := leavesOf(t, store)
	editEntry(&ls[11])
	store.Mu.Lock()
	for _, b := range store.Blocks {
		if b.First <= 12 && b.Last >= 12 {
			bl, _ := audit.DecodeBlock(b.Data)
			bl[12-b.First] = ls[11]
			b.Data = audit.EncodeBlock(bl)
		}
	}
	store.Mu.Unlock()
	MustRecord(t, l, 10)
	mu.Lock()
	defer mu.Unlock()
	if len(store.Checkpoints) != 1 || len(reported) == 0 || !errors.Is(reported[0], audit.ErrChainDamaged) {
		t.Fatalf("%d checkpoints, reported %v", len(store.Checkpoints), reported)
	}
	if err := l.Checkpoint(context.Background()); phigate.ErrorCode(err) != phigate.EAUDIT {
		t.Fatalf("Checkpoint over damage: %v", err)
	}
	if h, _ := store.AuditHead(context.Background()); h.Size != 25 {
		t.Fatalf("events not recorded: head %d", h.Size)
	}
}

// countingStore counts the transactions of an audit store.
type countingStore struct {
	*audittest.Store
	mu      sync.Mutex
	appends int
}

func (s *countingStore) AppendAudit(ctx context.Context, fn func(phigate.AuditHead) (*phigate.AuditAppend, error)) error {
	s.mu.Lock()
	s.appends++
	s.mu.Unlock()
	return s.Store.AppendAudit(ctx, fn)
}

func (s *countingStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

func TestRecordAsync(t *testing.T) {
	t.Run("CommittedAloneAfterLinger", func(t *testing.T) {
		store := &countingStore{Store: audittest.NewStore()}
		l := MustLog(t, store, 100)
		done := make(chan error, 1)
		if err := l.RecordAsync(event(1), func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if h, _ := store.AuditHead(context.Background()); h.Size != 1 || store.count() != 1 {
			t.Fatalf("size %d after %d transactions", h.Size, store.count())
		}
	})
	t.Run("SharesTheNextCommit", func(t *testing.T) {
		store := &countingStore{Store: audittest.NewStore()}
		l := MustLog(t, store, 100)
		l.Linger = time.Hour // only a waited event or Close commits it
		done := make(chan error, 1)
		async := event(1)
		if err := l.RecordAsync(async, func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		waited := event(2)
		if err := l.Record(context.Background(), waited); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if store.count() != 1 || async.Seq != 1 || waited.Seq != 2 {
			t.Fatalf("%d transactions, seqs %d %d; want one transaction, 1 then 2", store.count(), async.Seq, waited.Seq)
		}
	})
	t.Run("CloseCommitsQueued", func(t *testing.T) {
		store := &countingStore{Store: audittest.NewStore()}
		l := MustLog(t, store, 100)
		l.Linger = time.Hour
		var got []error
		var mu sync.Mutex
		for i := range 3 {
			if err := l.RecordAsync(event(i), func(err error) { mu.Lock(); got = append(got, err); mu.Unlock() }); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 3 || got[0] != nil || got[1] != nil || got[2] != nil {
			t.Fatalf("outcomes %v", got)
		}
		if rep := MustVerify(t, store.Store); !rep.OK() || rep.Size != 3 {
			t.Fatalf("report %+v %v", rep, rep.Problem)
		}
	})
	t.Run("NilDone", func(t *testing.T) {
		store := audittest.NewStore()
		l := MustLog(t, store, 100)
		if err := l.RecordAsync(event(1), nil); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if rep := MustVerify(t, store); !rep.OK() || rep.Size != 1 {
			t.Fatalf("report %+v %v", rep, rep.Problem)
		}
	})
	t.Run("ErrStoreReported", func(t *testing.T) {
		store := audittest.NewStore()
		l := MustLog(t, store, 100)
		store.Fail = errors.New("disk full")
		done := make(chan error, 1)
		if err := l.RecordAsync(event(1), func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; phigate.ErrorCode(err) != phigate.EAUDIT {
			t.Fatalf("outcome %v, want EAUDIT", err)
		}
	})
	t.Run("ErrClosedOrInvalid", func(t *testing.T) {
		l := MustLog(t, audittest.NewStore(), 100)
		never := func(error) { t.Error("done called for an event never queued") }
		if err := l.RecordAsync(&phigate.Event{Action: "x", Outcome: "maybe"}, never); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		l.Close()
		if err := l.RecordAsync(event(1), never); phigate.ErrorCode(err) != phigate.EAUDIT {
			t.Fatalf("err = %v, want EAUDIT", err)
		}
	})
}
