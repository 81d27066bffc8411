package keys_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/keys/internal/memstore"
)

// fastKDF keeps tests quick; the format stores the parameters.
var fastKDF = keys.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

func sealedFile(tb testing.TB, pass string) *keys.KeyFile {
	tb.Helper()
	return &keys.KeyFile{
		Path: filepath.Join(tb.TempDir(), "data", "keys.json"), Passphrase: []byte(pass),
		KDF: fastKDF, Rand: detRand(2), Now: func() time.Time { return t0 },
	}
}

func TestKeyFileCreateLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "phigate-data", "keys.json")
	r, err := keys.CreateKeyFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKMode0600", func(t *testing.T) {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	})
	t.Run("OKLoadSameKeys", func(t *testing.T) {
		l, err := keys.LoadKeyFile(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l.HMAC("d", []byte("v")) != r.HMAC("d", []byte("v")) {
			t.Fatal("loaded ring has another HMAC key")
		}
		v, w, _ := r.Wrap(ctx, make([]byte, 32), []byte("ad"))
		if _, err := l.Unwrap(ctx, v, w, []byte("ad")); err != nil {
			t.Fatalf("loaded ring cannot unwrap: %v", err)
		}
	})
	t.Run("OKRotatePersists", func(t *testing.T) {
		if _, err := r.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		l, _ := keys.LoadKeyFile(path, nil)
		s, _ := l.Status(ctx)
		if s.Active != 2 || len(s.Versions) != 2 {
			t.Fatalf("after rotate, file has %+v", s)
		}
	})
	t.Run("ErrConflictExists", func(t *testing.T) {
		_, err := keys.CreateKeyFile(path, nil)
		wantCode(t, err, phigate.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := keys.LoadKeyFile(filepath.Join(t.TempDir(), "none.json"), nil)
		wantCode(t, err, phigate.ENOTFOUND)
	})
	t.Run("ErrInvalidReadableByOthers", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "k.json")
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := keys.LoadKeyFile(p, nil)
		wantCode(t, err, phigate.EINVALID)
	})
}

func TestKeyFileSealed(t *testing.T) {
	ctx := context.Background()
	f := sealedFile(t, "correct horse battery staple")
	r, err := f.Create()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKNoKeysInClear", func(t *testing.T) {
		b, _ := os.ReadFile(f.Path)
		if strings.Contains(string(b), "phigate-kek:") || strings.Contains(string(b), "phigate-hmac:") {
			t.Fatal("sealed key file shows keys")
		}
		if sealed, err := keys.KeyFileSealed(f.Path); !sealed || err != nil {
			t.Fatalf("KeyFileSealed = %v, %v", sealed, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		l, err := keys.LoadKeyFile(f.Path, []byte("correct horse battery staple"))
		if err != nil {
			t.Fatal(err)
		}
		if l.HMAC("d", []byte("v")) != r.HMAC("d", []byte("v")) {
			t.Fatal("loaded ring differs")
		}
	})
	t.Run("ErrCryptoWrongPassphrase", func(t *testing.T) {
		_, err := keys.LoadKeyFile(f.Path, []byte("Correct horse battery staple"))
		wantCode(t, err, phigate.ECRYPTO)
		noPHI(t, err, "horse")
		if !strings.Contains(err.Error(), "wrong passphrase") {
			t.Fatalf("error %q does not say wrong passphrase", err)
		}
	})
	t.Run("ErrCryptoNoPassphrase", func(t *testing.T) {
		_, err := keys.LoadKeyFile(f.Path, nil)
		wantCode(t, err, phigate.ECRYPTO)
	})
	t.Run("OKRotateStaysSealed", func(t *testing.T) {
		if _, err := r.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.LoadKeyFile(f.Path, nil); phigate.ErrorCode(err) != phigate.ECRYPTO {
			t.Fatalf("rotated file opens without passphrase: %v", err)
		}
	})
	t.Run("ErrCryptoTamperedParams", func(t *testing.T) {
		b, _ := os.ReadFile(f.Path)
		b2 := strings.Replace(string(b), `"time": 1`, `"time": 2`, 1)
		p := filepath.Join(t.TempDir(), "k.json")
		_ = os.WriteFile(p, []byte(b2), 0o600)
		_, err := keys.LoadKeyFile(p, []byte("correct horse battery staple"))
		wantCode(t, err, phigate.ECRYPTO)
	})
}

// TestKeyFileRestart seals data, "restarts" (loads the sealed key file
// into a fresh ring and envelope over the same store) and opens it all.
func TestKeyFileRestart(t *testing.T) {
	ctx := context.Background()
	f := sealedFile(t, "pass phrase")
	r, err := f.Create()
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	e := keys.NewEnvelope(r, st)
	cts := map[string][]byte{}
	for _, s := range []string{"patient:a", "patient:b", "patient:c"} {
		cts[s] = MustSeal(t, e, s, placeName, "value of "+s)
	}
	if _, err := r.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	cts["patient:d"] = MustSeal(t, e, "patient:d", placeName, "value of patient:d")

	r2, err := keys.LoadKeyFile(f.Path, []byte("pass phrase"))
	if err != nil {
		t.Fatal(err)
	}
	e2 := keys.NewEnvelope(r2, st)
	for s, ct := range cts {
		MustOpen(t, e2, s, placeName, ct, "value of "+s)
	}
}

func TestKeyFileReload(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.json")
	f := &keys.KeyFile{Path: path}
	server, err := f.Create()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a distinct modification time
	cli, err := keys.LoadKeyFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	changed, err := f.Reload(server)
	if err != nil || !changed {
		t.Fatalf("Reload = %v, %v; want changed", changed, err)
	}
	if v, _, _ := server.Wrap(ctx, make([]byte, 32), nil); v != 2 {
		t.Fatalf("after reload the server wraps under version %d, want 2", v)
	}
	if changed, _ := f.Reload(server); changed {
		t.Fatal("second Reload reports a change")
	}
	time.Sleep(10 * time.Millisecond)
	if _, err := cli.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if changed, err := server.Reload(); err != nil || !changed {
		t.Fatalf("Ring.Reload = %v, %v; want changed", changed, err)
	}
	if s, _ := server.Status(ctx); s.Active != 3 {
		t.Fatalf("after Ring.Reload active = %d, want 3", s.Active)
	}
}

func TestKeyFileFormat(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		body, code string
	}{
		"ErrInvalidNotJSON":   {"hello", phigate.EINVALID},
		"ErrInvalidFormat":    {`{"format":"other","version":1,"keys":{}}`, phigate.EINVALID},
		"ErrVersionNewer":     {`{"format":"phigate-keyfile","version":2,"keys":{}}`, phigate.EVERSION},
		"ErrInvalidNoKeys":    {`{"format":"phigate-keyfile","version":1}`, phigate.EINVALID},
		"ErrInvalidEmptyRing": {`{"format":"phigate-keyfile","version":1,"keys":{"active":1}}`, phigate.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			_ = os.WriteFile(p, []byte(c.body), 0o600)
			_, err := keys.LoadKeyFile(p, nil)
			wantCode(t, err, c.code)
		})
	}
}
