package auth_test

import (
	"strings"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
)

func TestAPIKeys(t *testing.T) {
	e := MustService(t)
	owner := e.MustUser(t, "ehr-owner", goodPassword, phigate.RoleClinician)
	secret, k, err := e.svc.CreateAPIKey(ctxb(), "admin", phigate.NewAPIKey{Name: "ehr", OwnerID: owner.ID,
		Roles: []phigate.Role{phigate.RoleService}, Purposes: []phigate.Purpose{phigate.PurposeTreatment},
		Routes: []string{"POST /v1/chat/completions", "GET /api/v1/*"}, CIDRs: []string{"10.1.0.0/16", "2001:db8::/32"}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "phg_") || len(secret) != 4+43 {
		t.Fatalf("secret %q", secret)
	}
	stored, _ := e.db.APIKeyByID(ctxb(), k.ID)
	if stored.Hash == secret || strings.Contains(stored.Hash, secret[4:]) {
		t.Fatal("secret stored in clear")
	}
	cred := func(mod func(*phigate.Credential)) phigate.Credential {
		c := phigate.Credential{APIKey: secret, Source: "10.1.2.3:5555", Route: "POST /v1/chat/completions", Method: "POST"}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	t.Run("OK", func(t *testing.T) {
		p, err := e.svc.Authenticate(ctxb(), cred(nil))
		if err != nil || p.APIKeyID != k.ID || p.UserID != owner.ID || p.Purposes[0] != phigate.PurposeTreatment || p.Roles[0] != phigate.RoleService {
			t.Fatalf("principal %+v, %v", p, err)
		}
		if got, _ := e.db.APIKeyByID(ctxb(), k.ID); !got.LastUsedAt.Equal(e.clock.Now()) {
			t.Fatalf("last used %v", got.LastUsedAt)
		}
	})
	t.Run("OKPrefixRouteIPv6", func(t *testing.T) {
		if _, err := e.svc.Authenticate(ctxb(), cred(func(c *phigate.Credential) { c.Route, c.Source = "GET /api/v1/whoami", "[2001:db8::1]:443" })); err != nil {
			t.Fatal(err)
		}
	})
	for name, tc := range map[string]struct {
		mod  func(*phigate.Credential)
		code string
	}{
		"ErrOutsideCIDR": {func(c *phigate.Credential) { c.Source = "10.2.0.1:1" }, phigate.EFORBIDDEN},
		"ErrBadSource":   {func(c *phigate.Credential) { c.Source = "" }, phigate.EFORBIDDEN},
		"ErrRoute":       {func(c *phigate.Credential) { c.Route = "POST /api/v1/users" }, phigate.EFORBIDDEN},
		"ErrUnknown":     {func(c *phigate.Credential) { c.APIKey = otherKey(secret) }, phigate.EUNAUTHENTICATED},
		"ErrNoPrefix":    {func(c *phigate.Credential) { c.APIKey = secret[4:] }, phigate.EUNAUTHENTICATED},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.Authenticate(ctxb(), cred(tc.mod))
			if code(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	t.Run("ErrExpired", func(t *testing.T) {
		e.clock.Add(time.Hour)
		defer e.clock.Add(-time.Hour)
		if _, err := e.svc.Authenticate(ctxb(), cred(nil)); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("expired key: %v", err)
		}
	})
	t.Run("ErrOwnerDisabled", func(t *testing.T) {
		e.svc.SetDisabled(ctxb(), "admin", owner.ID, true)
		defer e.svc.SetDisabled(ctxb(), "admin", owner.ID, false)
		if _, err := e.svc.Authenticate(ctxb(), cred(nil)); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("key of a disabled owner: %v", err)
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		if err := e.svc.RevokeAPIKey(ctxb(), "admin", k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctxb(), cred(nil)); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("revoked key: %v", err)
		}
	})
	denied := 0
	for _, ev := range e.audit.actions("auth.apikey") {
		if ev.Outcome == phigate.OutcomeDenied {
			denied++
		}
	}
	if denied < 6 {
		t.Fatalf("%d denied key uses audited", denied)
	}
}

func TestCreateAPIKeyChecks(t *testing.T) {
	e := MustService(t)
	admin := e.MustUser(t, "root", goodPassword, phigate.RoleAdministrator)
	base := phigate.NewAPIKey{Name: "k", OwnerID: admin.ID, Roles: []phigate.Role{phigate.RoleService}}
	tests := []struct {
		name string
		mod  func(*phigate.NewAPIKey)
		code string
	}{
		{"OKService", func(*phigate.NewAPIKey) {}, ""},
		{"ErrRoleBeyondOwner", func(k *phigate.NewAPIKey) { k.Roles = []phigate.Role{phigate.RoleClinician} }, phigate.EFORBIDDEN},
		{"ErrNoRole", func(k *phigate.NewAPIKey) { k.Roles = nil }, phigate.EINVALID},
		{"ErrUnknownRole", func(k *phigate.NewAPIKey) { k.Roles = []phigate.Role{"wizard"} }, phigate.EINVALID},
		{"ErrCIDR", func(k *phigate.NewAPIKey) { k.CIDRs = []string{"10.0.0.0/33"} }, phigate.EINVALID},
		{"ErrPurpose", func(k *phigate.NewAPIKey) { k.Purposes = []phigate.Purpose{"fun"} }, phigate.EINVALID},
		{"ErrName", func(k *phigate.NewAPIKey) { k.Name = "" }, phigate.EINVALID},
		{"ErrOwner", func(k *phigate.NewAPIKey) { k.OwnerID = "u_nobody" }, phigate.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nk := base
			tt.mod(&nk)
			_, _, err := e.svc.CreateAPIKey(ctxb(), "admin", nk)
			if code(err) != tt.code {
				t.Fatalf("got %v, want %q", err, tt.code)
			}
		})
	}
}

// otherKey changes one character in the middle of a key, so that it is
// always a different, well-formed key.
func otherKey(k string) string {
	i := len(k) / 2
	c := byte('A')
	if k[i] == 'A' {
		c = 'B'
	}
	return k[:i] + string(c) + k[i+1:]
}
