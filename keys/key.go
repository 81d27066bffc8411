package keys

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/phigate/phigate"
)

// keySize is the size of every symmetric key: AES-256 and HMAC-SHA256.
const keySize = 32

// The type prefixes of serialised keys. A key of one type never parses as
// another.
const (
	prefixKEK     = "phigate-kek:"
	prefixHMAC    = "phigate-hmac:"
	prefixSeed    = "phigate-seed:"
	prefixPublic  = "ed25519:"
	redactedValue = "[redacted]"
)

// secret is 32 bytes of key material. It is embedded in the typed keys and
// never leaves this package.
// The bytes sit behind a function, so that formatting any value that holds
// a secret, however deeply and with whatever verb, shows an address and
// never the bytes (fmt prints the target of a pointer in some paths).
type secret struct {
	b func() *[keySize]byte
}

// key returns the key bytes, allocating them on first use.
func (s *secret) key() []byte {
	if s.b == nil {
		p := new([keySize]byte)
		s.b = func() *[keySize]byte { return p }
	}
	return s.b()[:]
}

// Format prints "[redacted]" whatever the verb, so no formatting of a
// struct holding a secret shows key bytes.
func (secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redactedValue)) }

// equal compares two secrets in constant time.
func (s *secret) equal(o *secret) bool {
	if s == nil || o == nil {
		return s == o
	}
	return subtle.ConstantTimeCompare(s.key(), o.key()) == 1
}

// marshal returns prefix followed by the unpadded base64url key.
func (s *secret) marshal(prefix string) []byte {
	return []byte(prefix + base64.RawURLEncoding.EncodeToString(s.key()))
}

// unmarshal parses what marshal made with the same prefix.
func (s *secret) unmarshal(op, prefix string, text []byte) error {
	t := string(text)
	if !strings.HasPrefix(t, prefix) {
		return phigate.Errorf(phigate.EINVALID, op, "key has the wrong type prefix (want %q)", prefix)
	}
	b, err := decodeKey(t[len(prefix):], keySize)
	if err != nil {
		return phigate.Errorf(phigate.EINVALID, op, "key is not %d bytes of base64url", keySize)
	}
	copy(s.key(), b)
	wipe(b)
	return nil
}

// wipe zeroes b. Best effort: the garbage collector may have copied it.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// HMACKey is the key of keyed hashes for blind indexes and audit
// identifiers. Its text form is "phigate-hmac:" and base64url; String never
// shows it.
type HMACKey struct{ secret }

// Equal reports whether k and o are the same key, in constant time.
func (k *HMACKey) Equal(o *HMACKey) bool { return k.secret.equal(&o.secret) }

// String redacts the key.
func (k HMACKey) String() string { return prefixHMAC + redactedValue }

// Format prints String whatever the verb.
func (k HMACKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// MarshalText returns the type-prefixed key. Security-sensitive: the result
// is the raw key and belongs only in the key file.
func (k *HMACKey) MarshalText() ([]byte, error) { return k.marshal(prefixHMAC), nil }

// UnmarshalText parses a key made by MarshalText. Codes: EINVALID.
func (k *HMACKey) UnmarshalText(text []byte) error {
	return k.unmarshal("keys.HMACKey", prefixHMAC, text)
}

// KEK is one version of a key-encryption key. It wraps data keys and never
// touches records. Its text form is "phigate-kek:" and base64url; String
// never shows it.
type KEK struct {
	secret
	Version uint32
}

// Equal reports whether k and o are the same key and version, in constant
// time for the key bytes.
func (k *KEK) Equal(o *KEK) bool {
	return k.secret.equal(&o.secret) && k.Version == o.Version
}

// String redacts the key and shows its version.
func (k KEK) String() string { return prefixKEK + "v" + itoa(k.Version) + ":" + redactedValue }

// Format prints String whatever the verb.
func (k KEK) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// MarshalText returns the type-prefixed key without its version.
// Security-sensitive: the result is the raw key and belongs only in the key
// file.
func (k *KEK) MarshalText() ([]byte, error) { return k.marshal(prefixKEK), nil }

// UnmarshalText parses a key made by MarshalText. Codes: EINVALID.
func (k *KEK) UnmarshalText(text []byte) error {
	return k.unmarshal("keys.KEK", prefixKEK, text)
}

// seed is the root of the derived node signing keys.
type seed struct{ secret }

func (s *seed) MarshalText() ([]byte, error) { return s.marshal(prefixSeed), nil }

func (s *seed) UnmarshalText(text []byte) error {
	return s.unmarshal("keys.seed", prefixSeed, text)
}

// itoa formats a version without strconv's allocation-heavy paths in hot code.
func itoa(v uint32) string {
	if v == 0 {
		return "0"
	}
	var b [10]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

// decodeKey decodes canonical unpadded base64url of exactly n bytes: one
// key has one text form.
func decodeKey(s string, n int) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != n || base64.RawURLEncoding.EncodeToString(b) != s {
		return nil, errors.New("not canonical base64url of the key size")
	}
	return b, nil
}
