package keys

import (
	"cmp"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Ring is the key material of one phigate deployment, as held by its key
// file: the versions of the local key-encryption key, the HMAC key of blind
// indexes and audit identifiers, and the seed of the node signing keys.
//
// Ring implements KMS with its own KEKs and phigate.Hasher. It is safe for
// concurrent use. Create one with CreateKeyFile or NewRing, or load one with
// LoadKeyFile.
type Ring struct {
	// Rand is the source of keys and nonces; it must be safe for concurrent
	// use. Nil means crypto/rand.
	Rand io.Reader
	// Now is the clock that dates new versions. Nil means time.Now.
	Now func() time.Time

	mu      sync.RWMutex
	keks    map[uint32]*kekEntry
	active  uint32
	min     uint32
	hmac    HMACKey
	seed    seed
	created time.Time
	// persist saves the ring after Rotate and Retire; nil for a ring that
	// lives only in memory.
	persist func(*Ring) error
	file    *KeyFile // the file it came from, for Reload; nil in memory
}

// kekEntry is one KEK version with its cipher.
type kekEntry struct {
	key     KEK
	aead    cipher.AEAD
	created time.Time
}

var (
	_ KMS            = (*Ring)(nil)
	_ phigate.Hasher = (*Ring)(nil)
)

// NewRing returns a ring with fresh keys drawn from rnd (nil: crypto/rand):
// KEK version 1, an HMAC key and a signing seed, dated now.
// Security-sensitive: the ring holds raw keys; save it with a KeyFile.
func NewRing(rnd io.Reader, now time.Time) (*Ring, error) {
	r := &Ring{Rand: rnd, keks: map[uint32]*kekEntry{}, created: now.UTC()}
	if err := r.readSecret(&r.hmac.secret); err != nil {
		return nil, err
	}
	if err := r.readSecret(&r.seed.secret); err != nil {
		return nil, err
	}
	var k KEK
	if err := r.readSecret(&k.secret); err != nil {
		return nil, err
	}
	k.Version = 1
	if err := r.add(k, now); err != nil {
		return nil, err
	}
	r.active, r.min = 1, 1
	return r, nil
}

// readSecret fills s from the ring's randomness.
func (r *Ring) readSecret(s *secret) error {
	if _, err := io.ReadFull(r.rand(), s.key()); err != nil {
		return phigate.E(phigate.EINTERNAL, "keys.NewRing", fmt.Errorf("read random: %w", err))
	}
	return nil
}

func (r *Ring) rand() io.Reader {
	if r.Rand != nil {
		return r.Rand
	}
	return rand.Reader
}

func (r *Ring) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// add stores a KEK version with its cipher. The caller holds mu or owns r.
func (r *Ring) add(k KEK, created time.Time) error {
	aead, err := newGCM(&k.secret)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, "keys.Ring", err)
	}
	r.keks[k.Version] = &kekEntry{key: k, aead: aead, created: created.UTC()}
	return nil
}

// entry returns the cipher of version for unwrapping. Codes: ECRYPTO
// (unknown or retired version). The caller holds mu.
func (r *Ring) entry(op string, version uint32) (*kekEntry, error) {
	e, ok := r.keks[version]
	if !ok {
		return nil, phigate.Errorf(phigate.ECRYPTO, op,
			"key-encryption key version %d is not in the key file (versions %d to %d)", version, r.min, r.active)
	}
	if version < r.min {
		return nil, phigate.Errorf(phigate.ECRYPTO, op,
			"key-encryption key version %d is retired (minimum decryption version %d); restore it or re-wrap from a backup of the key file", version, r.min)
	}
	return e, nil
}

// wrapAD binds a wrapped data key to the KEK version that wraps it.
func wrapAD(ad []byte, version uint32) []byte {
	b := make([]byte, 0, len(ad)+24)
	b = appendString(b, "phigate/kek/v1")
	b = appendUint32(b, version)
	return append(b, ad...)
}

// Wrap encrypts dataKey under the active KEK version.
func (r *Ring) Wrap(_ context.Context, dataKey, ad []byte) (uint32, []byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.wrap(dataKey, ad)
}

func (r *Ring) wrap(dataKey, ad []byte) (uint32, []byte, error) {
	e := r.keks[r.active]
	out, err := sealTo(make([]byte, 0, nonceSize+len(dataKey)+16), e.aead, r.rand(), dataKey, wrapAD(ad, r.active))
	if err != nil {
		return 0, nil, cryptoErr("keys.Ring.Wrap", err)
	}
	return r.active, out, nil
}

// Unwrap decrypts a data key wrapped under version.
func (r *Ring) Unwrap(_ context.Context, version uint32, wrapped, ad []byte) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.unwrap("keys.Ring.Unwrap", version, wrapped, ad)
}

func (r *Ring) unwrap(op string, version uint32, wrapped, ad []byte) ([]byte, error) {
	e, err := r.entry(op, version)
	if err != nil {
		return nil, err
	}
	dk, err := openFrom(e.aead, wrapped, wrapAD(ad, version))
	if err != nil {
		if err != errTruncated {
			err = errAuth
		}
		return nil, cryptoErr(op, fmt.Errorf("unwrap data key under key-encryption key version %d: %w", version, err))
	}
	return dk, nil
}

// Rewrap re-wraps a data key under the active version; the data key never
// leaves the ring.
func (r *Ring) Rewrap(_ context.Context, version uint32, wrapped, ad []byte) (uint32, []byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	dk, err := r.unwrap("keys.Ring.Rewrap", version, wrapped, ad)
	if err != nil {
		return 0, nil, err
	}
	defer wipe(dk)
	return r.wrap(dk, ad)
}

// Rotate adds a KEK version, makes it active and saves the key file.
func (r *Ring) Rotate(_ context.Context) (uint32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var k KEK
	if err := r.readSecret(&k.secret); err != nil {
		return 0, err
	}
	k.Version = r.active + 1
	if err := r.add(k, r.now()); err != nil {
		return 0, err
	}
	prev := r.active
	r.active = k.Version
	if err := r.save(); err != nil {
		delete(r.keks, k.Version)
		r.active = prev
		return 0, err
	}
	return k.Version, nil
}

// Retire sets the minimum decryption version and saves the key file. The
// retired versions stay in the file, so lowering min again undoes it.
func (r *Ring) Retire(_ context.Context, min uint32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if min < 1 || min > r.active {
		return phigate.Errorf(phigate.EINVALID, "keys.Ring.Retire",
			"minimum decryption version %d is outside 1 to %d", min, r.active)
	}
	prev := r.min
	r.min = min
	if err := r.save(); err != nil {
		r.min = prev
		return err
	}
	return nil
}

func (r *Ring) save() error {
	if r.persist == nil {
		return nil
	}
	return r.persist(r)
}

// Status describes the KEK versions.
func (r *Ring) Status(_ context.Context) (*KEKStatus, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := &KEKStatus{Source: "file", Active: r.active, Min: r.min}
	for v, e := range r.keks {
		s.Versions = append(s.Versions, KEKVersion{Version: v, CreatedAt: e.created, Retired: v < r.min})
	}
	slices.SortFunc(s.Versions, func(a, b KEKVersion) int { return cmp.Compare(a.Version, b.Version) })
	return s, nil
}

// CreatedAt returns when the ring was first made.
func (r *Ring) CreatedAt() time.Time { return r.created }

// Format prints the versions, never the keys, whatever the verb.
func (r *Ring) Format(f fmt.State, _ rune) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	fmt.Fprintf(f, "keys.Ring{active: %d, min: %d, versions: %d}", r.active, r.min, len(r.keks))
}
