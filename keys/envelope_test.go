package keys_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/phigate/phigate"
)

var (
	placeName = phigate.Place{Table: "patients", Row: "p-1", Field: "name"}
	placeMRN  = phigate.Place{Table: "patients", Row: "p-1", Field: "mrn"}
)

const phiName = "Jane Q. Doe, born 1961-04-12"

func TestEnvelopeSealOpen(t *testing.T) {
	ctx := context.Background()
	e, _, st := MustEnvelope(t)
	t.Run("OK", func(t *testing.T) {
		ct := MustSeal(t, e, "patient:p-1", placeName, phiName)
		if bytes.Contains(ct, []byte("Jane")) {
			t.Fatal("sealed value holds the plaintext")
		}
		MustOpen(t, e, "patient:p-1", placeName, ct, phiName)
	})
	t.Run("OKEmpty", func(t *testing.T) {
		ct := MustSeal(t, e, "patient:p-1", placeName, "")
		MustOpen(t, e, "patient:p-1", placeName, ct, "")
	})
	t.Run("OKFreshEnvelope", func(t *testing.T) {
		// Another node (its own cache) opens what the first sealed.
		ct := MustSeal(t, e, "patient:p-2", placeName, phiName)
		e2, _, _ := MustEnvelope(t)
		e2.Store = st
		MustOpen(t, e2, "patient:p-2", placeName, ct, phiName)
	})
	t.Run("OKNoncesDiffer", func(t *testing.T) {
		a := MustSeal(t, e, "patient:p-1", placeName, phiName)
		b := MustSeal(t, e, "patient:p-1", placeName, phiName)
		if bytes.Equal(a, b) {
			t.Fatal("two seals of the same value are equal")
		}
	})
	t.Run("OKOneKeyPerSubject", func(t *testing.T) {
		counts, err := st.CountDataKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[1] != 2 {
			t.Fatalf("data keys = %v, want 2 under version 1", counts)
		}
	})
	t.Run("ErrInvalidNoSubject", func(t *testing.T) {
		_, err := e.Seal(ctx, "", placeName, []byte(phiName))
		wantCode(t, err, phigate.EINVALID)
	})
}

// TestEnvelopeTamper changes a sealed value or where it is opened: every
// change fails with ECRYPTO, names no PHI, is reported to OnError, and the
// original still opens.
func TestEnvelopeTamper(t *testing.T) {
	ctx := context.Background()
	e, _, _ := MustEnvelope(t)
	var reported []string
	e.OnError = func(_ context.Context, op, subject string, p phigate.Place, err error) {
		reported = append(reported, op+" "+subject+" "+p.Table+"."+p.Field)
	}
	ct := MustSeal(t, e, "patient:p-1", placeName, phiName)
	other := MustSeal(t, e, "patient:p-9", phigate.Place{Table: "patients", Row: "p-9", Field: "name"}, "John Roe")
	cases := []struct {
		name    string
		subject string
		place   phigate.Place
		ct      []byte
	}{
		{"ErrFlipFormat", "patient:p-1", placeName, flip(ct, 0)},
		{"ErrFlipKeyID", "patient:p-1", placeName, flip(ct, 4)},
		{"ErrFlipNonce", "patient:p-1", placeName, flip(ct, 8)},
		{"ErrFlipCiphertext", "patient:p-1", placeName, flip(ct, 20)},
		{"ErrFlipTag", "patient:p-1", placeName, flip(ct, len(ct)-1)},
		{"ErrTruncatedTag", "patient:p-1", placeName, ct[:len(ct)-1]},
		{"ErrTruncatedHeader", "patient:p-1", placeName, ct[:3]},
		{"ErrEmpty", "patient:p-1", placeName, nil},
		{"ErrAppended", "patient:p-1", placeName, append(bytes.Clone(ct), 0)},
		{"ErrOtherField", "patient:p-1", placeMRN, ct},
		{"ErrOtherRow", "patient:p-1", phigate.Place{Table: "patients", Row: "p-2", Field: "name"}, ct},
		{"ErrOtherTable", "patient:p-1", phigate.Place{Table: "notes", Row: "p-1", Field: "name"}, ct},
		{"ErrRowSwap", "patient:p-1", placeName, other},
		{"ErrOtherSubject", "patient:p-9", placeName, ct},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := len(reported)
			_, err := e.Open(ctx, c.subject, c.place, c.ct)
			wantCode(t, err, phigate.ECRYPTO)
			noPHI(t, err, "Jane", "1961", "John Roe")
			if len(reported) != n+1 {
				t.Fatalf("OnError called %d times, want 1", len(reported)-n)
			}
		})
	}
	MustOpen(t, e, "patient:p-1", placeName, ct, phiName)
}

func TestEnvelopeShred(t *testing.T) {
	ctx := context.Background()
	e, _, st := MustEnvelope(t)
	ct := MustSeal(t, e, "patient:p-1", placeName, phiName)
	keep := MustSeal(t, e, "patient:p-2", placeName, "Other Patient")
	backup := bytes.Clone(ct) // a copy in a backup
	if err := e.Shred(ctx, "patient:p-1"); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrNotFoundOpen", func(t *testing.T) {
		_, err := e.Open(ctx, "patient:p-1", placeName, backup)
		wantCode(t, err, phigate.ENOTFOUND)
	})
	t.Run("ErrNotFoundSeal", func(t *testing.T) {
		_, err := e.Seal(ctx, "patient:p-1", placeName, []byte(phiName))
		wantCode(t, err, phigate.ENOTFOUND)
	})
	t.Run("OKOthersReadable", func(t *testing.T) {
		MustOpen(t, e, "patient:p-2", placeName, keep, "Other Patient")
	})
	t.Run("OKRecorded", func(t *testing.T) {
		s, err := st.ShredOf(ctx, "patient:p-1")
		if err != nil {
			t.Fatal(err)
		}
		if s.Keys != 1 || !s.ShreddedAt.Equal(t0) {
			t.Fatalf("shred = %+v, want 1 key at %v", s, t0)
		}
	})
	t.Run("OKTwice", func(t *testing.T) {
		if err := e.Shred(ctx, "patient:p-1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEnvelopeMissingKey(t *testing.T) {
	ctx := context.Background()
	e, _, _ := MustEnvelope(t)
	ct := MustSeal(t, e, "patient:p-1", placeName, phiName)
	e2, _, _ := MustEnvelope(t) // a database without the key, never shredded
	_, err := e2.Open(ctx, "patient:p-1", placeName, ct)
	wantCode(t, err, phigate.ECRYPTO)
	if !strings.Contains(err.Error(), "missing") {
		t.Fatalf("error %q does not say the key is missing", err)
	}
}

func TestEnvelopeStoreDown(t *testing.T) {
	ctx := context.Background()
	e, _, st := MustEnvelope(t)
	st.Fail = phigate.Errorf(phigate.EUNAVAILABLE, "memstore", "down")
	_, err := e.Seal(ctx, "patient:p-1", placeName, []byte(phiName))
	wantCode(t, err, phigate.EUNAVAILABLE)
}

// TestEnvelopeConcurrentFirstUse races many writers to create one
// subject's data key: all of them must end up with the same key.
func TestEnvelopeConcurrentFirstUse(t *testing.T) {
	_, r, st := MustEnvelope(t)
	var wg sync.WaitGroup
	cts := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range cts {
		wg.Go(func() {
			e, _, _ := MustEnvelope(t) // separate caches, shared store
			e.KMS, e.Hasher, e.Store = r, r, st
			cts[i], errs[i] = e.Seal(context.Background(), "patient:p-1", placeName, []byte(phiName))
		})
	}
	wg.Wait()
	e, _, _ := MustEnvelope(t)
	e.KMS, e.Store = r, st
	for i, ct := range cts {
		if err := errors.Join(errs[i]); err != nil {
			t.Fatal(err)
		}
		MustOpen(t, e, "patient:p-1", placeName, ct, phiName)
	}
}

func TestEnvelopeHMAC(t *testing.T) {
	e, r, _ := MustEnvelope(t)
	a := e.HMAC("blind.mrn", []byte("MRN-0012345"))
	if a != r.HMAC("blind.mrn", []byte("MRN-0012345")) {
		t.Fatal("envelope and ring HMACs differ")
	}
	if a == e.HMAC("audit.patient", []byte("MRN-0012345")) {
		t.Fatal("HMACs of two domains are equal")
	}
	if strings.Contains(a, "12345") || len(a) != 32 {
		t.Fatalf("HMAC = %q, want 32 hex characters", a)
	}
}
