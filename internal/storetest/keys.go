package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
)

// keyOpener opens a fresh key store and the clock of its test.
type keyOpener func(tb testing.TB) (phigate.KeyStore, *Clock)

func testKeys(t *testing.T, open Opener) {
	runKeys(t, func(tb testing.TB) (phigate.KeyStore, *Clock) {
		s, c := MustOpen(tb, open)
		return s, c
	})
}

// RunKeyStore runs the key-store part of the contract against a store that
// implements only phigate.KeyStore (the in-memory store of package keys).
func RunKeyStore(t *testing.T, open func(tb testing.TB) phigate.KeyStore) {
	runKeys(t, func(tb testing.TB) (phigate.KeyStore, *Clock) { return open(tb), NewClock() })
}

func runKeys(t *testing.T, open keyOpener) {
	t.Run("DataKeys", func(t *testing.T) { testDataKeys(t, open) })
	t.Run("DataKeysBelow", func(t *testing.T) { testDataKeysBelow(t, open) })
	t.Run("RewrapDataKeys", func(t *testing.T) { testRewrapDataKeys(t, open) })
	t.Run("Shred", func(t *testing.T) { testShred(t, open) })
	t.Run("RewrapJob", func(t *testing.T) { testRewrapJob(t, open) })
	t.Run("Envelope", func(t *testing.T) { testEnvelope(t, open) })
}

// wrapped returns a wrapped-key fixture whose bytes include zeros and
// high bytes, to catch text conversions.
func wrapped(subject string, id, version uint32, at time.Time) *phigate.WrappedKey {
	return &phigate.WrappedKey{Subject: subject, ID: id, KEKVersion: version,
		Wrapped: []byte{0, 1, 0xff, 0x80, byte(id), byte(version), 0}, CreatedAt: at}
}

func testDataKeys(t *testing.T, open keyOpener) {
	ctx := context.Background()
	s, clock := open(t)
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:a", 1, 3, clock.T)))
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:a", 2, 4, clock.T)))
	t.Run("OK", func(t *testing.T) {
		got, err := s.DataKey(ctx, "patient:a", 1)
		NoErr(t, err)
		want := wrapped("patient:a", 1, 3, clock.T)
		if got.Subject != want.Subject || got.ID != 1 || got.KEKVersion != 3 || !bytes.Equal(got.Wrapped, want.Wrapped) ||
			!got.CreatedAt.Equal(clock.T) || !got.RewrappedAt.IsZero() {
			t.Fatalf("DataKey = %+v, want %+v", got, want)
		}
	})
	t.Run("OKLatest", func(t *testing.T) {
		got, err := s.LatestDataKey(ctx, "patient:a")
		NoErr(t, err)
		if got.ID != 2 || got.KEKVersion != 4 {
			t.Fatalf("LatestDataKey = %+v", got)
		}
	})
	t.Run("OKCount", func(t *testing.T) {
		c, err := s.CountDataKeys(ctx)
		NoErr(t, err)
		if len(c) != 2 || c[3] != 1 || c[4] != 1 {
			t.Fatalf("CountDataKeys = %v", c)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		ErrCode(t, s.CreateDataKey(ctx, wrapped("patient:a", 1, 9, clock.T)), phigate.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.DataKey(ctx, "patient:a", 7)
		ErrCode(t, err, phigate.ENOTFOUND)
		_, err = s.LatestDataKey(ctx, "patient:b")
		ErrCode(t, err, phigate.ENOTFOUND)
	})
}

func testDataKeysBelow(t *testing.T, open keyOpener) {
	ctx := context.Background()
	s, clock := open(t)
	for i := range 7 {
		v := uint32(1 + i%2) // versions 1, 2, 1, 2, ...
		NoErr(t, s.CreateDataKey(ctx, wrapped(fmt.Sprintf("patient:%d", i), 1, v, clock.T)))
	}
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:0", 2, 1, clock.T)))
	NoErr(t, s.CreateDataKey(ctx, wrapped("Patient:Z", 1, 1, clock.T))) // sorts first bytewise
	var got []string
	cur := phigate.KeyCursor{}
	for {
		page, err := s.DataKeysBelow(ctx, 2, cur, 2)
		NoErr(t, err)
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, limit 2", len(page))
		}
		for _, k := range page {
			if k.KEKVersion >= 2 {
				t.Fatalf("key under version %d listed below 2", k.KEKVersion)
			}
			got = append(got, fmt.Sprintf("%s/%d", k.Subject, k.ID))
		}
		last := page[len(page)-1]
		cur = phigate.KeyCursor{Subject: last.Subject, ID: last.ID}
	}
	want := "[Patient:Z/1 patient:0/1 patient:0/2 patient:2/1 patient:4/1 patient:6/1]"
	if fmt.Sprint(got) != want {
		t.Fatalf("keys below 2 = %v, want %s", got, want)
	}
}

func testRewrapDataKeys(t *testing.T, open keyOpener) {
	ctx := context.Background()
	s, clock := open(t)
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:a", 1, 1, clock.T)))
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:b", 1, 1, clock.T)))
	later := clock.T.Add(time.Hour)
	a := &phigate.WrappedKey{Subject: "patient:a", ID: 1, KEKVersion: 2, Wrapped: []byte("new-a"), RewrappedAt: later}
	b := &phigate.WrappedKey{Subject: "patient:b", ID: 1, KEKVersion: 2, Wrapped: []byte("new-b"), RewrappedAt: later}
	gone := &phigate.WrappedKey{Subject: "patient:gone", ID: 1, KEKVersion: 2, Wrapped: []byte("x"), RewrappedAt: later}
	// b claims to replace version 5, but is stored under 1: someone else
	// re-wrapped it meanwhile, so it must be left alone.
	n, err := s.RewrapDataKeys(ctx, []*phigate.WrappedKey{a, b, gone}, []uint32{1, 5, 1})
	NoErr(t, err)
	if n != 1 {
		t.Fatalf("replaced %d keys, want 1", n)
	}
	got, _ := s.DataKey(ctx, "patient:a", 1)
	if got.KEKVersion != 2 || string(got.Wrapped) != "new-a" || !got.RewrappedAt.Equal(later) || !got.CreatedAt.Equal(clock.T) {
		t.Fatalf("rewrapped key = %+v", got)
	}
	got, _ = s.DataKey(ctx, "patient:b", 1)
	if got.KEKVersion != 1 || string(got.Wrapped) == "new-b" {
		t.Fatalf("key changed meanwhile was overwritten: %+v", got)
	}
	_, err = s.RewrapDataKeys(ctx, []*phigate.WrappedKey{a}, nil)
	ErrCode(t, err, phigate.EINVALID)
}

func testShred(t *testing.T, open keyOpener) {
	ctx := context.Background()
	s, clock := open(t)
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:a", 1, 1, clock.T)))
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:a", 2, 1, clock.T)))
	NoErr(t, s.CreateDataKey(ctx, wrapped("patient:b", 1, 1, clock.T)))
	t.Run("OK", func(t *testing.T) {
		r, err := s.ShredSubject(ctx, "patient:a", clock.T)
		NoErr(t, err)
		if r.Subject != "patient:a" || r.Keys != 2 || !r.ShreddedAt.Equal(clock.T) {
			t.Fatalf("shred = %+v", r)
		}
		_, err = s.DataKey(ctx, "patient:a", 1)
		ErrCode(t, err, phigate.ENOTFOUND)
		if _, err := s.DataKey(ctx, "patient:b", 1); err != nil {
			t.Fatalf("other subject's key is gone: %v", err)
		}
	})
	t.Run("OKSecondKeepsFirst", func(t *testing.T) {
		r, err := s.ShredSubject(ctx, "patient:a", clock.T.Add(time.Hour))
		NoErr(t, err)
		if r.Keys != 2 || !r.ShreddedAt.Equal(clock.T) {
			t.Fatalf("second shred = %+v", r)
		}
	})
	t.Run("ErrForbiddenCreateAfterShred", func(t *testing.T) {
		ErrCode(t, s.CreateDataKey(ctx, wrapped("patient:a", 3, 1, clock.T)), phigate.EFORBIDDEN)
	})
	t.Run("OKList", func(t *testing.T) {
		_, err := s.ShredSubject(ctx, "patient:never-had-keys", clock.T.Add(-time.Hour))
		NoErr(t, err)
		l, err := s.ListShreds(ctx)
		NoErr(t, err)
		if len(l) != 2 || l[0].Subject != "patient:never-had-keys" || l[0].Keys != 0 || l[1].Subject != "patient:a" {
			t.Fatalf("ListShreds = %+v %+v", l[0], l[1])
		}
	})
	t.Run("ErrNotFoundShredOf", func(t *testing.T) {
		_, err := s.ShredOf(ctx, "patient:b")
		ErrCode(t, err, phigate.ENOTFOUND)
	})
}

func testRewrapJob(t *testing.T, open keyOpener) {
	ctx := context.Background()
	s, clock := open(t)
	_, err := s.RewrapJob(ctx, 2)
	ErrCode(t, err, phigate.ENOTFOUND)
	j := &phigate.RewrapJob{Target: 2, Total: 10, StartedAt: clock.T, UpdatedAt: clock.T}
	NoErr(t, s.SaveRewrapJob(ctx, j))
	j.Done, j.Failed, j.Cursor = 5, 1, phigate.KeyCursor{Subject: "patient:e", ID: 1}
	j.UpdatedAt, j.FinishedAt = clock.T.Add(time.Minute), clock.T.Add(2*time.Minute)
	NoErr(t, s.SaveRewrapJob(ctx, j))
	got, err := s.RewrapJob(ctx, 2)
	NoErr(t, err)
	if *got != *j {
		t.Fatalf("RewrapJob = %+v, want %+v", got, j)
	}
}

// testEnvelope runs the real envelope over the store: seal, rotate,
// rewrap, restart, shred.
func testEnvelope(t *testing.T, open keyOpener) {
	ctx := context.Background()
	s, _ := open(t)
	ring, err := keys.NewRing(nil, time.Now())
	NoErr(t, err)
	e := keys.NewEnvelope(ring, s)
	place := phigate.Place{Table: "notes", Row: "n-1", Field: "body"}
	sealed := map[string][]byte{}
	for i := range 30 {
		subj := fmt.Sprintf("patient:%02d", i)
		sealed[subj], err = e.Seal(ctx, subj, place, []byte("note of "+subj))
		NoErr(t, err)
	}
	_, err = e.Rotate(ctx)
	NoErr(t, err)
	job, err := e.Rewrap(ctx, nil)
	NoErr(t, err)
	if job.Done != 30 || job.FinishedAt.IsZero() {
		t.Fatalf("rewrap = %+v", job)
	}
	NoErr(t, e.Retire(ctx, 2, false))
	NoErr(t, e.Shred(ctx, "patient:07"))
	fresh := keys.NewEnvelope(ring, s) // a restarted node: empty cache
	for subj, ct := range sealed {
		pt, err := fresh.Open(ctx, subj, place, ct)
		if subj == "patient:07" {
			ErrCode(t, err, phigate.ENOTFOUND)
			continue
		}
		NoErr(t, err)
		if string(pt) != "note of "+subj {
			t.Fatalf("Open = %q", pt)
		}
	}
}
