package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/phigate/phigate"
)

var _ phigate.RecordStore = (*DB)(nil)

const patientColumns = `id, mrn_index, sealed, version, created_at, updated_at`

func nullText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreatePatient inserts r. Codes: ECONFLICT.
func (db *DB) CreatePatient(ctx context.Context, r *phigate.PatientRecord) error {
	return db.execAuth(ctx, "sqlite.CreatePatient", false, `INSERT INTO patients (`+patientColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, nullText(r.MRNIndex), r.Sealed, r.Version, unixOf(r.CreatedAt), unixOf(r.UpdatedAt))
}

func scanPatient(s scanner, op string) (*phigate.PatientRecord, error) {
	var r phigate.PatientRecord
	var idx sql.NullString
	var created, updated int64
	if err := s.Scan(&r.ID, &idx, &r.Sealed, &r.Version, &created, &updated); err != nil {
		return nil, scanErr(op, err)
	}
	r.MRNIndex, r.CreatedAt, r.UpdatedAt = idx.String, timeOf(created), timeOf(updated)
	return &r, nil
}

// PatientByID returns a patient. Codes: ENOTFOUND.
func (db *DB) PatientByID(ctx context.Context, id string) (*phigate.PatientRecord, error) {
	return scanPatient(db.db.QueryRowContext(ctx, `SELECT `+patientColumns+` FROM patients WHERE id = ?`, id), "sqlite.PatientByID")
}

// PatientByMRNIndex returns a patient by blind index. Codes: ENOTFOUND.
func (db *DB) PatientByMRNIndex(ctx context.Context, index string) (*phigate.PatientRecord, error) {
	if index == "" {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "sqlite.PatientByMRNIndex", "empty index")
	}
	return scanPatient(db.db.QueryRowContext(ctx, `SELECT `+patientColumns+` FROM patients WHERE mrn_index = ?`, index), "sqlite.PatientByMRNIndex")
}

// UpdatePatient stores r over version r.Version-1. Codes: ENOTFOUND, ECONFLICT.
func (db *DB) UpdatePatient(ctx context.Context, r *phigate.PatientRecord) error {
	const op = "sqlite.UpdatePatient"
	err := db.execAuth(ctx, op, true, `UPDATE patients SET mrn_index = ?, sealed = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		nullText(r.MRNIndex), r.Sealed, r.Version, unixOf(r.UpdatedAt), r.ID, r.Version-1)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		if _, gerr := db.PatientByID(ctx, r.ID); gerr == nil {
			return phigate.Errorf(phigate.ECONFLICT, op, "patient %s changed meanwhile", r.ID)
		}
	}
	return err
}

// ListPatients returns up to limit patients with ids after `after`.
func (db *DB) ListPatients(ctx context.Context, after string, limit int) ([]*phigate.PatientRecord, error) {
	const op = "sqlite.ListPatients"
	rows, err := db.db.QueryContext(ctx, `SELECT `+patientColumns+` FROM patients WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.PatientRecord
	for rows.Next() {
		r, err := scanPatient(rows, op)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rowsErr(op, rows)
}

// CreateNote inserts n. Codes: ECONFLICT.
func (db *DB) CreateNote(ctx context.Context, n *phigate.NoteRecord) error {
	return db.execAuth(ctx, "sqlite.CreateNote", false, `INSERT INTO notes (id, patient_id, author_id, kind, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		n.ID, n.PatientID, n.AuthorID, n.Kind, n.Sealed, unixOf(n.CreatedAt))
}

// NotesByPatient returns a patient's notes, oldest first.
func (db *DB) NotesByPatient(ctx context.Context, patientID string) ([]*phigate.NoteRecord, error) {
	const op = "sqlite.NotesByPatient"
	rows, err := db.db.QueryContext(ctx, `SELECT id, patient_id, author_id, kind, sealed, created_at FROM notes WHERE patient_id = ? ORDER BY created_at, id`, patientID)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []*phigate.NoteRecord
	for rows.Next() {
		var n phigate.NoteRecord
		var created int64
		if err := rows.Scan(&n.ID, &n.PatientID, &n.AuthorID, &n.Kind, &n.Sealed, &created); err != nil {
			return nil, scanErr(op, err)
		}
		n.CreatedAt = timeOf(created)
		out = append(out, &n)
	}
	return out, rowsErr(op, rows)
}

// AddCareTeam puts a user on a patient's care team (idempotent).
func (db *DB) AddCareTeam(ctx context.Context, patientID, userID string, at time.Time) error {
	return db.execAuth(ctx, "sqlite.AddCareTeam", false, `INSERT INTO care_team (patient_id, user_id, added_at) VALUES (?, ?, ?)
		ON CONFLICT (patient_id, user_id) DO NOTHING`, patientID, userID, unixOf(at))
}

// RemoveCareTeam takes a user off a patient's care team.
func (db *DB) RemoveCareTeam(ctx context.Context, patientID, userID string) error {
	return db.execAuth(ctx, "sqlite.RemoveCareTeam", false, `DELETE FROM care_team WHERE patient_id = ? AND user_id = ?`, patientID, userID)
}

// OnCareTeam reports whether a user is on a patient's care team.
func (db *DB) OnCareTeam(ctx context.Context, patientID, userID string) (bool, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM care_team WHERE patient_id = ? AND user_id = ?`, patientID, userID).Scan(&n)
	if err != nil {
		return false, scanErr("sqlite.OnCareTeam", err)
	}
	return n > 0, nil
}

// CareTeamPatients returns the patients whose care team the user is on.
func (db *DB) CareTeamPatients(ctx context.Context, userID string) ([]string, error) {
	const op = "sqlite.CareTeamPatients"
	rows, err := db.db.QueryContext(ctx, `SELECT patient_id FROM care_team WHERE user_id = ? ORDER BY patient_id`, userID)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, scanErr(op, err)
		}
		out = append(out, id)
	}
	return out, rowsErr(op, rows)
}
