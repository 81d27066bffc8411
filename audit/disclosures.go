package audit

import (
	"context"
	"time"

	"github.com/phigate/phigate"
)

// AccountingPeriod is how far back an accounting of disclosures reaches by
// default (45 CFR 164.528(a): six years).
const AccountingPeriod = 6 * 365 * 24 * time.Hour

// Disclosure is one line of an accounting of disclosures (45 CFR
// 164.528(b)): when, to whom, what and why.
type Disclosure struct {
	Seq         int64           `json:"seq"`
	Time        time.Time       `json:"time"`
	Recipient   string          `json:"recipient"`   // for AI calls, "vendor:<name>"
	Description string          `json:"description"` // categories and counts of PHI, the action
	Purpose     phigate.Purpose `json:"purpose"`
	Actor       string          `json:"actor"` // who made the disclosure
	RequestID   string          `json:"request_id,omitempty"`
}

// Disclosures returns every disclosure of the patient's PHI (by its HMAC)
// since the given time, or in the last six years when since is zero,
// oldest first. Codes: EFORBIDDEN, EINVALID, EAUDIT.
func (r *Reader) Disclosures(ctx context.Context, c Caller, patient string, since time.Time) ([]Disclosure, error) {
	if patient == "" {
		return nil, phigate.Errorf(phigate.EINVALID, "audit.Disclosures", "a patient is required")
	}
	if since.IsZero() {
		since = r.now().Add(-AccountingPeriod)
	}
	q := phigate.AuditQuery{Patient: patient, Since: since, Outcome: phigate.OutcomeSuccess, Limit: MaxPageSize}
	if err := r.authorize(ctx, c, ActionDisclosures, q); err != nil {
		return nil, err
	}
	out := []Disclosure{}
	for {
		p, err := r.page(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range p.Events {
			if d, ok := DisclosureOf(e); ok {
				out = append(out, d)
			}
		}
		if p.Next == 0 {
			return out, nil
		}
		q.After = p.Next
	}
}

// DisclosureOf returns the disclosure an event records, if it records one:
// a successful access whose FieldRecipient is set.
func DisclosureOf(e *phigate.Event) (Disclosure, bool) {
	rcpt := e.Fields[phigate.FieldRecipient]
	if rcpt == "" || e.Outcome != phigate.OutcomeSuccess {
		return Disclosure{}, false
	}
	desc := e.Action
	if m := e.Fields[phigate.FieldModel]; m != "" {
		desc += " (" + m + ")"
	}
	if what := e.Fields[phigate.FieldDisclosed]; what != "" {
		desc += ": " + what
	}
	return Disclosure{Seq: e.Seq, Time: e.Time, Recipient: rcpt, Description: desc,
		Purpose: e.Purpose, Actor: e.Actor, RequestID: e.RequestID}, true
}

func (r *Reader) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}
