package keys

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// hmacSize is the number of bytes of HMAC-SHA256 kept: 128 bits, ample for
// exact-match lookups and short enough for indexes and audit events.
const hmacSize = 16

// HMAC returns the keyed hash of value in domain ("audit.patient",
// "blind.mrn") as 32 lowercase hex characters. Different domains give
// unrelated hashes of the same value.
//
// The encoding never changes, since stored blind indexes and audit events
// depend on it: HMAC-SHA256 under the ring's HMAC key of
// uvarint(len(label)) label uvarint(len(domain)) domain value, with label
// "phigate/hmac/v1", truncated to 16 bytes.
func (r *Ring) HMAC(domain string, value []byte) string {
	return hmacHex(&r.hmac, domain, value)
}

func hmacHex(k *HMACKey, domain string, value []byte) string {
	m := hmac.New(sha256.New, k.key())
	var pre [64]byte
	b := appendString(pre[:0], "phigate/hmac/v1")
	b = appendString(b, domain)
	m.Write(b)
	m.Write(value)
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:hmacSize])
}

// BlindIndex returns the HMAC of an identifier for an exact-match index in
// domain "blind."+field. Normalise the identifier first (trim, case-fold)
// so the same identifier always gives the same index.
func (r *Ring) BlindIndex(field string, value []byte) string {
	return r.HMAC("blind."+field, value)
}
