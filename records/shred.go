package records

import (
	"context"

	phigate "github.com/phigate/phigate"
)

// ShredPatient crypto-shreds a patient: the data keys of the patient's
// subject are destroyed, so the record and every note, in the database and
// in every backup made before, can no longer be opened. It is a key
// operation (keys:write, administrators and security officers), recorded
// in the audit log before it takes effect; the log keeps its events, which
// hold no PHI. Codes: EFORBIDDEN, EMFAREQUIRED, EAUDIT, ENOTFOUND.
func (s *Service) ShredPatient(ctx context.Context, purpose phigate.Purpose, id string) error {
	if _, err := s.Store.PatientByID(ctx, id); err != nil {
		return err
	}
	rq := requestOf(ctx, purpose)
	ar, err := s.access(ctx, rq, phigate.ResourceKeys, phigate.ActionWrite, id, "patient.shred")
	if err != nil {
		return err
	}
	return s.Guard.Authorize(ctx, ar, func(phigate.Decision) error {
		return s.Sealer.Shred(ctx, subject(id))
	})
}
