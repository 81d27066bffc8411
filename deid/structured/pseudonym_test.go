package structured_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

// gcmSealer is an AES-GCM Sealer for tests, binding values to their
// place; the keys package implements the real one.
type gcmSealer struct{ aead cipher.AEAD }

func newGCMSealer(t testing.TB) gcmSealer {
	block, err := aes.NewCipher(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	aead, _ := cipher.NewGCM(block)
	return gcmSealer{aead}
}

func (s gcmSealer) ad(subject string, p phigate.Place) []byte {
	return []byte(subject + "\x00" + p.Table + "\x00" + p.Row + "\x00" + p.Field)
}

func (s gcmSealer) Seal(_ context.Context, subject string, p phigate.Place, plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, s.ad(subject, p)), nil
}

func (s gcmSealer) Open(_ context.Context, subject string, p phigate.Place, c []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(c) < n {
		return nil, phigate.Errorf(phigate.ECRYPTO, "test", "short")
	}
	out, err := s.aead.Open(nil, c[:n], c[n:], s.ad(subject, p))
	if err != nil {
		return nil, phigate.E(phigate.ECRYPTO, "test", err)
	}
	return out, nil
}

func (s gcmSealer) Shred(context.Context, string) error { return errors.New("not here") }

func TestPseudonymizer(t *testing.T) {
	p := structured.NewPseudonymizer(nil)
	a, _ := p.Code("mrn", "A1", structured.FormToken)
	b, _ := p.Code("mrn", "A1", structured.FormToken)
	c, _ := p.Code("mrn", "A2", structured.FormToken)
	d, _ := p.Code("other", "A1", structured.FormToken)
	u, _ := p.Code("urn", "x", structured.FormUUID)
	if a != b || a == c || a == d || len(a) != 16 || len(u) != 36 || u[14] != '4' {
		t.Fatalf("codes %q %q %q %q %q", a, b, c, d, u)
	}
	t.Run("OKConcurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		codes := make([]string, 8)
		for i := range codes {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i], _ = p.Code("mrn", "B7", structured.FormToken) }()
		}
		wg.Wait()
		for _, x := range codes {
			if x != codes[0] {
				t.Fatalf("codes differ: %v", codes)
			}
		}
	})
	t.Run("OKSealedRoundTrip", func(t *testing.T) {
		s := newGCMSealer(t)
		var buf bytes.Buffer
		if err := p.Seal(context.Background(), &buf, s, "run-1"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), `"A1"`) {
			t.Fatal("the sealed mapping holds a value in clear")
		}
		q := structured.NewPseudonymizer(nil)
		if err := q.Load(context.Background(), bytes.NewReader(buf.Bytes()), s, "run-1"); err != nil {
			t.Fatal(err)
		}
		if again, _ := q.Code("mrn", "A1", structured.FormToken); again != a || q.Len() != p.Len() {
			t.Errorf("after Load: %q, want %q; %d codes, want %d", again, a, q.Len(), p.Len())
		}
	})
	t.Run("ErrWrongSubject", func(t *testing.T) {
		s := newGCMSealer(t)
		var buf bytes.Buffer
		p.Seal(context.Background(), &buf, s, "run-1")
		err := structured.NewPseudonymizer(nil).Load(context.Background(), &buf, s, "run-2")
		if phigate.ErrorCode(err) != phigate.ECRYPTO {
			t.Errorf("code %q, want crypto", phigate.ErrorCode(err))
		}
	})
}
