package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// APIKeyPrefix starts every API key, so that secret scanners and people can
// recognise one.
const APIKeyPrefix = "phg_"

// HashToken returns the hex SHA-256 of a high-entropy secret (a session
// token, an API key, a recovery code). Such secrets are never stored, only
// their hashes: a fast hash is enough because they cannot be guessed.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// EqualHash compares two hashes in constant time.
func EqualHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// newToken returns a 256-bit random token, base64url without padding.
func newToken(rnd io.Reader) (string, error) {
	b, err := randomBytes(rnd, 32)
	if err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewAPIKeySecret returns a new API key: "phg_" and 256 random bits.
func NewAPIKeySecret(rnd io.Reader) (string, error) {
	t, err := newToken(rnd)
	if err != nil {
		return "", err
	}
	return APIKeyPrefix + t, nil
}

// newID returns a short random identifier with a type prefix ("u_", "k_").
func newID(rnd io.Reader, prefix string) (string, error) {
	b, err := randomBytes(rnd, 10)
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// NewID returns a random identifier with a type prefix, for other packages
// that create records ("p_" for patients). rnd nil means crypto/rand.
func NewID(rnd io.Reader, prefix string) (string, error) { return newID(rnd, prefix) }
