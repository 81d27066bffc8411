package records

import (
	"context"
	"fmt"
	"regexp"
	"unicode/utf8"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/policy"
)

// MaxNoteText bounds the text of one note (bytes).
const MaxNoteText = 256 * 1024

var noteKind = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ListNotes returns a patient's notes in the caller's view. Codes: as
// GetPatient.
func (s *Service) ListNotes(ctx context.Context, purpose phigate.Purpose, patientID string) ([]*phigate.Note, error) {
	rq := requestOf(ctx, purpose)
	ar, err := s.access(ctx, rq, phigate.ResourceNotes, phigate.ActionRead, patientID, "note.list")
	if err != nil {
		return nil, err
	}
	var out []*phigate.Note
	err = s.Guard.Authorize(ctx, ar, func(d phigate.Decision) error {
		if _, err := s.Store.PatientByID(ctx, patientID); err != nil {
			return fmt.Errorf("list notes: %w", err)
		}
		recs, err := s.Store.NotesByPatient(ctx, patientID)
		if err != nil {
			return fmt.Errorf("list notes: %w", err)
		}
		out = make([]*phigate.Note, 0, len(recs))
		for _, r := range recs {
			n, err := s.openNote(ctx, r, d.View)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// AddNote adds a note to a patient, written by the caller. Codes: EINVALID,
// and those of GetPatient.
func (s *Service) AddNote(ctx context.Context, purpose phigate.Purpose, patientID string, n *phigate.Note) (*phigate.Note, error) {
	rq := requestOf(ctx, purpose)
	if !noteKind.MatchString(n.Kind) || n.Text == "" || len(n.Text) > MaxNoteText || !utf8.ValidString(n.Text) {
		return nil, phigate.Errorf(phigate.EINVALID, "records.AddNote", "a note needs a kind ([a-z0-9_]) and 1 to %d bytes of UTF-8 text", MaxNoteText)
	}
	ar, err := s.access(ctx, rq, phigate.ResourceNotes, phigate.ActionWrite, patientID, "note.create")
	if err != nil {
		return nil, err
	}
	var out *phigate.Note
	err = s.Guard.Authorize(ctx, ar, func(d phigate.Decision) error {
		if _, err := s.Store.PatientByID(ctx, patientID); err != nil {
			return fmt.Errorf("add note: %w", err)
		}
		rec, err := s.newNote(ctx, rq, patientID, n)
		if err != nil {
			return err
		}
		out, err = s.openNote(ctx, rec, d.View)
		return err
	})
	return out, err
}

func (s *Service) newNote(ctx context.Context, rq Request, patientID string, n *phigate.Note) (*phigate.NoteRecord, error) {
	id, err := s.newID("n_")
	if err != nil {
		return nil, err
	}
	sealed, err := s.Sealer.Seal(ctx, subject(patientID), notePlace(id), []byte(n.Text))
	if err != nil {
		return nil, fmt.Errorf("seal note: %w", err)
	}
	author := rq.Principal.UserID
	if rq.Principal.APIKeyID != "" {
		author = rq.Principal.APIKeyID
	}
	rec := &phigate.NoteRecord{ID: id, PatientID: patientID, AuthorID: author, Kind: n.Kind, Sealed: sealed, CreatedAt: s.Now().UTC()}
	if err := s.Store.CreateNote(ctx, rec); err != nil {
		return nil, fmt.Errorf("add note: %w", err)
	}
	return rec, nil
}

// openNote opens a note for a view: the text only if the view allows
// notes, de-identified for de-identified views (withheld when no
// de-identifier is configured).
func (s *Service) openNote(ctx context.Context, r *phigate.NoteRecord, v phigate.View) (*phigate.Note, error) {
	n := &phigate.Note{ID: r.ID, PatientID: r.PatientID, AuthorID: r.AuthorID, Kind: r.Kind, CreatedAt: r.CreatedAt}
	if v.Deidentified {
		n.PatientID = "anon_" + s.Hasher.HMAC("research.patient", []byte(r.PatientID))
		n.CreatedAt = yearOnly(r.CreatedAt)
	}
	if !v.Notes || (v.Deidentified && s.Deidentify == nil) {
		n.Withheld = true
		return n, nil
	}
	plain, err := s.Sealer.Open(ctx, subject(r.PatientID), notePlace(r.ID), r.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open note: %w", err)
	}
	n.Text = string(plain)
	if v.Deidentified {
		if n.Text, err = s.Deidentify(ctx, n.Text); err != nil {
			return nil, fmt.Errorf("deidentify note: %w", err) // fail closed
		}
	}
	return n, nil
}

// AddCareTeamMember puts a user on a patient's care team. The caller needs
// write access to the patient (and so is on its care team or under
// break-glass). Codes: as UpdatePatient.
func (s *Service) AddCareTeamMember(ctx context.Context, purpose phigate.Purpose, patientID, userID string) error {
	rq := requestOf(ctx, purpose)
	ar, err := s.access(ctx, rq, phigate.ResourcePatients, phigate.ActionWrite, patientID, "patient.care_team_add")
	if err != nil {
		return err
	}
	ar.Target = "user:" + userID
	return s.Guard.Authorize(ctx, ar, func(phigate.Decision) error {
		if _, err := s.Store.PatientByID(ctx, patientID); err != nil {
			return fmt.Errorf("add care team: %w", err)
		}
		return s.Store.AddCareTeam(ctx, patientID, userID, s.Now().UTC())
	})
}

// ListPatients returns the caller's view of patients: for a caller whose
// roles need a care-team relationship, the patients of their care teams.
// Each patient is authorised (and audited) on its own. Codes: as
// GetPatient for the listing itself.
func (s *Service) ListPatients(ctx context.Context, purpose phigate.Purpose, limit int) ([]*phigate.Patient, error) {
	rq := requestOf(ctx, purpose)
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	ar, err := s.access(ctx, rq, phigate.ResourcePatients, phigate.ActionRead, "", "patient.list")
	if err != nil {
		return nil, err
	}
	var ids []string
	err = s.Guard.Authorize(ctx, ar, func(d phigate.Decision) error {
		var err error
		ids, err = s.candidates(ctx, rq, limit, d.Rule != policy.RuleNoRelationNeeded)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []*phigate.Patient{}
	for _, id := range ids {
		p, err := s.GetPatient(ctx, rq.Purpose, id)
		if code := phigate.ErrorCode(err); code == phigate.EFORBIDDEN || code == phigate.EPOLICY {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// candidates lists the patients a caller may look at: their care teams'
// when the policy allowed the listing through a care-team role, else
// everyone's (up to limit).
func (s *Service) candidates(ctx context.Context, rq Request, limit int, careTeamOnly bool) ([]string, error) {
	var ids []string
	if careTeamOnly {
		if rq.Principal.APIKeyID != "" {
			return nil, nil
		}
		team, err := s.Store.CareTeamPatients(ctx, rq.Principal.UserID)
		if err != nil {
			return nil, fmt.Errorf("list patients: %w", err)
		}
		return team[:min(len(team), limit)], nil
	}
	recs, err := s.Store.ListPatients(ctx, "", limit)
	if err != nil {
		return nil, fmt.Errorf("list patients: %w", err)
	}
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	return ids, nil
}
