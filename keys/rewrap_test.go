package keys_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/keys/internal/memstore"
)

// crashStore fails RewrapDataKeys after a number of calls: a process that
// dies in the middle of a rewrap.
type crashStore struct {
	*memstore.Store
	left int
}

func (s *crashStore) RewrapDataKeys(ctx context.Context, k []*phigate.WrappedKey, from []uint32) (int, error) {
	if s.left == 0 {
		return 0, phigate.Errorf(phigate.EUNAVAILABLE, "crashStore", "crashed")
	}
	s.left--
	return s.Store.RewrapDataKeys(ctx, k, from)
}

// sealMany seals one value for each of n subjects.
func sealMany(tb testing.TB, e *keys.Envelope, n int) map[string][]byte {
	tb.Helper()
	cts := make(map[string][]byte, n)
	for i := range n {
		s := fmt.Sprintf("patient:%05d", i)
		cts[s] = MustSeal(tb, e, s, placeName, "value "+s)
	}
	return cts
}

func TestRewrap(t *testing.T) {
	ctx := context.Background()
	e, r, st := MustEnvelope(t)
	const n = 1234 // three batches
	cts := sealMany(t, e, n)
	if _, err := e.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	var calls int
	var last phigate.RewrapJob
	job, err := e.Rewrap(ctx, func(j *phigate.RewrapJob) { calls++; last = *j })
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKAllUnderNewVersion", func(t *testing.T) {
		counts, _ := st.CountDataKeys(ctx)
		if counts[2] != n || len(counts) != 1 {
			t.Fatalf("counts = %v, want %d under version 2", counts, n)
		}
		if job.Done != n || job.Total != n || job.Failed != 0 || job.FinishedAt.IsZero() {
			t.Fatalf("job = %+v", job)
		}
		if calls != 4 || last.FinishedAt.IsZero() { // three batches, then done
			t.Fatalf("progress called %d times, last %+v; want 4, finished", calls, last)
		}
	})
	t.Run("OKRecordsUnchangedAndReadable", func(t *testing.T) {
		if err := r.Retire(ctx, 2); err != nil {
			t.Fatal(err)
		}
		fresh := keys.NewEnvelope(r, st) // no cached data keys
		for s, ct := range cts {
			MustOpen(t, fresh, s, placeName, ct, "value "+s)
		}
	})
	t.Run("OKAgainIsNoop", func(t *testing.T) {
		j, err := e.Rewrap(ctx, nil)
		if err != nil || j.Done != n {
			t.Fatalf("second rewrap = %+v, %v", j, err)
		}
	})
}

func TestRewrapResume(t *testing.T) {
	ctx := context.Background()
	e, r, mem := MustEnvelope(t)
	cts := sealMany(t, e, 1200)
	if _, err := r.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	cs := &crashStore{Store: mem, left: 1}
	crashing := keys.NewEnvelope(r, cs)
	job, err := crashing.Rewrap(ctx, nil)
	wantCode(t, err, phigate.EUNAVAILABLE)
	if job.Done != keys.DefaultRewrapBatch {
		t.Fatalf("before the crash, done = %d, want %d", job.Done, keys.DefaultRewrapBatch)
	}
	saved, err := mem.RewrapJob(ctx, 2)
	if err != nil || saved.Done != keys.DefaultRewrapBatch || !saved.FinishedAt.IsZero() {
		t.Fatalf("saved job = %+v, %v", saved, err)
	}
	// A new process resumes from the saved cursor.
	job, err = keys.NewEnvelope(r, mem).Rewrap(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if job.Done != 1200 || job.Total != 1200 || job.StartedAt != saved.StartedAt {
		t.Fatalf("resumed job = %+v", job)
	}
	counts, _ := mem.CountDataKeys(ctx)
	if counts[2] != 1200 {
		t.Fatalf("counts = %v", counts)
	}
	fresh := keys.NewEnvelope(r, mem)
	for s, ct := range cts {
		MustOpen(t, fresh, s, placeName, ct, "value "+s)
	}
}

// TestRewrapDamagedKey leaves a tampered wrapped key as it is, counts it
// and re-wraps the rest.
func TestRewrapDamagedKey(t *testing.T) {
	ctx := context.Background()
	e, r, st := MustEnvelope(t)
	sealMany(t, e, 10)
	w, _ := st.DataKey(ctx, "patient:00003", 1)
	// A copy of the store where one wrapped key has a flipped bit.
	damaged := memstore.New()
	for i := range 10 {
		k, _ := st.DataKey(ctx, fmt.Sprintf("patient:%05d", i), 1)
		if k.Subject == w.Subject {
			k.Wrapped = flip(k.Wrapped, 20)
			w = k
		}
		if err := damaged.CreateDataKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	var failed []string
	e2 := keys.NewEnvelope(r, damaged)
	e2.OnError = func(_ context.Context, op, subject string, _ phigate.Place, err error) {
		failed = append(failed, subject)
	}
	job, err := e2.Rewrap(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if job.Done != 9 || job.Failed != 1 || len(failed) != 1 || failed[0] != "patient:00003" {
		t.Fatalf("job = %+v, reported %v", job, failed)
	}
	got, _ := damaged.DataKey(ctx, "patient:00003", 1)
	if got.KEKVersion != 1 || !bytes.Equal(got.Wrapped, w.Wrapped) {
		t.Fatal("damaged key was overwritten")
	}
}

func TestRetire(t *testing.T) {
	ctx := context.Background()
	e, _, _ := MustEnvelope(t)
	sealMany(t, e, 3)
	if _, err := e.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrConflictStillWrapped", func(t *testing.T) {
		wantCode(t, e.Retire(ctx, 2, false), phigate.ECONFLICT)
	})
	t.Run("OKAfterRewrap", func(t *testing.T) {
		if _, err := e.Rewrap(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.Retire(ctx, 2, false); err != nil {
			t.Fatal(err)
		}
		s, err := e.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.KEK.Min != 2 || s.DataKeys[2] != 3 || s.Rewrap == nil || s.Rewrap.Done != 3 {
			t.Fatalf("status = %+v", s)
		}
	})
}

func TestCheckRotation(t *testing.T) {
	ctx := context.Background()
	r := MustRing(t) // version 1 made at t0
	for name, c := range map[string]struct {
		now time.Time
		due bool
	}{
		"OKFresh": {t0.Add(24 * time.Hour), false},
		"OKDue":   {t0.Add(keys.DefaultRotationPeriod + time.Hour), true},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := keys.CheckRotation(ctx, r, 0, c.now)
			if err != nil || got.Due != c.due || got.Age != c.now.Sub(t0) {
				t.Fatalf("CheckRotation = %+v, %v; want due %v", got, err, c.due)
			}
		})
	}
}
