package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/phigate/phigate"
)

const patientColumns = `id, mrn_index, sealed, version, created_at, updated_at`

// CreatePatient inserts r. Codes: ECONFLICT.
func (s *Store) CreatePatient(ctx context.Context, r *phigate.PatientRecord) error {
	return s.execOne(ctx, "CreatePatient", false, `INSERT INTO patients (`+patientColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, nullText(r.MRNIndex), r.Sealed, r.Version, UnixOf(r.CreatedAt), UnixOf(r.UpdatedAt))
}

func (s *Store) scanPatient(r scanner, op string) (*phigate.PatientRecord, error) {
	var p phigate.PatientRecord
	var idx sql.NullString
	var created, updated int64
	if err := r.Scan(&p.ID, &idx, &p.Sealed, &p.Version, &created, &updated); err != nil {
		return nil, s.scanErr(op, err)
	}
	p.MRNIndex, p.CreatedAt, p.UpdatedAt = idx.String, TimeOf(created), TimeOf(updated)
	return &p, nil
}

// PatientByID returns a patient. Codes: ENOTFOUND.
func (s *Store) PatientByID(ctx context.Context, id string) (*phigate.PatientRecord, error) {
	return s.scanPatient(s.queryRow(ctx, `SELECT `+patientColumns+` FROM patients WHERE id = ?`, id), "PatientByID")
}

// PatientByMRNIndex returns a patient by blind index. Codes: ENOTFOUND.
func (s *Store) PatientByMRNIndex(ctx context.Context, index string) (*phigate.PatientRecord, error) {
	if index == "" {
		return nil, s.errorf(phigate.ENOTFOUND, "PatientByMRNIndex", "empty index")
	}
	return s.scanPatient(s.queryRow(ctx, `SELECT `+patientColumns+` FROM patients WHERE mrn_index = ?`, index), "PatientByMRNIndex")
}

// UpdatePatient stores r over version r.Version-1. Codes: ENOTFOUND, ECONFLICT.
func (s *Store) UpdatePatient(ctx context.Context, r *phigate.PatientRecord) error {
	const op = "UpdatePatient"
	err := s.execOne(ctx, op, true, `UPDATE patients SET mrn_index = ?, sealed = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		nullText(r.MRNIndex), r.Sealed, r.Version, UnixOf(r.UpdatedAt), r.ID, r.Version-1)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		if _, gerr := s.PatientByID(ctx, r.ID); gerr == nil {
			return s.errorf(phigate.ECONFLICT, op, "patient %s changed meanwhile", r.ID)
		}
	}
	return err
}

// ListPatients returns up to limit patients with ids after `after`.
func (s *Store) ListPatients(ctx context.Context, after string, limit int) ([]*phigate.PatientRecord, error) {
	return list(ctx, s, "ListPatients", s.scanPatient,
		`SELECT `+patientColumns+` FROM patients WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

// CreateNote inserts n. Codes: ECONFLICT.
func (s *Store) CreateNote(ctx context.Context, n *phigate.NoteRecord) error {
	return s.execOne(ctx, "CreateNote", false, `INSERT INTO notes (id, patient_id, author_id, kind, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		n.ID, n.PatientID, n.AuthorID, n.Kind, n.Sealed, UnixOf(n.CreatedAt))
}

// NotesByPatient returns a patient's notes, oldest first.
func (s *Store) NotesByPatient(ctx context.Context, patientID string) ([]*phigate.NoteRecord, error) {
	return list(ctx, s, "NotesByPatient", s.scanNote, `SELECT id, patient_id, author_id, kind, sealed, created_at
		FROM notes WHERE patient_id = ? ORDER BY created_at, id`, patientID)
}

func (s *Store) scanNote(r scanner, op string) (*phigate.NoteRecord, error) {
	var n phigate.NoteRecord
	var created int64
	if err := r.Scan(&n.ID, &n.PatientID, &n.AuthorID, &n.Kind, &n.Sealed, &created); err != nil {
		return nil, s.scanErr(op, err)
	}
	n.CreatedAt = TimeOf(created)
	return &n, nil
}

// AddCareTeam puts a user on a patient's care team (idempotent).
func (s *Store) AddCareTeam(ctx context.Context, patientID, userID string, at time.Time) error {
	return s.execOne(ctx, "AddCareTeam", false, `INSERT INTO care_team (patient_id, user_id, added_at) VALUES (?, ?, ?)
		ON CONFLICT (patient_id, user_id) DO NOTHING`, patientID, userID, UnixOf(at))
}

// RemoveCareTeam takes a user off a patient's care team.
func (s *Store) RemoveCareTeam(ctx context.Context, patientID, userID string) error {
	return s.execOne(ctx, "RemoveCareTeam", false, `DELETE FROM care_team WHERE patient_id = ? AND user_id = ?`, patientID, userID)
}

// OnCareTeam reports whether a user is on a patient's care team.
func (s *Store) OnCareTeam(ctx context.Context, patientID, userID string) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM care_team WHERE patient_id = ? AND user_id = ?`, patientID, userID).Scan(&n)
	if err != nil {
		return false, s.scanErr("OnCareTeam", err)
	}
	return n > 0, nil
}

// CareTeamPatients returns the patients whose care team the user is on.
func (s *Store) CareTeamPatients(ctx context.Context, userID string) ([]string, error) {
	return list(ctx, s, "CareTeamPatients", s.scanString,
		`SELECT patient_id FROM care_team WHERE user_id = ? ORDER BY patient_id`, userID)
}
