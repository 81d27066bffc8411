package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/phigate/phigate"
)

// authStore opens a store with one user "u1" and returns it as an AuthStore.
func authStore(t *testing.T, open Opener) (phigate.AuthStore, *Clock) {
	t.Helper()
	s, clock := MustOpen(t, open)
	as, ok := s.(phigate.AuthStore)
	if !ok {
		t.Fatalf("%T does not implement phigate.AuthStore", s)
	}
	for _, id := range []string{"u1", "u2"} {
		NoErr(t, s.CreateUser(context.Background(), &phigate.User{ID: id, Name: "name-" + id, PasswordHash: "$argon2id$x"}))
	}
	return as, clock
}

func testAuth(t *testing.T, open Opener) {
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, open) })
	t.Run("TOTP", func(t *testing.T) { testTOTP(t, open) })
	t.Run("RecoveryCodes", func(t *testing.T) { testRecoveryCodes(t, open) })
	t.Run("WebAuthn", func(t *testing.T) { testWebAuthn(t, open) })
	t.Run("LoginFailures", func(t *testing.T) { testLoginFailures(t, open) })
	t.Run("Identities", func(t *testing.T) { testIdentities(t, open) })
	t.Run("BreakGlass", func(t *testing.T) { testBreakGlass(t, open) })
	t.Run("CustomRoles", func(t *testing.T) { testCustomRoles(t, open) })
}

func testSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	now := clock.T
	for i, id := range []string{"h1", "h2", "h3"} {
		user := "u1"
		if i == 2 {
			user = "u2"
		}
		NoErr(t, s.CreateSession(ctx, &phigate.Session{ID: id, UserID: user, Source: "10.0.0.1", CreatedAt: now,
			LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour)}))
	}
	ErrCode(t, s.CreateSession(ctx, &phigate.Session{ID: "h1", UserID: "u1", CreatedAt: now, LastSeenAt: now, ExpiresAt: now}), phigate.ECONFLICT)
	got, err := s.SessionByID(ctx, "h1")
	NoErr(t, err)
	if got.UserID != "u1" || got.MFA || !got.BreakGlassUntil.IsZero() || !got.ExpiresAt.Equal(now.Add(12*time.Hour)) || got.Source != "10.0.0.1" {
		t.Fatalf("SessionByID = %+v", got)
	}
	got.MFA, got.LastSeenAt, got.BreakGlassUntil = true, now.Add(time.Minute), now.Add(time.Hour)
	NoErr(t, s.UpdateSession(ctx, got))
	again, err := s.SessionByID(ctx, "h1")
	NoErr(t, err)
	if !again.MFA || !again.LastSeenAt.Equal(now.Add(time.Minute)) || !again.BreakGlassUntil.Equal(now.Add(time.Hour)) {
		t.Fatalf("after update = %+v", again)
	}
	ErrCode(t, s.UpdateSession(ctx, &phigate.Session{ID: "nope"}), phigate.ENOTFOUND)
	n, err := s.DeleteUserSessions(ctx, "u1")
	NoErr(t, err)
	if n != 2 {
		t.Fatalf("DeleteUserSessions = %d, want 2", n)
	}
	_, err = s.SessionByID(ctx, "h2")
	ErrCode(t, err, phigate.ENOTFOUND)
	NoErr(t, s.DeleteSession(ctx, "h3"))
	_, err = s.SessionByID(ctx, "h3")
	ErrCode(t, err, phigate.ENOTFOUND)
}

func testAPIKeys(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	now := clock.T
	k := &phigate.APIKey{ID: "k1", Name: "ehr", OwnerID: "u1", Hash: "hash1", Roles: []phigate.Role{phigate.RoleService},
		Purposes: []phigate.Purpose{phigate.PurposeTreatment}, Routes: []string{"POST /v1/chat/completions"},
		CIDRs: []string{"10.0.0.0/8"}, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	NoErr(t, s.CreateAPIKey(ctx, k))
	NoErr(t, s.CreateAPIKey(ctx, &phigate.APIKey{ID: "k2", Name: "b", OwnerID: "u2", Hash: "hash2", CreatedAt: now.Add(time.Second)}))
	ErrCode(t, s.CreateAPIKey(ctx, &phigate.APIKey{ID: "k3", Name: "c", OwnerID: "u2", Hash: "hash1", CreatedAt: now}), phigate.ECONFLICT)
	got, err := s.APIKeyByHash(ctx, "hash1")
	NoErr(t, err)
	if got.ID != "k1" || got.Roles[0] != phigate.RoleService || got.Purposes[0] != phigate.PurposeTreatment ||
		got.Routes[0] != k.Routes[0] || got.CIDRs[0] != "10.0.0.0/8" || !got.ExpiresAt.Equal(k.ExpiresAt) || !got.RevokedAt.IsZero() || !got.LastUsedAt.IsZero() {
		t.Fatalf("APIKeyByHash = %+v", got)
	}
	_, err = s.APIKeyByHash(ctx, "nope")
	ErrCode(t, err, phigate.ENOTFOUND)
	all, err := s.ListAPIKeys(ctx, "")
	NoErr(t, err)
	mine, err := s.ListAPIKeys(ctx, "u2")
	NoErr(t, err)
	if len(all) != 2 || all[0].ID != "k1" || len(mine) != 1 || mine[0].ID != "k2" {
		t.Fatalf("ListAPIKeys: %d all, %d mine", len(all), len(mine))
	}
	NoErr(t, s.TouchAPIKey(ctx, "k1", now.Add(time.Minute)))
	NoErr(t, s.RevokeAPIKey(ctx, "k1", now.Add(2*time.Minute)))
	ErrCode(t, s.RevokeAPIKey(ctx, "k1", now.Add(3*time.Minute)), phigate.ENOTFOUND)
	ErrCode(t, s.RevokeAPIKey(ctx, "nope", now), phigate.ENOTFOUND)
	got, err = s.APIKeyByID(ctx, "k1")
	NoErr(t, err)
	if !got.LastUsedAt.Equal(now.Add(time.Minute)) || !got.RevokedAt.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("after touch and revoke = %+v", got)
	}
}

func testTOTP(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	_, err := s.TOTPByUser(ctx, "u1")
	ErrCode(t, err, phigate.ENOTFOUND)
	NoErr(t, s.PutTOTP(ctx, &phigate.TOTPSecret{UserID: "u1", Secret: []byte{1, 2, 3}}))
	NoErr(t, s.PutTOTP(ctx, &phigate.TOTPSecret{UserID: "u1", Secret: []byte{4, 5}, LastStep: 100, ConfirmedAt: clock.T}))
	got, err := s.TOTPByUser(ctx, "u1")
	NoErr(t, err)
	if !bytes.Equal(got.Secret, []byte{4, 5}) || got.LastStep != 100 || !got.ConfirmedAt.Equal(clock.T) {
		t.Fatalf("TOTPByUser = %+v", got)
	}
	NoErr(t, s.AdvanceTOTP(ctx, "u1", 101))
	ErrCode(t, s.AdvanceTOTP(ctx, "u1", 101), phigate.ECONFLICT)
	ErrCode(t, s.AdvanceTOTP(ctx, "u1", 99), phigate.ECONFLICT)
	NoErr(t, s.DeleteTOTP(ctx, "u1"))
	_, err = s.TOTPByUser(ctx, "u1")
	ErrCode(t, err, phigate.ENOTFOUND)
}

func testRecoveryCodes(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	NoErr(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"a", "b", "c"}))
	NoErr(t, s.ReplaceRecoveryCodes(ctx, "u2", []string{"a"}))
	NoErr(t, s.UseRecoveryCode(ctx, "u1", "b", clock.T))
	ErrCode(t, s.UseRecoveryCode(ctx, "u1", "b", clock.T), phigate.ENOTFOUND)
	ErrCode(t, s.UseRecoveryCode(ctx, "u1", "zz", clock.T), phigate.ENOTFOUND)
	if n, err := s.CountRecoveryCodes(ctx, "u1"); err != nil || n != 2 {
		t.Fatalf("CountRecoveryCodes = %d, %v", n, err)
	}
	NoErr(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"d"}))
	ErrCode(t, s.UseRecoveryCode(ctx, "u1", "a", clock.T), phigate.ENOTFOUND)
	NoErr(t, s.ReplaceRecoveryCodes(ctx, "u1", nil))
	if n, err := s.CountRecoveryCodes(ctx, "u1"); err != nil || n != 0 {
		t.Fatalf("CountRecoveryCodes after reset = %d, %v", n, err)
	}
	if n, _ := s.CountRecoveryCodes(ctx, "u2"); n != 1 {
		t.Fatalf("other user's codes touched: %d", n)
	}
}

func testWebAuthn(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	c := &phigate.WebAuthnCredential{ID: []byte{9, 9}, UserID: "u1", Name: "yubikey", Data: []byte(`{"a":1}`), CreatedAt: clock.T}
	NoErr(t, s.CreateWebAuthnCredential(ctx, c))
	ErrCode(t, s.CreateWebAuthnCredential(ctx, c), phigate.ECONFLICT)
	c.Data, c.LastUsedAt = []byte(`{"a":2}`), clock.T.Add(time.Hour)
	NoErr(t, s.UpdateWebAuthnCredential(ctx, c))
	ErrCode(t, s.UpdateWebAuthnCredential(ctx, &phigate.WebAuthnCredential{ID: []byte{1}}), phigate.ENOTFOUND)
	got, err := s.WebAuthnCredentials(ctx, "u1")
	NoErr(t, err)
	if len(got) != 1 || !bytes.Equal(got[0].ID, c.ID) || string(got[0].Data) != `{"a":2}` || !got[0].LastUsedAt.Equal(c.LastUsedAt) || got[0].Name != "yubikey" {
		t.Fatalf("WebAuthnCredentials = %+v", got)
	}
	NoErr(t, s.DeleteWebAuthnCredentials(ctx, "u1"))
	if got, _ := s.WebAuthnCredentials(ctx, "u1"); len(got) != 0 {
		t.Fatalf("after delete: %d", len(got))
	}
}

func testLoginFailures(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	f, err := s.LoginFailure(ctx, "user:u1")
	NoErr(t, err)
	if f != nil {
		t.Fatalf("LoginFailure of a fresh key = %+v", f)
	}
	NoErr(t, s.PutLoginFailure(ctx, &phigate.LoginFailure{Key: "user:u1", Failures: 1, LastFailure: clock.T}))
	NoErr(t, s.PutLoginFailure(ctx, &phigate.LoginFailure{Key: "user:u1", Failures: 5, LastFailure: clock.T, LockedUntil: clock.T.Add(time.Hour)}))
	f, err = s.LoginFailure(ctx, "user:u1")
	NoErr(t, err)
	if f.Failures != 5 || !f.LockedUntil.Equal(clock.T.Add(time.Hour)) || !f.LastFailure.Equal(clock.T) {
		t.Fatalf("LoginFailure = %+v", f)
	}
	NoErr(t, s.ClearLoginFailure(ctx, "user:u1"))
	if f, _ := s.LoginFailure(ctx, "user:u1"); f != nil {
		t.Fatalf("after clear = %+v", f)
	}
}

func testIdentities(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := authStore(t, open)
	NoErr(t, s.LinkIdentity(ctx, "https://idp", "sub1", "u1"))
	ErrCode(t, s.LinkIdentity(ctx, "https://idp", "sub1", "u2"), phigate.ECONFLICT)
	NoErr(t, s.LinkIdentity(ctx, "https://other", "sub1", "u2"))
	id, err := s.IdentityUser(ctx, "https://idp", "sub1")
	NoErr(t, err)
	if id != "u1" {
		t.Fatalf("IdentityUser = %s", id)
	}
	_, err = s.IdentityUser(ctx, "https://idp", "sub2")
	ErrCode(t, err, phigate.ENOTFOUND)
}

func testBreakGlass(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	for i, id := range []string{"bg1", "bg2"} {
		at := clock.T.Add(time.Duration(i) * time.Hour)
		NoErr(t, s.CreateBreakGlass(ctx, &phigate.BreakGlass{ID: id, UserID: "u1", SessionID: "h", Reason: []byte("sealed"),
			OpenedAt: at, Until: at.Add(time.Hour)}))
	}
	got, err := s.ListBreakGlass(ctx, clock.T.Add(time.Minute))
	NoErr(t, err)
	if len(got) != 1 || got[0].ID != "bg2" || string(got[0].Reason) != "sealed" || !got[0].Until.Equal(clock.T.Add(2*time.Hour)) {
		t.Fatalf("ListBreakGlass = %+v", got)
	}
	if all, _ := s.ListBreakGlass(ctx, time.Time{}); len(all) != 2 || all[0].ID != "bg2" {
		t.Fatalf("ListBreakGlass(all) = %d", len(all))
	}
}

func testCustomRoles(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := authStore(t, open)
	NoErr(t, s.PutCustomRole(ctx, &phigate.CustomRole{Name: "coder", Definition: []byte(`{"v":1}`), CreatedAt: clock.T}))
	NoErr(t, s.PutCustomRole(ctx, &phigate.CustomRole{Name: "coder", Definition: []byte(`{"v":2}`), CreatedAt: clock.T}))
	NoErr(t, s.PutCustomRole(ctx, &phigate.CustomRole{Name: "auditor2", Definition: []byte(`{}`), CreatedAt: clock.T}))
	got, err := s.ListCustomRoles(ctx)
	NoErr(t, err)
	if len(got) != 2 || got[0].Name != "auditor2" || string(got[1].Definition) != `{"v":2}` {
		t.Fatalf("ListCustomRoles = %+v", got)
	}
	NoErr(t, s.DeleteCustomRole(ctx, "coder"))
	ErrCode(t, s.DeleteCustomRole(ctx, "coder"), phigate.ENOTFOUND)
}
