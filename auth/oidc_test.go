package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
)

// The OIDC tests run against a real OpenID provider on loopback: the example
// provider of github.com/zitadel/oidc (an OpenID-certified library), built
// with
//
//	GOBIN=$PWD/bin go install github.com/zitadel/oidc/v3/example/server@v3.52.0
//
// and named by PHIGATE_TEST_OIDC_SERVER (the binary's path). Its users are
// test-user@localhost and test-user2, password "verysecure"; it asserts
// amr ["pwd"] and, for scope custom_scope, a claim custom_claim.client
// holding the client id, which these tests use as the group.

const callbackURL = "http://127.0.0.1:1/callback" // never served: the test stops at the redirect

// startProvider runs the provider on a free loopback port and returns its
// issuer URL.
func startProvider(t *testing.T) string {
	bin := os.Getenv("PHIGATE_TEST_OIDC_SERVER")
	if bin == "" {
		t.Skip("PHIGATE_TEST_OIDC_SERVER is not set: skipping the OpenID Connect tests (see oidc_test.go to build the provider)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "REDIRECT_URI="+callbackURL)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start provider: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	issuer := fmt.Sprintf("http://localhost:%d/", port)
	for i := 0; i < 100; i++ {
		resp, err := http.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return issuer
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("provider did not start")
	return ""
}

var errStop = errors.New("stop at callback")

// signInAtIdP drives the provider's login form as a browser would and
// returns the callback URL with the code and state.
func signInAtIdP(t *testing.T, authURL, user, password string) *url.URL {
	jar, _ := cookiejar.New(nil)
	var callback *url.URL
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), callbackURL) {
			callback = r.URL
			return errStop
		}
		return nil
	}}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("no login page: ended at %s", resp.Request.URL.Path)
	}
	login := *resp.Request.URL
	login.RawQuery = ""
	resp, err = c.PostForm(login.String(), url.Values{"username": {user}, "password": {password}, "id": {id}})
	if err != nil && !errors.Is(err, errStop) {
		t.Fatalf("login form: %v", err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	if callback == nil {
		t.Fatal("the provider did not redirect back")
	}
	return callback
}

func oidcConfig(issuer string, groups map[string][]phigate.Role) auth.OIDCConfig {
	return auth.OIDCConfig{Issuer: issuer, ClientID: "web", ClientSecret: "secret", RedirectURL: callbackURL,
		Scopes: []string{"profile", "email", "custom_scope"}, GroupsClaim: "custom_claim.client", GroupRoles: groups}
}

func TestOIDC(t *testing.T) {
	issuer := startProvider(t)
	e := MustService(t)
	e.clock.t = time.Now().UTC() // ID tokens are checked against the real clock
	ctx := context.Background()
	if err := e.svc.OpenOIDC(ctx, oidcConfig(issuer, map[string][]phigate.Role{"web": {phigate.RoleClinician}})); err != nil {
		t.Fatal(err)
	}
	signIn := func(t *testing.T) (*phigate.LoginResult, error) {
		authURL, state, err := e.svc.OIDCStart(ctx)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(authURL)
		if q := u.Query(); q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" {
			t.Fatalf("authorisation request without PKCE or nonce: %s", u.RawQuery)
		}
		cb := signInAtIdP(t, authURL, "test-user2", "verysecure")
		return e.svc.OIDCCallback(ctx, cb.Query().Get("state"), state, cb.Query().Get("code"), "192.0.2.5")
	}
	var first *phigate.LoginResult
	t.Run("OK", func(t *testing.T) {
		res, err := signIn(t)
		if err != nil {
			t.Fatal(err)
		}
		if res.User.Name != "test-user2" || len(res.User.Roles) != 1 || res.User.Roles[0] != phigate.RoleClinician {
			t.Fatalf("provisioned user %+v", res.User)
		}
		if res.Session.MFA {
			t.Fatal(`amr ["pwd"] counted as MFA`)
		}
		first = res
	})
	t.Run("OKLinked", func(t *testing.T) {
		res, err := signIn(t)
		if err != nil || first == nil || res.User.ID != first.User.ID {
			t.Fatalf("second sign-in: %v", err)
		}
	})
	t.Run("ErrState", func(t *testing.T) {
		authURL, state, _ := e.svc.OIDCStart(ctx)
		cb := signInAtIdP(t, authURL, "test-user2", "verysecure")
		_, err := e.svc.OIDCCallback(ctx, cb.Query().Get("state"), state+"x", cb.Query().Get("code"), "")
		if code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("unbound state: %v", err)
		}
	})
	t.Run("ErrCodeReplay", func(t *testing.T) {
		authURL, state, _ := e.svc.OIDCStart(ctx)
		cb := signInAtIdP(t, authURL, "test-user2", "verysecure")
		if _, err := e.svc.OIDCCallback(ctx, state, state, cb.Query().Get("code"), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.OIDCCallback(ctx, state, state, cb.Query().Get("code"), ""); code(err) != phigate.EUNAUTHENTICATED {
			t.Fatalf("replayed callback: %v", err)
		}
	})
	t.Run("ErrNoMappedRole", func(t *testing.T) {
		e2 := MustService(t)
		e2.clock.t = time.Now().UTC()
		if err := e2.svc.OpenOIDC(ctx, oidcConfig(issuer, map[string][]phigate.Role{"other-group": {phigate.RoleClinician}})); err != nil {
			t.Fatal(err)
		}
		authURL, state, _ := e2.svc.OIDCStart(ctx)
		cb := signInAtIdP(t, authURL, "test-user2", "verysecure")
		if _, err := e2.svc.OIDCCallback(ctx, state, state, cb.Query().Get("code"), ""); code(err) != phigate.EFORBIDDEN {
			t.Fatalf("user without a mapped group: %v", err)
		}
	})
}

func TestAMRAssertsMFA(t *testing.T) {
	tests := []struct {
		amr  []string
		want bool
	}{
		{[]string{"pwd"}, false},
		{nil, false},
		{[]string{"pwd", "otp"}, true},
		{[]string{"hwk"}, true},
		{[]string{"mfa"}, true},
		{[]string{"fpt", "pwd"}, true},
		{[]string{"sms"}, false},
	}
	for _, tt := range tests {
		if got := auth.AMRAssertsMFA(tt.amr, auth.DefaultMFAMethods); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.amr, got, tt.want)
		}
	}
}
