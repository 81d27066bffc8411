package api_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/api"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/policy"
	"github.com/phigate/phigate/records"
	"github.com/phigate/phigate/server"
	"github.com/phigate/phigate/sqlite"
)

// These tests drive sign-in, MFA enrolment, API keys, patients and
// break-glass end to end through the real HTTPS server, with the real
// stores, policy, auth service and choke point. The audit log is an
// in-memory recorder so each event can be asserted, and the sealer a small
// AES-GCM one; cmd/phigate's end-to-end tests run the real ones.

type recorder struct {
	mu     sync.Mutex
	events []phigate.Event
}

func (r *recorder) Record(_ context.Context, e *phigate.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, *e)
	return nil
}

type sealer struct{ key []byte }

func (s sealer) gcm() cipher.AEAD { b, _ := aes.NewCipher(s.key); g, _ := cipher.NewGCM(b); return g }
func (s sealer) Seal(_ context.Context, subj string, p phigate.Place, b []byte) ([]byte, error) {
	n := make([]byte, 12)
	rand.Read(n)
	return s.gcm().Seal(n, n, b, []byte(subj+p.Table+p.Row+p.Field)), nil
}
func (s sealer) Open(_ context.Context, subj string, p phigate.Place, b []byte) ([]byte, error) {
	out, err := s.gcm().Open(nil, b[:12], b[12:], []byte(subj+p.Table+p.Row+p.Field))
	if err != nil {
		return nil, phigate.E(phigate.ECRYPTO, "sealer", errors.New("open"))
	}
	return out, nil
}
func (s sealer) Shred(context.Context, string) error { return nil }

type hasher struct{}

func (hasher) HMAC(d string, v []byte) string {
	m := hmac.New(sha256.New, []byte("test-key"))
	m.Write([]byte(d))
	m.Write(v)
	return hex.EncodeToString(m.Sum(nil))[:24]
}

type stack struct {
	url   string
	svc   *auth.Service
	audit *recorder
	logs  *bytes.Buffer
	now   time.Time
	mu    sync.Mutex
	// bodies holds every error body the server sent.
	bodies []string
}

func (s *stack) Now() time.Time      { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
func (s *stack) add(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

func MustStack(t *testing.T) *stack {
	t.Helper()
	st := &stack{audit: &recorder{}, logs: &bytes.Buffer{}, now: time.Now().UTC()}
	dir := t.TempDir()
	db := sqlite.NewDB(filepath.Join(dir, "e2e.db"))
	db.Now = st.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pol, err := policy.NewLive()
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService()
	svc.Store, svc.Audit, svc.KnownRoles, svc.Now = db, st.audit, pol.KnownRoles, st.Now
	svc.Argon2 = auth.Argon2Params{Time: 1, MemoryKiB: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}
	if err := svc.Open(); err != nil {
		t.Fatal(err)
	}
	st.svc = svc
	guard := &auth.Guard{Policy: pol, Audit: st.audit, Hasher: hasher{}, Now: st.Now}
	key := make([]byte, 32)
	rand.Read(key)
	rs := &records.Service{Store: db, Guard: guard, Sealer: sealer{key}, Hasher: hasher{}, Now: st.Now}
	if err := rs.Open(); err != nil {
		t.Fatal(err)
	}
	h := api.NewHandler()
	h.Authenticator = svc
	h.Logger = slog.New(slog.NewJSONHandler(st.logs, nil))
	mux := http.NewServeMux()
	h.Register(mux)
	(&api.AccessHandler{Handler: h, Accounts: svc, Guard: guard, Roles: pol, Records: rs,
		RoleEditor: &api.RoleEditor{Roles: pol, Store: db}}).Register(mux)
	srv := server.NewServer()
	srv.Addr = "127.0.0.1:0"
	srv.CertFile, srv.KeyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := writeCert(srv.CertFile, srv.KeyFile, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv.Handler, srv.Logger = mux, h.Logger
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	st.url = "https://" + srv.ListenAddr().String()
	return st
}

// client is one browser: a cookie jar and the session's CSRF token.
type client struct {
	t    *testing.T
	st   *stack
	http *http.Client
	csrf string
	key  string // API key, sent as a bearer token when set
}

func (st *stack) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, st: st, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}}
}

// do sends a request and decodes the JSON answer; purpose, if set, is the
// purpose of use.
func (c *client) do(method, path, purpose string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.st.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if method != "GET" && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if purpose != "" {
		req.Header.Set(api.PurposeHeader, purpose)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	json.Unmarshal(raw, &out)
	if resp.StatusCode >= 400 {
		c.st.mu.Lock()
		c.st.bodies = append(c.st.bodies, string(raw))
		c.st.mu.Unlock()
	}
	if tok, ok := out["csrf_token"].(string); ok && tok != "" {
		c.csrf = tok
	}
	return resp.StatusCode, out
}

// must sends a request and fails unless the status is want.
func (c *client) must(want int, method, path, purpose string, body any) map[string]any {
	c.t.Helper()
	got, out := c.do(method, path, purpose, body)
	if got != want {
		c.t.Fatalf("%s %s: status %d, want %d: %v", method, path, got, want, out)
	}
	return out
}

func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func totpCode(t *testing.T, st *stack, secret string) string {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.DefaultTOTP.Code(raw, auth.DefaultTOTP.Step(st.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const newPassword = "vivid-otter-gravel-47"

// onboard signs a user in with a one-time password, changes it and enrols
// TOTP, as a new user would. It returns the TOTP secret.
func (c *client) onboard(name, otp string) string {
	t := c.t
	out := c.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"name": name, "password": otp})
	if out["next"] != "change_password" {
		t.Fatalf("after login with a one-time password: next=%v", out["next"])
	}
	c.must(200, "POST", "/api/v1/auth/password", "", map[string]string{"current": otp, "new": newPassword})
	out = c.must(200, "GET", "/api/v1/auth/session", "", nil)
	if out["next"] != "enrol_mfa" {
		t.Fatalf("after password change: next=%v", out["next"])
	}
	en := c.must(200, "POST", "/api/v1/auth/mfa/totp/enrol", "", nil)
	secret := en["secret"].(string)
	if !strings.HasPrefix(en["otpauth_uri"].(string), "otpauth://totp/") {
		t.Fatalf("uri %v", en["otpauth_uri"])
	}
	out = c.must(200, "POST", "/api/v1/auth/mfa/totp/confirm", "", map[string]string{"code": totpCode(t, c.st, secret)})
	if codes, _ := out["recovery_codes"].([]any); len(codes) != 10 {
		t.Fatalf("recovery codes: %v", out)
	}
	return secret
}

func TestEndToEnd(t *testing.T) {
	st := MustStack(t)
	ctx := context.Background()
	_, adminOTP, err := st.svc.CreateUser(ctx, "bootstrap", phigate.NewUser{Name: "admin", Roles: []phigate.Role{phigate.RoleAdministrator}})
	if err != nil {
		t.Fatal(err)
	}
	admin := st.client(t)

	t.Run("ForcedPasswordChangeAndMFA", func(t *testing.T) {
		admin.t = t
		out := admin.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"name": "admin", "password": adminOTP})
		if admin.csrf == "" || out["mfa_verified"] != false {
			t.Fatalf("login body %v", out)
		}
		if code := errCode(admin.must(403, "GET", "/api/v1/users", "", nil)); code != phigate.EFORBIDDEN {
			t.Fatalf("one-time password session listed users: %s", code)
		}
		saved := admin.csrf
		admin.csrf = ""
		if code := errCode(admin.must(403, "POST", "/api/v1/auth/password", "", map[string]string{"current": adminOTP, "new": newPassword})); code != phigate.EFORBIDDEN {
			t.Fatalf("state change without CSRF token: %s", code)
		}
		admin.csrf = saved
		admin.must(200, "POST", "/api/v1/auth/password", "", map[string]string{"current": adminOTP, "new": newPassword})
		if code := errCode(admin.must(403, "GET", "/api/v1/users", "", nil)); code != phigate.EMFAREQUIRED {
			t.Fatalf("administrator without MFA: %s", code)
		}
		en := admin.must(200, "POST", "/api/v1/auth/mfa/totp/enrol", "", nil)
		admin.must(200, "POST", "/api/v1/auth/mfa/totp/confirm", "", map[string]string{"code": totpCode(t, st, en["secret"].(string))})
		admin.must(200, "GET", "/api/v1/users", "", nil)
	})

	var jonesOTP, smithOTP string
	t.Run("CreateUsers", func(t *testing.T) {
		admin.t = t
		out := admin.must(201, "POST", "/api/v1/users", "", map[string]any{"name": "drjones", "roles": []string{"clinician"}})
		jonesOTP = out["one_time_password"].(string)
		out = admin.must(201, "POST", "/api/v1/users", "", map[string]any{"name": "drsmith", "roles": []string{"clinician"}})
		smithOTP = out["one_time_password"].(string)
		if code := errCode(admin.must(400, "POST", "/api/v1/users", "", map[string]any{"name": "x", "roles": []string{"wizard"}})); code != phigate.EINVALID {
			t.Fatalf("unknown role: %s", code)
		}
	})

	jones := st.client(t)
	var patientID string
	t.Run("ClinicianCreatesPatient", func(t *testing.T) {
		jones.t = t
		jones.onboard("drjones", jonesOTP)
		if code := errCode(jones.must(403, "POST", "/api/v1/patients", "", patientBody())); code != phigate.EPOLICY {
			t.Fatalf("no purpose of use: %s", code)
		}
		out := jones.must(201, "POST", "/api/v1/patients", "treatment", patientBody())
		patientID = out["id"].(string)
		jones.must(201, "POST", "/api/v1/patients/"+patientID+"/notes", "treatment", map[string]string{"kind": "progress", "text": secretNote})
		got := jones.must(200, "GET", "/api/v1/patients/"+patientID, "treatment", nil)
		if got["ssn"] != patientBody()["ssn"] {
			t.Fatalf("treating clinician's view %v", got)
		}
	})

	smith := st.client(t)
	t.Run("BreakGlass", func(t *testing.T) {
		smith.t = t
		smith.onboard("drsmith", smithOTP)
		if code := errCode(smith.must(403, "GET", "/api/v1/patients/"+patientID, "treatment", nil)); code != phigate.EFORBIDDEN {
			t.Fatalf("outside the care team: %s", code)
		}
		if code := errCode(smith.must(403, "GET", "/api/v1/patients/"+patientID, "emergency", nil)); code != phigate.EPOLICY {
			t.Fatalf("emergency without break-glass: %s", code)
		}
		smith.must(201, "POST", "/api/v1/auth/break-glass", "", map[string]string{"reason": "patient arrived unresponsive in the ED"})
		got := smith.must(200, "GET", "/api/v1/patients/"+patientID, "emergency", nil)
		if got["family_name"] != patientBody()["family_name"] {
			t.Fatalf("break-glass view %v", got)
		}
		notes := smith.must(200, "GET", "/api/v1/patients/"+patientID+"/notes", "emergency", nil)
		if list, _ := notes["notes"].([]any); len(list) != 1 {
			t.Fatalf("notes %v", notes)
		}
		marked := 0
		for _, e := range st.audit.events {
			if e.BreakGlass && (e.Action == "patient.read" || e.Action == "note.list") {
				marked++
			}
		}
		if marked != 2 {
			t.Fatalf("%d break-glass accesses marked in the audit log", marked)
		}
		st.add(time.Hour)
		if code := errCode(smith.must(401, "GET", "/api/v1/patients/"+patientID, "emergency", nil)); code != phigate.EUNAUTHENTICATED {
			t.Fatalf("after an hour idle: %s", code) // the idle logoff ends the session first
		}
	})

	t.Run("APIKeys", func(t *testing.T) {
		admin.t = t
		st.add(-time.Hour) // keep the admin session within its idle timeout
		defer st.add(time.Hour)
		admin.must(200, "GET", "/api/v1/auth/session", "", nil)
		out := admin.must(201, "POST", "/api/v1/apikeys", "", map[string]any{"name": "ehr", "roles": []string{"service"}, "purposes": []string{"treatment"}})
		secret := out["secret"].(string)
		id := out["api_key"].(map[string]any)["id"].(string)
		svc := st.client(t)
		svc.key = secret
		if who := svc.must(200, "GET", "/api/v1/whoami", "", nil); who["api_key_id"] != id {
			t.Fatalf("whoami %v", who)
		}
		out = admin.must(201, "POST", "/api/v1/apikeys", "", map[string]any{"name": "far", "roles": []string{"service"}, "cidrs": []string{"10.0.0.0/8"}})
		far := st.client(t)
		far.key = out["secret"].(string)
		out = far.must(403, "GET", "/api/v1/whoami", "", nil)
		if out["error"].(map[string]any)["message"] != "You are not allowed to do this." {
			t.Fatalf("key outside its CIDR: %v", out)
		}
		admin.must(204, "DELETE", "/api/v1/apikeys/"+id, "", nil)
		out = svc.must(401, "GET", "/api/v1/whoami", "", nil)
		if out["error"].(map[string]any)["message"] != "Authentication is required." {
			t.Fatalf("revoked key: %v", out)
		}
		list := admin.must(200, "GET", "/api/v1/apikeys", "", nil)
		if strings.Contains(mustJSON(list), secret) || strings.Contains(mustJSON(list), secret[4:20]) {
			t.Fatal("key list shows a secret")
		}
	})

	t.Run("CustomRole", func(t *testing.T) {
		admin.t = t
		st.add(-time.Hour)
		defer st.add(time.Hour)
		coder := map[string]any{"description": "medical coder", "permissions": []map[string]string{{"resource": "patients", "action": "read"}},
			"purposes": []string{"payment"}, "views": map[string]any{"payment": map[string]any{"categories": []string{"MRN", "HEALTH_PLAN_ID"}}}}
		admin.must(200, "PUT", "/api/v1/roles/coder", "", coder)
		if out := admin.must(200, "GET", "/api/v1/roles/coder", "", nil); out["builtin"] != false {
			t.Fatalf("custom role %v", out)
		}
		admin.must(201, "POST", "/api/v1/users", "", map[string]any{"name": "coder1", "roles": []string{"coder"}})
		bad := map[string]any{"permissions": []map[string]string{{"resource": "rockets", "action": "read"}}}
		if code := errCode(admin.must(400, "PUT", "/api/v1/roles/coder2", "", bad)); code != phigate.EINVALID {
			t.Fatalf("invalid role: %s", code)
		}
		if code := errCode(admin.must(409, "PUT", "/api/v1/roles/clinician", "", coder)); code != phigate.ECONFLICT {
			t.Fatalf("redefined a built-in role: %s", code)
		}
		admin.must(204, "DELETE", "/api/v1/roles/coder", "", nil)
		admin.must(404, "GET", "/api/v1/roles/coder", "", nil)
	})

	t.Run("TamperedAndLoggedOut", func(t *testing.T) {
		st.add(-time.Hour)
		defer st.add(time.Hour)
		bad := st.client(t)
		bad.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"name": "drjones", "password": newPassword})
		u := bad.http.Jar.Cookies(mustURL(st.url))
		for _, c := range u {
			if c.Name == api.SessionCookie {
				c.Value = c.Value[:len(c.Value)-2] + "AA"
				bad.http.Jar.SetCookies(mustURL(st.url), []*http.Cookie{c})
			}
		}
		if code := errCode(bad.must(401, "GET", "/api/v1/auth/session", "", nil)); code != phigate.EUNAUTHENTICATED {
			t.Fatalf("tampered cookie: %s", code)
		}
		admin.t = t
		admin.must(204, "POST", "/api/v1/auth/logout", "", nil)
		admin.must(401, "GET", "/api/v1/auth/session", "", nil)
	})

	t.Run("NoPHIInErrorsOrLogs", func(t *testing.T) {
		all := strings.Join(st.bodies, "\n") + st.logs.String()
		if len(st.bodies) < 8 {
			t.Fatalf("only %d error bodies collected", len(st.bodies))
		}
		for _, v := range append(phiValues(), newPassword, adminOTP) {
			if strings.Contains(all, v) {
				t.Fatalf("a protected value (%d bytes) is in an error body or log", len(v))
			}
		}
	})
}

const secretNote = "Patient Quennell Abernathy-Vos reports chest tightness since Tuesday."

func patientBody() map[string]string {
	return map[string]string{"mrn": "MRN-8830021", "given_name": "Quennell", "family_name": "Abernathy-Vos",
		"birth_date": "1958-02-03", "ssn": "610-44-2281", "address": "88 Wren Court, Fargo ND", "insurance_id": "HP-55120"}
}

func phiValues() []string {
	var out []string
	for _, v := range patientBody() {
		out = append(out, v)
	}
	return append(out, "chest tightness")
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

// writeCert writes a self-signed certificate for the loopback names.
func writeCert(cert, key string, now time.Time) error {
	_, err := keys.WriteSelfSignedCert(nil, cert, key, []string{"localhost", "127.0.0.1", "::1"}, now)
	return err
}
