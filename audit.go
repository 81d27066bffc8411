package phigate

import (
	"context"
	"time"
)

// Outcome is how an access attempt ended.
type Outcome string

// The outcomes.
const (
	OutcomeSuccess Outcome = "success" // allowed and done
	OutcomeDenied  Outcome = "denied"  // refused by authentication or policy
	OutcomeFailure Outcome = "failure" // allowed but failed
)

// Event is one access attempt in the audit log. It never holds PHI:
// identifiers of patients and values appear only as keyed HMACs (see Hasher).
type Event struct {
	Seq       int64     `json:"seq"` // position in the chain, set by the log
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`              // user or API key id, "" when unknown
	Source    string    `json:"source"`             // client address
	Action    string    `json:"action"`             // "auth.login", "patient.read", "ai.chat", ...
	Resource  string    `json:"resource,omitempty"` // "patient:<hmac>", "vendor:<name>", ...
	Purpose   Purpose   `json:"purpose,omitempty"`
	Outcome   Outcome   `json:"outcome"`
	Reason    string    `json:"reason,omitempty"` // an error code or policy rule, never free text
	RequestID string    `json:"request_id,omitempty"`
	// Patients holds keyed HMACs of the patients concerned.
	Patients []string `json:"patients,omitempty"`
	// BreakGlass marks an access made under emergency access.
	BreakGlass bool `json:"break_glass,omitempty"`
	// Fields holds further typed attributes (vendor, model, decision,
	// category counts). Values are never PHI.
	Fields map[string]string `json:"fields,omitempty"`
}

// AuditLog records access attempts. Implemented by the audit package.
type AuditLog interface {
	// Record makes e durable before returning; the caller must not let the
	// access take effect otherwise. Codes: EAUDIT.
	Record(ctx context.Context, e *Event) error
}

// Field names in Event.Fields that the accounting of disclosures reads
// (45 CFR 164.528). Whoever records an event in which PHI left phigate in
// identifiable form sets FieldRecipient; events without it are accesses,
// not disclosures.
const (
	// FieldRecipient names who received the PHI: "vendor:openai",
	// "export:<id>", "user:<id>".
	FieldRecipient = "recipient"
	// FieldDisclosed describes what was disclosed as category codes and
	// counts ("NAME:2,DATE:1"), never the values themselves.
	FieldDisclosed = "disclosed"
	// FieldVendor and FieldModel name the AI vendor and model of an AI call.
	FieldVendor = "vendor"
	FieldModel  = "model"
)

// AuditHead is the end of the audit chain: what the next append builds on.
// Frontier and Base are opaque to stores; the audit package encodes them.
type AuditHead struct {
	Size           int64  // number of events ever appended
	Hash           []byte // chain hash of event Size; nil when Size is 0
	Frontier       []byte // compact Merkle range of the first Size events
	CheckpointSize int64  // size of the newest checkpoint
	// BaseSize is the number of events archived and removed from the store;
	// events 1..BaseSize live only in archive segments.
	BaseSize int64
	// Base holds the chain state at BaseSize (hash and frontier), so the
	// rest of the chain still verifies.
	Base []byte
}

// AuditBlock is a run of consecutive events as stored: their frozen
// encodings with chain links and hashes, in a format the audit package
// owns. One append writes one or more blocks; storing events in blocks
// keeps appends and verification fast.
type AuditBlock struct {
	First, Last      int64     // seqs of the first and last event
	MinTime, MaxTime time.Time // earliest and latest event time in the block
	Data             []byte
	// Filter is a compact summary of the block's actors, resources, action
	// categories and patients (a Bloom filter) that searches scan to find
	// the blocks worth decoding. Stores keep it apart from Data.
	Filter []byte
}

// AuditCheckpoint is a signed checkpoint of the audit log.
type AuditCheckpoint struct {
	Size     int64
	Time     time.Time
	Note     []byte // the signed note (C2SP tlog-checkpoint)
	Frontier []byte // compact Merkle range at Size (unsigned, a shortcut)
	Hash     []byte // chain hash of event Size
}

// AuditAppend is what one append transaction writes: blocks of events,
// checkpoints and the new head.
type AuditAppend struct {
	Blocks      []*AuditBlock
	Checkpoints []*AuditCheckpoint
	Head        AuditHead
}

// AuditQuery selects events. Zero fields do not filter.
type AuditQuery struct {
	Since, Until time.Time // Since <= Time < Until
	Actor        string
	Action       string // exact, or a prefix ending in "." or "*" ("auth.")
	Outcome      Outcome
	Resource     string
	Patient      string // keyed HMAC of a patient
	After        int64  // only events with Seq > After (paging)
	Limit        int    // at most this many (the audit package sets defaults)
}

// AuditStore persists the audit chain. It holds no rules: the audit package
// encodes blocks, computes hashes, checkpoints, index keys and heads; the
// store serialises appends and keeps them atomic and durable.
type AuditStore interface {
	// AppendAudit locks the chain head (across every node sharing the
	// database), calls fn with it and writes what fn returns in the same
	// transaction, durably; a nil AuditAppend writes nothing. If fn fails
	// nothing is written and its error is returned. Codes: EAUDIT (not
	// durable), whatever fn returns.
	AppendAudit(ctx context.Context, fn func(head AuditHead) (*AuditAppend, error)) error
	// AuditHead returns the current head without locking it.
	AuditHead(ctx context.Context) (AuditHead, error)
	// ScanAuditBlocks calls fn for each block with Last > after and
	// First <= through (through <= 0: to the end), by First; Filter may be
	// left empty. fn may keep a block but must not change it.
	ScanAuditBlocks(ctx context.Context, after, through int64, fn func(*AuditBlock) error) error
	// AuditSeqRange bounds the events whose time may fall in
	// [since, until) (zero times: unbounded) by the blocks' time ranges:
	// every such event has after < Seq <= through (through 0: none).
	AuditSeqRange(ctx context.Context, since, until time.Time) (after, through int64, err error)
	// ScanAuditFilters calls fn with the First, Last and Filter of each
	// block with Last > after and First <= through (through <= 0: to the
	// end), by First, without reading the blocks' data. The filter is
	// valid only during the call.
	ScanAuditFilters(ctx context.Context, after, through int64, fn func(first, last int64, filter []byte) error) error
	// AuditBlocks returns the blocks with the given Firsts, by First.
	AuditBlocks(ctx context.Context, firsts []int64) ([]*AuditBlock, error)
	// AuditCheckpoints returns the checkpoints with Size > after, by size.
	AuditCheckpoints(ctx context.Context, after int64) ([]*AuditCheckpoint, error)
	// PruneAudit removes the blocks (and filters) of events 1..size and the
	// checkpoints below size, and sets the head's base to (size, base).
	// Only the audit package calls it, after archiving those events and
	// checking retention. Codes: ECONFLICT (size is not a checkpoint that
	// ends a block, or not above the current base).
	PruneAudit(ctx context.Context, size int64, base []byte) error
}

// PatientDomain is the Hasher domain of patient identifiers in audit events:
// Event.Patients and "patient:<hmac>" resources hold
// Hasher.HMAC(PatientDomain, id), so the log can be searched by a patient's
// identifier without holding it.
const PatientDomain = "audit.patient"
