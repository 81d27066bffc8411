package auth

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	phigate "github.com/phigate/phigate"
)

// DefaultAPIKeyTTL is the lifetime of a key created without one.
const DefaultAPIKeyTTL = 90 * 24 * time.Hour

var keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$`)

// CreateAPIKey makes a key and returns its secret, shown this once. A key
// may carry only roles its owner holds, or the service role. Codes:
// EINVALID, ENOTFOUND (owner), EFORBIDDEN (roles beyond the owner's), EAUDIT.
func (s *Service) CreateAPIKey(ctx context.Context, by string, nk phigate.NewAPIKey) (string, *phigate.APIKey, error) {
	k, err := s.checkNewKey(ctx, nk)
	if err != nil {
		return "", nil, err
	}
	secret, err := NewAPIKeySecret(s.Rand)
	if err != nil {
		return "", nil, err
	}
	if k.ID, err = newID(s.Rand, "k_"); err != nil {
		return "", nil, err
	}
	k.Hash, k.CreatedAt = HashToken(secret), s.now()
	ttl := nk.TTL
	if ttl <= 0 {
		ttl = DefaultAPIKeyTTL
	}
	k.ExpiresAt = k.CreatedAt.Add(ttl)
	if err := s.record(ctx, &phigate.Event{Action: "apikey.create", Actor: by, Resource: "apikey:" + k.ID, Outcome: phigate.OutcomeSuccess}); err != nil {
		return "", nil, err
	}
	if err := s.Store.CreateAPIKey(ctx, k); err != nil {
		return "", nil, fmt.Errorf("create api key: %w", err)
	}
	return secret, k, nil
}

func (s *Service) checkNewKey(ctx context.Context, nk phigate.NewAPIKey) (*phigate.APIKey, error) {
	const op = "auth.CreateAPIKey"
	if !keyName.MatchString(nk.Name) {
		return nil, phigate.Errorf(phigate.EINVALID, op, "name must match %s", keyName)
	}
	if len(nk.Roles) == 0 {
		return nil, phigate.Errorf(phigate.EINVALID, op, "a key needs at least one role")
	}
	if err := s.checkRoles(nk.Roles); err != nil {
		return nil, err
	}
	owner, err := s.Store.UserByID(ctx, nk.OwnerID)
	if err != nil {
		return nil, fmt.Errorf("key owner: %w", err)
	}
	for _, r := range nk.Roles {
		if r != phigate.RoleService && !hasRole(owner.Roles, r) {
			return nil, phigate.Errorf(phigate.EFORBIDDEN, op, "role %q is not held by the owner", r)
		}
	}
	for _, p := range nk.Purposes {
		if !p.Valid() {
			return nil, phigate.Errorf(phigate.EINVALID, op, "unknown purpose %q", p)
		}
	}
	for _, c := range nk.CIDRs {
		if _, err := netip.ParsePrefix(c); err != nil {
			return nil, phigate.Errorf(phigate.EINVALID, op, "bad CIDR %q", c)
		}
	}
	for _, r := range nk.Routes {
		if strings.TrimSpace(r) == "" || len(r) > 200 {
			return nil, phigate.Errorf(phigate.EINVALID, op, "bad route pattern")
		}
	}
	return &phigate.APIKey{Name: nk.Name, OwnerID: owner.ID, Roles: nk.Roles, Purposes: nk.Purposes,
		Routes: nk.Routes, CIDRs: nk.CIDRs}, nil
}

func hasRole(rs []phigate.Role, r phigate.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// RevokeAPIKey revokes a key at once. Codes: ENOTFOUND, EAUDIT.
func (s *Service) RevokeAPIKey(ctx context.Context, by, id string) error {
	if _, err := s.Store.APIKeyByID(ctx, id); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if err := s.record(ctx, &phigate.Event{Action: "apikey.revoke", Actor: by, Resource: "apikey:" + id, Outcome: phigate.OutcomeSuccess}); err != nil {
		return err
	}
	return s.Store.RevokeAPIKey(ctx, id, s.now())
}

// authenticateKey checks an API key: known, not revoked or expired, its
// owner enabled (EUNAUTHENTICATED); used from an allowed address and for an
// allowed route (EFORBIDDEN).
func (s *Service) authenticateKey(ctx context.Context, c phigate.Credential) (*phigate.Principal, error) {
	const op = "auth.authenticateKey"
	src := SourceIP(c.Source)
	k, err := s.Store.APIKeyByHash(ctx, HashToken(c.APIKey))
	if phigate.ErrorCode(err) == phigate.ENOTFOUND || !strings.HasPrefix(c.APIKey, APIKeyPrefix) {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "unknown key")
	} else if err != nil {
		return nil, fmt.Errorf("load api key: %w", err)
	}
	now := s.now()
	reason, code := "", ""
	switch {
	case !k.RevokedAt.IsZero():
		reason, code = "revoked", phigate.EUNAUTHENTICATED
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		reason, code = "expired", phigate.EUNAUTHENTICATED
	case !s.ownerActive(ctx, k.OwnerID):
		reason, code = "owner_disabled", phigate.EUNAUTHENTICATED
	case !inCIDRs(k.CIDRs, src):
		reason, code = "source_not_allowed", phigate.EFORBIDDEN
	case !routeAllowed(k.Routes, c.Route):
		reason, code = "route_not_allowed", phigate.EFORBIDDEN
	}
	if code != "" {
		_ = s.record(ctx, &phigate.Event{Action: "auth.apikey", Actor: k.ID, Source: src, Outcome: phigate.OutcomeDenied, Reason: reason})
		return nil, phigate.Errorf(code, op, "key %s: %s", k.ID, reason)
	}
	if now.Sub(k.LastUsedAt) > time.Minute {
		_ = s.Store.TouchAPIKey(ctx, k.ID, now) // best effort, at most once a minute
	}
	return &phigate.Principal{UserID: k.OwnerID, APIKeyID: k.ID, Roles: k.Roles, Purposes: k.Purposes}, nil
}

func (s *Service) ownerActive(ctx context.Context, id string) bool {
	u, err := s.Store.UserByID(ctx, id)
	return err == nil && !u.Disabled
}

// inCIDRs reports whether addr is inside one of cidrs; an empty list allows
// every address, an unparsable address none.
func inCIDRs(cidrs []string, addr string) bool {
	if len(cidrs) == 0 {
		return true
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

// routeAllowed matches a route pattern ("POST /v1/chat/completions")
// against the allowed list; an entry ending in "*" matches by prefix, one
// without a method matches any method.
func routeAllowed(allowed []string, route string) bool {
	if len(allowed) == 0 {
		return true
	}
	_, path, hasMethod := strings.Cut(route, " ")
	if !hasMethod {
		path = route
	}
	for _, a := range allowed {
		target := route
		if !strings.Contains(a, " ") {
			target = path
		}
		if a == target || (strings.HasSuffix(a, "*") && strings.HasPrefix(target, strings.TrimSuffix(a, "*"))) {
			return true
		}
	}
	return false
}
