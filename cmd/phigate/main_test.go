package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/sqlite"
)

// run runs the CLI in-process with the given environment and returns the
// exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := m.Run(ctx, args)
	return code, out.String(), errb.String()
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	t.Run("OK", func(t *testing.T) {
		secret := write("dburl", "postgres://app:s3cret@db.example/phigate\n")
		path := write("ok.toml", "data_dir = \"/srv/phigate\"\nlog_level = \"warn\"\n[server]\nlisten = \"0.0.0.0:9443\"\nidle_timeout = \"45s\"\n")
		env := map[string]string{"PHIGATE_LOG_LEVEL": "debug", "PHIGATE_DATABASE_FILE": secret}
		code, out, errs := run(t, env, "config", "print", "--config", path, "--listen", "127.0.0.1:7443")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, want := range []string{`data_dir = "/srv/phigate"`, `log_level = "debug"`, `listen = "127.0.0.1:7443"`,
			`idle_timeout = "45s"`, `database = "postgres://app:xxxxx@db.example/phigate"`} {
			if !strings.Contains(out, want) {
				t.Errorf("config print lacks %s:\n%s", want, out)
			}
		}
		if strings.Contains(out, "s3cret") {
			t.Fatal("config print shows a secret")
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		path := write("unknown.toml", "log_level = \"info\"\n\n[server]\nlistn = \"x\"\n")
		code, _, errs := run(t, nil, "config", "print", "--config", path)
		if code == 0 || !strings.Contains(errs, `line 4`) || !strings.Contains(errs, `"server.listn"`) {
			t.Fatalf("exit %d, stderr %q: want the key and line named", code, errs)
		}
	})
	t.Run("ErrCorrupted", func(t *testing.T) {
		path := write("bad.toml", "log_level = \"info\"\n[server\nlisten=\n")
		code, _, errs := run(t, nil, "config", "print", "--config", path)
		if code == 0 || !strings.Contains(errs, "line 2") {
			t.Fatalf("exit %d, stderr %q: want the line named", code, errs)
		}
	})
	t.Run("ErrBadValue", func(t *testing.T) {
		code, _, errs := run(t, map[string]string{"PHIGATE_IDLE_TIMEOUT": "soon"}, "config", "print")
		if code == 0 || !strings.Contains(errs, "PHIGATE_IDLE_TIMEOUT") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		code, _, errs := run(t, nil, "config", "print", "--config", filepath.Join(dir, "none.toml"))
		if code == 0 || !strings.Contains(errs, "none.toml") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
}

// TestServeFaults checks that each fault ends with one clear message, a
// non-zero exit, and nothing overwritten.
func TestServeFaults(t *testing.T) {
	t.Run("ErrDataDirIsAFile", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, []byte("x"), 0o600)
		code, _, errs := run(t, nil, "serve", "--data-dir", f)
		if code != 1 || !strings.Contains(errs, "not a folder") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("ErrDataDirCannotBeCreated", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, []byte("x"), 0o600)
		code, _, errs := run(t, nil, "serve", "--data-dir", filepath.Join(f, "data"))
		if code != 1 || !strings.Contains(errs, "cannot be") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("ErrPortInUse", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		dir := t.TempDir()
		code, out, errs := run(t, nil, "serve", "--data-dir", dir, "--listen", ln.Addr().String(), "--metrics-listen", "")
		if code != 1 || !strings.Contains(errs, "address already in use") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		if strings.Contains(out, "password") {
			t.Fatal("a password was printed although the service could not start")
		}
	})
	t.Run("ErrCertificateKeyMismatch", func(t *testing.T) {
		dir := t.TempDir()
		c1, k1 := filepath.Join(dir, "c1.pem"), filepath.Join(dir, "k1.pem")
		c2, k2 := filepath.Join(dir, "c2.pem"), filepath.Join(dir, "k2.pem")
		writeCert(c1, k1, time.Now())
		writeCert(c2, k2, time.Now())
		before, _ := os.ReadFile(c1)
		code, _, errs := run(t, nil, "serve", "--data-dir", filepath.Join(dir, "d"), "--listen", "127.0.0.1:0",
			"--metrics-listen", "", "--tls-cert", c1, "--tls-key", k2)
		if code != 1 || !strings.Contains(errs, "c1.pem") || !strings.Contains(errs, "private key does not match") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		if after, _ := os.ReadFile(c1); !bytes.Equal(before, after) {
			t.Fatal("certificate overwritten")
		}
	})
	t.Run("ErrDatabaseDoesNotAnswer", func(t *testing.T) {
		code, _, errs := run(t, nil, "serve", "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0", "--metrics-listen", "",
			"--database", "postgres://u:pw-not-shown@127.0.0.1:1/x?connect_timeout=2")
		if code != 1 || !strings.Contains(errs, "127.0.0.1:1") || strings.Contains(errs, "pw-not-shown") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("ErrNewerDatabase", func(t *testing.T) {
		dir := t.TempDir()
		db := sqlite.NewDB(filepath.Join(dir, "phigate.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		db.SQL().Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', 0)`)
		db.Close()
		code, _, errs := run(t, nil, "serve", "--data-dir", dir, "--listen", "127.0.0.1:0", "--metrics-listen", "")
		if code != 1 || !strings.Contains(errs, "newer") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("ErrUnknownCommand", func(t *testing.T) {
		if code, _, _ := run(t, nil, "frobnicate"); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
	})
}

func TestDoctor(t *testing.T) {
	t.Run("ErrLooseModes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		os.Mkdir(dir, 0o755)
		code, out, _ := run(t, nil, "doctor", "--data-dir", dir)
		if code != 1 || !strings.Contains(out, "FAIL  data folder") || !strings.Contains(out, "FAIL  key file") {
			t.Fatalf("exit %d, out:\n%s", code, out)
		}
		if _, err := os.Stat(filepath.Join(dir, keyFileName)); err == nil {
			t.Fatal("doctor created a key file")
		}
	})
	t.Run("ErrExpiredCertificate", func(t *testing.T) {
		dir := t.TempDir()
		c, k := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
		writeCert(c, k, time.Now().Add(-2*keys.DefaultCertValidity))
		_, out, _ := run(t, nil, "doctor", "--data-dir", filepath.Join(dir, "d"), "--tls-cert", c, "--tls-key", k)
		if !strings.Contains(out, "FAIL  tls certificate") || !strings.Contains(out, "expired") {
			t.Fatalf("out:\n%s", out)
		}
	})
}

// writeCert writes a self-signed certificate for the loopback names.
func writeCert(cert, key string, now time.Time) error {
	_, err := keys.WriteSelfSignedCert(nil, cert, key, []string{"localhost", "127.0.0.1", "::1"}, now)
	return err
}
