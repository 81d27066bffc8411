package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/phigate/phigate"
)

func recordStore(t *testing.T, open Opener) (phigate.RecordStore, *Clock) {
	t.Helper()
	s, clock := MustOpen(t, open)
	rs, ok := s.(phigate.RecordStore)
	if !ok {
		t.Fatalf("%T does not implement phigate.RecordStore", s)
	}
	for _, id := range []string{"u1", "u2"} {
		NoErr(t, s.CreateUser(context.Background(), &phigate.User{ID: id, Name: "name-" + id, PasswordHash: "$argon2id$x"}))
	}
	return rs, clock
}

func testRecords(t *testing.T, open Opener) {
	t.Run("Patients", func(t *testing.T) { testPatients(t, open) })
	t.Run("Notes", func(t *testing.T) { testNotes(t, open) })
	t.Run("CareTeam", func(t *testing.T) { testCareTeam(t, open) })
}

func testPatients(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := recordStore(t, open)
	now := clock.T
	p := &phigate.PatientRecord{ID: "p1", MRNIndex: "idx1", Sealed: []byte{1, 2}, Version: 1, CreatedAt: now, UpdatedAt: now}
	NoErr(t, s.CreatePatient(ctx, p))
	NoErr(t, s.CreatePatient(ctx, &phigate.PatientRecord{ID: "p2", Sealed: []byte{3}, Version: 1, CreatedAt: now, UpdatedAt: now}))
	NoErr(t, s.CreatePatient(ctx, &phigate.PatientRecord{ID: "p3", Sealed: []byte{3}, Version: 1, CreatedAt: now, UpdatedAt: now}))
	ErrCode(t, s.CreatePatient(ctx, &phigate.PatientRecord{ID: "p4", MRNIndex: "idx1", Sealed: []byte{4}, Version: 1, CreatedAt: now, UpdatedAt: now}), phigate.ECONFLICT)
	got, err := s.PatientByMRNIndex(ctx, "idx1")
	NoErr(t, err)
	if got.ID != "p1" || string(got.Sealed) != string([]byte{1, 2}) || got.Version != 1 || !got.CreatedAt.Equal(now) {
		t.Fatalf("PatientByMRNIndex = %+v", got)
	}
	_, err = s.PatientByMRNIndex(ctx, "")
	ErrCode(t, err, phigate.ENOTFOUND)
	got.Version, got.Sealed, got.UpdatedAt, got.MRNIndex = 2, []byte{7}, now.Add(time.Hour), "idx2"
	NoErr(t, s.UpdatePatient(ctx, got))
	ErrCode(t, s.UpdatePatient(ctx, got), phigate.ECONFLICT) // version 2 over 2
	ErrCode(t, s.UpdatePatient(ctx, &phigate.PatientRecord{ID: "nope", Version: 2}), phigate.ENOTFOUND)
	again, err := s.PatientByID(ctx, "p1")
	NoErr(t, err)
	if again.Version != 2 || again.Sealed[0] != 7 || again.MRNIndex != "idx2" || !again.UpdatedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("after update = %+v", again)
	}
	page, err := s.ListPatients(ctx, "p1", 1)
	NoErr(t, err)
	if len(page) != 1 || page[0].ID != "p2" {
		t.Fatalf("ListPatients = %+v", page)
	}
}

func testNotes(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := recordStore(t, open)
	now := clock.T
	NoErr(t, s.CreatePatient(ctx, &phigate.PatientRecord{ID: "p1", Sealed: []byte{1}, Version: 1, CreatedAt: now, UpdatedAt: now}))
	NoErr(t, s.CreateNote(ctx, &phigate.NoteRecord{ID: "n2", PatientID: "p1", AuthorID: "u1", Kind: "progress", Sealed: []byte{2}, CreatedAt: now.Add(time.Minute)}))
	NoErr(t, s.CreateNote(ctx, &phigate.NoteRecord{ID: "n1", PatientID: "p1", AuthorID: "u2", Kind: "nursing", Sealed: []byte{1}, CreatedAt: now}))
	ErrCode(t, s.CreateNote(ctx, &phigate.NoteRecord{ID: "n1", PatientID: "p1", AuthorID: "u2", Kind: "x", Sealed: []byte{1}, CreatedAt: now}), phigate.ECONFLICT)
	got, err := s.NotesByPatient(ctx, "p1")
	NoErr(t, err)
	if len(got) != 2 || got[0].ID != "n1" || got[1].Kind != "progress" || got[1].AuthorID != "u1" || !got[1].CreatedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("NotesByPatient = %+v", got)
	}
	if none, _ := s.NotesByPatient(ctx, "p2"); len(none) != 0 {
		t.Fatalf("notes of an unknown patient: %d", len(none))
	}
}

func testCareTeam(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := recordStore(t, open)
	now := clock.T
	for _, id := range []string{"p1", "p2"} {
		NoErr(t, s.CreatePatient(ctx, &phigate.PatientRecord{ID: id, Sealed: []byte{1}, Version: 1, CreatedAt: now, UpdatedAt: now}))
	}
	NoErr(t, s.AddCareTeam(ctx, "p2", "u1", now))
	NoErr(t, s.AddCareTeam(ctx, "p2", "u1", now)) // idempotent
	NoErr(t, s.AddCareTeam(ctx, "p1", "u1", now))
	ErrCode(t, s.AddCareTeam(ctx, "p1", "u_nobody", now), phigate.EINVALID)
	ErrCode(t, s.CreateNote(ctx, &phigate.NoteRecord{ID: "nx", PatientID: "p_nobody", AuthorID: "u1", Kind: "x", Sealed: []byte{1}, CreatedAt: now}), phigate.EINVALID)
	on, err := s.OnCareTeam(ctx, "p1", "u1")
	NoErr(t, err)
	off, err := s.OnCareTeam(ctx, "p1", "u2")
	NoErr(t, err)
	if !on || off {
		t.Fatalf("OnCareTeam = %v, %v", on, off)
	}
	ids, err := s.CareTeamPatients(ctx, "u1")
	NoErr(t, err)
	if len(ids) != 2 || ids[0] != "p1" {
		t.Fatalf("CareTeamPatients = %v", ids)
	}
	NoErr(t, s.RemoveCareTeam(ctx, "p1", "u1"))
	if on, _ := s.OnCareTeam(ctx, "p1", "u1"); on {
		t.Fatal("still on the care team after removal")
	}
}
