package api

import (
	"net/http"
	"strconv"

	"github.com/phigate/phigate"
)

func (h *AccessHandler) registerPatients(mux *http.ServeMux, auth func(http.HandlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/patients", auth(h.listPatients))
	mux.Handle("POST /api/v1/patients", auth(h.createPatient))
	mux.Handle("GET /api/v1/patients/{id}", auth(h.getPatient))
	mux.Handle("PUT /api/v1/patients/{id}", auth(h.updatePatient))
	mux.Handle("GET /api/v1/patients/{id}/notes", auth(h.listNotes))
	mux.Handle("POST /api/v1/patients/{id}/notes", auth(h.addNote))
	mux.Handle("POST /api/v1/patients/{id}/care-team", auth(h.addCareTeam))
}

// listPatients lists the caller's patients, or finds one by ?mrn=.
func (h *AccessHandler) listPatients(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if mrn := q.Get("mrn"); mrn != "" {
		p, err := h.Records.FindByMRN(r.Context(), purposeOf(r), mrn)
		if err != nil {
			h.Error(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"patients": []*phigate.Patient{p}})
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	ps, err := h.Records.ListPatients(r.Context(), purposeOf(r), limit)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"patients": ps})
}

func (h *AccessHandler) getPatient(w http.ResponseWriter, r *http.Request) {
	p, err := h.Records.GetPatient(r.Context(), purposeOf(r), r.PathValue("id"))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, p)
}

func (h *AccessHandler) createPatient(w http.ResponseWriter, r *http.Request) {
	var in phigate.Patient
	if err := DecodeJSON(r, &in); err != nil {
		h.Error(w, r, err)
		return
	}
	p, err := h.Records.CreatePatient(r.Context(), purposeOf(r), &in)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, p)
}

// updatePatient replaces the fields of the caller's view; "version" must be
// the current one (409 otherwise).
func (h *AccessHandler) updatePatient(w http.ResponseWriter, r *http.Request) {
	var in phigate.Patient
	if err := DecodeJSON(r, &in); err != nil {
		h.Error(w, r, err)
		return
	}
	in.ID = r.PathValue("id")
	p, err := h.Records.UpdatePatient(r.Context(), purposeOf(r), &in)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, p)
}

func (h *AccessHandler) listNotes(w http.ResponseWriter, r *http.Request) {
	ns, err := h.Records.ListNotes(r.Context(), purposeOf(r), r.PathValue("id"))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"notes": ns})
}

type noteRequest struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

func (h *AccessHandler) addNote(w http.ResponseWriter, r *http.Request) {
	var in noteRequest
	if err := DecodeJSON(r, &in); err != nil {
		h.Error(w, r, err)
		return
	}
	n, err := h.Records.AddNote(r.Context(), purposeOf(r), r.PathValue("id"), &phigate.Note{Kind: in.Kind, Text: in.Text})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, n)
}

type careTeamRequest struct {
	UserID string `json:"user_id"`
}

func (h *AccessHandler) addCareTeam(w http.ResponseWriter, r *http.Request) {
	var in careTeamRequest
	if err := DecodeJSON(r, &in); err != nil {
		h.Error(w, r, err)
		return
	}
	if err := h.Records.AddCareTeamMember(r.Context(), purposeOf(r), r.PathValue("id"), in.UserID); err != nil {
		h.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
