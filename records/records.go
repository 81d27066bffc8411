// Package records owns the patients and clinical notes service: the rules
// above the store. Every access goes through the phigate.Authorizer choke
// point (policy decision, audit event, then effect), returns only the
// minimum-necessary view of the decision, seals records at rest through
// phigate.Sealer and finds patients by MRN through a blind index
// (phigate.Hasher). It imports only the root package.
package records

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"

	phigate "github.com/phigate/phigate"
)

// Service serves patients and notes. Set the fields, then call Open.
type Service struct {
	Store  phigate.RecordStore // required
	Guard  phigate.Authorizer  // required: the one choke point
	Sealer phigate.Sealer      // required: records are sealed at rest
	Hasher phigate.Hasher      // required: MRN blind index and pseudonyms
	// Deidentify returns a de-identified copy of a note's text for
	// de-identified views. If nil, such views withhold note text.
	Deidentify func(ctx context.Context, text string) (string, error)
	Now        func() time.Time // defaults to time.Now
	Rand       io.Reader        // defaults to crypto/rand
}

// Open checks that the service is complete. Codes: EINVALID.
func (s *Service) Open() error {
	if s.Store == nil || s.Guard == nil || s.Sealer == nil || s.Hasher == nil {
		return phigate.Errorf(phigate.EINVALID, "records.Open", "store, guard, sealer and hasher are required")
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Rand == nil {
		s.Rand = rand.Reader
	}
	return nil
}

// Request is who asks and why: the principal, source and request id come
// from the context (phigate.PrincipalFromContext and friends), the purpose
// of use from the caller.
type Request struct {
	Principal *phigate.Principal
	Purpose   phigate.Purpose
	Source    string
	RequestID string
}

// access builds the authorisation request for one patient, looking up the
// care-team relationship of the principal.
func (s *Service) access(ctx context.Context, rq Request, res phigate.Resource, act phigate.Action, patientID, op string) (*phigate.AccessRequest, error) {
	ar := &phigate.AccessRequest{Principal: rq.Principal, Resource: res, Action: act, Purpose: rq.Purpose,
		PatientID: patientID, Op: op, Source: rq.Source, RequestID: rq.RequestID, Now: s.Now().UTC()}
	if patientID != "" && rq.Principal != nil && rq.Principal.APIKeyID == "" && rq.Principal.UserID != "" {
		on, err := s.Store.OnCareTeam(ctx, patientID, rq.Principal.UserID)
		if err != nil {
			return nil, fmt.Errorf("care team: %w", err)
		}
		if on {
			ar.Relationship = phigate.RelationCareTeam
		}
	}
	return ar, nil
}

func (s *Service) newID(prefix string) (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		return "", phigate.E(phigate.EINTERNAL, "records.newID", fmt.Errorf("read random: %w", err))
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// mrnIndex is the blind index of an MRN: a keyed HMAC of its normalised
// form, so an exact MRN can be found without storing it.
func (s *Service) mrnIndex(mrn string) string {
	norm := strings.ToUpper(strings.TrimSpace(mrn))
	if norm == "" {
		return ""
	}
	return s.Hasher.HMAC("blind.mrn", []byte(norm))
}

func subject(patientID string) string { return "patient:" + patientID }

// A patient's record is sealed whole; notes separately, under the same
// subject, so shredding the patient shreds the notes.
func patientPlace(id string) phigate.Place {
	return phigate.Place{Table: "patients", Row: id, Field: "record"}
}

func notePlace(id string) phigate.Place {
	return phigate.Place{Table: "notes", Row: id, Field: "text"}
}

// requestOf reads who asks from the context.
func requestOf(ctx context.Context, purpose phigate.Purpose) Request {
	return Request{Principal: phigate.PrincipalFromContext(ctx), Purpose: purpose,
		Source: phigate.SourceFromContext(ctx), RequestID: phigate.RequestIDFromContext(ctx)}
}
