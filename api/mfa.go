package api

import (
	"context"
	"io"
	"net/http"

	"github.com/phigate/phigate"
)

// MaxWebAuthnBody bounds a WebAuthn response body.
const MaxWebAuthnBody = 64 << 10

func (h *AccessHandler) registerMFA(mux *http.ServeMux, auth func(http.HandlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/auth/mfa", auth(h.mfaStatus))
	mux.Handle("POST /api/v1/auth/mfa/totp/enrol", auth(h.totpEnrol))
	mux.Handle("POST /api/v1/auth/mfa/totp/confirm", auth(h.totpConfirm))
	mux.Handle("POST /api/v1/auth/mfa/totp/verify", auth(h.totpVerify))
	mux.Handle("POST /api/v1/auth/mfa/recovery/verify", auth(h.recoveryVerify))
	mux.Handle("POST /api/v1/auth/mfa/recovery-codes", auth(h.recoveryCodes))
	mux.Handle("POST /api/v1/auth/mfa/passkey/register/begin", auth(h.passkeyRegisterBegin))
	mux.Handle("POST /api/v1/auth/mfa/passkey/register/finish", auth(h.passkeyRegisterFinish))
	mux.Handle("POST /api/v1/auth/mfa/passkey/login/begin", auth(h.passkeyLoginBegin))
	mux.Handle("POST /api/v1/auth/mfa/passkey/login/finish", auth(h.passkeyLoginFinish))
}

type codeRequest struct {
	Code string `json:"code"`
}

func (h *AccessHandler) mfaStatus(w http.ResponseWriter, r *http.Request) {
	p := phigate.PrincipalFromContext(r.Context())
	st, err := h.Accounts.MFAStatusOf(r.Context(), p.UserID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// totpEnrol starts TOTP enrolment: the secret and otpauth URI, shown once.
func (h *AccessHandler) totpEnrol(w http.ResponseWriter, r *http.Request) {
	secret, uri, err := h.Accounts.BeginTOTP(r.Context(), phigate.PrincipalFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"secret": secret, "otpauth_uri": uri})
}

// totpConfirm finishes enrolment with a first code and returns the ten
// recovery codes, shown once.
func (h *AccessHandler) totpConfirm(w http.ResponseWriter, r *http.Request) {
	var req codeRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	codes, err := h.Accounts.ConfirmTOTP(r.Context(), phigate.PrincipalFromContext(r.Context()), req.Code, phigate.SourceFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"mfa_verified": true, "recovery_codes": codes})
}

func (h *AccessHandler) totpVerify(w http.ResponseWriter, r *http.Request) {
	h.verify(w, r, h.Accounts.VerifyTOTP)
}

func (h *AccessHandler) recoveryVerify(w http.ResponseWriter, r *http.Request) {
	h.verify(w, r, h.Accounts.VerifyRecoveryCode)
}

// verify checks a second factor for the session.
func (h *AccessHandler) verify(w http.ResponseWriter, r *http.Request, check func(context.Context, *phigate.Principal, string, string) error) {
	var req codeRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	if err := check(r.Context(), phigate.PrincipalFromContext(r.Context()), req.Code, phigate.SourceFromContext(r.Context())); err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]bool{"mfa_verified": true})
}

// recoveryCodes replaces the caller's recovery codes; it needs a verified
// second factor.
func (h *AccessHandler) recoveryCodes(w http.ResponseWriter, r *http.Request) {
	p := phigate.PrincipalFromContext(r.Context())
	if !p.MFA || p.SessionID == "" {
		h.Error(w, r, phigate.Errorf(phigate.EMFAREQUIRED, "api.recoveryCodes", "verify a second factor first"))
		return
	}
	codes, err := h.Accounts.NewRecoveryCodes(r.Context(), p.UserID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

func (h *AccessHandler) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	h.writeOptions(w, r, h.Accounts.BeginPasskeyRegistration)
}

func (h *AccessHandler) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	h.writeOptions(w, r, h.Accounts.BeginPasskeyLogin)
}

func (h *AccessHandler) writeOptions(w http.ResponseWriter, r *http.Request, begin func(context.Context, *phigate.Principal) ([]byte, error)) {
	opts, err := begin(r.Context(), phigate.PrincipalFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(opts)
}

// passkeyRegisterFinish takes the authenticator's response as the body
// (the JSON of a PublicKeyCredential) and the passkey's name as ?name=.
func (h *AccessHandler) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebAuthnBody))
	if err != nil {
		h.Error(w, r, phigate.E(phigate.EINVALID, "api.passkeyRegisterFinish", err))
		return
	}
	p := phigate.PrincipalFromContext(r.Context())
	if err := h.Accounts.FinishPasskeyRegistration(r.Context(), p, r.URL.Query().Get("name"), body); err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]bool{"mfa_verified": true})
}

func (h *AccessHandler) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebAuthnBody))
	if err != nil {
		h.Error(w, r, phigate.E(phigate.EINVALID, "api.passkeyLoginFinish", err))
		return
	}
	p := phigate.PrincipalFromContext(r.Context())
	if err := h.Accounts.FinishPasskeyLogin(r.Context(), p, body, phigate.SourceFromContext(r.Context())); err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]bool{"mfa_verified": true})
}

type breakGlassRequest struct {
	Reason string `json:"reason"`
}

// breakGlass opens an emergency-access window for the caller's session
// (POST /api/v1/auth/break-glass). Accesses in it use purpose "emergency".
func (h *AccessHandler) breakGlass(w http.ResponseWriter, r *http.Request) {
	var req breakGlassRequest
	if err := DecodeJSON(r, &req); err != nil {
		h.Error(w, r, err)
		return
	}
	p := phigate.PrincipalFromContext(r.Context())
	b, err := h.Accounts.OpenBreakGlass(r.Context(), p, h.Roles.CanBreakGlass(p.Roles), req.Reason, phigate.SourceFromContext(r.Context()))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"id": b.ID, "opened_at": b.OpenedAt, "until": b.Until, "purpose": phigate.PurposeEmergency})
}
