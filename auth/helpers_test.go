package auth_test

import (
	"context"
	"encoding/base32"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/sqlite"
)

// recorder is an audit log that keeps events in memory, or refuses them
// when Fail is set. It stands in for the audit package in these unit tests.
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

// actions returns the recorded events with the given action.
func (r *recorder) actions(action string) []phigate.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []phigate.Event
	for _, e := range r.events {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time      { return c.t }
func (c *clock) Add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }
func ctxb() context.Context          { return context.Background() }

type env struct {
	svc   *auth.Service
	db    *sqlite.DB
	audit *recorder
	clock *clock
}

// MustService returns an auth service on a fresh SQLite database with a
// settable clock and the cheapest argon2id cost.
func MustService(tb testing.TB) *env {
	tb.Helper()
	c := newClock()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "test.db"))
	db.Now = c.Now
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rec := &recorder{}
	svc := auth.NewService()
	svc.Store, svc.Audit, svc.Now, svc.Argon2 = db, rec, c.Now, testArgon2
	if err := svc.Open(); err != nil {
		tb.Fatal(err)
	}
	return &env{svc: svc, db: db, audit: rec, clock: c}
}

// MustUser creates a user with a permanent password.
func (e *env) MustUser(tb testing.TB, name, password string, roles ...phigate.Role) *phigate.User {
	tb.Helper()
	u, _, err := e.svc.CreateUser(ctxb(), "test", phigate.NewUser{Name: name, Roles: roles, Password: password, Permanent: true})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustLogin signs in and returns the token and principal.
func (e *env) MustLogin(tb testing.TB, name, password string) (string, *phigate.Principal) {
	tb.Helper()
	res, err := e.svc.Login(ctxb(), name, password, "192.0.2.10:5000")
	if err != nil {
		tb.Fatalf("login %s: %v", name, err)
	}
	return res.Token, e.MustAuth(tb, res.Token)
}

// MustAuth authenticates a session token for a GET.
func (e *env) MustAuth(tb testing.TB, token string) *phigate.Principal {
	tb.Helper()
	p, err := e.svc.Authenticate(ctxb(), phigate.Credential{SessionToken: token, Method: "GET", Source: "192.0.2.10"})
	if err != nil {
		tb.Fatalf("authenticate: %v", err)
	}
	return p
}

// MustTOTP enrols TOTP for the principal's user and returns the secret.
func (e *env) MustTOTP(tb testing.TB, p *phigate.Principal) []byte {
	tb.Helper()
	secret, _, err := e.svc.BeginTOTP(ctxb(), p)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := b32decode(secret)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.svc.ConfirmTOTP(ctxb(), p, e.code(tb, raw, 0), "192.0.2.10"); err != nil {
		tb.Fatal(err)
	}
	return raw
}

// code returns the TOTP code offset steps from now.
func (e *env) code(tb testing.TB, secret []byte, offset int64) string {
	tb.Helper()
	c, err := auth.DefaultTOTP.Code(secret, auth.DefaultTOTP.Step(e.clock.Now())+offset)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

const goodPassword = "vivid-otter-gravel-47"

func b32decode(s string) ([]byte, error) {
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
}
