package api

import (
	"net/http"
	"time"

	"github.com/phigate/phigate"
)

// sessionBody describes a signed-in session to its client.
type sessionBody struct {
	User               *phigate.User      `json:"user,omitempty"`
	Principal          *phigate.Principal `json:"principal,omitempty"`
	MFAVerified        bool               `json:"mfa_verified"`
	MFAEnrolled        bool               `json:"mfa_enrolled"`
	MFA                *phigate.MFAStatus `json:"mfa,omitempty"`
	MustChangePassword bool               `json:"must_change_password"`
	CSRFToken          string             `json:"csrf_token,omitempty"`
	ExpiresAt          string             `json:"expires_at,omitempty"`
	Next               string             `json:"next,omitempty"` // "change_password", "enrol_mfa", "verify_mfa"
}

// next says what a session must do before it can do anything else.
func next(mustChange, mfa, enrolled bool) string {
	switch {
	case mustChange:
		return "change_password"
	case mfa:
		return ""
	case enrolled:
		return "verify_mfa"
	}
	return "enrol_mfa"
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// login checks a name and password and opens a session (POST /api/v1/auth/login).
func (h *AccessHandler) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	res, err := h.Accounts.Login(r.Context(), req.Name, req.Password, phigate.SourceFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	h.writeLogin(w, res, http.StatusOK)
}

func (h *AccessHandler) writeLogin(w http.ResponseWriter, res *phigate.LoginResult, status int) {
	setSessionCookie(w, res.Token, res.Session.ExpiresAt)
	WriteJSON(w, status, sessionBody{User: res.User, MFAVerified: res.Session.MFA, MFAEnrolled: res.MFAEnrolled,
		MustChangePassword: res.User.MustChangePassword, CSRFToken: h.Accounts.CSRFToken(res.Token),
		ExpiresAt: res.Session.ExpiresAt.Format("2006-01-02T15:04:05Z07:00"),
		Next:      next(res.User.MustChangePassword, res.Session.MFA, res.MFAEnrolled)})
}

// logout ends the session (POST /api/v1/auth/logout).
func (h *AccessHandler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.Accounts.Logout(r.Context(), sessionToken(r), phigate.SourceFromContext(r.Context())); err != nil {
		h.Error(w, r, err)
		return
	}
	clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

// session describes the caller's session (GET /api/v1/auth/session).
func (h *AccessHandler) session(w http.ResponseWriter, r *http.Request) {
	p := phigate.PrincipalFromContext(r.Context())
	body := sessionBody{Principal: p, MFAVerified: p.MFA, MustChangePassword: p.MustChangePassword}
	if p.SessionID != "" {
		st, err := h.Accounts.MFAStatusOf(r.Context(), p.UserID)
		if err != nil {
			h.Error(w, r, err)
			return
		}
		body.MFA, body.MFAEnrolled = &st, st.Enrolled()
		body.CSRFToken = h.Accounts.CSRFToken(sessionToken(r))
		body.Next = next(p.MustChangePassword, p.MFA, st.Enrolled())
	}
	WriteJSON(w, http.StatusOK, body)
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword changes the caller's password (POST /api/v1/auth/password).
// Every session of the user ends; the caller gets a fresh one.
func (h *AccessHandler) changePassword(w http.ResponseWriter, r *http.Request) {
	var req passwordRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	p := phigate.PrincipalFromContext(r.Context())
	token, err := h.Accounts.ChangePassword(r.Context(), p, req.Current, req.New, phigate.SourceFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	st, err := h.Accounts.MFAStatusOf(r.Context(), p.UserID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	setSessionCookie(w, token, time.Time{})
	WriteJSON(w, http.StatusOK, sessionBody{MFAVerified: p.MFA, MFAEnrolled: st.Enrolled(),
		CSRFToken: h.Accounts.CSRFToken(token), Next: next(false, p.MFA, st.Enrolled())})
}

// oidcLogin redirects the browser to the identity provider
// (GET /api/v1/auth/oidc/login), binding the state to a short cookie.
func (h *AccessHandler) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if !h.Accounts.OIDCEnabled() {
		h.Error(w, r, phigate.Errorf(phigate.ENOTFOUND, "api.oidcLogin", "single sign-on is not configured"))
		return
	}
	u, state, err := h.Accounts.OIDCStart(r.Context())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	// Lax, not Strict: the IdP's redirect back is a cross-site navigation.
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: state, Path: "/api/v1/auth/oidc/", MaxAge: 600,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, u, http.StatusFound)
}

const oidcStateCookie = "phigate_oidc_state"

// oidcCallback finishes single sign-on (GET /api/v1/auth/oidc/callback) and
// sends the browser to the console, or to MFA if the IdP did not assert it.
func (h *AccessHandler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	bound := ""
	if c, err := r.Cookie(oidcStateCookie); err == nil {
		bound = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Path: "/api/v1/auth/oidc/", MaxAge: -1, Secure: true, HttpOnly: true})
	q := r.URL.Query()
	if q.Get("error") != "" {
		h.Error(w, r, phigate.Errorf(phigate.EUNAUTHENTICATED, "api.oidcCallback", "identity provider refused the sign-in"))
		return
	}
	res, err := h.Accounts.OIDCCallback(r.Context(), q.Get("state"), bound, q.Get("code"), phigate.SourceFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	setSessionCookie(w, res.Token, res.Session.ExpiresAt)
	to := "/"
	if n := next(false, res.Session.MFA, res.MFAEnrolled); n != "" {
		to = "/?next=" + n
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
