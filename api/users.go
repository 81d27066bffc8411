package api

import (
	"net/http"

	"github.com/phigate/phigate"
)

func (h *AccessHandler) registerUsers(mux *http.ServeMux, auth func(http.HandlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/users", auth(h.listUsers))
	mux.Handle("POST /api/v1/users", auth(h.createUser))
	mux.Handle("GET /api/v1/users/{id}", auth(h.showUser))
	mux.Handle("POST /api/v1/users/{id}/disable", auth(h.userAction("user.disable")))
	mux.Handle("POST /api/v1/users/{id}/enable", auth(h.userAction("user.enable")))
	mux.Handle("POST /api/v1/users/{id}/reset-mfa", auth(h.userAction("user.reset_mfa")))
	mux.Handle("POST /api/v1/users/{id}/reset-password", auth(h.resetPassword))
	mux.Handle("PUT /api/v1/users/{id}/roles", auth(h.setRoles))
}

func (h *AccessHandler) listUsers(w http.ResponseWriter, r *http.Request) {
	var users []*phigate.User
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionRead, "", "user.list", func() error {
		var err error
		users, err = h.Accounts.ListUsers(r.Context())
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	if users == nil {
		users = []*phigate.User{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (h *AccessHandler) showUser(w http.ResponseWriter, r *http.Request) {
	var u *phigate.User
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionRead, "user:"+r.PathValue("id"), "user.read", func() error {
		var err error
		u, err = h.Accounts.UserByName(r.Context(), r.PathValue("id"))
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, u)
}

type createUserRequest struct {
	Name     string         `json:"name"`
	Roles    []phigate.Role `json:"roles"`
	Password string         `json:"password,omitempty"` // optional initial password, to change at first sign-in
}

// createUser adds a user (POST /api/v1/users). Without a password one is
// generated and returned once; either way it must be changed at first
// sign-in.
func (h *AccessHandler) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	var u *phigate.User
	var pw string
	p := phigate.PrincipalFromContext(r.Context())
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionWrite, "", "user.create", func() error {
		var err error
		u, pw, err = h.Accounts.CreateUser(r.Context(), actor(p), phigate.NewUser{Name: req.Name, Roles: req.Roles, Password: req.Password})
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"user": u, "one_time_password": pw})
}

// userAction serves disable, enable and reset-mfa.
func (h *AccessHandler) userAction(op string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := phigate.PrincipalFromContext(r.Context())
		var u *phigate.User
		err := h.authorize(r, phigate.ResourceUsers, phigate.ActionWrite, "user:"+r.PathValue("id"), op, func() error {
			var err error
			if u, err = h.Accounts.UserByName(r.Context(), r.PathValue("id")); err != nil {
				return err
			}
			switch op {
			case "user.disable", "user.enable":
				u, err = h.Accounts.SetDisabled(r.Context(), actor(p), u.ID, op == "user.disable")
			default:
				err = h.Accounts.ResetMFA(r.Context(), actor(p), u.ID)
			}
			return err
		})
		if err != nil {
			h.Error(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, u)
	}
}

func (h *AccessHandler) resetPassword(w http.ResponseWriter, r *http.Request) {
	p := phigate.PrincipalFromContext(r.Context())
	var pw string
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionWrite, "user:"+r.PathValue("id"), "user.reset_password", func() error {
		u, err := h.Accounts.UserByName(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		pw, err = h.Accounts.ResetPassword(r.Context(), actor(p), u.ID)
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"one_time_password": pw})
}

type rolesRequest struct {
	Roles []phigate.Role `json:"roles"`
}

func (h *AccessHandler) setRoles(w http.ResponseWriter, r *http.Request) {
	var req rolesRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	p := phigate.PrincipalFromContext(r.Context())
	var u *phigate.User
	err := h.authorize(r, phigate.ResourceUsers, phigate.ActionWrite, "user:"+r.PathValue("id"), "user.set_roles", func() error {
		var err error
		if u, err = h.Accounts.UserByName(r.Context(), r.PathValue("id")); err != nil {
			return err
		}
		u, err = h.Accounts.SetRoles(r.Context(), actor(p), u.ID, req.Roles)
		return err
	})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, u)
}
