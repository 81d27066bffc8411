package phigate

import (
	"context"
	"time"
)

// Place binds a sealed value to where it lives: a ciphertext copied into
// another table, row or field fails to open.
type Place struct {
	Table string // "patients"
	Row   string // the row's id
	Field string // "name"
}

// Sealer seals PHI at rest with envelope encryption: each subject (a
// patient, a conversation, a document) has its own data key, wrapped by the
// active key-encryption key. Implemented by the keys package.
type Sealer interface {
	// Seal encrypts plaintext under subject's data key (created on first use)
	// bound to place. Codes: ECRYPTO, ENOTFOUND (subject shredded).
	Seal(ctx context.Context, subject string, place Place, plaintext []byte) ([]byte, error)
	// Open decrypts a value sealed for subject at place. Codes: ECRYPTO
	// (tampered, moved or wrong key), ENOTFOUND (subject shredded).
	Open(ctx context.Context, subject string, place Place, ciphertext []byte) ([]byte, error)
	// Shred destroys every data key of subject: everything sealed for it,
	// in the database and in backups, becomes unreadable.
	Shred(ctx context.Context, subject string) error
}

// Hasher computes keyed HMACs of identifiers, so that records and audit
// events can be searched by an exact identifier without storing it.
// Implemented by the keys package; the encoding never changes.
type Hasher interface {
	// HMAC returns the keyed hash of value in domain ("audit.patient",
	// "blind.mrn") as a short printable string.
	HMAC(domain string, value []byte) string
}

// WrappedKey is one data key of a subject as it is stored: wrapped (encrypted)
// by a key-encryption key, never in clear. The keys package creates and
// unwraps them; stores only persist them.
type WrappedKey struct {
	Subject string // "patient:<id>", "conversation:<id>", ...
	// ID numbers the subject's data keys from 1; sealed values name it.
	ID uint32
	// KEKVersion is the version of the key-encryption key that wraps it.
	KEKVersion uint32
	Wrapped    []byte // the wrapped key, as the key-encryption key source made it
	CreatedAt  time.Time
	// RewrappedAt is when it was last rewrapped; zero if never.
	RewrappedAt time.Time
}

// KeyCursor is a position in the order (Subject, ID) of wrapped keys.
// The zero cursor is before the first key.
type KeyCursor struct {
	Subject string `json:"subject"`
	ID      uint32 `json:"id"`
}

// Shred records that a subject's data keys were destroyed.
type Shred struct {
	Subject    string    `json:"subject"`
	Keys       int       `json:"keys"` // how many data keys were destroyed
	ShreddedAt time.Time `json:"shredded_at"`
}

// RewrapJob is the durable progress of re-wrapping every data key under one
// key-encryption key version, so that an interrupted rewrap resumes.
type RewrapJob struct {
	Target     uint32    `json:"target"` // the version every key is re-wrapped under
	Cursor     KeyCursor `json:"cursor"` // keys up to and including it are done
	Total      int       `json:"total"`  // keys below Target when the job started
	Done       int       `json:"done"`   // keys re-wrapped so far
	Failed     int       `json:"failed"` // keys that could not be re-wrapped (left as they were)
	StartedAt  time.Time `json:"started_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"` // zero while running or interrupted
}

// KeyStore persists wrapped data keys, shreds and rewrap progress. It holds
// no rules and never sees a key in clear. Implemented by the sqlite and
// postgres packages.
type KeyStore interface {
	// CreateDataKey inserts k. Codes: ECONFLICT (the subject already has a
	// key with k.ID), EFORBIDDEN (the subject was shredded).
	CreateDataKey(ctx context.Context, k *WrappedKey) error
	// DataKey returns one data key of subject. Codes: ENOTFOUND.
	DataKey(ctx context.Context, subject string, id uint32) (*WrappedKey, error)
	// LatestDataKey returns the subject's data key with the highest ID.
	// Codes: ENOTFOUND.
	LatestDataKey(ctx context.Context, subject string) (*WrappedKey, error)
	// DataKeysBelow returns up to limit keys whose KEKVersion is below
	// version, after cursor in (Subject, ID) order.
	DataKeysBelow(ctx context.Context, version uint32, after KeyCursor, limit int) ([]*WrappedKey, error)
	// RewrapDataKeys replaces Wrapped, KEKVersion and RewrappedAt of each
	// key in one transaction, but only where the stored key is still
	// wrapped under from[i] (keys shredded or re-wrapped meanwhile are
	// skipped). It returns how many keys it replaced.
	RewrapDataKeys(ctx context.Context, keys []*WrappedKey, from []uint32) (int, error)
	// CountDataKeys returns how many data keys each KEK version wraps.
	CountDataKeys(ctx context.Context) (map[uint32]int, error)
	// ShredSubject deletes every data key of subject and records the shred
	// in the same transaction; shredding twice keeps the first record.
	// It returns the record.
	ShredSubject(ctx context.Context, subject string, at time.Time) (*Shred, error)
	// ShredOf returns the record of subject's shred. Codes: ENOTFOUND (never
	// shredded).
	ShredOf(ctx context.Context, subject string) (*Shred, error)
	// ListShreds returns every shred, oldest first.
	ListShreds(ctx context.Context) ([]*Shred, error)
	// SaveRewrapJob inserts or replaces the job for j.Target.
	SaveRewrapJob(ctx context.Context, j *RewrapJob) error
	// RewrapJob returns the job for target. Codes: ENOTFOUND.
	RewrapJob(ctx context.Context, target uint32) (*RewrapJob, error)
}
