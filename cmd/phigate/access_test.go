package main

import (
	"strings"
	"testing"
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

// TestAccessCommandsNeedAudit checks that user and key changes are refused,
// not done unaudited, while no audit log is configured.
func TestAccessCommandsNeedAudit(t *testing.T) {
	env := map[string]string{"PHIGATE_DATA_DIR": t.TempDir()}
	for _, args := range [][]string{{"user", "add", "alice", "--role", "clinician"}, {"user", "list"},
		{"apikey", "list"}, {"apikey", "revoke", "k_x"}} {
		code, _, errs := run(t, env, args...)
		if code != 1 || !strings.Contains(errs, "audit") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
