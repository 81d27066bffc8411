package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Defaults of Reader.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Actions the Reader records.
const (
	ActionSearch      = "audit.search"
	ActionDisclosures = "audit.disclosures"
)

// Caller is who reads the log, for authorisation and for the audit event
// that records the read.
type Caller struct {
	Principal *phigate.Principal
	Source    string // client address, or "cli"
	RequestID string
}

func (c Caller) actor() string {
	if c.Principal == nil {
		return ""
	}
	if c.Principal.APIKeyID != "" {
		return c.Principal.APIKeyID
	}
	return c.Principal.UserID
}

// Reader answers queries of the audit log. Only auditors and security
// officers may read it, and every read, allowed or not, is itself recorded
// before any data is returned.
type Reader struct {
	// Store is the log to read. Required.
	Store phigate.AuditStore
	// Log records the reads. Required.
	Log phigate.AuditLog
	// Hasher computes patient HMACs from identifiers (PatientKey).
	Hasher phigate.Hasher
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Page is one page of search results, oldest first.
type Page struct {
	Events []*phigate.Event `json:"events"`
	// Next is the After of the next page; 0 when this is the last page.
	Next int64 `json:"next,omitempty"`
}

// CanRead reports whether p may read the audit log.
func CanRead(p *phigate.Principal) bool {
	return p != nil && (slices.Contains(p.Roles, phigate.RoleAuditor) || slices.Contains(p.Roles, phigate.RoleSecurityOfficer))
}

// PatientKey returns the HMAC under which events name the patient id.
// Codes: EINVALID (no hasher or empty id).
func (r *Reader) PatientKey(id string) (string, error) {
	if r.Hasher == nil || id == "" {
		return "", phigate.Errorf(phigate.EINVALID, "audit.PatientKey", "a patient id and a hasher are required")
	}
	return r.Hasher.HMAC(phigate.PatientDomain, []byte(id)), nil
}

// authorize records the read and refuses it unless c may read.
func (r *Reader) authorize(ctx context.Context, c Caller, action string, q phigate.AuditQuery) error {
	const op = "audit.Reader"
	e := &phigate.Event{Actor: c.actor(), Source: c.Source, Action: action, Resource: "audit",
		Outcome: phigate.OutcomeSuccess, RequestID: c.RequestID, Fields: queryFields(q)}
	if q.Patient != "" {
		e.Patients = []string{q.Patient}
	}
	allowed := CanRead(c.Principal)
	if !allowed {
		e.Outcome, e.Reason = phigate.OutcomeDenied, phigate.EFORBIDDEN
	}
	if err := r.Log.Record(ctx, e); err != nil {
		return err
	}
	if !allowed {
		return phigate.Errorf(phigate.EFORBIDDEN, op, "only auditors and security officers read the audit log")
	}
	return nil
}

// queryFields describes a query for the audit event that records it.
func queryFields(q phigate.AuditQuery) map[string]string {
	f := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			f[k] = v
		}
	}
	set("q.actor", q.Actor)
	set("q.action", q.Action)
	set("q.outcome", string(q.Outcome))
	set("q.resource", q.Resource)
	if !q.Since.IsZero() {
		f["q.since"] = q.Since.UTC().Format(time.RFC3339)
	}
	if !q.Until.IsZero() {
		f["q.until"] = q.Until.UTC().Format(time.RFC3339)
	}
	return f
}

// Search returns one page of events matching q, decoded from their
// chained entries. Codes: EFORBIDDEN, EINVALID, EAUDIT.
func (r *Reader) Search(ctx context.Context, c Caller, q phigate.AuditQuery) (*Page, error) {
	if err := checkQuery(&q); err != nil {
		return nil, err
	}
	if err := r.authorize(ctx, c, ActionSearch, q); err != nil {
		return nil, err
	}
	return r.page(ctx, q)
}

func checkQuery(q *phigate.AuditQuery) error {
	switch {
	case q.Limit == 0:
		q.Limit = DefaultPageSize
	case q.Limit < 0 || q.Limit > MaxPageSize:
		return phigate.Errorf(phigate.EINVALID, "audit.Search", "limit must be 1..%d", MaxPageSize)
	}
	if q.After < 0 || (!q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since)) {
		return phigate.Errorf(phigate.EINVALID, "audit.Search", "bad paging or time range")
	}
	if q.Outcome != "" && !validOutcome(q.Outcome) {
		return phigate.Errorf(phigate.EINVALID, "audit.Search", "unknown outcome")
	}
	return nil
}

// page runs q without authorisation: candidates come from the blocks the
// index keys point to (or every block in the time range), and each event is
// decoded from its chained entry and checked against every filter.
func (r *Reader) page(ctx context.Context, q phigate.AuditQuery) (*Page, error) {
	after, through := q.After, int64(0)
	if !q.Since.IsZero() || !q.Until.IsZero() {
		lo, hi, err := r.Store.AuditSeqRange(ctx, q.Since, q.Until)
		if err != nil {
			return nil, fmt.Errorf("search audit: %w", err)
		}
		if hi == 0 {
			return &Page{Events: []*phigate.Event{}}, nil
		}
		after, through = max(after, lo), hi
	}
	p := &Page{Events: make([]*phigate.Event, 0, q.Limit)}
	keys := queryKeys(q)
	for {
		bs, done, err := r.blocks(ctx, keys, after, through)
		if err != nil {
			return nil, fmt.Errorf("search audit: %w", err)
		}
		for _, b := range bs {
			for _, e := range appendEvents(nil, b, func(seq int64) bool { return seq > after && (through <= 0 || seq <= through) }) {
				if !Match(q, e) {
					continue
				}
				p.Events = append(p.Events, e)
				if len(p.Events) == q.Limit {
					p.Next = e.Seq
					return p, nil
				}
			}
			after = max(after, b.Last)
		}
		if done {
			return p, nil
		}
	}
}

// searchBlocks is how many blocks one round of a search reads.
const searchBlocks = 16

// blocks returns the next blocks after after (up to through, if positive)
// that may hold matches, and whether there are no more.
func (r *Reader) blocks(ctx context.Context, keys []string, after, through int64) ([]*phigate.AuditBlock, bool, error) {
	if len(keys) > 0 {
		var firsts []int64
		err := r.Store.ScanAuditFilters(ctx, after, through, func(first, _ int64, f []byte) error {
			if filterHas(f, keys) {
				firsts = append(firsts, first)
			}
			if len(firsts) == searchBlocks {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return nil, false, err
		}
		if len(firsts) == 0 {
			return nil, true, nil
		}
		bs, err2 := r.Store.AuditBlocks(ctx, firsts)
		return bs, err == nil, err2
	}
	var bs []*phigate.AuditBlock
	err := r.Store.ScanAuditBlocks(ctx, after, through, func(b *phigate.AuditBlock) error {
		bs = append(bs, b)
		if len(bs) == searchBlocks {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, false, err
	}
	return bs, err == nil, nil
}

// appendEvents decodes the events of b that want selects. Events whose
// entries do not decode are skipped: audit verify reports them.
func appendEvents(out []*phigate.Event, b *phigate.AuditBlock, want func(int64) bool) []*phigate.Event {
	leaves, _ := DecodeBlock(b.Data)
	for _, l := range leaves {
		if !want(l.Seq) {
			continue
		}
		if e, err := Decode(l.Entry); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// Match reports whether e satisfies q's filters (not its paging).
func Match(q phigate.AuditQuery, e *phigate.Event) bool {
	switch {
	case !q.Since.IsZero() && e.Time.Before(q.Since),
		!q.Until.IsZero() && !e.Time.Before(q.Until),
		q.Actor != "" && e.Actor != q.Actor,
		q.Outcome != "" && e.Outcome != q.Outcome,
		q.Resource != "" && e.Resource != q.Resource,
		q.Patient != "" && !slices.Contains(e.Patients, q.Patient),
		q.Action != "" && !MatchAction(q.Action, e.Action):
		return false
	}
	return true
}

// MatchAction matches an action against a filter: exact, or a prefix when
// the filter ends in "." or "*".
func MatchAction(filter, action string) bool {
	if p, ok := strings.CutSuffix(filter, "*"); ok {
		return strings.HasPrefix(action, p)
	}
	if strings.HasSuffix(filter, ".") {
		return strings.HasPrefix(action, filter)
	}
	return action == filter
}
