package keys

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/phigate/phigate"
)

// SigningKey is a node's Ed25519 key for signing audit checkpoints. Its
// private half never leaves this package: it offers Sign and Public.
type SigningKey struct {
	node string
	// priv is behind a function so that no formatting of a value holding
	// a SigningKey reaches the bytes (see secret).
	priv func() ed25519.PrivateKey
}

// SigningKey returns the signing key of node (a stable node name, such as
// the host name), derived from the ring's seed with HKDF-SHA256, so that
// every node of a deployment has its own key and no key is stored twice.
// The derivation never changes.
func (r *Ring) SigningKey(node string) (*SigningKey, error) {
	info := appendString(nil, "phigate/node-signing/v1")
	info = appendString(info, node)
	r.mu.RLock()
	s, err := hkdf.Key(sha256.New, r.seed.key(), nil, string(info), ed25519.SeedSize)
	r.mu.RUnlock()
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "keys.Ring.SigningKey", err)
	}
	defer wipe(s)
	priv := ed25519.NewKeyFromSeed(s)
	return &SigningKey{node: node, priv: func() ed25519.PrivateKey { return priv }}, nil
}

// Node returns the node name the key belongs to.
func (k *SigningKey) Node() string { return k.node }

// Sign returns the Ed25519 signature of msg.
func (k *SigningKey) Sign(msg []byte) []byte { return ed25519.Sign(k.priv(), msg) }

// Public returns the public key.
func (k *SigningKey) Public() PublicKey {
	var p PublicKey
	copy(p.b[:], k.priv().Public().(ed25519.PublicKey))
	return p
}

// String shows the node and public key, never the private key.
func (k SigningKey) String() string { return "signing-key:" + k.node + ":" + k.Public().String() }

// Format prints String whatever the verb.
func (k SigningKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// PublicKey is an Ed25519 public key. Its text form is "ed25519:" and
// base64url.
type PublicKey struct{ b [ed25519.PublicKeySize]byte }

// ParsePublicKey parses the text form of a public key. Codes: EINVALID.
func ParsePublicKey(s string) (PublicKey, error) {
	var p PublicKey
	err := p.UnmarshalText([]byte(s))
	return p, err
}

// Verify reports whether sig is a valid signature of msg by p.
func (p PublicKey) Verify(msg, sig []byte) bool {
	return ed25519.Verify(p.b[:], msg, sig)
}

// Equal reports whether p and o are the same key.
func (p PublicKey) Equal(o PublicKey) bool { return p.b == o.b }

// Bytes returns a copy of the raw 32-byte public key (not a secret).
func (p PublicKey) Bytes() []byte { return append([]byte(nil), p.b[:]...) }

// IsZero reports whether p is the zero value.
func (p PublicKey) IsZero() bool { return p.b == [ed25519.PublicKeySize]byte{} }

// String returns the text form.
func (p PublicKey) String() string {
	return prefixPublic + base64.RawURLEncoding.EncodeToString(p.b[:])
}

// MarshalText returns the text form.
func (p PublicKey) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses the text form. Codes: EINVALID.
func (p *PublicKey) UnmarshalText(text []byte) error {
	t := string(text)
	if !strings.HasPrefix(t, prefixPublic) {
		return phigate.Errorf(phigate.EINVALID, "keys.PublicKey", "public key has the wrong type prefix (want %q)", prefixPublic)
	}
	b, err := decodeKey(t[len(prefixPublic):], ed25519.PublicKeySize)
	if err != nil {
		return phigate.Errorf(phigate.EINVALID, "keys.PublicKey", "public key is not %d bytes of base64url", ed25519.PublicKeySize)
	}
	copy(p.b[:], b)
	return nil
}
