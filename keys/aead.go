package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"io"
)

// nonceSize is the GCM nonce size: 96 bits, random per message. With one
// data key per subject, the number of messages under a key stays far below
// the 2^32 bound for random nonces.
const nonceSize = 12

// newGCM returns AES-256-GCM keyed by k.
func newGCM(k *secret) (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.key())
	if err != nil {
		return nil, fmt.Errorf("new cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// sealTo appends nonce || GCM(plaintext, ad) to dst, reading the nonce from
// rand.
func sealTo(dst []byte, aead cipher.AEAD, rand io.Reader, plaintext, ad []byte) ([]byte, error) {
	n := len(dst)
	dst = grow(dst, nonceSize+len(plaintext)+aead.Overhead())
	nonce := dst[n : n+nonceSize]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	return aead.Seal(dst[:n+nonceSize], nonce, plaintext, ad), nil
}

// openFrom opens nonce || ciphertext made by sealTo.
func openFrom(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < nonceSize+aead.Overhead() {
		return nil, errTruncated
	}
	return aead.Open(nil, sealed[:nonceSize], sealed[nonceSize:], ad)
}

// grow returns b with room for n more bytes without changing its length.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), len(b)+n)
	copy(nb, b)
	return nb
}

// appendString appends s with a uvarint length prefix, so that distinct
// field lists never encode the same bytes. The encoding never changes.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendUint32 appends v big-endian.
func appendUint32(b []byte, v uint32) []byte {
	return binary.BigEndian.AppendUint32(b, v)
}
