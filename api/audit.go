package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// AuditReader answers audit queries; *audit.Reader implements it. Every
// call checks the caller's roles (auditor or security officer) and records
// the read before returning data. Codes: EFORBIDDEN, EINVALID, EAUDIT.
type AuditReader interface {
	Search(ctx context.Context, c audit.Caller, q phigate.AuditQuery) (*audit.Page, error)
	Disclosures(ctx context.Context, c audit.Caller, patient string, since time.Time) ([]audit.Disclosure, error)
	PatientKey(id string) (string, error)
}

var _ AuditReader = (*audit.Reader)(nil)

// registerAudit adds the audit routes when h.Audit is set:
//
//	GET  /api/v1/audit                      search (query parameters below)
//	GET  /api/v1/audit/disclosures          ?patient_hmac=&since=
//	POST /api/v1/audit/disclosures          {"patient": "<id>", "since": "..."}
//
// A patient's identifier travels only in a POST body, never in a URL that
// access logs keep.
func (h *Handler) registerAudit(mux *http.ServeMux) {
	if h.Audit == nil {
		return
	}
	mux.Handle("GET /api/v1/audit", h.Authenticated(http.HandlerFunc(h.searchAudit)))
	mux.Handle("GET /api/v1/audit/disclosures", h.Authenticated(http.HandlerFunc(h.getDisclosures)))
	mux.Handle("POST /api/v1/audit/disclosures", h.Authenticated(http.HandlerFunc(h.postDisclosures)))
}

func auditCaller(r *http.Request) audit.Caller {
	ctx := r.Context()
	return audit.Caller{Principal: phigate.PrincipalFromContext(ctx), Source: phigate.SourceFromContext(ctx),
		RequestID: phigate.RequestIDFromContext(ctx)}
}

// searchAudit serves GET /api/v1/audit?since=&until=&actor=&action=
// &outcome=&resource=&patient_hmac=&after=&limit=.
func (h *Handler) searchAudit(w http.ResponseWriter, r *http.Request) {
	q, err := auditQuery(r)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	p, err := h.Audit.Search(r.Context(), auditCaller(r), q)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, p)
}

func auditQuery(r *http.Request) (phigate.AuditQuery, error) {
	v := r.URL.Query()
	q := phigate.AuditQuery{Actor: v.Get("actor"), Action: v.Get("action"), Outcome: phigate.Outcome(v.Get("outcome")),
		Resource: v.Get("resource"), Patient: v.Get("patient_hmac")}
	var err error
	if q.Since, err = queryTime(v.Get("since"), "since"); err != nil {
		return q, err
	}
	if q.Until, err = queryTime(v.Get("until"), "until"); err != nil {
		return q, err
	}
	if q.After, err = queryInt(v.Get("after"), "after"); err != nil {
		return q, err
	}
	limit, err := queryInt(v.Get("limit"), "limit")
	q.Limit = int(limit)
	return q, err
}

func queryTime(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, phigate.Errorf(phigate.EINVALID, "api.audit", "%s is not an RFC 3339 time or a date", name)
}

func queryInt(s, name string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, phigate.Errorf(phigate.EINVALID, "api.audit", "%s is not a whole number", name)
	}
	return n, nil
}

// disclosuresResponse is the accounting of disclosures for one patient.
type disclosuresResponse struct {
	Patient     string             `json:"patient_hmac"`
	Since       time.Time          `json:"since,omitzero"`
	Disclosures []audit.Disclosure `json:"disclosures"`
}

func (h *Handler) getDisclosures(w http.ResponseWriter, r *http.Request) {
	since, err := queryTime(r.URL.Query().Get("since"), "since")
	if err != nil {
		h.Error(w, r, err)
		return
	}
	h.disclosures(w, r, r.URL.Query().Get("patient_hmac"), since)
}

// disclosuresRequest asks for a patient's accounting by identifier (hashed
// here) or by HMAC.
type disclosuresRequest struct {
	Patient     string    `json:"patient,omitempty"`
	PatientHMAC string    `json:"patient_hmac,omitempty"`
	Since       time.Time `json:"since,omitzero"`
}

func (h *Handler) postDisclosures(w http.ResponseWriter, r *http.Request) {
	var req disclosuresRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	pat := req.PatientHMAC
	if req.Patient != "" {
		var err error
		if pat, err = h.Audit.PatientKey(req.Patient); err != nil {
			h.Error(w, r, err)
			return
		}
	}
	h.disclosures(w, r, pat, req.Since)
}

func (h *Handler) disclosures(w http.ResponseWriter, r *http.Request, patient string, since time.Time) {
	ds, err := h.Audit.Disclosures(r.Context(), auditCaller(r), patient, since)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, disclosuresResponse{Patient: patient, Since: since, Disclosures: ds})
}
