package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/api"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/policy"
	"github.com/phigate/phigate/records"
)

// AuthConfig configures sign-in: password hashing, sessions, lockout,
// break-glass, passkeys and single sign-on. It is the [auth] section of
// the configuration file.
type AuthConfig struct {
	Argon2MemoryKiB        int      `toml:"argon2_memory_kib" flag:"argon2-memory-kib" help:"argon2id memory per password hash, KiB (at least 19456)"`
	Argon2Time             int      `toml:"argon2_time" flag:"argon2-time" help:"argon2id passes"`
	Argon2Threads          int      `toml:"argon2_threads" flag:"argon2-threads" help:"argon2id lanes"`
	MinPasswordLength      int      `toml:"min_password_length" flag:"min-password-length" help:"shortest password accepted (at least 12)"`
	SessionIdleTimeout     Duration `toml:"session_idle_timeout" flag:"session-idle-timeout" help:"automatic logoff after this long without activity"`
	SessionAbsoluteTimeout Duration `toml:"session_absolute_timeout" flag:"session-absolute-timeout" help:"a session ends this long after sign-in"`
	BreakGlassWindow       Duration `toml:"break_glass_window" flag:"break-glass-window" help:"length of an emergency-access window"`
	LockoutAttempts        int      `toml:"lockout_attempts" flag:"lockout-attempts" help:"failed sign-ins that lock an account"`
	SourceLockoutAttempts  int      `toml:"source_lockout_attempts" flag:"source-lockout-attempts" help:"failed sign-ins that lock a source address"`
	LockoutDuration        Duration `toml:"lockout_duration" flag:"lockout-duration" help:"how long a lock lasts"`
	WebAuthnRPID           string   `toml:"webauthn_rp_id" flag:"webauthn-rp-id" help:"passkey relying-party id: the site's domain (empty: passkeys off)"`
	WebAuthnOrigins        string   `toml:"webauthn_origins" flag:"webauthn-origins" help:"comma-separated origins allowed for passkeys (https://host:port)"`
	OIDCIssuer             string   `toml:"oidc_issuer" flag:"oidc-issuer" help:"OpenID Connect issuer URL (empty: single sign-on off)"`
	OIDCClientID           string   `toml:"oidc_client_id" flag:"oidc-client-id" help:"OpenID Connect client id"`
	OIDCClientSecret       string   `toml:"oidc_client_secret" flag:"oidc-client-secret" secret:"true" help:"OpenID Connect client secret"`
	OIDCClientSecretFile   string   `toml:"oidc_client_secret_file" flag:"oidc-client-secret-file" fileof:"oidc-client-secret" help:"file holding the client secret"`
	OIDCRedirectURL        string   `toml:"oidc_redirect_url" flag:"oidc-redirect-url" help:"phigate's callback: https://HOST/api/v1/auth/oidc/callback"`
	OIDCGroupsClaim        string   `toml:"oidc_groups_claim" flag:"oidc-groups-claim" help:"claim holding the IdP groups (dotted path)"`
	OIDCGroupRoles         string   `toml:"oidc_group_roles" flag:"oidc-group-roles" help:"group=role pairs, comma-separated (\"ehr-doctors=clinician,it=administrator\")"`
}

// DefaultAuthConfig returns the defaults of the auth package.
func DefaultAuthConfig() AuthConfig {
	return AuthConfig{
		Argon2MemoryKiB: int(auth.DefaultArgon2.MemoryKiB), Argon2Time: int(auth.DefaultArgon2.Time),
		Argon2Threads: int(auth.DefaultArgon2.Threads), MinPasswordLength: auth.DefaultMinPasswordLength,
		SessionIdleTimeout: Duration(auth.DefaultIdleTimeout), SessionAbsoluteTimeout: Duration(auth.DefaultAbsoluteTimeout),
		BreakGlassWindow: Duration(auth.DefaultBreakGlassWindow), LockoutAttempts: auth.DefaultAccountLockout.LockAfter,
		SourceLockoutAttempts: auth.DefaultSourceLockout.LockAfter, LockoutDuration: Duration(auth.DefaultAccountLockout.LockFor),
		OIDCGroupsClaim: "groups",
	}
}

// Validate checks the section. It never quotes the client secret.
func (c AuthConfig) Validate() error {
	if _, err := c.groupRoles(); err != nil {
		return err
	}
	switch {
	case c.Argon2MemoryKiB < 19*1024 || c.Argon2Time < 1 || c.Argon2Threads < 1 || c.Argon2Threads > 255:
		return errors.New("config: auth.argon2_* below the minimum (memory 19456 KiB, time 1, threads 1..255)")
	case c.MinPasswordLength < auth.DefaultMinPasswordLength:
		return fmt.Errorf("config: auth.min_password_length must be at least %d", auth.DefaultMinPasswordLength)
	case c.SessionIdleTimeout <= 0 || c.SessionAbsoluteTimeout < c.SessionIdleTimeout:
		return errors.New("config: auth.session_idle_timeout must be positive and at most auth.session_absolute_timeout")
	case c.BreakGlassWindow <= 0 || c.LockoutDuration <= 0 || c.LockoutAttempts < 1 || c.SourceLockoutAttempts < 1:
		return errors.New("config: auth.break_glass_window, lockout_duration and lockout attempts must be positive")
	case c.OIDCIssuer != "" && (c.OIDCClientID == "" || c.OIDCRedirectURL == "" || c.OIDCGroupRoles == ""):
		return errors.New("config: auth.oidc_issuer needs oidc_client_id, oidc_redirect_url and oidc_group_roles")
	}
	return nil
}

// argon2 returns the configured argon2id parameters.
func (c AuthConfig) argon2() auth.Argon2Params {
	return auth.Argon2Params{Time: uint32(c.Argon2Time), MemoryKiB: uint32(c.Argon2MemoryKiB),
		Threads: uint8(c.Argon2Threads), KeyLen: auth.DefaultArgon2.KeyLen, SaltLen: auth.DefaultArgon2.SaltLen}
}

// groupRoles parses "group=role,group=role".
func (c AuthConfig) groupRoles() (map[string][]phigate.Role, error) {
	out := map[string][]phigate.Role{}
	for _, pair := range strings.Split(c.OIDCGroupRoles, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		g, r, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(g) == "" || strings.TrimSpace(r) == "" {
			return nil, errors.New("config: auth.oidc_group_roles must be group=role pairs separated by commas")
		}
		out[strings.TrimSpace(g)] = append(out[strings.TrimSpace(g)], phigate.Role(strings.TrimSpace(r)))
	}
	return out, nil
}

// apply copies the section into the auth service before Open.
func (c AuthConfig) apply(svc *auth.Service) {
	svc.Argon2 = c.argon2()
	svc.MinPasswordLength = c.MinPasswordLength
	svc.IdleTimeout, svc.AbsoluteTimeout, svc.BreakGlassWindow = c.SessionIdleTimeout.D(), c.SessionAbsoluteTimeout.D(), c.BreakGlassWindow.D()
	svc.AccountLockout.LockAfter, svc.AccountLockout.LockFor = c.LockoutAttempts, c.LockoutDuration.D()
	svc.SourceLockout.LockAfter, svc.SourceLockout.LockFor = c.SourceLockoutAttempts, c.LockoutDuration.D()
	if c.WebAuthnRPID != "" {
		svc.WebAuthn = &auth.WebAuthnConfig{RPID: c.WebAuthnRPID, Origins: splitList(c.WebAuthnOrigins)}
	}
}

// openOIDC enables single sign-on when configured. An unreachable IdP
// leaves it off (password sign-in still works) and is logged.
func (c AuthConfig) openOIDC(ctx context.Context, d *deployment, svc *auth.Service) error {
	if c.OIDCIssuer == "" {
		return nil
	}
	groups, err := c.groupRoles()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err = svc.OpenOIDC(ctx, auth.OIDCConfig{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
		RedirectURL: c.OIDCRedirectURL, GroupsClaim: c.OIDCGroupsClaim, GroupRoles: groups})
	if phigate.ErrorCode(err) == phigate.EUNAVAILABLE {
		d.log.Error("single sign-on is off: the identity provider did not answer", "issuer", c.OIDCIssuer)
		return nil
	}
	return err
}

// access is what the user, apikey and role commands work with: the
// deployment, its policy and the auth service, acting as the local
// operator.
type access struct {
	d      *deployment
	auth   *auth.Service
	policy *policy.Policy
	actor  string
}

func (a *access) Close() error { return a.d.Close() }

// openAccess opens the deployment and the access services on it. Every
// change is audited with the actor "cli:<login>"; withAuth false opens only
// the policy (role list and show).
func (m *Main) openAccess(ctx context.Context, cl *configLoader, withAuth bool) (*access, error) {
	d, err := m.loadDeployment(ctx, cl)
	if err != nil {
		return nil, err
	}
	a := &access{d: d, actor: "cli:" + cmp.Or(m.Getenv("USER"), "operator")}
	if a.policy, err = d.openPolicy(ctx); err == nil && withAuth {
		a.auth, err = d.openAuthService(a.policy)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// openPolicy builds the policy: the built-in roles and the custom roles
// stored in the database.
func (d *deployment) openPolicy(ctx context.Context) (*policy.Policy, error) {
	defs, err := d.customRoles(ctx)
	if err != nil {
		return nil, err
	}
	return policy.New(defs...)
}

// customRoles reads the custom role definitions from the store.
func (d *deployment) customRoles(ctx context.Context) ([]phigate.RoleDef, error) {
	custom, err := d.store.ListCustomRoles(ctx)
	if err != nil {
		return nil, err
	}
	var defs []phigate.RoleDef
	for _, r := range custom {
		var def phigate.RoleDef
		if err := json.Unmarshal(r.Definition, &def); err != nil {
			return nil, phigate.E(phigate.EINTERNAL, "openPolicy", fmt.Errorf("decode role %s: %w", r.Name, err))
		}
		defs = append(defs, def)
	}
	return defs, nil
}

// openAuthService builds the auth service on the deployment's store and
// audit log: no audit log, no access.
func (d *deployment) openAuthService(pol interface{ KnownRoles([]phigate.Role) error }) (*auth.Service, error) {
	log, err := d.auditLog()
	if err != nil {
		return nil, err
	}
	svc := auth.NewService()
	svc.Store, svc.Audit, svc.KnownRoles = d.store, log, pol.KnownRoles
	d.cfg.Auth.apply(svc)
	if err := svc.Open(); err != nil {
		return nil, err
	}
	return svc, nil
}

// auditLog returns the deployment's audit log. Until one is configured the
// access commands refuse: no audit, no access.
func (d *deployment) auditLog() (phigate.AuditLog, error) {
	if d.audit == nil {
		return nil, phigate.Errorf(phigate.EAUDIT, "deployment.auditLog", "no audit log is configured")
	}
	return d.audit, nil
}

// newAccessHandler builds the access routes of serve: the policy, the auth
// service (also the request authenticator), the Guard choke point and the
// records service, on the deployment's store and audit log. sealer and
// hasher come from the keys package; without them the patient routes are
// left out.
func (d *deployment) newAccessHandler(ctx context.Context, h *api.Handler, sealer phigate.Sealer, hasher phigate.Hasher) (*api.AccessHandler, error) {
	defs, err := d.customRoles(ctx)
	if err != nil {
		return nil, err
	}
	pol, err := policy.NewLive(defs...)
	if err != nil {
		return nil, err
	}
	svc, err := d.openAuthService(pol)
	if err != nil {
		return nil, err
	}
	if err := d.cfg.Auth.openOIDC(ctx, d, svc); err != nil {
		return nil, err
	}
	svc.Sealer = sealer // TOTP secrets and break-glass reasons are sealed when keys are configured
	h.Authenticator = svc
	guard := &auth.Guard{Policy: pol, Audit: d.audit, Hasher: hasher}
	ah := &api.AccessHandler{Handler: h, Accounts: svc, Guard: guard, Roles: pol,
		RoleEditor: &api.RoleEditor{Roles: pol, Store: d.store}}
	if sealer != nil && hasher != nil {
		rs := &records.Service{Store: d.store, Guard: guard, Sealer: sealer, Hasher: hasher}
		if err := rs.Open(); err != nil {
			return nil, err
		}
		ah.Records = rs
	}
	return ah, nil
}

// checkMFA (doctor) warns about enabled users whose roles require MFA but
// who have no second factor yet, and fails on none of them: such users can
// only enrol.
func checkMFA(ctx context.Context, d *deployment) checkResult {
	if d.store == nil {
		return fail("database not open")
	}
	pol, err := d.openPolicy(ctx)
	if err != nil {
		return fail("%v", err)
	}
	users, err := d.store.ListUsers(ctx)
	if err != nil {
		return fail("%v", err)
	}
	var missing []string
	for _, u := range users {
		if u.Disabled || !pol.MFARequired(u.Roles) {
			continue
		}
		t, terr := d.store.TOTPByUser(ctx, u.ID)
		keys, werr := d.store.WebAuthnCredentials(ctx, u.ID)
		if werr != nil {
			return fail("%v", werr)
		}
		if (terr != nil || t.ConfirmedAt.IsZero()) && len(keys) == 0 {
			missing = append(missing, u.Name)
		}
	}
	if len(missing) > 0 {
		return warn("%d user(s) need MFA and have not enrolled: %s", len(missing), strings.Join(missing, ", "))
	}
	return pass("every enabled user whose roles need MFA has a second factor")
}
