package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/phigate/phigate"
)

// LiveRoles is a role catalogue whose custom roles can be replaced while it
// serves (implemented by *policy.Live).
type LiveRoles interface {
	RoleCatalog
	Custom() []phigate.RoleDef
	Set(custom ...phigate.RoleDef) error
}

// RoleStore persists custom roles (implemented by the stores).
type RoleStore interface {
	PutCustomRole(ctx context.Context, r *phigate.CustomRole) error
	DeleteCustomRole(ctx context.Context, name phigate.Role) error
}

// RoleEditor lets administrators define custom roles; nil leaves the
// PUT and DELETE role routes out.
type RoleEditor struct {
	Roles LiveRoles
	Store RoleStore
}

func (h *AccessHandler) registerRoleEditor(mux *http.ServeMux, auth func(http.HandlerFunc) http.Handler) {
	if h.RoleEditor == nil {
		return
	}
	mux.Handle("PUT /api/v1/roles/{name}", auth(h.putRole))
	mux.Handle("DELETE /api/v1/roles/{name}", auth(h.deleteRole))
}

// putRole creates or replaces a custom role (PUT /api/v1/roles/{name}); the
// body is a role definition (permissions, purposes, care_team, break_glass,
// views). It is validated, stored, and takes effect at once.
func (h *AccessHandler) putRole(w http.ResponseWriter, r *http.Request) {
	var def phigate.RoleDef
	if err := DecodeJSON(r, &def); err != nil {
		h.Error(w, r, err)
		return
	}
	def.Name, def.Builtin = phigate.Role(r.PathValue("name")), false
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionWrite, "role:"+string(def.Name), "role.put", func() error {
		return h.changeRoles(r.Context(), def.Name, &def)
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, def)
}

func (h *AccessHandler) deleteRole(w http.ResponseWriter, r *http.Request) {
	name := phigate.Role(r.PathValue("name"))
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionWrite, "role:"+string(name), "role.delete", func() error {
		return h.changeRoles(r.Context(), name, nil)
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changeRoles replaces (def set) or removes (def nil) one custom role: the
// new set is validated by the policy first, then stored, then made live.
func (h *AccessHandler) changeRoles(ctx context.Context, name phigate.Role, def *phigate.RoleDef) error {
	ed := h.RoleEditor
	old := ed.Roles.Custom()
	var next []phigate.RoleDef
	found := false
	for _, d := range old {
		if d.Name == name {
			found = true
			continue
		}
		next = append(next, d)
	}
	if def == nil && !found {
		return phigate.Errorf(phigate.ENOTFOUND, "api.changeRoles", "no custom role %q", name)
	}
	if def != nil {
		next = append(next, *def)
	}
	if err := ed.Roles.Set(next...); err != nil {
		return err
	}
	err := h.storeRole(ctx, name, def)
	if err != nil {
		ed.Roles.Set(old...) // the store did not change: neither does the policy
	}
	return err
}

func (h *AccessHandler) storeRole(ctx context.Context, name phigate.Role, def *phigate.RoleDef) error {
	if def == nil {
		return h.RoleEditor.Store.DeleteCustomRole(ctx, name)
	}
	b, err := json.Marshal(def)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, "api.storeRole", err)
	}
	return h.RoleEditor.Store.PutCustomRole(ctx, &phigate.CustomRole{Name: name, Definition: b})
}
