package phigate

import (
	"context"
	"time"
)

// Patient is a patient's demographic record: the protected resource the
// clinical workflows build on. Every field but ID, Sex and the timestamps
// is PHI of the category named in PatientFields.
type Patient struct {
	ID            string    `json:"id"`
	MRN           string    `json:"mrn,omitempty"`
	GivenName     string    `json:"given_name,omitempty"`
	FamilyName    string    `json:"family_name,omitempty"`
	BirthDate     string    `json:"birth_date,omitempty"` // YYYY-MM-DD, or YYYY in a de-identified view
	Sex           string    `json:"sex,omitempty"`
	Address       string    `json:"address,omitempty"`
	Phone         string    `json:"phone,omitempty"`
	Email         string    `json:"email,omitempty"`
	SSN           string    `json:"ssn,omitempty"`
	InsuranceID   string    `json:"insurance_id,omitempty"`
	AccountNumber string    `json:"account_number,omitempty"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Withheld lists the fields left out by the minimum-necessary view.
	Withheld []string `json:"withheld,omitempty"`
	// Deidentified marks a de-identified view (ID is then a pseudonym).
	Deidentified bool `json:"deidentified,omitempty"`
}

// PatientFields maps each PHI field of Patient (by JSON name) to its
// category; a view that lacks the category withholds the field.
var PatientFields = []struct {
	Name     string
	Category Category
}{
	{"mrn", MRN}, {"given_name", NAME}, {"family_name", NAME}, {"birth_date", DATE},
	{"address", LOCATION}, {"phone", PHONE}, {"email", EMAIL}, {"ssn", SSN},
	{"insurance_id", HEALTH_PLAN_ID}, {"account_number", ACCOUNT},
}

// Note is a clinical note about a patient.
type Note struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	AuthorID  string    `json:"author_id"`
	Kind      string    `json:"kind"` // "progress", "discharge", "nursing", ...
	Text      string    `json:"text,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Withheld is set when the view does not include note text.
	Withheld bool `json:"withheld,omitempty"`
}

// PatientRecord is a patient as stored: the record sealed whole, findable
// by the blind index of its MRN.
type PatientRecord struct {
	ID        string
	MRNIndex  string // keyed HMAC of the MRN, "" when none
	Sealed    []byte
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NoteRecord is a note as stored, its text sealed.
type NoteRecord struct {
	ID        string
	PatientID string
	AuthorID  string
	Kind      string
	Sealed    []byte
	CreatedAt time.Time
}

// RecordStore persists patients, notes and care teams. It holds no rules.
type RecordStore interface {
	// CreatePatient inserts r. Codes: ECONFLICT (id or MRN index taken).
	CreatePatient(ctx context.Context, r *PatientRecord) error
	// PatientByID returns a patient. Codes: ENOTFOUND.
	PatientByID(ctx context.Context, id string) (*PatientRecord, error)
	// PatientByMRNIndex returns the patient with a blind MRN index. Codes: ENOTFOUND.
	PatientByMRNIndex(ctx context.Context, index string) (*PatientRecord, error)
	// UpdatePatient stores r if the stored version is r.Version-1. Codes:
	// ENOTFOUND, ECONFLICT (changed meanwhile or MRN index taken).
	UpdatePatient(ctx context.Context, r *PatientRecord) error
	// ListPatients returns up to limit patients with ids after `after`, by id.
	ListPatients(ctx context.Context, after string, limit int) ([]*PatientRecord, error)

	// CreateNote inserts n. Codes: ECONFLICT.
	CreateNote(ctx context.Context, n *NoteRecord) error
	// NotesByPatient returns a patient's notes, oldest first.
	NotesByPatient(ctx context.Context, patientID string) ([]*NoteRecord, error)

	// AddCareTeam puts a user on a patient's care team (idempotent).
	AddCareTeam(ctx context.Context, patientID, userID string, at time.Time) error
	RemoveCareTeam(ctx context.Context, patientID, userID string) error
	// OnCareTeam reports whether a user is on a patient's care team.
	OnCareTeam(ctx context.Context, patientID, userID string) (bool, error)
	// CareTeamPatients returns the ids of the patients whose care team the
	// user is on, by id.
	CareTeamPatients(ctx context.Context, userID string) ([]string, error)
}
