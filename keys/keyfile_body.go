package keys

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/phigate/phigate"
)

// ringDoc is the key file's body: the keys themselves.
type ringDoc struct {
	CreatedAt   time.Time `json:"created_at"`
	Active      uint32    `json:"active"`
	Min         uint32    `json:"min_decryption_version"`
	KEKs        []kekDoc  `json:"kek"`
	HMAC        *HMACKey  `json:"hmac"`
	SigningSeed *seed     `json:"signing_seed"`
}

type kekDoc struct {
	Version   uint32    `json:"version"`
	Key       *KEK      `json:"key"`
	CreatedAt time.Time `json:"created_at"`
}

// encodeRing returns the JSON body of r. The caller holds r.mu.
func encodeRing(r *Ring) ([]byte, error) {
	d := ringDoc{CreatedAt: r.created, Active: r.active, Min: r.min, HMAC: &r.hmac, SigningSeed: &r.seed}
	for v, e := range r.keks {
		d.KEKs = append(d.KEKs, kekDoc{Version: v, Key: &e.key, CreatedAt: e.created})
	}
	slices.SortFunc(d.KEKs, func(a, b kekDoc) int { return cmp.Compare(a.Version, b.Version) })
	b, err := json.Marshal(d)
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "keys.KeyFile", fmt.Errorf("encode keys: %w", err))
	}
	return b, nil
}

// decodeRing parses and checks a body.
func decodeRing(op string, b []byte) (*Ring, error) {
	var d ringDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, keep(phigate.EINVALID, op, fmt.Errorf("decode keys: %w", err))
	}
	if d.HMAC == nil || d.SigningSeed == nil || len(d.KEKs) == 0 {
		return nil, phigate.Errorf(phigate.EINVALID, op, "key file lacks a key-encryption key, HMAC key or signing seed")
	}
	r := &Ring{keks: map[uint32]*kekEntry{}, active: d.Active, min: d.Min, created: d.CreatedAt,
		hmac: *d.HMAC, seed: *d.SigningSeed}
	for _, k := range d.KEKs {
		if k.Key == nil || k.Version == 0 || r.keks[k.Version] != nil {
			return nil, phigate.Errorf(phigate.EINVALID, op, "key file has a missing, zero or repeated key version")
		}
		k.Key.Version = k.Version
		if err := r.add(*k.Key, k.CreatedAt); err != nil {
			return nil, err
		}
	}
	if r.keks[r.active] == nil || r.min < 1 || r.min > r.active {
		return nil, phigate.Errorf(phigate.EINVALID, op,
			"key file's active version %d or minimum version %d is not among its keys", r.active, r.min)
	}
	return r, nil
}

// replace copies the keys of n into r, keeping r's Rand, Now and persist.
func (r *Ring) replace(n *Ring) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keks, r.active, r.min, r.created = n.keks, n.active, n.min, n.created
	r.hmac, r.seed = n.hmac, n.seed
}

// sealedBody is a key file body sealed with a passphrase.
type sealedBody struct {
	KDF        string    `json:"kdf"` // "argon2id"
	Params     KDFParams `json:"params"`
	Salt       []byte    `json:"salt"`
	Ciphertext []byte    `json:"ciphertext"` // nonce || AES-256-GCM(body)
}

// Bounds on stored argon2id parameters, so that a crafted file cannot make
// loading take unbounded memory or time.
const (
	maxKDFTime   = 64
	maxKDFMemory = 4 << 20 // KiB: 4 GiB
)

// ad binds the ciphertext to the KDF and its parameters.
func (s *sealedBody) ad() []byte {
	b := appendString(nil, "phigate/keyfile/v1")
	b = appendString(b, s.KDF)
	b = appendUint32(b, s.Params.Time)
	b = appendUint32(b, s.Params.MemoryKiB)
	b = append(b, s.Params.Threads)
	return appendString(b, string(s.Salt))
}

// sealBody seals body with a key derived from pass.
func sealBody(rnd io.Reader, pass []byte, p KDFParams, body []byte) (*sealedBody, error) {
	const op = "keys.KeyFile.seal"
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) || p.Time > maxKDFTime || p.MemoryKiB > maxKDFMemory {
		return nil, phigate.Errorf(phigate.EINVALID, op, "argon2id parameters out of range")
	}
	s := &sealedBody{KDF: "argon2id", Params: p, Salt: make([]byte, 16)}
	if _, err := io.ReadFull(rnd, s.Salt); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("read salt: %w", err))
	}
	aead, err := newGCM(argon2Key(pass, s.Salt, p))
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, err)
	}
	if s.Ciphertext, err = sealTo(nil, aead, rnd, body, s.ad()); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, err)
	}
	return s, nil
}

// open returns the body. Codes: ECRYPTO (no or wrong passphrase, damaged),
// EINVALID (unknown KDF or parameters out of range).
func (s *sealedBody) open(op string, pass []byte) ([]byte, error) {
	p := s.Params
	if s.KDF != "argon2id" || p.Time < 1 || p.Threads < 1 || p.Time > maxKDFTime || p.MemoryKiB > maxKDFMemory || len(s.Salt) < 8 {
		return nil, phigate.Errorf(phigate.EINVALID, op, "key file's sealing parameters are unknown or out of range")
	}
	if len(pass) == 0 {
		return nil, phigate.Errorf(phigate.ECRYPTO, op, "key file is sealed: a passphrase is required")
	}
	aead, err := newGCM(argon2Key(pass, s.Salt, p))
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, err)
	}
	body, err := openFrom(aead, s.Ciphertext, s.ad())
	if err != nil {
		return nil, cryptoErr(op, errPassphrase)
	}
	return body, nil
}
