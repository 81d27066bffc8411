// Package api owns phigate's JSON HTTP API under /api/v1: the routes, the
// authentication middleware that turns a session cookie or API key into a
// phigate.Principal, strict JSON decoding and error rendering. It talks to
// the rest of phigate only through the root interfaces set on Handler.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/phigate/phigate"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "phigate_session"

// Handler serves the JSON API. Set the fields, then Register it on a mux.
// A nil service field leaves its routes out.
type Handler struct {
	// Authenticator establishes who calls. Required for every route but
	// those that sign in.
	Authenticator phigate.Authenticator
	// Logger receives internal errors (code and op, never payloads).
	Logger *slog.Logger
	// Audit serves the audit log routes (see audit.go). Nil: no routes.
	Audit AuditReader
}

// NewHandler returns a Handler with a discarding logger.
func NewHandler() *Handler {
	return &Handler{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// Register adds the API routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/whoami", h.Authenticated(http.HandlerFunc(h.whoami)))
	h.registerAudit(mux)
}

func (h *Handler) whoami(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, phigate.PrincipalFromContext(r.Context()))
}

// Authenticated runs next only for a request that authenticates, with the
// principal in its context. Otherwise it answers with the error's status and
// fixed message.
func (h *Handler) Authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.Authenticator == nil {
			h.Error(w, r, phigate.Errorf(phigate.EUNAUTHENTICATED, "api.Authenticated", "no authenticator configured"))
			return
		}
		p, err := h.Authenticator.Authenticate(r.Context(), CredentialOf(r))
		if err != nil {
			h.Error(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(phigate.NewContextWithPrincipal(r.Context(), p)))
	})
}

// CredentialOf extracts the session token or API key a request presents.
func CredentialOf(r *http.Request) phigate.Credential {
	c := phigate.Credential{Source: phigate.SourceFromContext(r.Context()), Route: r.Pattern,
		Method: r.Method, CSRFToken: r.Header.Get("X-CSRF-Token")}
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		c.APIKey = strings.TrimSpace(auth[7:])
	}
	if ck, err := r.Cookie(SessionCookie); err == nil {
		c.SessionToken = ck.Value
	}
	return c
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id,omitempty"`
	} `json:"error"`
}

// Error writes err as an ErrorBody with its code's status and fixed
// message. Internal errors are logged with their op and cause; the body never
// holds the cause.
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = phigate.E(phigate.ETOOLARGE, "api", err)
	}
	code := phigate.ErrorCode(err)
	if code == phigate.EINTERNAL || code == phigate.EUNAVAILABLE || code == phigate.ECRYPTO || code == phigate.EAUDIT {
		h.logger().Error("api error", "code", code, "err", err.Error(),
			"request_id", phigate.RequestIDFromContext(r.Context()))
	}
	var b ErrorBody
	b.Error.Code, b.Error.Message = code, phigate.ErrorMessage(err)
	b.Error.RequestID = phigate.RequestIDFromContext(r.Context())
	WriteJSON(w, phigate.ErrorStatus(err), b)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return h.Logger
}

// DecodeJSON decodes the request body into v strictly: unknown fields,
// trailing data and malformed JSON are EINVALID; a body over the server's
// limit is ETOOLARGE.
func DecodeJSON(r *http.Request, v any) error {
	const op = "api.DecodeJSON"
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return phigate.Errorf(phigate.EINVALID, op, "content type must be application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return phigate.E(phigate.ETOOLARGE, op, errors.New("body over limit"))
		}
		return phigate.E(phigate.EINVALID, op, jsonErr(err))
	}
	if dec.More() {
		return phigate.Errorf(phigate.EINVALID, op, "trailing data after the JSON body")
	}
	return nil
}

// jsonErr describes a decoding error by position and field only: the
// standard messages can quote the offending value.
func jsonErr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errors.New("malformed JSON at byte " + itoa(se.Offset))
	case errors.As(err, &te):
		return errors.New("wrong type for field " + te.Field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("empty or truncated JSON body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errors.New(err.Error()[len("json: "):])
	}
	return errors.New("malformed JSON")
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
