package api

import (
	"net/http"
	"time"

	"github.com/phigate/phigate"
)

func (h *AccessHandler) registerAPIKeys(mux *http.ServeMux, auth func(http.HandlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/apikeys", auth(h.listAPIKeys))
	mux.Handle("POST /api/v1/apikeys", auth(h.createAPIKey))
	mux.Handle("DELETE /api/v1/apikeys/{id}", auth(h.revokeAPIKey))
}

func (h *AccessHandler) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	var keys []*phigate.APIKey
	err := h.authorize(r, phigate.ResourceKeys, phigate.ActionRead, "", "apikey.list", func() error {
		var err error
		keys, err = h.Accounts.ListAPIKeys(r.Context(), r.URL.Query().Get("owner"))
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	if keys == nil {
		keys = []*phigate.APIKey{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"api_keys": keys})
}

type createKeyRequest struct {
	Name     string            `json:"name"`
	Owner    string            `json:"owner,omitempty"` // user name or id; the caller when empty
	Roles    []phigate.Role    `json:"roles"`
	Purposes []phigate.Purpose `json:"purposes,omitempty"`
	Routes   []string          `json:"routes,omitempty"`
	CIDRs    []string          `json:"cidrs,omitempty"`
	TTL      string            `json:"ttl,omitempty"` // Go duration ("720h"); default 90 days
}

// createAPIKey makes a key (POST /api/v1/apikeys); its secret is in this
// response only.
func (h *AccessHandler) createAPIKey(w http.ResponseWriter, r *http.Request) {
	var req createKeyRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	var ttl time.Duration
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 {
			h.Error(w, r, phigate.Errorf(phigate.EINVALID, "api.createAPIKey", "ttl must be a positive duration"))
			return
		}
		ttl = d
	}
	p := phigate.PrincipalFromContext(r.Context())
	var secret string
	var key *phigate.APIKey
	err := h.authorize(r, phigate.ResourceKeys, phigate.ActionWrite, "", "apikey.create", func() error {
		owner := p.UserID
		if req.Owner != "" {
			u, err := h.Accounts.UserByName(r.Context(), req.Owner)
			if err != nil {
				return err
			}
			owner = u.ID
		}
		var err error
		secret, key, err = h.Accounts.CreateAPIKey(r.Context(), actor(p), phigate.NewAPIKey{Name: req.Name, OwnerID: owner,
			Roles: req.Roles, Purposes: req.Purposes, Routes: req.Routes, CIDRs: req.CIDRs, TTL: ttl})
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"api_key": key, "secret": secret})
}

func (h *AccessHandler) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	p := phigate.PrincipalFromContext(r.Context())
	id := r.PathValue("id")
	err := h.authorize(r, phigate.ResourceKeys, phigate.ActionWrite, "apikey:"+id, "apikey.revoke", func() error {
		return h.Accounts.RevokeAPIKey(r.Context(), actor(p), id)
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listRoles lists the roles with their permissions, purposes and views
// (GET /api/v1/roles). Any signed-in principal may read them.
func (h *AccessHandler) listRoles(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]any{"roles": h.Roles.Roles()})
}

func (h *AccessHandler) showRole(w http.ResponseWriter, r *http.Request) {
	d, err := h.Roles.Role(phigate.Role(r.PathValue("name")))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, d)
}
