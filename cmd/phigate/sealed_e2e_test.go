package main_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/phigate/phigate/internal/storetest"
)

// Known PHI written through the API and the gateway; none of it may be
// found in clear in the database, its files or the data folder.
var sealedPHI = []string{"Zephyrine", "Quillfeather", "MRN-93817264", "539-48-2071",
	"417 Larkspur Lane", "zephy.quill@example.org", "BCX889120344"}

// controlName is stored unsealed (a login name): the scan must see it, or
// it proves nothing.
const controlName = "clinician-wobbleton"

// TestSealedAtRestThroughAPI runs the real binary, writes a patient, a note
// and an AI conversation with known PHI through the HTTPS API and the
// gateway, stops it, and reads the raw SQLite files (and every file of the
// data folder): none of the PHI appears in clear.
func TestSealedAtRestThroughAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	writePHIThroughAPI(t, dir)
	raw := folderBytes(t, filepath.Join(dir, "phigate-data"))
	assertSealed(t, raw, "the SQLite data folder")
}

// TestSealedAtRestThroughAPIPostgres does the same on PostgreSQL and reads
// every row of every table of the deployment's schema as text.
func TestSealedAtRestThroughAPIPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	url := storetest.PostgresURL(t)
	dir := t.TempDir()
	writePHIThroughAPI(t, dir, "--database", url)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	var raw bytes.Buffer
	for _, tb := range tables {
		var s sql.NullString
		if err := db.QueryRow(fmt.Sprintf(`SELECT string_agg(t::text, E'\n') FROM %q t`, tb)).Scan(&s); err != nil {
			t.Fatalf("read table %s: %v", tb, err)
		}
		raw.WriteString(s.String)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables found in the schema", len(tables))
	}
	assertSealed(t, raw.Bytes(), "the PostgreSQL tables")
	assertNoPHI(t, folderBytes(t, filepath.Join(dir, "phigate-data")), "the data folder")
}

// assertSealed checks raw holds the unsealed control value and no PHI.
func assertSealed(t *testing.T, raw []byte, where string) {
	t.Helper()
	if !bytes.Contains(raw, []byte(controlName)) {
		t.Fatalf("%s: the scan does not see the unsealed control value: it proves nothing", where)
	}
	assertNoPHI(t, raw, where)
}

func assertNoPHI(t *testing.T, raw []byte, where string) {
	t.Helper()
	for _, v := range sealedPHI {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("%s: %q appears in clear", where, v)
		}
	}
}

// folderBytes returns the content of every file below dir.
func folderBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		all = append(all, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// writePHIThroughAPI starts phigate serve in dir, signs a clinician in
// (password change, TOTP enrolment), creates a patient and a note, sends
// an AI request about the patient through the gateway to an uncovered
// stand-in vendor in a named conversation, then stops the server.
func writePHIThroughAPI(t *testing.T, dir string, args ...string) {
	t.Helper()
	vendor := httptest.NewServer(echoVendor())
	defer vendor.Close()
	p := startServe(t, dir, args...)
	cli := func(stdin string, a ...string) string {
		t.Helper()
		cmd := exec.Command(mustBuild(t), append(a, args...)...)
		cmd.Dir, cmd.Stdin = dir, strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "PHIGATE_CONFIG=", "USER=e2e")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("phigate %v: %v\n%s", a, err, out)
		}
		return string(out)
	}
	cli("first-password-1234\n", "user", "add", controlName, "--role", "clinician", "--password-stdin")
	cli("", "vendor", "add", "echo", "--base-url", vendor.URL+"/v1")
	keyOut := cli("", "apikey", "create", "--name", "app", "--owner", controlName, "--role", "service", "--purpose", "treatment")
	apiKey := regexp.MustCompile(`phg_[A-Za-z0-9_-]+`).FindString(keyOut)

	s := newSession(t, p.url, filepath.Join(dir, "phigate-data", "tls-cert.pem"))
	s.do("POST", "/api/v1/auth/login", "", map[string]string{"name": controlName, "password": "first-password-1234"}, 200)
	r := s.do("POST", "/api/v1/auth/password", "", map[string]string{"current": "first-password-1234", "new": "a much longer second password"}, 200)
	if r["next"] != "enrol_mfa" {
		t.Fatalf("after the password change: next %v", r["next"])
	}
	enrol := s.do("POST", "/api/v1/auth/mfa/totp/enrol", "", nil, 200)
	s.do("POST", "/api/v1/auth/mfa/totp/confirm", "", map[string]string{"code": totp(t, enrol["secret"].(string), time.Now())}, 200)

	pt := s.do("POST", "/api/v1/patients", "treatment", map[string]string{"mrn": sealedPHI[2], "given_name": sealedPHI[0],
		"family_name": sealedPHI[1], "ssn": sealedPHI[3], "address": sealedPHI[4], "email": sealedPHI[5],
		"insurance_id": sealedPHI[6], "birth_date": "1961-07-14"}, 201)
	id, _ := pt["id"].(string)
	s.do("POST", "/api/v1/patients/"+id+"/notes", "treatment",
		map[string]string{"kind": "progress", "text": "Zephyrine Quillfeather (MRN-93817264) seen for chest pain."}, 201)
	if got := s.do("GET", "/api/v1/patients/"+id, "treatment", nil, 200); got["family_name"] != sealedPHI[1] {
		t.Fatalf("patient read back: %v", got)
	}

	body := `{"model":"echo/m","messages":[{"role":"user","content":"Summarise: Zephyrine Quillfeather, MRN-93817264, lives at 417 Larkspur Lane."}]}`
	req, _ := http.NewRequest("POST", p.url+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Phigate-Conversation", "visit-1")
	resp, err := s.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(answer, []byte("Zephyrine Quillfeather")) {
		t.Fatalf("gateway: %d %s", resp.StatusCode, answer)
	}
	p.stop(t)
	if logs := p.allLogs(); strings.Contains(logs, "Zephyrine") || strings.Contains(logs, "MRN-93817264") {
		t.Fatal("the server logs hold PHI")
	}
	// The call's result, queued after its answer to share a later commit,
	// is durable once the server has stopped.
	if out := cli("", "audit", "export", "--action", "ai.chat.result"); !strings.Contains(out, `"ai.chat.result"`) {
		t.Fatalf("no result event after shutdown: %s", out)
	}
}

// echoVendor is an OpenAI-compatible stand-in that answers with the prompt.
func echoVendor() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Content string `json:"content"`
			} `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		text := req.Messages[len(req.Messages)-1].Content
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "c1", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": text}}}})
	})
}

// session is a signed-in browser-like client: cookies and the CSRF token.
type session struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newSession(t *testing.T, base, certFile string) *session {
	jar, _ := cookiejar.New(nil)
	c := client(pool(t, certFile))
	c.Jar = jar
	return &session{t: t, base: base, c: c}
}

// do sends a JSON request and decodes the JSON answer, failing the test
// unless the status is want.
func (s *session) do(method, path, purpose string, body any, want int) map[string]any {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, s.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	if purpose != "" {
		req.Header.Set("X-Purpose-Of-Use", purpose)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	out := map[string]any{}
	json.Unmarshal(raw, &out)
	if tok, ok := out["csrf_token"].(string); ok && tok != "" {
		s.csrf = tok
	}
	return out
}

// totp computes the RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret.
func totp(t *testing.T, secret string, now time.Time) string {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		t.Fatalf("TOTP secret: %v", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(now.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	h := m.Sum(nil)
	o := h[len(h)-1] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(h[o:])&0x7fffffff)%1000000)
}
