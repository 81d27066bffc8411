package keys_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
)

// FuzzOpen feeds arbitrary bytes to Open: it never panics, and nothing but
// the genuine value opens.
func FuzzOpen(f *testing.F) {
	e, _, _ := MustEnvelope(f)
	ct := MustSeal(f, e, "patient:p-1", placeName, phiName)
	f.Add(ct)                                                                                                                    // the genuine value
	f.Add(ct[:len(ct)-1])                                                                                                        // truncated tag
	f.Add(flip(ct, 0))                                                                                                           // unknown format
	f.Add([]byte{1, 0, 0, 0, 1})                                                                                                 // header only
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) // unknown key id
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := e.Open(context.Background(), "patient:p-1", placeName, b)
		if err == nil && string(b) != string(ct) {
			t.Fatalf("forged value opened to %q", pt)
		}
		if err != nil {
			if c := phigate.ErrorCode(err); c != phigate.ECRYPTO {
				t.Fatalf("code = %s", c)
			}
		}
	})
}

// FuzzLoadKeyFile feeds arbitrary key files to LoadKeyFile: it never
// panics and fails only with the documented codes.
func FuzzLoadKeyFile(f *testing.F) {
	for _, name := range []string{"keyfile-v1.json", "keyfile-v1-sealed.json"} {
		b, err := os.ReadFile(katPath(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":"phigate-keyfile","version":1,"sealed":{"kdf":"argon2id","params":{"time":1,"memory_kib":4294967295,"threads":1},"salt":"AAAAAAAAAAA=","ciphertext":""}}`)) // huge memory
	f.Add([]byte(`{"format":"phigate-keyfile","version":1,"keys":{"active":7,"min_decryption_version":1,"kek":[]}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "k.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := keys.LoadKeyFile(p, []byte(katPassphrase))
		switch phigate.ErrorCode(err) {
		case "", phigate.EINVALID, phigate.ECRYPTO, phigate.EVERSION:
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzKeyText feeds arbitrary text to the key parsers.
func FuzzKeyText(f *testing.F) {
	f.Add("phigate-kek:9pD8ZJpXjApTBwT6o1IXrB82VH6rjD6YED-Ak5zmJMo")
	f.Add("ed25519:B_sIe7FEgkssIysT1sGe14qhsWxYbAcqN_OCMWJfFUw")
	f.Add("phigate-hmac:")
	f.Fuzz(func(t *testing.T, s string) {
		var k keys.KEK
		var h keys.HMACKey
		if k.UnmarshalText([]byte(s)) == nil {
			out, _ := k.MarshalText()
			if string(out) != s {
				t.Fatalf("KEK round trip %q -> %q", s, out)
			}
		}
		_ = h.UnmarshalText([]byte(s))
		if p, err := keys.ParsePublicKey(s); err == nil && p.String() != s {
			t.Fatalf("public key round trip %q -> %q", s, p)
		}
	})
}
