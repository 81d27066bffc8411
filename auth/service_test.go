package auth_test

import (
	"strings"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
)

func code(err error) string { return phigate.ErrorCode(err) }

func TestLogin(t *testing.T) {
	e := MustService(t)
	u := e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	t.Run("OK", func(t *testing.T) {
		tok, p := e.MustLogin(t, "alice", goodPassword)
		if p.UserID != u.ID || p.MFA || len(tok) < 40 {
			t.Fatalf("principal %+v", p)
		}
		if len(e.audit.actions("auth.login")) == 0 {
			t.Fatal("login not audited")
		}
	})
	for name, tc := range map[string]struct{ user, pw string }{
		"ErrWrongPassword": {"alice", "wrong-password-1234"},
		"ErrUnknownUser":   {"mallory", goodPassword},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.Login(ctxb(), tc.user, tc.pw, "192.0.2.99")
			if code(err) != phigate.EUNAUTHENTICATED || phigate.ErrorMessage(err) != "Authentication is required." {
				t.Fatalf("got %v", err)
			}
		})
	}
	t.Run("ErrDisabled", func(t *testing.T) {
		e.MustUser(t, "bob", goodPassword, phigate.RoleNurse)
		b, _ := e.svc.UserByName(ctxb(), "bob")
		if _, err := e.svc.SetDisabled(ctxb(), "test", b.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Login(ctxb(), "bob", goodPassword, "192.0.2.98")
		if code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("disabled user signed in: %v", err)
		}
	})
	if n := len(e.audit.actions("alert.login_failed")); n != 3 {
		t.Fatalf("%d login_failed alerts, want 3", n)
	}
	for _, ev := range e.audit.events {
		if strings.Contains(ev.Reason+ev.Resource+ev.Actor, "wrong-password") {
			t.Fatal("a password reached the audit log")
		}
	}
}

func TestLoginLockout(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	l := auth.DefaultAccountLockout
	for i := 0; i < l.LockAfter; i++ {
		_, err := e.svc.Login(ctxb(), "alice", "not-the-password-x", "192.0.2.1")
		if code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("attempt %d: %v", i, err)
		}
		e.clock.Add(l.MaxDelay) // wait out the slow-down
	}
	t.Run("ErrLocked", func(t *testing.T) {
		_, err := e.svc.Login(ctxb(), "alice", goodPassword, "192.0.2.2")
		if code(err) != phigate.ELOCKED {
			t.Fatalf("right password during lockout: %v", err)
		}
		if len(e.audit.actions("alert.lockout")) != 1 {
			t.Fatal("lockout raised no alert")
		}
	})
	t.Run("OKAfterLock", func(t *testing.T) {
		e.clock.Add(l.LockFor)
		e.MustLogin(t, "alice", goodPassword)
	})
	t.Run("ErrSlowDown", func(t *testing.T) {
		for i := 0; i < l.SlowAfter; i++ {
			e.svc.Login(ctxb(), "alice", "not-the-password-x", "192.0.2.3")
		}
		_, err := e.svc.Login(ctxb(), "alice", goodPassword, "192.0.2.3")
		if code(err) != phigate.ERATELIMIT {
			t.Fatalf("no slow-down: %v", err)
		}
	})
	t.Run("ErrSourceLocked", func(t *testing.T) {
		s := auth.DefaultSourceLockout
		e.MustUser(t, "dave", goodPassword, phigate.RoleNurse)
		for i := 0; i < s.LockAfter; i++ {
			e.clock.Add(s.MaxDelay)
			e.svc.Login(ctxb(), "nobody"+string(rune('a'+i%26)), "x-wrong-password", "198.51.100.7")
		}
		_, err := e.svc.Login(ctxb(), "dave", goodPassword, "198.51.100.7:4444")
		if code(err) != phigate.ELOCKED {
			t.Fatalf("locked source signed in: %v", err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleAuditor)
	t.Run("ErrIdle", func(t *testing.T) {
		tok, _ := e.MustLogin(t, "alice", goodPassword)
		e.clock.Add(auth.DefaultIdleTimeout - time.Second)
		e.MustAuth(t, tok) // activity keeps it alive
		e.clock.Add(auth.DefaultIdleTimeout - time.Second)
		e.MustAuth(t, tok)
		e.clock.Add(auth.DefaultIdleTimeout)
		_, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok})
		if code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("idle session still valid: %v", err)
		}
		e.clock.Add(-auth.DefaultIdleTimeout) // a session ended stays ended
		if _, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok}); err == nil {
			t.Fatal("logged-off session came back")
		}
	})
	t.Run("ErrAbsolute", func(t *testing.T) {
		tok, _ := e.MustLogin(t, "alice", goodPassword)
		for el := time.Duration(0); el < auth.DefaultAbsoluteTimeout-10*time.Minute; el += 10 * time.Minute {
			e.clock.Add(10 * time.Minute)
			e.MustAuth(t, tok)
		}
		e.clock.Add(10 * time.Minute)
		if _, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok}); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("session outlived the absolute timeout: %v", err)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		tok, _ := e.MustLogin(t, "alice", goodPassword)
		b := []byte(tok)
		b[5] ^= 1
		for _, bad := range []string{string(b), tok + "x", tok[:len(tok)-1], "", "phg_" + tok} {
			_, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: bad})
			if code(err) != phigate.EUNAUTHENTICATED {
				t.Fatalf("tampered token %q: %v", bad, err)
			}
		}
	})
	t.Run("ErrLoggedOut", func(t *testing.T) {
		tok, _ := e.MustLogin(t, "alice", goodPassword)
		if err := e.svc.Logout(ctxb(), tok, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok}); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("after logout: %v", err)
		}
	})
}

func TestCSRF(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleAuditor)
	tok, _ := e.MustLogin(t, "alice", goodPassword)
	tests := []struct {
		name, method, csrf string
		code               string
	}{
		{"OKGet", "GET", "", ""},
		{"OKPost", "POST", auth.CSRFToken(tok), ""},
		{"ErrPostMissing", "POST", "", phigate.EFORBIDDEN},
		{"ErrDeleteWrong", "DELETE", auth.CSRFToken(tok + "x"), phigate.EFORBIDDEN},
		{"ErrNoMethod", "", "", phigate.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok, Method: tt.method, CSRFToken: tt.csrf})
			if code(err) != tt.code {
				t.Fatalf("got %v, want %q", err, tt.code)
			}
		})
	}
}

func TestMustChangePassword(t *testing.T) {
	e := MustService(t)
	u, otp, err := e.svc.CreateUser(ctxb(), "admin", phigate.NewUser{Name: "carol", Roles: []phigate.Role{phigate.RoleClinician}})
	if err != nil || otp == "" || !u.MustChangePassword {
		t.Fatalf("create: %v %q %+v", err, otp, u)
	}
	tok, p := e.MustLogin(t, "carol", otp)
	if !p.MustChangePassword || len(p.Roles) != 0 {
		t.Fatalf("one-time password session has roles: %+v", p)
	}
	t.Run("ErrPolicy", func(t *testing.T) {
		_, err := e.svc.ChangePassword(ctxb(), p, otp, "password1234", "")
		if code(err) != phigate.EINVALID {
			t.Fatalf("common password accepted: %v", err)
		}
	})
	t.Run("ErrWrongCurrent", func(t *testing.T) {
		_, err := e.svc.ChangePassword(ctxb(), p, "not-it-at-all-x", goodPassword, "")
		if code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("wrong current password: %v", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		tok2, err := e.svc.ChangePassword(ctxb(), p, otp, goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok}); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatal("old session survived the password change")
		}
		p2 := e.MustAuth(t, tok2)
		if p2.MustChangePassword || len(p2.Roles) != 1 {
			t.Fatalf("after change: %+v", p2)
		}
	})
}

func TestTOTPEnrolmentAndReplay(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	_, p := e.MustLogin(t, "alice", goodPassword)
	secret := e.MustTOTP(t, p)
	if !p.MFA {
		t.Fatal("enrolment did not verify the session")
	}
	used := e.code(t, secret, 0)
	t.Run("ErrReplay", func(t *testing.T) {
		_, p2 := e.MustLogin(t, "alice", goodPassword)
		if err := e.svc.VerifyTOTP(ctxb(), p2, used, ""); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("replayed code accepted: %v", err)
		}
		if p2.MFA {
			t.Fatal("session verified by a replay")
		}
	})
	t.Run("ErrPasswordOnlyCannotEnrol", func(t *testing.T) {
		_, p3 := e.MustLogin(t, "alice", goodPassword)
		if _, _, err := e.svc.BeginTOTP(ctxb(), p3); code(err) != phigate.EMFAREQUIRED {
			t.Fatalf("password-only session re-enrolled: %v", err)
		}
	})
	t.Run("OKNextStep", func(t *testing.T) {
		e.clock.Add(30 * time.Second)
		tok, p4 := e.MustLogin(t, "alice", goodPassword)
		if err := e.svc.VerifyTOTP(ctxb(), p4, e.code(t, secret, 0), ""); err != nil {
			t.Fatal(err)
		}
		if !e.MustAuth(t, tok).MFA {
			t.Fatal("session not marked MFA")
		}
	})
}

func TestRecoveryCodes(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	_, p := e.MustLogin(t, "alice", goodPassword)
	secret, _, _ := e.svc.BeginTOTP(ctxb(), p)
	raw, _ := b32decode(secret)
	codes, err := e.svc.ConfirmTOTP(ctxb(), p, e.code(t, raw, 0), "")
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm: %v, %d codes", err, len(codes))
	}
	_, p2 := e.MustLogin(t, "alice", goodPassword)
	if err := e.svc.VerifyRecoveryCode(ctxb(), p2, strings.ToUpper(codes[3]), ""); err != nil || !p2.MFA {
		t.Fatalf("recovery code: %v", err)
	}
	_, p3 := e.MustLogin(t, "alice", goodPassword)
	if err := e.svc.VerifyRecoveryCode(ctxb(), p3, codes[3], ""); code(err) != phigate.EUNAUTHENTICATED {
		t.Fatalf("recovery code used twice: %v", err)
	}
	st, _ := e.svc.MFAStatusOf(ctxb(), p.UserID)
	if st.RecoveryCodes != 9 || !st.TOTP {
		t.Fatalf("status %+v", st)
	}
}

func TestSessionsEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(e *env, id string) error
	}{
		{"OnResetMFA", func(e *env, id string) error { return e.svc.ResetMFA(ctxb(), "admin", id) }},
		{"OnDisable", func(e *env, id string) error { _, err := e.svc.SetDisabled(ctxb(), "admin", id, true); return err }},
		{"OnResetPassword", func(e *env, id string) error { _, err := e.svc.ResetPassword(ctxb(), "admin", id); return err }},
		{"OnSetRoles", func(e *env, id string) error {
			_, err := e.svc.SetRoles(ctxb(), "admin", id, []phigate.Role{phigate.RoleNurse})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := MustService(t)
			u := e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
			tok1, _ := e.MustLogin(t, "alice", goodPassword)
			tok2, _ := e.MustLogin(t, "alice", goodPassword)
			if err := tc.act(e, u.ID); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{tok1, tok2} {
				if _, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok}); code(err) != phigate.EUNAUTHENTICATED {
					t.Fatalf("session survived: %v", err)
				}
			}
		})
	}
	t.Run("ResetMFARemovesFactors", func(t *testing.T) {
		e := MustService(t)
		u := e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
		_, p := e.MustLogin(t, "alice", goodPassword)
		e.MustTOTP(t, p)
		if err := e.svc.ResetMFA(ctxb(), "admin", u.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.svc.MFAStatusOf(ctxb(), u.ID); st.Enrolled() || st.RecoveryCodes != 0 {
			t.Fatalf("factors left: %+v", st)
		}
	})
}

func TestAuditFailureRefusesLogin(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	e.audit.Fail = true
	if _, err := e.svc.Login(ctxb(), "alice", goodPassword, ""); code(err) != phigate.EAUDIT {
		t.Fatalf("login without audit: %v", err)
	}
}

func TestBreakGlass(t *testing.T) {
	e := MustService(t)
	e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	tok, p := e.MustLogin(t, "alice", goodPassword)
	reason := "patient unconscious in ED, no care team assigned"
	if _, err := e.svc.OpenBreakGlass(ctxb(), p, true, reason, ""); code(err) != phigate.EMFAREQUIRED {
		t.Fatalf("break-glass without MFA: %v", err)
	}
	e.MustTOTP(t, p)
	if _, err := e.svc.OpenBreakGlass(ctxb(), p, false, reason, ""); code(err) != phigate.EFORBIDDEN {
		t.Fatalf("break-glass for a role that may not: %v", err)
	}
	if _, err := e.svc.OpenBreakGlass(ctxb(), p, true, "short", ""); code(err) != phigate.EINVALID {
		t.Fatalf("break-glass without a reason: %v", err)
	}
	b, err := e.svc.OpenBreakGlass(ctxb(), p, true, reason, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.MustAuth(t, tok).BreakGlassUntil; !got.Equal(b.Until) || !b.Until.Equal(e.clock.Now().Add(auth.DefaultBreakGlassWindow)) {
		t.Fatalf("window %v, want %v", got, b.Until)
	}
	evs := e.audit.actions("breakglass.open")
	last := evs[len(evs)-1]
	if !last.BreakGlass || last.Fields["alert"] != "break_glass" || strings.Contains(last.Reason+last.Resource, "unconscious") {
		t.Fatalf("break-glass event %+v", last)
	}
	list, _ := e.db.ListBreakGlass(ctxb(), time.Time{})
	if got, _ := e.svc.BreakGlassReason(ctxb(), list[0]); got != reason {
		t.Fatalf("reason %q", got)
	}
}

// BenchmarkLogin measures a password sign-in with the default argon2id
// parameters on SQLite: lockout checks, the hash, the audit event and the
// new session.
func BenchmarkLogin(b *testing.B) {
	e := MustService(b)
	e.svc.Argon2 = auth.DefaultArgon2
	e.MustUser(b, "alice", goodPassword, phigate.RoleClinician)
	for b.Loop() {
		if _, err := e.svc.Login(ctxb(), "alice", goodPassword, "192.0.2.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateSession measures the per-request cost of a session
// cookie: lookup, timeouts, user, last-seen update.
func BenchmarkAuthenticateSession(b *testing.B) {
	e := MustService(b)
	e.MustUser(b, "alice", goodPassword, phigate.RoleClinician)
	tok, _ := e.MustLogin(b, "alice", goodPassword)
	for b.Loop() {
		if _, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: tok, Method: "GET"}); err != nil {
			b.Fatal(err)
		}
	}
}
