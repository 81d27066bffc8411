package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/sqlite"
)

func TestRoleCommand(t *testing.T) {
	env := map[string]string{"PHIGATE_DATA_DIR": t.TempDir()}
	t.Run("OKList", func(t *testing.T) {
		code, out, errs := run(t, env, "role", "list")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, r := range []string{"administrator", "security_officer", "auditor", "clinician", "nurse", "billing", "researcher", "service"} {
			if !strings.Contains(out, r) {
				t.Errorf("role list lacks %s", r)
			}
		}
		if !strings.Contains(out, "patients:read") {
			t.Errorf("role list lacks permissions:\n%s", out)
		}
	})
	t.Run("OKShow", func(t *testing.T) {
		code, out, _ := run(t, env, "role", "show", "billing")
		if code != 0 || !strings.Contains(out, "ACCOUNT") || !strings.Contains(out, "notes: false") || !strings.Contains(out, "payment") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		code, out, _ = run(t, env, "role", "show", "researcher", "--json")
		if code != 0 || !strings.Contains(out, `"deidentified": true`) {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("ErrUnknownRole", func(t *testing.T) {
		if code, _, errs := run(t, env, "role", "show", "wizard"); code != 1 || !strings.Contains(errs, "not_found") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{{"role"}, {"role", "frobnicate"}, {"role", "show"}, {"user"}, {"user", "add"},
			{"user", "disable"}, {"apikey", "create", "--name", "x"}, {"apikey", "revoke"}} {
			if code, _, _ := run(t, env, args...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}

// TestAccessCommandsAreAudited checks that user and key changes made with
// the CLI land in the audit log, with the operator as the actor.
func TestAccessCommandsAreAudited(t *testing.T) {
	env := map[string]string{"PHIGATE_DATA_DIR": t.TempDir(), "USER": "ops"}
	if code, _, errs := run(t, env, "user", "add", "alice", "--role", "clinician"); code != 0 {
		t.Fatalf("user add: %s", errs)
	}
	code, out, errs := run(t, env, "audit", "search", "--action", "user.create", "--json")
	if code != 0 || !strings.Contains(out, `"action": "user.create"`) || !strings.Contains(out, `"actor": "cli:ops"`) {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if strings.Contains(out, "alice") {
		t.Fatal("the audit event names the user in clear")
	}
}

func TestAuthConfig(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		env := map[string]string{"PHIGATE_SESSION_IDLE_TIMEOUT": "10m", "PHIGATE_OIDC_CLIENT_SECRET": "s3cr3t-value"}
		code, out, errs := run(t, env, "config", "print", "--argon2-memory-kib", "32768")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, want := range []string{"[auth]", `session_idle_timeout = "10m0s"`, "argon2_memory_kib = 32768", `session_absolute_timeout = "12h0m0s"`} {
			if !strings.Contains(out, want) {
				t.Errorf("config print lacks %s:\n%s", want, out)
			}
		}
		if strings.Contains(out, "s3cr3t-value") {
			t.Fatal("config print shows the OIDC client secret")
		}
	})
	for name, args := range map[string][]string{
		"ErrIdleOverAbsolute": {"--session-idle-timeout", "13h"},
		"ErrWeakArgon2":       {"--argon2-memory-kib", "1024"},
		"ErrShortPasswords":   {"--min-password-length", "8"},
		"ErrGroupRoles":       {"--oidc-group-roles", "doctors"},
		"ErrOIDCIncomplete":   {"--oidc-issuer", "https://idp.example"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := run(t, nil, append([]string{"config", "print"}, args...)...)
			if code == 0 || !strings.Contains(errs, "auth.") {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
		})
	}
}

func TestDoctorMFA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, nil, "role", "list", "--data-dir", dir); code != 0 { // creates the deployment
		t.Fatalf("exit %d: %s", code, errs)
	}
	db := sqlite.NewDB(filepath.Join(dir, "phigate.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db.CreateUser(ctx, &phigate.User{ID: "u1", Name: "drwho", PasswordHash: "x", Roles: []phigate.Role{phigate.RoleClinician}})
	db.CreateUser(ctx, &phigate.User{ID: "u2", Name: "reader", PasswordHash: "x", Roles: []phigate.Role{phigate.RoleAuditor}})
	db.Close()
	_, out, _ := run(t, nil, "doctor", "--data-dir", dir)
	if !strings.Contains(out, "WARN  mfa") || !strings.Contains(out, "drwho") || strings.Contains(out, "reader") {
		t.Fatalf("doctor:\n%s", out)
	}
}
