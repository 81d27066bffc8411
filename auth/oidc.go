package auth

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	phigate "github.com/phigate/phigate"
	"golang.org/x/oauth2"
)

// OIDCConfig configures single sign-on with an OpenID Connect provider
// (authorisation code flow with PKCE).
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string // secret; may be empty for a public client
	RedirectURL  string // phigate's callback, ".../api/v1/auth/oidc/callback"
	// Scopes to ask for; "openid" is always added. Default: profile, email, groups.
	Scopes []string
	// GroupsClaim names the claim holding the user's groups; a dotted path
	// reaches into objects ("realm_access.roles"). Default "groups". A
	// string value counts as one group.
	GroupsClaim string
	// GroupRoles maps IdP groups to phigate roles. A user whose groups map
	// to no role is refused.
	GroupRoles map[string][]phigate.Role
	// MFAMethods are the `amr` values (RFC 8176) taken as proof of a second
	// factor at the IdP. Default: mfa, otp, hwk, swk, fpt, face, iris, sc.
	// Without one of them the user must still pass phigate's own factor.
	MFAMethods []string
	// HTTPClient talks to the IdP; http.DefaultClient if nil.
	HTTPClient *http.Client
}

// DefaultMFAMethods are the amr values that assert a second factor.
var DefaultMFAMethods = []string{"mfa", "otp", "hwk", "swk", "fpt", "face", "iris", "sc"}

// DefaultOIDCPendingTTL bounds the time between starting and finishing a
// sign-in at the IdP.
const DefaultOIDCPendingTTL = 10 * time.Minute

type oidcState struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	provider *oidc.Provider
}

type pendingOIDC struct {
	verifier, nonce string
	expires         time.Time
}

// OpenOIDC discovers the provider and enables single sign-on. Codes:
// EINVALID, EUNAVAILABLE (discovery failed).
func (s *Service) OpenOIDC(ctx context.Context, c OIDCConfig) error {
	const op = "auth.OpenOIDC"
	if c.Issuer == "" || c.ClientID == "" || c.RedirectURL == "" || len(c.GroupRoles) == 0 {
		return phigate.Errorf(phigate.EINVALID, op, "issuer, client id, redirect URL and group roles are required")
	}
	for _, roles := range c.GroupRoles {
		if err := s.checkRoles(roles); err != nil {
			return err
		}
	}
	if c.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, c.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("discover issuer: %w", err))
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = []string{"profile", "email", "groups"}
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = "groups"
	}
	if c.MFAMethods == nil {
		c.MFAMethods = DefaultMFAMethods
	}
	s.oidc = &oidcState{cfg: c, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, scopes...)}}
	return nil
}

// OIDCEnabled reports whether single sign-on is configured.
func (s *Service) OIDCEnabled() bool { return s.oidc != nil }

// OIDCStart begins a sign-in: it returns the IdP URL to redirect the
// browser to and the state, which the caller must bind to the browser (a
// short-lived cookie) and give back to OIDCCallback.
func (s *Service) OIDCStart(ctx context.Context) (authURL, state string, err error) {
	if s.oidc == nil {
		return "", "", phigate.Errorf(phigate.ENOTFOUND, "auth.OIDCStart", "single sign-on is not configured")
	}
	if state, err = newToken(s.Rand); err != nil {
		return "", "", err
	}
	nonce, err := newToken(s.Rand)
	if err != nil {
		return "", "", err
	}
	verifier := oauth2.GenerateVerifier()
	s.mu.Lock()
	now := s.now()
	for k, p := range s.pending {
		if now.After(p.expires) {
			delete(s.pending, k)
		}
	}
	s.pending[state] = pendingOIDC{verifier: verifier, nonce: nonce, expires: now.Add(DefaultOIDCPendingTTL)}
	s.mu.Unlock()
	u := s.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return u, state, nil
}

func (s *Service) takePending(state, boundState string) (pendingOIDC, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending[state]
	delete(s.pending, state)
	if !ok || state == "" || !EqualHash(state, boundState) || s.now().After(p.expires) {
		return p, phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.OIDCCallback", "unknown, expired or unbound state")
	}
	return p, nil
}

// OIDCCallback finishes a sign-in: it exchanges the code (with the PKCE
// verifier), verifies the ID token and its nonce, maps the groups to roles
// and signs the user in, creating the user on first sign-in. The session
// counts as MFA-verified only if the IdP asserts a second factor in amr.
// Codes: EUNAUTHENTICATED, EFORBIDDEN (no mapped role, disabled), ECONFLICT
// (a local user already has that name), EUNAVAILABLE, EAUDIT.
func (s *Service) OIDCCallback(ctx context.Context, state, boundState, code, source string) (*phigate.LoginResult, error) {
	const op = "auth.OIDCCallback"
	src := SourceIP(source)
	p, err := s.takePending(state, boundState)
	if err != nil {
		_ = s.record(ctx, &phigate.Event{Action: "auth.oidc", Source: src, Outcome: phigate.OutcomeDenied, Reason: "bad_state"})
		return nil, err
	}
	claims, err := s.exchange(ctx, code, p)
	if err != nil {
		_ = s.record(ctx, &phigate.Event{Action: "auth.oidc", Source: src, Outcome: phigate.OutcomeDenied, Reason: phigate.ErrorCode(err)})
		return nil, err
	}
	roles := s.oidcRoles(claims)
	if len(roles) == 0 {
		_ = s.record(ctx, &phigate.Event{Action: "auth.oidc", Source: src, Outcome: phigate.OutcomeDenied, Reason: "no_mapped_role"})
		return nil, phigate.Errorf(phigate.EFORBIDDEN, op, "no group maps to a role")
	}
	u, err := s.oidcUser(ctx, claims, roles)
	if err != nil {
		_ = s.record(ctx, &phigate.Event{Action: "auth.oidc", Source: src, Outcome: phigate.OutcomeDenied, Reason: phigate.ErrorCode(err)})
		return nil, err
	}
	mfa := AMRAssertsMFA(claimStrings(claims, "amr"), s.oidc.cfg.MFAMethods)
	e := &phigate.Event{Action: "auth.oidc", Actor: u.ID, Source: src, Outcome: phigate.OutcomeSuccess, Fields: map[string]string{"idp_mfa": fmt.Sprint(mfa)}}
	if err := s.record(ctx, e); err != nil {
		return nil, err
	}
	token, sess, err := s.newSession(ctx, u.ID, src, mfa)
	if err != nil {
		return nil, err
	}
	enrolled, err := s.MFAEnrolled(ctx, u.ID)
	return &phigate.LoginResult{Token: token, Session: sess, User: u, MFAEnrolled: enrolled}, err
}

// exchange trades the code for tokens and returns the verified claims of
// the ID token merged over those of the userinfo endpoint.
func (s *Service) exchange(ctx context.Context, code string, p pendingOIDC) (map[string]any, error) {
	const op = "auth.exchange"
	if s.oidc.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, s.oidc.cfg.HTTPClient)
	}
	tok, err := s.oidc.oauth.Exchange(ctx, code, oauth2.VerifierOption(p.verifier))
	if err != nil {
		return nil, phigate.E(phigate.EUNAUTHENTICATED, op, fmt.Errorf("exchange code: %w", err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "no id_token in the token response")
	}
	idt, err := s.oidc.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, phigate.E(phigate.EUNAUTHENTICATED, op, fmt.Errorf("verify id token: %w", err))
	}
	if !EqualHash(idt.Nonce, p.nonce) {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "nonce mismatch")
	}
	claims := map[string]any{}
	if ui, err := s.oidc.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		_ = ui.Claims(&claims)
		if ui.Subject != idt.Subject {
			return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "userinfo subject mismatch")
		}
	}
	idClaims := map[string]any{}
	if err := idt.Claims(&idClaims); err != nil {
		return nil, phigate.E(phigate.EUNAUTHENTICATED, op, fmt.Errorf("decode claims: %w", err))
	}
	for k, v := range idClaims {
		claims[k] = v
	}
	return claims, nil
}

// oidcRoles maps the groups claim to roles, without duplicates.
func (s *Service) oidcRoles(claims map[string]any) []phigate.Role {
	var roles []phigate.Role
	for _, g := range claimStrings(claims, s.oidc.cfg.GroupsClaim) {
		for _, r := range s.oidc.cfg.GroupRoles[g] {
			if !hasRole(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	return roles
}

// oidcUser finds the user linked to the identity, or creates and links one;
// the IdP's groups decide the roles at every sign-in.
func (s *Service) oidcUser(ctx context.Context, claims map[string]any, roles []phigate.Role) (*phigate.User, error) {
	const op = "auth.oidcUser"
	sub, _ := claims["sub"].(string)
	iss := s.oidc.cfg.Issuer
	id, err := s.Store.IdentityUser(ctx, iss, sub)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return s.provision(ctx, claims, roles)
	} else if err != nil {
		return nil, fmt.Errorf("find identity: %w", err)
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find identity: %w", err)
	}
	if u.Disabled {
		return nil, phigate.Errorf(phigate.EFORBIDDEN, op, "user %s is disabled", u.ID)
	}
	u.Roles, u.UpdatedAt = roles, s.now()
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("update roles: %w", err)
	}
	return u, nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9._@-]+`)

func (s *Service) provision(ctx context.Context, claims map[string]any, roles []phigate.Role) (*phigate.User, error) {
	name, _ := claims["preferred_username"].(string)
	if name == "" {
		name, _ = claims["email"].(string)
	}
	if name == "" {
		name, _ = claims["sub"].(string)
	}
	name = unsafeName.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 64 {
		name = name[:64]
	}
	pw, err := newToken(s.Rand) // unusable: the user signs in at the IdP
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(phigate.NewUser{Name: name, Roles: roles}, pw)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("provision user: %w", err)
	}
	sub, _ := claims["sub"].(string)
	if err := s.Store.LinkIdentity(ctx, s.oidc.cfg.Issuer, sub, u.ID); err != nil {
		return nil, fmt.Errorf("link identity: %w", err)
	}
	return u, nil
}

// AMRAssertsMFA reports whether the amr values include a second factor.
func AMRAssertsMFA(amr, methods []string) bool {
	for _, a := range amr {
		for _, m := range methods {
			if a == m {
				return true
			}
		}
	}
	return false
}

// claimStrings reads a claim by dotted path as a list of strings: a string
// is one element, a list keeps its string elements.
func claimStrings(claims map[string]any, path string) []string {
	var v any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
