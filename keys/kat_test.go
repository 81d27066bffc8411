package keys_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/keys/internal/memstore"
)

var update = flag.Bool("update", false, "rewrite the known-answer files in testdata/kat")

const katPassphrase = "known answer passphrase"

// katVectors are frozen outputs of format 1. They must hold forever: stored
// data, blind indexes and audit events depend on them.
type katVectors struct {
	Subject    string `json:"subject"`
	Table      string `json:"table"`
	Row        string `json:"row"`
	Field      string `json:"field"`
	Plaintext  string `json:"plaintext"`
	KEKVersion uint32 `json:"kek_version"`
	Wrapped    string `json:"wrapped_key"` // hex
	Sealed     string `json:"sealed"`      // hex
	HMACDomain string `json:"hmac_domain"`
	HMACValue  string `json:"hmac_value"`
	HMAC       string `json:"hmac"`
	Node       string `json:"node"`
	PublicKey  string `json:"public_key"`
}

func katPath(name string) string { return filepath.Join("testdata", "kat", name) }

// copyKeyFile copies a frozen key file to a 0600 file (git checks files out
// 0644, which LoadKeyFile refuses).
func copyKeyFile(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(katPath(name))
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestKnownAnswers(t *testing.T) {
	if *update {
		writeKAT(t)
	}
	var v katVectors
	b, err := os.ReadFile(katPath("vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.LoadKeyFile(copyKeyFile(t, "keyfile-v1.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKEnvelopeOpens", func(t *testing.T) { katEnvelope(t, ring, &v) })
	t.Run("OKIndependentOpen", func(t *testing.T) { katIndependent(t, &v) })
	t.Run("OKHMAC", func(t *testing.T) {
		if got := ring.HMAC(v.HMACDomain, []byte(v.HMACValue)); got != v.HMAC {
			t.Fatalf("HMAC = %s, want %s", got, v.HMAC)
		}
	})
	t.Run("OKSigningKey", func(t *testing.T) {
		k, err := ring.SigningKey(v.Node)
		if err != nil || k.Public().String() != v.PublicKey {
			t.Fatalf("public key = %v, %v; want %s", k.Public(), err, v.PublicKey)
		}
	})
	t.Run("OKSealedKeyFile", func(t *testing.T) {
		sealed, err := keys.LoadKeyFile(copyKeyFile(t, "keyfile-v1-sealed.json"), []byte(katPassphrase))
		if err != nil {
			t.Fatal(err)
		}
		if sealed.HMAC(v.HMACDomain, []byte(v.HMACValue)) != v.HMAC {
			t.Fatal("sealed key file holds other keys")
		}
	})
}

func katEnvelope(t *testing.T, ring *keys.Ring, v *katVectors) {
	ctx := context.Background()
	st := memstore.New()
	w, _ := hex.DecodeString(v.Wrapped)
	if err := st.CreateDataKey(ctx, &phigate.WrappedKey{Subject: v.Subject, ID: 1, KEKVersion: v.KEKVersion, Wrapped: w}); err != nil {
		t.Fatal(err)
	}
	ct, _ := hex.DecodeString(v.Sealed)
	MustOpen(t, keys.NewEnvelope(ring, st), v.Subject, phigate.Place{Table: v.Table, Row: v.Row, Field: v.Field}, ct, v.Plaintext)
}

// katIndependent opens the frozen value with the standard library alone,
// following the formats as documented, from the raw key file.
func katIndependent(t *testing.T, v *katVectors) {
	var doc struct {
		Keys struct {
			KEK []struct {
				Version uint32 `json:"version"`
				Key     string `json:"key"`
			} `json:"kek"`
			HMAC string `json:"hmac"`
			Seed string `json:"signing_seed"`
		} `json:"keys"`
	}
	b, _ := os.ReadFile(katPath("keyfile-v1.json"))
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	kek := rawKey(t, doc.Keys.KEK[0].Key, "phigate-kek:")
	wrapped, _ := hex.DecodeString(v.Wrapped)
	dekAD := lp(lp(nil, "phigate/dek/v1"), v.Subject)
	dekAD = binary.BigEndian.AppendUint32(dekAD, 1)
	wrapAD := binary.BigEndian.AppendUint32(lp(nil, "phigate/kek/v1"), v.KEKVersion)
	dek := gcmOpen(t, kek, wrapped, append(wrapAD, dekAD...))
	sealed, _ := hex.DecodeString(v.Sealed)
	if sealed[0] != 1 || binary.BigEndian.Uint32(sealed[1:5]) != 1 {
		t.Fatalf("header = %x", sealed[:5])
	}
	ad := lp(lp(lp(lp(lp(nil, "phigate/seal/v1"), v.Subject), v.Table), v.Row), v.Field)
	if got := gcmOpen(t, dek, sealed[5:], append(ad, sealed[:5]...)); string(got) != v.Plaintext {
		t.Fatalf("independent open = %q", got)
	}
	m := hmac.New(sha256.New, rawKey(t, doc.Keys.HMAC, "phigate-hmac:"))
	m.Write(lp(lp(nil, "phigate/hmac/v1"), v.HMACDomain))
	m.Write([]byte(v.HMACValue))
	if got := hex.EncodeToString(m.Sum(nil)[:16]); got != v.HMAC {
		t.Fatalf("independent HMAC = %s, want %s", got, v.HMAC)
	}
	s, _ := hkdf.Key(sha256.New, rawKey(t, doc.Keys.Seed, "phigate-seed:"), nil, string(lp(lp(nil, "phigate/node-signing/v1"), v.Node)), 32)
	pub := ed25519.NewKeyFromSeed(s).Public().(ed25519.PublicKey)
	if got := "ed25519:" + base64.RawURLEncoding.EncodeToString(pub); got != v.PublicKey {
		t.Fatalf("independent public key = %s, want %s", got, v.PublicKey)
	}
}

func lp(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }

func rawKey(t *testing.T, text, prefix string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(text, prefix))
	if err != nil || len(b) != 32 {
		t.Fatalf("key %q: %v", prefix, err)
	}
	return b
}

func gcmOpen(t *testing.T, key, sealed, ad []byte) []byte {
	block, _ := aes.NewCipher(key)
	g, _ := cipher.NewGCM(block)
	pt, err := g.Open(nil, sealed[:12], sealed[12:], ad)
	if err != nil {
		t.Fatalf("independent GCM open: %v", err)
	}
	return pt
}

// writeKAT regenerates the frozen files; run only when format 1 is new.
func writeKAT(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return t0 }
	f := &keys.KeyFile{Path: katPath("keyfile-v1.json"), Rand: detRand(42), Now: now}
	os.Remove(f.Path)
	ring, err := f.Create()
	if err != nil {
		t.Fatal(err)
	}
	sf := &keys.KeyFile{Path: katPath("keyfile-v1-sealed.json"), Passphrase: []byte(katPassphrase), KDF: fastKDF, Rand: detRand(44)}
	if err := sf.Save(ring); err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	e := keys.NewEnvelope(ring, st)
	e.Rand, e.Now = detRand(43), now
	v := katVectors{Subject: "patient:kat-1", Table: "patients", Row: "kat-1", Field: "name",
		Plaintext: "Known Answer, born 1970-01-01", HMACDomain: "blind.mrn", HMACValue: "MRN-0000001", Node: "node-1"}
	ct, err := e.Seal(ctx, v.Subject, phigate.Place{Table: v.Table, Row: v.Row, Field: v.Field}, []byte(v.Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := st.DataKey(ctx, v.Subject, 1)
	v.KEKVersion, v.Wrapped, v.Sealed = w.KEKVersion, hex.EncodeToString(w.Wrapped), hex.EncodeToString(ct)
	v.HMAC = ring.HMAC(v.HMACDomain, []byte(v.HMACValue))
	k, _ := ring.SigningKey(v.Node)
	v.PublicKey = k.Public().String()
	b, _ := json.MarshalIndent(v, "", "  ")
	if err := os.WriteFile(katPath("vectors.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
