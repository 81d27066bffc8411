package keys_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
)

func TestRingRotate(t *testing.T) {
	ctx := context.Background()
	r := MustRing(t)
	dk := bytes.Repeat([]byte{7}, 32)
	ad := []byte("subject ad")
	v1, w1, err := r.Wrap(ctx, dk, ad)
	if err != nil || v1 != 1 {
		t.Fatalf("Wrap = %d, %v; want version 1", v1, err)
	}
	v2, err := r.Rotate(ctx)
	if err != nil || v2 != 2 {
		t.Fatalf("Rotate = %d, %v; want 2", v2, err)
	}
	t.Run("OKNewWritesUseNewVersion", func(t *testing.T) {
		v, _, err := r.Wrap(ctx, dk, ad)
		if err != nil || v != 2 {
			t.Fatalf("Wrap = %d, %v; want version 2", v, err)
		}
	})
	t.Run("OKOldVersionUnwraps", func(t *testing.T) {
		got, err := r.Unwrap(ctx, 1, w1, ad)
		if err != nil || !bytes.Equal(got, dk) {
			t.Fatalf("Unwrap = %x, %v", got, err)
		}
	})
	t.Run("OKRewrap", func(t *testing.T) {
		v, w, err := r.Rewrap(ctx, 1, w1, ad)
		if err != nil || v != 2 {
			t.Fatalf("Rewrap = %d, %v", v, err)
		}
		got, err := r.Unwrap(ctx, 2, w, ad)
		if err != nil || !bytes.Equal(got, dk) {
			t.Fatalf("Unwrap rewrapped = %x, %v", got, err)
		}
	})
	t.Run("ErrCryptoWrongVersion", func(t *testing.T) {
		_, err := r.Unwrap(ctx, 2, w1, ad)
		wantCode(t, err, phigate.ECRYPTO)
	})
	t.Run("ErrCryptoWrongAD", func(t *testing.T) {
		_, err := r.Unwrap(ctx, 1, w1, []byte("other subject"))
		wantCode(t, err, phigate.ECRYPTO)
	})
	t.Run("ErrCryptoMissingVersion", func(t *testing.T) {
		_, err := r.Unwrap(ctx, 9, w1, ad)
		wantCode(t, err, phigate.ECRYPTO)
		if !strings.Contains(err.Error(), "version 9 is not in the key file") {
			t.Fatalf("error %q does not name the missing version", err)
		}
	})
	t.Run("ErrCryptoRetired", func(t *testing.T) {
		if err := r.Retire(ctx, 2); err != nil {
			t.Fatal(err)
		}
		_, err := r.Unwrap(ctx, 1, w1, ad)
		wantCode(t, err, phigate.ECRYPTO)
		if !strings.Contains(err.Error(), "retired") {
			t.Fatalf("error %q does not say retired", err)
		}
		s, _ := r.Status(ctx)
		if s.Active != 2 || s.Min != 2 || len(s.Versions) != 2 || !s.Versions[0].Retired {
			t.Fatalf("status = %+v", s)
		}
	})
	t.Run("ErrInvalidRetireAboveActive", func(t *testing.T) {
		wantCode(t, r.Retire(ctx, 3), phigate.EINVALID)
	})
}

// TestKeysNeverPrinted formats every key type and a ring with every verb:
// no key bytes may appear.
func TestKeysNeverPrinted(t *testing.T) {
	r := MustRing(t)
	var k keys.KEK
	var h keys.HMACKey
	raw := bytes.Repeat([]byte{0xAB}, 32)
	text := "phigate-kek:" + b64url(raw)
	if err := k.UnmarshalText([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := h.UnmarshalText([]byte("phigate-hmac:" + b64url(raw))); err != nil {
		t.Fatal(err)
	}
	sk, _ := r.SigningKey("node-1")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q"} {
		for _, v := range []any{k, &k, h, &h, r, *sk, sk, struct {
			K keys.KEK
			h keys.HMACKey
			s keys.SigningKey
		}{k, h, *sk}} {
			s := fmt.Sprintf(verb, v)
			if strings.Contains(s, "[") && !strings.Contains(s, "[redacted]") {
				t.Fatalf("%s of %T shows a byte slice: %s", verb, v, s)
			}
			if strings.Contains(strings.ToLower(s), "abab") || strings.Contains(s, b64url(raw)) || strings.Contains(s, "171 171") {
				t.Fatalf("%s of %T shows key bytes: %s", verb, v, s)
			}
		}
	}
}

func TestKeyText(t *testing.T) {
	raw := bytes.Repeat([]byte{1}, 32)
	t.Run("OK", func(t *testing.T) {
		var a, b keys.KEK
		if err := a.UnmarshalText([]byte("phigate-kek:" + b64url(raw))); err != nil {
			t.Fatal(err)
		}
		txt, _ := a.MarshalText()
		if err := b.UnmarshalText(txt); err != nil || !a.Equal(&b) {
			t.Fatalf("round trip: %v, equal %v", err, a.Equal(&b))
		}
	})
	t.Run("OKNotEqual", func(t *testing.T) {
		var a, b keys.HMACKey
		_ = a.UnmarshalText([]byte("phigate-hmac:" + b64url(raw)))
		_ = b.UnmarshalText([]byte("phigate-hmac:" + b64url(bytes.Repeat([]byte{2}, 32))))
		if a.Equal(&b) {
			t.Fatal("different keys are equal")
		}
	})
	for name, text := range map[string]string{
		"ErrInvalidWrongPrefix": "phigate-hmac:" + b64url(raw),
		"ErrInvalidShort":       "phigate-kek:" + b64url(raw[:31]),
		"ErrInvalidNotBase64":   "phigate-kek:!!!",
		"ErrInvalidEmpty":       "",
	} {
		t.Run(name, func(t *testing.T) {
			var k keys.KEK
			wantCode(t, k.UnmarshalText([]byte(text)), phigate.EINVALID)
		})
	}
}

func TestSigningKey(t *testing.T) {
	r := MustRing(t)
	a, _ := r.SigningKey("node-a")
	a2, _ := r.SigningKey("node-a")
	b, _ := r.SigningKey("node-b")
	msg := []byte("checkpoint 42 hash 9f86d081")
	sig := a.Sign(msg)
	t.Run("OK", func(t *testing.T) {
		if !a.Public().Verify(msg, sig) {
			t.Fatal("signature does not verify")
		}
		if !a.Public().Equal(a2.Public()) {
			t.Fatal("derivation is not stable")
		}
		p, err := keys.ParsePublicKey(a.Public().String())
		if err != nil || !p.Equal(a.Public()) {
			t.Fatalf("ParsePublicKey: %v", err)
		}
	})
	t.Run("ErrOtherNode", func(t *testing.T) {
		if a.Public().Equal(b.Public()) || b.Public().Verify(msg, sig) {
			t.Fatal("two nodes share a key")
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		if a.Public().Verify([]byte("checkpoint 43 hash 9f86d081"), sig) {
			t.Fatal("signature verifies another message")
		}
	})
	t.Run("ErrInvalidPublicKey", func(t *testing.T) {
		_, err := keys.ParsePublicKey("ed448:xyz")
		wantCode(t, err, phigate.EINVALID)
	})
}
