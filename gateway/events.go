package gateway

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Audit event field names: the root's, which the accounting of
// disclosures reads.
const (
	fieldRecipient = phigate.FieldRecipient
	fieldDisclosed = phigate.FieldDisclosed
	fieldVendor    = phigate.FieldVendor
	fieldModel     = phigate.FieldModel
)

// baseEvent returns the event of a call with what is known so far.
func (x *exchange) baseEvent(action string, outcome phigate.Outcome) *phigate.Event {
	ctx := x.r.Context()
	e := &phigate.Event{Time: x.g.now().UTC(), Source: phigate.SourceFromContext(ctx), Action: action,
		Outcome: outcome, RequestID: phigate.RequestIDFromContext(ctx), Fields: map[string]string{
			"requested_model": safeModel(x.model), "stream": strconv.FormatBool(x.stream)}}
	if x.c != nil {
		e.Actor, e.Purpose, e.Patients = x.c.id, x.c.purpose, x.patients
	}
	if x.route != nil {
		e.Fields["route"] = x.route.Name
	}
	if x.used.vendor != nil {
		e.Resource = "vendor:" + x.used.vendor.Name
		e.Fields[fieldVendor], e.Fields[fieldModel] = x.used.vendor.Name, x.used.model
	}
	if x.sc != nil {
		e.Fields["phi"] = countsString(x.sc.counts)
	}
	if x.plan != nil {
		e.Fields["decision"] = string(x.plan.decision)
		e.Fields["policy"] = string(x.plan.policy.Mode)
		e.Fields["method"] = string(x.plan.policy.Method)
	}
	if x.conv != nil && x.conv.id != "" {
		e.Fields["conversation"] = x.conv.id
	}
	return e
}

// safeModel keeps a model name only if it looks like one: a client could
// put anything there.
func safeModel(m string) string {
	if len(m) > 128 {
		return "(long)"
	}
	for _, c := range []byte(m) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_./:@", c) >= 0) {
			return "(unusual)"
		}
	}
	return m
}

// recordCall writes the event of a call before it leaves for vendor t.
// A call that sends PHI as is names the vendor as recipient and what it
// received, so it counts as a disclosure for each patient concerned.
// Codes: EAUDIT.
func (x *exchange) recordCall(ctx context.Context, t target, fallback bool) error {
	x.used = t
	e := x.baseEvent(x.action, phigate.OutcomeSuccess)
	if fallback {
		e.Fields["fallback"] = "true"
	}
	e.Fields["prompt_tokens_estimate"] = strconv.Itoa(len(x.out) / 4)
	if kept := x.keptCounts(); len(kept) > 0 {
		e.Fields[fieldRecipient] = "vendor:" + t.vendor.Name
		e.Fields[fieldDisclosed] = countsString(kept)
	}
	if replaced := x.replacedCounts(); len(replaced) > 0 {
		e.Fields["replaced"] = countsString(replaced)
	}
	if err := x.g.Audit.Record(ctx, e); err != nil {
		return refuse(phigate.EAUDIT, reasonAudit, err)
	}
	return nil
}

// keptCounts counts the findings sent as is.
func (x *exchange) keptCounts() map[phigate.Category]int {
	out := map[phigate.Category]int{}
	if x.sc == nil || x.plan == nil {
		return out
	}
	for _, u := range x.sc.units {
		for _, f := range u.findings {
			if x.plan.keeps(f) {
				out[f.Category]++
			}
		}
	}
	return out
}

func (x *exchange) replacedCounts() map[phigate.Category]int {
	out := map[phigate.Category]int{}
	if x.sc == nil || x.plan == nil {
		return out
	}
	for _, u := range x.sc.units {
		for _, f := range u.findings {
			if !x.plan.keeps(f) {
				out[f.Category]++
			}
		}
	}
	return out
}

// recordDenied writes the event of a refused call (best effort: the call
// is refused either way).
func (x *exchange) recordDenied(err error) {
	e := x.baseEvent(x.action, phigate.OutcomeDenied)
	e.Reason = phigate.ErrorCode(err)
	if r := reasonOf(err); r != "" {
		e.Reason = r
	}
	if rerr := x.g.Audit.Record(context.WithoutCancel(x.r.Context()), e); rerr != nil {
		x.g.logError(x.r.Context(), "audit of a refused AI call failed", rerr)
	}
}

// recordResult writes the outcome of a call that left: tokens, latency,
// re-identification and output scan counts. Codes: EAUDIT.
func (x *exchange) recordResult(ctx context.Context, callErr error) error {
	if err := x.g.Audit.Record(ctx, x.resultEvent(callErr)); err != nil {
		return refuse(phigate.EAUDIT, reasonAudit, err)
	}
	return nil
}

// recordOutputFlag makes durable, before a stream releases it, that the
// answer holds PHI the caller did not send and the policy flags without
// redacting (OutputFlag). Codes: EAUDIT.
func (x *exchange) recordOutputFlag(flagged map[phigate.Category]int) error {
	e := x.baseEvent(x.action+".output", phigate.OutcomeSuccess)
	e.Fields["output_phi"] = countsString(flagged)
	e.Fields["output_scan"] = string(x.outscan.mode)
	if err := x.g.Audit.Record(x.r.Context(), e); err != nil {
		return refuse(phigate.EAUDIT, reasonAudit, err)
	}
	return nil
}

// asyncRecorder is an audit log that can commit an event with the next
// batch rather than make its caller wait (audit.Log).
type asyncRecorder interface {
	RecordAsync(e *phigate.Event, done func(error)) error
}

// recordLateResult records the result of a call already answered. A
// failure can no longer refuse it: it is logged and counted
// (ResultAuditFailures). With an audit log that commits asynchronously the
// result shares the commit of the next call's event, so neither this
// caller nor the next request on its connection waits for a commit of
// its own.
func (x *exchange) recordLateResult(callErr error) {
	failed := func(err error) {
		x.g.resultFailures.Add(1)
		x.g.logError(x.r.Context(), "audit of an AI call result failed", err)
	}
	if a, ok := x.g.Audit.(asyncRecorder); ok {
		if err := a.RecordAsync(x.resultEvent(callErr), func(err error) {
			if err != nil {
				failed(err)
			}
		}); err != nil {
			failed(err)
		}
		return
	}
	if err := x.recordResult(context.WithoutCancel(x.r.Context()), callErr); err != nil {
		failed(err)
	}
}

// resultEvent is the event of a call's outcome.
func (x *exchange) resultEvent(callErr error) *phigate.Event {
	outcome := phigate.OutcomeSuccess
	if callErr != nil {
		outcome = phigate.OutcomeFailure
	}
	e := x.baseEvent(x.action+".result", outcome)
	if callErr != nil {
		e.Reason = phigate.ErrorCode(callErr)
	}
	e.Fields["latency_ms"] = strconv.FormatInt(time.Since(x.start).Milliseconds(), 10)
	e.Fields["prompt_tokens"] = strconv.Itoa(x.usage.prompt)
	e.Fields["completion_tokens"] = strconv.Itoa(x.usage.completion)
	e.Fields["restored"] = strconv.Itoa(x.reid.Restored)
	e.Fields["mangled"] = strconv.Itoa(x.reid.Mangled)
	if x.outscan != nil && len(x.outscan.flagged) > 0 {
		e.Fields["output_phi"] = countsString(x.outscan.flagged)
		e.Fields["output_scan"] = string(x.outscan.mode)
	}
	if x.upstreamStatus != 0 {
		e.Fields["upstream_status"] = strconv.Itoa(x.upstreamStatus)
	}
	return e
}

// patientsOf returns the keyed hashes of the patients r names.
func (g *Gateway) patientsOf(r interface{ Get(string) string }) []string {
	h := r.Get(PatientHeader)
	if h == "" || g.Hasher == nil {
		return nil
	}
	var out []string
	for _, id := range strings.Split(h, ",") {
		if id = strings.TrimSpace(id); id != "" && len(out) < 100 {
			out = append(out, g.Hasher.HMAC(patientDomain, []byte(id)))
		}
	}
	return out
}
