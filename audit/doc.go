// Package audit owns phigate's tamper-evident audit log: every access
// attempt becomes one event in an append-only chain, hashed with a frozen
// encoding (v1) into an RFC 6962 Merkle tree. Signed checkpoints in the
// C2SP tlog-checkpoint format commit to the tree; inclusion and consistency
// proofs let anyone check an event against a checkpoint with the public key.
//
// The package also verifies the chain (reporting the first event changed,
// removed, reordered or truncated), searches it, gives the accounting of
// disclosures per patient, encodes events for SIEMs (JSON lines, CEF,
// RFC 5424) and forwards them over TLS (RFC 5425) with an on-disk queue,
// and archives old segments that still verify.
//
// Stores implement phigate.AuditStore; the rules (hashes, checkpoints,
// retention) live here, once.
package audit
