package auth_test

import (
	"testing"

	"github.com/descope/virtualwebauthn"
	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
)

var testRP = virtualwebauthn.RelyingParty{Name: "phigate", ID: "phigate.test", Origin: "https://phigate.test"}

// TestPasskey registers a passkey and signs in with it as the second
// factor, driven by a virtual authenticator.
func TestPasskey(t *testing.T) {
	e := MustService(t)
	e.svc.WebAuthn = &auth.WebAuthnConfig{RPID: testRP.ID, Origins: []string{testRP.Origin}}
	if err := e.svc.Open(); err != nil {
		t.Fatal(err)
	}
	e.MustUser(t, "alice", goodPassword, phigate.RoleClinician)
	_, p := e.MustLogin(t, "alice", goodPassword)
	authenticator := virtualwebauthn.NewAuthenticator()
	cred := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)

	opts, err := e.svc.BeginPasskeyRegistration(ctxb(), p)
	if err != nil {
		t.Fatal(err)
	}
	ao, err := virtualwebauthn.ParseAttestationOptions(string(opts))
	if err != nil {
		t.Fatal(err)
	}
	resp := virtualwebauthn.CreateAttestationResponse(testRP, authenticator, cred, *ao)
	if err := e.svc.FinishPasskeyRegistration(ctxb(), p, "laptop", []byte(resp)); err != nil {
		t.Fatalf("register: %v", err)
	}
	authenticator.AddCredential(cred)
	if !p.MFA {
		t.Fatal("registration did not verify the session")
	}
	st, _ := e.svc.MFAStatusOf(ctxb(), p.UserID)
	if st.Passkeys != 1 || st.RecoveryCodes != 10 {
		t.Fatalf("status %+v", st)
	}

	login := func(t *testing.T, cred virtualwebauthn.Credential) (*phigate.Principal, error) {
		_, p2 := e.MustLogin(t, "alice", goodPassword)
		opts, err := e.svc.BeginPasskeyLogin(ctxb(), p2)
		if err != nil {
			t.Fatal(err)
		}
		as, err := virtualwebauthn.ParseAssertionOptions(string(opts))
		if err != nil {
			t.Fatal(err)
		}
		resp := virtualwebauthn.CreateAssertionResponse(testRP, authenticator, cred, *as)
		return p2, e.svc.FinishPasskeyLogin(ctxb(), p2, []byte(resp), "")
	}
	t.Run("OK", func(t *testing.T) {
		p2, err := login(t, cred)
		if err != nil || !p2.MFA {
			t.Fatalf("passkey login: %v", err)
		}
	})
	t.Run("ErrUnknownCredential", func(t *testing.T) {
		other := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)
		p2, err := login(t, other)
		if code(err) != phigate.EUNAUTHENTICATED || p2.MFA {
			t.Fatalf("unregistered passkey: %v", err)
		}
	})
	t.Run("ErrNoCeremony", func(t *testing.T) {
		_, p3 := e.MustLogin(t, "alice", goodPassword)
		if err := e.svc.FinishPasskeyLogin(ctxb(), p3, []byte(`{}`), ""); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("finish without begin: %v", err)
		}
	})
}
