// Package keys owns every cryptographic key of phigate and is the only
// package that holds raw key bytes. Other packages get operations, never
// keys: seal and open PHI at rest (Envelope, which implements
// phigate.Sealer and phigate.Hasher), keyed HMACs for blind indexes and
// audit identifiers, Ed25519 signatures for audit checkpoints, and
// self-signed TLS certificates.
//
// PHI at rest uses envelope encryption. Each subject (a patient, a
// conversation, a document) has its own AES-256-GCM data key; the data key
// is stored only wrapped by a versioned key-encryption key (KEK). The KEKs
// live in a Ring loaded from a local key file (optionally sealed with a
// passphrase through argon2id) or in an external KMS such as the
// Vault/OpenBao transit engine (Transit). Rotation adds a KEK version used
// for new data keys; Rewrap re-wraps stored data keys under the newest
// version without decrypting any record; a minimum decryption version
// retires old versions. Shred destroys a subject's data keys, which makes
// everything sealed for it unreadable.
//
// Every sealed value is bound by associated data to the table, row and
// field where it lives and to the data key that sealed it, so a value copied
// elsewhere fails to open. Errors name only identifiers (tables, fields,
// row ids, key versions), never the data.
package keys
