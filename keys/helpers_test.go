package keys_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/keys/internal/memstore"
)

// t0 is the fixed clock of the tests.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// detRand returns a deterministic random source for seed, safe for
// concurrent use like crypto/rand (keys may be drawn from many goroutines).
func detRand(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return &lockedReader{r: rand.NewChaCha8(s)}
}

type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// MustRing returns an in-memory ring with deterministic keys.
func MustRing(tb testing.TB) *keys.Ring {
	tb.Helper()
	r, err := keys.NewRing(detRand(1), t0)
	if err != nil {
		tb.Fatal(err)
	}
	r.Now = func() time.Time { return t0 }
	return r
}

// MustEnvelope returns an envelope over a fresh ring and memory store.
func MustEnvelope(tb testing.TB) (*keys.Envelope, *keys.Ring, *memstore.Store) {
	tb.Helper()
	r := MustRing(tb)
	st := memstore.New()
	e := keys.NewEnvelope(r, st)
	e.Now = func() time.Time { return t0 }
	return e, r, st
}

// MustSeal seals plaintext or fails the test.
func MustSeal(tb testing.TB, s phigate.Sealer, subject string, p phigate.Place, plaintext string) []byte {
	tb.Helper()
	ct, err := s.Seal(context.Background(), subject, p, []byte(plaintext))
	if err != nil {
		tb.Fatal(err)
	}
	return ct
}

// MustOpen opens ct and checks it gives want.
func MustOpen(tb testing.TB, s phigate.Sealer, subject string, p phigate.Place, ct []byte, want string) {
	tb.Helper()
	pt, err := s.Open(context.Background(), subject, p, ct)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	if string(pt) != want {
		tb.Fatalf("Open = %q, want %q", pt, want)
	}
}

// wantCode fails unless err has code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := phigate.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

// noPHI fails if err's text or the user message contains any of the values.
func noPHI(tb testing.TB, err error, values ...string) {
	tb.Helper()
	for _, v := range values {
		if strings.Contains(err.Error(), v) || strings.Contains(phigate.ErrorMessage(err), v) {
			tb.Fatalf("error %q contains PHI %q", err, v)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func tlsPair(cert, key []byte) (tls.Certificate, error) { return tls.X509KeyPair(cert, key) }
