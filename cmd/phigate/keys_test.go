package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/sqlite"
)

// keysDeployment makes a data folder with a key file (sealed when pass is
// set, dated at created) and count subjects' sealed values in its database,
// and returns the folder and the sealed values.
func keysDeployment(t *testing.T, pass string, created time.Time, count int) (string, map[string][]byte) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	f := &keys.KeyFile{Path: filepath.Join(dir, keyFileName), Passphrase: []byte(pass),
		KDF: keys.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}, Now: func() time.Time { return created }}
	ring, err := f.Create()
	if err != nil {
		t.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(dir, "phigate.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := keys.NewEnvelope(ring, db)
	sealed := map[string][]byte{}
	for i := range count {
		s := fmt.Sprintf("patient:%03d", i)
		if sealed[s], err = e.Seal(context.Background(), s, placeOf(s), []byte("note of "+s)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, sealed
}

func placeOf(subject string) phigate.Place {
	return phigate.Place{Table: "notes", Row: subject, Field: "body"}
}

// openAll opens every sealed value with a freshly loaded key file.
func openAll(t *testing.T, dir, pass string, sealed map[string][]byte) {
	t.Helper()
	ring, err := keys.LoadKeyFile(filepath.Join(dir, keyFileName), []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(dir, "phigate.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := keys.NewEnvelope(ring, db)
	for s, ct := range sealed {
		pt, err := e.Open(context.Background(), s, placeOf(s), ct)
		if err != nil || string(pt) != "note of "+s {
			t.Fatalf("open %s: %q, %v", s, pt, err)
		}
	}
}

func TestKeysCommand(t *testing.T) {
	dir, sealed := keysDeployment(t, "", time.Now(), 25)
	t.Run("OKRotateRewrapRetire", func(t *testing.T) {
		if code, out, errs := run(t, nil, "keys", "rotate", "--data-dir", dir); code != 0 || !strings.Contains(out, "version 2 is active") {
			t.Fatalf("rotate: exit %d\n%s%s", code, out, errs)
		}
		code, out, errs := run(t, nil, "keys", "rewrap", "--data-dir", dir)
		if code != 0 || !strings.Contains(out, "25 of 25 data keys re-wrapped, 0 failed") || !strings.Contains(errs, "25/25 (100%)") {
			t.Fatalf("rewrap: exit %d\n%s%s", code, out, errs)
		}
		if code, _, errs := run(t, nil, "keys", "retire", "--min", "2", "--data-dir", dir); code != 0 {
			t.Fatalf("retire: exit %d: %s", code, errs)
		}
		openAll(t, dir, "", sealed)
	})
	t.Run("OKStatusJSON", func(t *testing.T) {
		code, out, errs := run(t, nil, "keys", "status", "--json", "--data-dir", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var s struct {
			Active   uint32 `json:"active"`
			Min      uint32 `json:"min_decryption_version"`
			Versions []struct {
				Version  uint32 `json:"version"`
				State    string `json:"state"`
				DataKeys int    `json:"data_keys"`
			} `json:"versions"`
			Rewrap struct {
				Done int `json:"done"`
			} `json:"rewrap"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if s.Active != 2 || s.Min != 2 || len(s.Versions) != 2 || s.Versions[0].State != "retired" ||
			s.Versions[1].DataKeys != 25 || s.Rewrap.Done != 25 {
			t.Fatalf("status = %+v", s)
		}
	})
	t.Run("OKStatusTable", func(t *testing.T) {
		code, out, _ := run(t, nil, "keys", "status", "--data-dir", dir)
		if code != 0 || !strings.Contains(out, "2        active") || !strings.Contains(out, "25") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("ErrRetireStillWrapped", func(t *testing.T) {
		run(t, nil, "keys", "rotate", "--data-dir", dir)
		code, _, errs := run(t, nil, "keys", "retire", "--min", "3", "--data-dir", dir)
		if code != 1 || !strings.Contains(errs, "rewrap first") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{{"keys"}, {"keys", "frobnicate"}, {"keys", "retire"}} {
			if code, _, _ := run(t, nil, args...); code != 2 {
				t.Fatalf("%v: exit %d, want 2", args, code)
			}
		}
	})
	t.Run("ErrNoKeyFile", func(t *testing.T) {
		code, _, errs := run(t, nil, "keys", "status", "--data-dir", filepath.Join(t.TempDir(), "none"))
		if code != 1 || !strings.Contains(errs, "no key file") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
}

func TestKeysSealedKeyFile(t *testing.T) {
	dir, sealed := keysDeployment(t, "s3cret words", time.Now(), 3)
	t.Run("OKEnvPassphrase", func(t *testing.T) {
		env := map[string]string{"PHIGATE_KEY_PASSPHRASE": "s3cret words"}
		if code, _, errs := run(t, env, "keys", "rotate", "--data-dir", dir); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if code, _, errs := run(t, env, "keys", "rewrap", "--data-dir", dir); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		openAll(t, dir, "s3cret words", sealed)
	})
	t.Run("OKPassphraseFile", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "pass")
		os.WriteFile(p, []byte("s3cret words\n"), 0o600)
		env := map[string]string{"PHIGATE_KEY_PASSPHRASE_FILE": p}
		if code, _, errs := run(t, env, "keys", "status", "--data-dir", dir); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		code, _, errs := run(t, map[string]string{"PHIGATE_KEY_PASSPHRASE": "S3cret words"}, "keys", "status", "--data-dir", dir)
		if code != 1 || !strings.Contains(errs, "wrong passphrase") || strings.Contains(errs, "S3cret") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("ErrServeWrongPassphrase", func(t *testing.T) {
		code, _, errs := run(t, map[string]string{"PHIGATE_KEY_PASSPHRASE": "nope"}, "serve", "--data-dir", dir, "--listen", "127.0.0.1:0", "--metrics-listen", "")
		if code != 1 || !strings.Contains(errs, "wrong passphrase") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
	t.Run("ErrNoPassphrase", func(t *testing.T) {
		code, _, errs := run(t, nil, "keys", "status", "--data-dir", dir)
		if code != 1 || !strings.Contains(errs, "PHIGATE_KEY_PASSPHRASE") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
}

func TestDoctorKeyRotation(t *testing.T) {
	old, _ := keysDeployment(t, "", time.Now().Add(-100*24*time.Hour), 0)
	fresh, _ := keysDeployment(t, "", time.Now(), 0)
	for name, c := range map[string]struct {
		dir, env, want string
	}{
		"OKFresh":      {fresh, "", "PASS  key rotation"},
		"WarnOld":      {old, "", "WARN  key rotation     active key-encryption key version 1 is 100 days old"},
		"OKLongPeriod": {old, "200h", "WARN"},
		"OKPeriod":     {old, "2500h", "PASS  key rotation"},
	} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			if c.env != "" {
				env["PHIGATE_KEY_ROTATION_PERIOD"] = c.env
			}
			_, out, _ := run(t, env, "doctor", "--data-dir", c.dir)
			if !strings.Contains(out, c.want) {
				t.Fatalf("doctor output lacks %q:\n%s", c.want, out)
			}
		})
	}
}
