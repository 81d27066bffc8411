package api

import (
	"context"
	"net/http"
	"time"

	"github.com/phigate/phigate"
)

// PurposeHeader carries the purpose of use of a request that touches PHI
// ("treatment", "payment", "operations", "research", "emergency"). The
// query parameter "purpose" is accepted too.
const PurposeHeader = "X-Purpose-Of-Use"

// CSRFHeader carries the anti-forgery token of a cookie session on every
// state-changing request.
const CSRFHeader = "X-CSRF-Token"

// Accounts is what the access routes need of the auth service
// (implemented by *auth.Service).
type Accounts interface {
	Login(ctx context.Context, name, password, source string) (*phigate.LoginResult, error)
	Logout(ctx context.Context, token, source string) error
	ChangePassword(ctx context.Context, p *phigate.Principal, current, next, source string) (string, error)
	CSRFToken(sessionToken string) string
	MFAStatusOf(ctx context.Context, userID string) (phigate.MFAStatus, error)
	BeginTOTP(ctx context.Context, p *phigate.Principal) (secret, uri string, err error)
	ConfirmTOTP(ctx context.Context, p *phigate.Principal, code, source string) ([]string, error)
	VerifyTOTP(ctx context.Context, p *phigate.Principal, code, source string) error
	VerifyRecoveryCode(ctx context.Context, p *phigate.Principal, code, source string) error
	NewRecoveryCodes(ctx context.Context, userID string) ([]string, error)
	BeginPasskeyRegistration(ctx context.Context, p *phigate.Principal) ([]byte, error)
	FinishPasskeyRegistration(ctx context.Context, p *phigate.Principal, name string, response []byte) error
	BeginPasskeyLogin(ctx context.Context, p *phigate.Principal) ([]byte, error)
	FinishPasskeyLogin(ctx context.Context, p *phigate.Principal, response []byte, source string) error
	OpenBreakGlass(ctx context.Context, p *phigate.Principal, mayBreakGlass bool, reason, source string) (*phigate.BreakGlass, error)
	OIDCEnabled() bool
	OIDCStart(ctx context.Context) (authURL, state string, err error)
	OIDCCallback(ctx context.Context, state, boundState, code, source string) (*phigate.LoginResult, error)

	CreateUser(ctx context.Context, by string, nu phigate.NewUser) (*phigate.User, string, error)
	ListUsers(ctx context.Context) ([]*phigate.User, error)
	UserByName(ctx context.Context, nameOrID string) (*phigate.User, error)
	SetDisabled(ctx context.Context, by, userID string, disabled bool) (*phigate.User, error)
	SetRoles(ctx context.Context, by, userID string, roles []phigate.Role) (*phigate.User, error)
	ResetMFA(ctx context.Context, by, userID string) error
	ResetPassword(ctx context.Context, by, userID string) (string, error)

	CreateAPIKey(ctx context.Context, by string, nk phigate.NewAPIKey) (string, *phigate.APIKey, error)
	ListAPIKeys(ctx context.Context, ownerID string) ([]*phigate.APIKey, error)
	RevokeAPIKey(ctx context.Context, by, id string) error
}

// RoleCatalog is what the routes need of the policy (implemented by
// *policy.Policy).
type RoleCatalog interface {
	Roles() []phigate.RoleDef
	Role(name phigate.Role) (phigate.RoleDef, error)
	CanBreakGlass(roles []phigate.Role) bool
}

// Records is the patients and notes service (implemented by
// *records.Service). The caller comes from the request context.
type Records interface {
	GetPatient(ctx context.Context, purpose phigate.Purpose, id string) (*phigate.Patient, error)
	FindByMRN(ctx context.Context, purpose phigate.Purpose, mrn string) (*phigate.Patient, error)
	ListPatients(ctx context.Context, purpose phigate.Purpose, limit int) ([]*phigate.Patient, error)
	CreatePatient(ctx context.Context, purpose phigate.Purpose, p *phigate.Patient) (*phigate.Patient, error)
	UpdatePatient(ctx context.Context, purpose phigate.Purpose, p *phigate.Patient) (*phigate.Patient, error)
	ListNotes(ctx context.Context, purpose phigate.Purpose, patientID string) ([]*phigate.Note, error)
	AddNote(ctx context.Context, purpose phigate.Purpose, patientID string, n *phigate.Note) (*phigate.Note, error)
	AddCareTeamMember(ctx context.Context, purpose phigate.Purpose, patientID, userID string) error
}

// AccessHandler serves sign-in, MFA, users, API keys, roles, break-glass,
// and patients with their notes. Set the fields, then Register it. Every
// administrative and PHI route is authorised through Guard, the one choke
// point that audits before the effect.
type AccessHandler struct {
	*Handler
	Accounts Accounts           // required
	Guard    phigate.Authorizer // required
	Roles    RoleCatalog        // required
	// Records serves the patient routes; nil leaves them out.
	Records Records
	// RoleEditor serves custom-role definition; nil leaves it out.
	RoleEditor *RoleEditor
}

// Register adds the access routes to mux.
func (h *AccessHandler) Register(mux *http.ServeMux) {
	auth := func(f http.HandlerFunc) http.Handler { return h.Authenticated(f) }
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.Handle("POST /api/v1/auth/logout", auth(h.logout))
	mux.Handle("GET /api/v1/auth/session", auth(h.session))
	mux.Handle("POST /api/v1/auth/password", auth(h.changePassword))
	mux.HandleFunc("GET /api/v1/auth/oidc/login", h.oidcLogin)
	mux.HandleFunc("GET /api/v1/auth/oidc/callback", h.oidcCallback)
	h.registerMFA(mux, auth)
	mux.Handle("POST /api/v1/auth/break-glass", auth(h.breakGlass))
	h.registerUsers(mux, auth)
	h.registerAPIKeys(mux, auth)
	mux.Handle("GET /api/v1/roles", auth(h.listRoles))
	mux.Handle("GET /api/v1/roles/{name}", auth(h.showRole))
	h.registerRoleEditor(mux, auth)
	if h.Records != nil {
		h.registerPatients(mux, auth)
	}
}

// authorize sends an administrative request through the choke point.
func (h *AccessHandler) authorize(r *http.Request, res phigate.Resource, act phigate.Action, target, op string, effect func() error) error {
	ctx := r.Context()
	ar := &phigate.AccessRequest{Principal: phigate.PrincipalFromContext(ctx), Resource: res, Action: act,
		Target: target, Op: op, Source: phigate.SourceFromContext(ctx), RequestID: phigate.RequestIDFromContext(ctx)}
	return h.Guard.Authorize(ctx, ar, func(phigate.Decision) error { return effect() })
}

// actor names the principal in audit events.
func actor(p *phigate.Principal) string {
	if p == nil {
		return ""
	}
	if p.APIKeyID != "" {
		return p.APIKeyID
	}
	return p.UserID
}

// setSessionCookie hands the browser its session token: Secure, HttpOnly,
// SameSite=Strict, ending with the session's absolute timeout.
func setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func purposeOf(r *http.Request) phigate.Purpose {
	p := r.Header.Get(PurposeHeader)
	if p == "" {
		p = r.URL.Query().Get("purpose")
	}
	return phigate.Purpose(p)
}

// sessionToken returns the session cookie's token, or "".
func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}
