package phigate

import "context"

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
