package keys

import (
	"context"
	"crypto/rand"
	"io"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// Envelope seals PHI at rest with envelope encryption and implements
// phigate.Sealer and phigate.Hasher. Each subject gets its own AES-256-GCM
// data key on first use; the data key is stored wrapped by the KMS in
// Store, and kept unwrapped in a bounded cache.
//
// Create one with NewEnvelope, optionally set the exported fields, then use
// it; it is safe for concurrent use. Fields must not change after first use.
type Envelope struct {
	// KMS wraps data keys. Required.
	KMS KMS
	// Store persists wrapped data keys. Required.
	Store phigate.KeyStore
	// Hasher computes keyed HMACs. Required for HMAC.
	Hasher phigate.Hasher
	// Rand is the source of data keys and nonces. Nil means crypto/rand.
	Rand io.Reader
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// CacheSize bounds the unwrapped data keys in memory. Zero means
	// DefaultCacheSize.
	CacheSize int
	// CacheTTL bounds how long a data key stays unwrapped. Zero means
	// DefaultCacheTTL.
	CacheTTL time.Duration
	// OnError, if not nil, is told of every value that failed to open or
	// seal (tampered, moved, missing key version) so that the caller can
	// record an audit event. err names no PHI.
	OnError func(ctx context.Context, op, subject string, place phigate.Place, err error)

	once  sync.Once
	cache *dekCache
}

var (
	_ phigate.Sealer = (*Envelope)(nil)
	_ phigate.Hasher = (*Envelope)(nil)
)

// NewEnvelope returns an Envelope whose KEKs and HMAC key come from ring
// and whose wrapped data keys live in store. To keep the KEKs in an
// external KMS instead, set KMS (the ring still gives the HMAC key).
func NewEnvelope(ring *Ring, store phigate.KeyStore) *Envelope {
	return &Envelope{KMS: ring, Store: store, Hasher: ring}
}

func (e *Envelope) init() {
	e.once.Do(func() { e.cache = newDEKCache(e.CacheSize, e.CacheTTL) })
}

func (e *Envelope) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Envelope) rand() io.Reader {
	if e.Rand != nil {
		return e.Rand
	}
	return rand.Reader
}

// HMAC returns the keyed hash of value in domain; see Ring.HMAC.
func (e *Envelope) HMAC(domain string, value []byte) string {
	return e.Hasher.HMAC(domain, value)
}

// Seal encrypts plaintext under subject's newest data key, creating one on
// first use, bound to place. The result is sealed-value format 1:
//
//	0x01 | data key id (uint32, big-endian) | nonce (12) | AES-256-GCM ciphertext and tag
//
// with associated data "phigate/seal/v1", subject, table, row and field
// (each uvarint-length-prefixed) and the 5 header bytes.
// Codes: ECRYPTO, ENOTFOUND (subject shredded), EINVALID (no subject).
func (e *Envelope) Seal(ctx context.Context, subject string, place phigate.Place, plaintext []byte) ([]byte, error) {
	const op = "keys.Seal"
	if subject == "" {
		return nil, phigate.Errorf(phigate.EINVALID, op, "no subject")
	}
	e.init()
	dk, err := e.current(ctx, subject)
	if err != nil {
		return nil, e.failed(ctx, op, subject, place, err)
	}
	out := make([]byte, headerSize, headerSize+nonceSize+len(plaintext)+dk.aead.Overhead())
	out[0] = sealFormat
	putUint32(out[1:headerSize], dk.id)
	var adBuf [256]byte
	out, err = sealTo(out, dk.aead, e.rand(), plaintext, sealAD(adBuf[:0], subject, place, out[:headerSize]))
	if err != nil {
		return nil, e.failed(ctx, op, subject, place, cryptoErr(op, err))
	}
	return out, nil
}

// Open decrypts a value sealed for subject at place. Codes: ECRYPTO
// (tampered, truncated, moved, unknown format, missing or retired key
// version), ENOTFOUND (subject shredded).
func (e *Envelope) Open(ctx context.Context, subject string, place phigate.Place, ciphertext []byte) ([]byte, error) {
	const op = "keys.Open"
	e.init()
	if len(ciphertext) < headerSize+nonceSize+16 {
		return nil, e.failed(ctx, op, subject, place, placeErr(op, place, errTruncated))
	}
	if ciphertext[0] != sealFormat {
		return nil, e.failed(ctx, op, subject, place, placeErr(op, place, errFormat))
	}
	dk, err := e.byID(ctx, subject, getUint32(ciphertext[1:headerSize]))
	if err != nil {
		return nil, e.failed(ctx, op, subject, place, err)
	}
	var adBuf [256]byte
	pt, err := openFrom(dk.aead, ciphertext[headerSize:], sealAD(adBuf[:0], subject, place, ciphertext[:headerSize]))
	if err != nil {
		return nil, e.failed(ctx, op, subject, place, placeErr(op, place, errAuth))
	}
	return pt, nil
}

// Shred destroys every data key of subject and records the shred: all that
// was sealed for it, in the database and in backups taken before, can no
// longer be opened (backups: see ReapplyShreds). Other nodes drop their
// cached copy within CacheTTL.
func (e *Envelope) Shred(ctx context.Context, subject string) error {
	_, err := e.ShredSubject(ctx, subject)
	return err
}

// ShredSubject is Shred returning the record of the shred.
func (e *Envelope) ShredSubject(ctx context.Context, subject string) (*phigate.Shred, error) {
	if subject == "" {
		return nil, phigate.Errorf(phigate.EINVALID, "keys.Shred", "no subject")
	}
	e.init()
	s, err := e.Store.ShredSubject(ctx, subject, e.now())
	e.cache.evict(subject)
	if err != nil {
		return nil, keep(phigate.EINTERNAL, "keys.Shred", err)
	}
	return s, nil
}

// ReapplyShreds shreds again every subject in shreds. Run it after
// restoring a database backup, with the shreds recorded since (ListShreds
// on the live database before the restore, or the shred list kept with the
// backups), so that a restore never brings a shredded subject back. It
// returns how many data keys it destroyed.
func (e *Envelope) ReapplyShreds(ctx context.Context, shreds []*phigate.Shred) (int, error) {
	e.init()
	n := 0
	for _, s := range shreds {
		r, err := e.Store.ShredSubject(ctx, s.Subject, s.ShreddedAt)
		if err != nil {
			return n, keep(phigate.EINTERNAL, "keys.ReapplyShreds", err)
		}
		e.cache.evict(s.Subject)
		n += r.Keys
	}
	return n, nil
}

// failed reports err to OnError when it is a crypto failure, and returns it.
func (e *Envelope) failed(ctx context.Context, op, subject string, place phigate.Place, err error) error {
	if e.OnError != nil && phigate.ErrorCode(err) == phigate.ECRYPTO {
		e.OnError(ctx, op, subject, place, err)
	}
	return err
}

// placeErr wraps a failure to open at place; it names the table, field
// and row id, never the value.
func placeErr(op string, place phigate.Place, err error) error {
	return phigate.Errorf(phigate.ECRYPTO, op, "open %s.%s of row %s: %w", place.Table, place.Field, place.Row, err)
}
