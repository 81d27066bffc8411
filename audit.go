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
