package records_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/policy"
	"github.com/phigate/phigate/records"
	"github.com/phigate/phigate/sqlite"
)

// testSealer seals with AES-256-GCM under one random key per subject,
// binding the place as associated data. It stands in for the keys package,
// which implements phigate.Sealer for real.
type testSealer struct {
	mu   sync.Mutex
	keys map[string][]byte
}

func (s *testSealer) aead(subject string, create bool) (cipher.AEAD, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[subject]
	if !ok {
		if !create {
			return nil, phigate.Errorf(phigate.ENOTFOUND, "testSealer", "subject shredded")
		}
		k = make([]byte, 32)
		rand.Read(k)
		s.keys[subject] = k
	}
	b, _ := aes.NewCipher(k)
	return cipher.NewGCM(b)
}

func ad(subject string, p phigate.Place) []byte {
	return []byte(subject + "\x00" + p.Table + "\x00" + p.Row + "\x00" + p.Field)
}

func (s *testSealer) Seal(_ context.Context, subject string, p phigate.Place, plain []byte) ([]byte, error) {
	a, err := s.aead(subject, true)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	return a.Seal(nonce, nonce, plain, ad(subject, p)), nil
}

func (s *testSealer) Open(_ context.Context, subject string, p phigate.Place, ct []byte) ([]byte, error) {
	a, err := s.aead(subject, false)
	if err != nil {
		return nil, err
	}
	if len(ct) < a.NonceSize() {
		return nil, phigate.Errorf(phigate.ECRYPTO, "testSealer", "short")
	}
	out, err := a.Open(nil, ct[:a.NonceSize()], ct[a.NonceSize():], ad(subject, p))
	if err != nil {
		return nil, phigate.E(phigate.ECRYPTO, "testSealer", errors.New("open failed"))
	}
	return out, nil
}

func (s *testSealer) Shred(_ context.Context, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, subject)
	return nil
}

// testHasher is HMAC-SHA-256 under a random key.
type testHasher struct{ key []byte }

func (h testHasher) HMAC(domain string, v []byte) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(domain + "\x00"))
	m.Write(v)
	return hex.EncodeToString(m.Sum(nil))[:32]
}

type recorder struct {
	mu     sync.Mutex
	events []phigate.Event
	Fail   bool
}

func (r *recorder) Record(_ context.Context, e *phigate.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail {
		return errors.New("audit store down")
	}
	r.events = append(r.events, *e)
	return nil
}

type env struct {
	svc    *records.Service
	db     *sqlite.DB
	audit  *recorder
	sealer *testSealer
	now    time.Time
}

var users = map[string][]phigate.Role{
	"u_clin": {phigate.RoleClinician}, "u_clin2": {phigate.RoleClinician}, "u_nurse": {phigate.RoleNurse},
	"u_bill": {phigate.RoleBilling}, "u_res": {phigate.RoleResearcher}, "u_admin": {phigate.RoleAdministrator},
}

// MustRecords returns the records service on a fresh SQLite database with
// the real policy and Guard.
func MustRecords(tb testing.TB) *env {
	tb.Helper()
	e := &env{audit: &recorder{}, sealer: &testSealer{keys: map[string][]byte{}}, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	e.db = sqlite.NewDB(filepath.Join(tb.TempDir(), "rec.db"))
	e.db.Now = func() time.Time { return e.now }
	if err := e.db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.db.Close() })
	for id, roles := range users {
		if err := e.db.CreateUser(context.Background(), &phigate.User{ID: id, Name: id, PasswordHash: "x", Roles: roles}); err != nil {
			tb.Fatal(err)
		}
	}
	h := testHasher{key: []byte("0123456789abcdef0123456789abcdef")}
	g := &auth.Guard{Policy: policy.MustNew(), Audit: e.audit, Hasher: h, Now: func() time.Time { return e.now }}
	e.svc = &records.Service{Store: e.db, Guard: g, Sealer: e.sealer, Hasher: h, Now: func() time.Time { return e.now }}
	if err := e.svc.Open(); err != nil {
		tb.Fatal(err)
	}
	return e
}

// as returns a context for a user with MFA verified.
func as(id string) context.Context {
	p := &phigate.Principal{UserID: id, Roles: users[id], MFA: true}
	return phigate.NewContextWithSource(phigate.NewContextWithPrincipal(context.Background(), p), "10.0.0.7:1234")
}

// withGlass opens a break-glass window on the principal of ctx.
func withGlass(ctx context.Context, until time.Time) context.Context {
	p := *phigate.PrincipalFromContext(ctx)
	p.BreakGlassUntil = until
	return phigate.NewContextWithPrincipal(ctx, &p)
}
