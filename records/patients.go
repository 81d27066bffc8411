package records

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	phigate "github.com/phigate/phigate"
)

// MaxField bounds the length of one patient field.
const MaxField = 512

var birthDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Validate checks a patient's fields. Codes: EINVALID; the error names the
// field, never its value.
func Validate(p *phigate.Patient) error {
	for name, v := range fieldValues(p) {
		if utf8.RuneCountInString(*v) > MaxField || !utf8.ValidString(*v) {
			return phigate.Errorf(phigate.EINVALID, "records.Validate", "field %s too long or not UTF-8", name)
		}
	}
	if p.BirthDate != "" && !birthDate.MatchString(p.BirthDate) {
		return phigate.Errorf(phigate.EINVALID, "records.Validate", "field birth_date must be YYYY-MM-DD")
	}
	if strings.TrimSpace(p.GivenName+p.FamilyName+p.MRN) == "" {
		return phigate.Errorf(phigate.EINVALID, "records.Validate", "a patient needs a name or an MRN")
	}
	return nil
}

// fieldValues returns pointers to the PHI fields by JSON name.
func fieldValues(p *phigate.Patient) map[string]*string {
	return map[string]*string{
		"mrn": &p.MRN, "given_name": &p.GivenName, "family_name": &p.FamilyName, "birth_date": &p.BirthDate,
		"address": &p.Address, "phone": &p.Phone, "email": &p.Email, "ssn": &p.SSN,
		"insurance_id": &p.InsuranceID, "account_number": &p.AccountNumber, "sex": &p.Sex,
	}
}

// GetPatient returns the minimum-necessary view of a patient. Codes:
// EFORBIDDEN, EPOLICY, EMFAREQUIRED, EAUDIT, ENOTFOUND, ECRYPTO.
func (s *Service) GetPatient(ctx context.Context, purpose phigate.Purpose, id string) (*phigate.Patient, error) {
	rq := requestOf(ctx, purpose)
	ar, err := s.access(ctx, rq, phigate.ResourcePatients, phigate.ActionRead, id, "patient.read")
	if err != nil {
		return nil, err
	}
	var out *phigate.Patient
	err = s.Guard.Authorize(ctx, ar, func(d phigate.Decision) error {
		p, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		out = s.view(p, d.View)
		return nil
	})
	return out, err
}

// FindByMRN returns the patient with an MRN, found by its blind index and
// then authorised like GetPatient. Codes: as GetPatient.
func (s *Service) FindByMRN(ctx context.Context, purpose phigate.Purpose, mrn string) (*phigate.Patient, error) {
	rq := requestOf(ctx, purpose)
	rec, err := s.Store.PatientByMRNIndex(ctx, s.mrnIndex(mrn))
	if err != nil {
		// Authorise the search itself so that misses are audited too.
		ar, aerr := s.access(ctx, rq, phigate.ResourcePatients, phigate.ActionRead, "", "patient.search")
		if aerr != nil {
			return nil, aerr
		}
		if aerr := s.Guard.Authorize(ctx, ar, func(phigate.Decision) error { return err }); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	return s.GetPatient(ctx, rq.Purpose, rec.ID)
}

// CreatePatient stores a new patient and puts the creating user on its care
// team. It returns the creator's view. Codes: EINVALID, ECONFLICT (MRN
// taken), and those of GetPatient.
func (s *Service) CreatePatient(ctx context.Context, purpose phigate.Purpose, p *phigate.Patient) (*phigate.Patient, error) {
	rq := requestOf(ctx, purpose)
	if err := Validate(p); err != nil {
		return nil, err
	}
	ar, err := s.access(ctx, rq, phigate.ResourcePatients, phigate.ActionWrite, "", "patient.create")
	if err != nil {
		return nil, err
	}
	var out *phigate.Patient
	err = s.Guard.Authorize(ctx, ar, func(d phigate.Decision) error {
		q, err := s.insert(ctx, rq, p)
		if err != nil {
			return err
		}
		out = s.view(q, d.View)
		return nil
	})
	return out, err
}

func (s *Service) insert(ctx context.Context, rq Request, p *phigate.Patient) (*phigate.Patient, error) {
	id, err := s.newID("p_")
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	q := *p
	q.ID, q.Version, q.CreatedAt, q.UpdatedAt, q.Withheld, q.Deidentified = id, 1, now, now, nil, false
	rec, err := s.seal(ctx, &q)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreatePatient(ctx, rec); err != nil {
		return nil, fmt.Errorf("create patient: %w", err)
	}
	if pr := rq.Principal; pr.APIKeyID == "" && pr.UserID != "" {
		if err := s.Store.AddCareTeam(ctx, id, pr.UserID, now); err != nil {
			return nil, fmt.Errorf("create patient: %w", err)
		}
	}
	return &q, nil
}

// UpdatePatient replaces the fields of a patient that the caller's view
// includes; fields outside the view keep their stored values. p.Version
// must be the stored version. Codes: EINVALID, ECONFLICT, and those of
// GetPatient.
func (s *Service) UpdatePatient(ctx context.Context, purpose phigate.Purpose, p *phigate.Patient) (*phigate.Patient, error) {
	rq := requestOf(ctx, purpose)
	ar, err := s.access(ctx, rq, phigate.ResourcePatients, phigate.ActionWrite, p.ID, "patient.update")
	if err != nil {
		return nil, err
	}
	var out *phigate.Patient
	err = s.Guard.Authorize(ctx, ar, func(d phigate.Decision) error {
		cur, err := s.load(ctx, p.ID)
		if err != nil {
			return err
		}
		if cur.Version != p.Version {
			return phigate.Errorf(phigate.ECONFLICT, "records.UpdatePatient", "version %d is not the stored %d", p.Version, cur.Version)
		}
		next := merge(cur, p, d.View)
		if err := Validate(next); err != nil {
			return err
		}
		next.Version, next.UpdatedAt = cur.Version+1, s.Now().UTC()
		rec, err := s.seal(ctx, next)
		if err != nil {
			return err
		}
		if err := s.Store.UpdatePatient(ctx, rec); err != nil {
			return fmt.Errorf("update patient: %w", err)
		}
		out = s.view(next, d.View)
		return nil
	})
	return out, err
}

// merge copies into a copy of cur the fields of in that view lets the
// writer see (and so change).
func merge(cur, in *phigate.Patient, v phigate.View) *phigate.Patient {
	next := *cur
	dst, src := fieldValues(&next), fieldValues(in)
	*dst["sex"] = *src["sex"]
	if v.Deidentified {
		return &next
	}
	for _, f := range phigate.PatientFields {
		if v.Allows(f.Category) {
			*dst[f.Name] = *src[f.Name]
		}
	}
	return &next
}

// load reads and opens a patient.
func (s *Service) load(ctx context.Context, id string) (*phigate.Patient, error) {
	rec, err := s.Store.PatientByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load patient: %w", err)
	}
	plain, err := s.Sealer.Open(ctx, subject(id), patientPlace(id), rec.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open patient: %w", err)
	}
	var p phigate.Patient
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "records.load", fmt.Errorf("decode patient: %w", err))
	}
	p.Version, p.CreatedAt, p.UpdatedAt = rec.Version, rec.CreatedAt, rec.UpdatedAt
	return &p, nil
}

// seal encodes and seals a patient for storage.
func (s *Service) seal(ctx context.Context, p *phigate.Patient) (*phigate.PatientRecord, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "records.seal", fmt.Errorf("encode patient: %w", err))
	}
	sealed, err := s.Sealer.Seal(ctx, subject(p.ID), patientPlace(p.ID), plain)
	if err != nil {
		return nil, fmt.Errorf("seal patient: %w", err)
	}
	return &phigate.PatientRecord{ID: p.ID, MRNIndex: s.mrnIndex(p.MRN), Sealed: sealed, Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}, nil
}

// view applies the minimum-necessary view: fields of categories outside it
// are withheld; a de-identified view keeps only the birth year and sex and
// replaces the id by a pseudonym.
func (s *Service) view(p *phigate.Patient, v phigate.View) *phigate.Patient {
	out := *p
	out.Withheld = nil
	vals := fieldValues(&out)
	for _, f := range phigate.PatientFields {
		if v.Deidentified || !v.Allows(f.Category) {
			if *vals[f.Name] != "" {
				out.Withheld = append(out.Withheld, f.Name)
			}
			*vals[f.Name] = ""
		}
	}
	if v.Deidentified {
		out.BirthDate = birthYear(p.BirthDate, s.Now())
		out.ID = "anon_" + s.Hasher.HMAC("research.patient", []byte(p.ID))
		out.CreatedAt, out.UpdatedAt = yearOnly(out.CreatedAt), yearOnly(out.UpdatedAt)
		out.Deidentified = true
	}
	return &out
}

// birthYear keeps the year of a birth date, as Safe Harbor allows, unless
// the patient is over 89: then even the year is withheld.
func birthYear(date string, now time.Time) string {
	if len(date) < 4 {
		return ""
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil || now.Year()-y > 89 {
		return ""
	}
	return date[:4]
}

// yearOnly reduces a time to the first instant of its year.
func yearOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
}
