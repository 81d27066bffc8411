package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	phigate "github.com/phigate/phigate"
)

// WebAuthnConfig configures passkeys and security keys as a second factor.
type WebAuthnConfig struct {
	RPID          string   // the site's domain ("phigate.example.org")
	RPDisplayName string   // shown by the authenticator; "phigate" if empty
	Origins       []string // allowed origins ("https://phigate.example.org:8443")
	// Timeout bounds a ceremony; DefaultWebAuthnTimeout if zero.
	Timeout time.Duration
}

// DefaultWebAuthnTimeout bounds a registration or login ceremony.
const DefaultWebAuthnTimeout = 5 * time.Minute

type webauthnState struct {
	wa      *webauthn.WebAuthn
	timeout time.Duration
}

type ceremony struct {
	kind    string // "register" or "login"
	data    webauthn.SessionData
	expires time.Time
}

func (s *Service) openWebAuthn() error {
	c := s.WebAuthn
	name := c.RPDisplayName
	if name == "" {
		name = "phigate"
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultWebAuthnTimeout
	}
	wa, err := webauthn.New(&webauthn.Config{RPID: c.RPID, RPDisplayName: name, RPOrigins: c.Origins})
	if err != nil {
		return phigate.E(phigate.EINVALID, "auth.openWebAuthn", fmt.Errorf("configure webauthn: %w", err))
	}
	s.webauthn = &webauthnState{wa: wa, timeout: timeout}
	return nil
}

// waUser adapts a user and their credentials to the library.
type waUser struct {
	u     *phigate.User
	creds []webauthn.Credential
}

func (w *waUser) WebAuthnID() []byte                         { return []byte(w.u.ID) }
func (w *waUser) WebAuthnName() string                       { return w.u.Name }
func (w *waUser) WebAuthnDisplayName() string                { return w.u.Name }
func (w *waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

func (s *Service) waUser(ctx context.Context, userID string) (*waUser, []*phigate.WebAuthnCredential, error) {
	if s.webauthn == nil {
		return nil, nil, phigate.Errorf(phigate.ENOTFOUND, "auth.webauthn", "passkeys are not configured")
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("webauthn user: %w", err)
	}
	stored, err := s.Store.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("webauthn credentials: %w", err)
	}
	w := &waUser{u: u}
	for _, c := range stored {
		var wc webauthn.Credential
		if err := json.Unmarshal(c.Data, &wc); err != nil {
			return nil, nil, phigate.E(phigate.EINTERNAL, "auth.waUser", fmt.Errorf("decode credential: %w", err))
		}
		w.creds = append(w.creds, wc)
	}
	return w, stored, nil
}

// BeginPasskeyRegistration starts registering a passkey for the principal
// and returns the options for navigator.credentials.create as JSON. Codes:
// EMFAREQUIRED, ENOTFOUND (passkeys not configured).
func (s *Service) BeginPasskeyRegistration(ctx context.Context, p *phigate.Principal) ([]byte, error) {
	if err := s.mayEnrol(ctx, p); err != nil {
		return nil, err
	}
	w, _, err := s.waUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	exclude := make([]protocol.CredentialDescriptor, 0, len(w.creds))
	for _, c := range w.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, data, err := s.webauthn.wa.BeginRegistration(w, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "auth.BeginPasskeyRegistration", fmt.Errorf("begin registration: %w", err))
	}
	s.putCeremony(p.SessionID, "register", *data)
	return json.Marshal(opts)
}

// FinishPasskeyRegistration checks the authenticator's response and stores
// the credential; the session counts as MFA-verified. Codes: EINVALID,
// EMFAREQUIRED, EUNAUTHENTICATED (no ceremony or it expired), EAUDIT.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, p *phigate.Principal, name string, response []byte) error {
	const op = "auth.FinishPasskeyRegistration"
	if err := s.mayEnrol(ctx, p); err != nil {
		return err
	}
	data, err := s.takeCeremony(p.SessionID, "register")
	if err != nil {
		return err
	}
	w, _, err := s.waUser(ctx, p.UserID)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(bytes.NewReader(response))
	if err != nil {
		return phigate.E(phigate.EINVALID, op, fmt.Errorf("parse registration: %w", err))
	}
	cred, err := s.webauthn.wa.CreateCredential(w, data, parsed)
	if err != nil {
		return phigate.E(phigate.EINVALID, op, fmt.Errorf("verify registration: %w", err))
	}
	if err := s.record(ctx, &phigate.Event{Action: "mfa.passkey_enrol", Actor: p.UserID, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	if err := s.storePasskey(ctx, p.UserID, name, cred); err != nil {
		return err
	}
	if n, err := s.Store.CountRecoveryCodes(ctx, p.UserID); err == nil && n == 0 {
		_, _ = s.NewRecoveryCodes(ctx, p.UserID) // shown via the recovery-codes endpoint
	}
	return s.markMFA(ctx, p)
}

func (s *Service) storePasskey(ctx context.Context, userID, name string, cred *webauthn.Credential) error {
	data, err := json.Marshal(cred)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, "auth.storePasskey", fmt.Errorf("encode credential: %w", err))
	}
	if name == "" {
		name = "passkey"
	}
	c := &phigate.WebAuthnCredential{ID: cred.ID, UserID: userID, Name: name, Data: data, CreatedAt: s.now()}
	if err := s.Store.CreateWebAuthnCredential(ctx, c); err != nil {
		return fmt.Errorf("store passkey: %w", err)
	}
	return nil
}

// BeginPasskeyLogin starts verifying a passkey as the second factor of the
// principal's session and returns the options for navigator.credentials.get
// as JSON. Codes: ENOTFOUND (no passkey or not configured).
func (s *Service) BeginPasskeyLogin(ctx context.Context, p *phigate.Principal) ([]byte, error) {
	if p == nil || p.SessionID == "" {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.BeginPasskeyLogin", "a signed-in session is required")
	}
	w, _, err := s.waUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if len(w.creds) == 0 {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "auth.BeginPasskeyLogin", "no passkey registered")
	}
	opts, data, err := s.webauthn.wa.BeginLogin(w)
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "auth.BeginPasskeyLogin", fmt.Errorf("begin login: %w", err))
	}
	s.putCeremony(p.SessionID, "login", *data)
	return json.Marshal(opts)
}

// FinishPasskeyLogin verifies the authenticator's assertion and marks the
// session MFA-verified. A credential whose signature counter went back (a
// cloned authenticator) is refused. Codes: EUNAUTHENTICATED, ELOCKED,
// ERATELIMIT, EAUDIT.
func (s *Service) FinishPasskeyLogin(ctx context.Context, p *phigate.Principal, response []byte, source string) error {
	src := SourceIP(source)
	if err := s.checkLockout(ctx, p.UserID, src); err != nil {
		return err
	}
	data, err := s.takeCeremony(p.SessionID, "login")
	if err != nil {
		return err
	}
	w, stored, err := s.waUser(ctx, p.UserID)
	if err != nil {
		return err
	}
	cred, err := s.validatePasskey(w, data, response)
	if err != nil {
		return s.loginFailed(ctx, p.UserID, src, "mfa.passkey")
	}
	if err := s.record(ctx, &phigate.Event{Action: "mfa.passkey", Actor: p.UserID, Source: src, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	for _, c := range stored {
		if bytes.Equal(c.ID, cred.ID) {
			c.Data, _ = json.Marshal(cred)
			c.LastUsedAt = s.now()
			if err := s.Store.UpdateWebAuthnCredential(ctx, c); err != nil {
				return fmt.Errorf("update passkey: %w", err)
			}
		}
	}
	return s.markMFA(ctx, p)
}

func (s *Service) validatePasskey(w *waUser, data webauthn.SessionData, response []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(response))
	if err != nil {
		return nil, err
	}
	cred, err := s.webauthn.wa.ValidateLogin(w, data, parsed)
	if err != nil {
		return nil, err
	}
	if cred.Authenticator.CloneWarning {
		return nil, fmt.Errorf("signature counter went back")
	}
	return cred, nil
}

func (s *Service) putCeremony(sessionID, kind string, data webauthn.SessionData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, c := range s.ceremonies {
		if now.After(c.expires) {
			delete(s.ceremonies, k)
		}
	}
	s.ceremonies[sessionID+"/"+kind] = ceremony{kind: kind, data: data, expires: now.Add(s.webauthn.timeout)}
}

func (s *Service) takeCeremony(sessionID, kind string) (webauthn.SessionData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ceremonies[sessionID+"/"+kind]
	delete(s.ceremonies, sessionID+"/"+kind)
	if !ok || s.now().After(c.expires) {
		return webauthn.SessionData{}, phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.takeCeremony", "no %s ceremony in progress", kind)
	}
	return c.data, nil
}
