package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/phigate/phigate/server"
)

// DoctorCommand checks a deployment's hardening and prints one line per
// check; it exits non-zero when any check fails. It creates nothing.
type DoctorCommand struct {
	m   *Main
	cfg *configLoader
}

// ParseFlags reads the configuration flags.
func (c *DoctorCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("doctor", "doctor [flags]\n\nChecks file modes, TLS settings, certificate expiry, the database and its migrations.")
	c.cfg = bindConfig(fs)
	return fs.Parse(args)
}

// checkResult is the outcome of one check.
type checkResult struct {
	status string // PASS, WARN or FAIL
	detail string
}

func pass(f string, a ...any) checkResult { return checkResult{"PASS", fmt.Sprintf(f, a...)} }
func warn(f string, a ...any) checkResult { return checkResult{"WARN", fmt.Sprintf(f, a...)} }
func fail(f string, a ...any) checkResult { return checkResult{"FAIL", fmt.Sprintf(f, a...)} }

// doctorCheck is one named check of a deployment.
type doctorCheck struct {
	name string
	run  func(ctx context.Context, d *deployment) checkResult
}

// doctorChecks lists every check in the order printed. Later features add
// theirs here.
var doctorChecks = []doctorCheck{
	{"data folder", checkDataDir},
	{"key file", checkKeyFile},
	{"key rotation", checkKeyRotation},
	{"config file", checkConfigFile},
	{"tls settings", checkTLSSettings},
	{"tls certificate", checkCertificate},
	{"database", checkDatabase},
	{"migrations", checkMigrations},
	{"mfa", checkMFA},
	{"vendor BAAs", checkBAAs},
}

// Run runs every check.
func (c *DoctorCommand) Run(ctx context.Context) error {
	cfg, err := c.cfg.Load(c.m.Getenv)
	if err != nil {
		return err
	}
	d := &deployment{cfg: cfg, log: c.m.newLogger("error")}
	d.paths()
	d.configPath = *c.cfg.path
	if d.configPath == "" {
		d.configPath = c.m.Getenv("PHIGATE_CONFIG")
	}
	if _, err := os.Stat(cfg.DataDir); err == nil || cfg.IsPostgres() {
		if s, err := openStore(cfg); err == nil {
			d.store = s
			defer s.Close()
		} else {
			d.storeErr = err
		}
	} else {
		d.storeErr = fmt.Errorf("data folder %s does not exist", cfg.DataDir)
	}
	failed := 0
	for _, chk := range doctorChecks {
		r := chk.run(ctx, d)
		if r.status == "FAIL" {
			failed++
		}
		fmt.Fprintf(c.m.Stdout, "%-4s  %-16s %s\n", r.status, chk.name, r.detail)
	}
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

func checkMode(path string, want fs.FileMode) checkResult {
	fi, err := os.Stat(path)
	if err != nil {
		return fail("%s: %v", path, errors.Unwrap(err))
	}
	if mode := fi.Mode().Perm(); mode&^want != 0 {
		return fail("%s has mode %04o, want %04o or stricter", path, mode, want)
	}
	return pass("%s mode %04o", path, fi.Mode().Perm())
}

func checkDataDir(ctx context.Context, d *deployment) checkResult {
	return checkMode(d.cfg.DataDir, 0o700)
}

func checkKeyFile(ctx context.Context, d *deployment) checkResult {
	return checkMode(d.keyFile, 0o600)
}

func checkConfigFile(ctx context.Context, d *deployment) checkResult {
	if d.configPath == "" {
		return pass("no configuration file (defaults, environment and flags)")
	}
	return checkMode(d.configPath, 0o640)
}

func checkTLSSettings(ctx context.Context, d *deployment) checkResult {
	c := server.TLSConfig(nil)
	if c.MinVersion < tls.VersionTLS12 {
		return fail("minimum version below TLS 1.2")
	}
	for _, id := range c.CipherSuites {
		if !aeadSuite(id) {
			return fail("cipher suite %s is not an AEAD suite", tls.CipherSuiteName(id))
		}
	}
	return pass("TLS 1.2 minimum, 1.3 preferred, %d AEAD suites for 1.2, no plain HTTP", len(c.CipherSuites))
}

func aeadSuite(id uint16) bool {
	for _, s := range tls.CipherSuites() {
		if s.ID == id {
			name := s.Name
			return len(name) > 4 && (contains(name, "_GCM_") || contains(name, "CHACHA20_POLY1305"))
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func checkCertificate(ctx context.Context, d *deployment) checkResult {
	c, err := server.LoadCertificate(d.certFile, d.certKey)
	if err != nil {
		return fail("%v", err)
	}
	if r := checkMode(d.certKey, 0o600); r.status != "PASS" {
		return r
	}
	left := time.Until(c.Leaf.NotAfter)
	switch {
	case left <= 0:
		return fail("%s expired on %s", d.certFile, c.Leaf.NotAfter.Format(time.DateOnly))
	case time.Now().Before(c.Leaf.NotBefore):
		return fail("%s is not valid before %s", d.certFile, c.Leaf.NotBefore.Format(time.DateOnly))
	case left < 30*24*time.Hour:
		return warn("%s expires in %d days", d.certFile, int(left.Hours()/24))
	}
	return pass("%s valid until %s, matches its key", d.certFile, c.Leaf.NotAfter.Format(time.DateOnly))
}

func checkDatabase(ctx context.Context, d *deployment) checkResult {
	if d.store == nil {
		return fail("%v", d.storeErr)
	}
	if err := d.store.Ping(ctx); err != nil {
		return fail("%s does not answer: %v", dbKind(d.cfg), err)
	}
	if !d.cfg.IsPostgres() {
		if r := checkMode(d.cfg.Database, 0o600); r.status != "PASS" {
			return r
		}
	}
	return pass("%s answers", dbKind(d.cfg))
}

func checkMigrations(ctx context.Context, d *deployment) checkResult {
	if d.store == nil {
		return fail("database not open")
	}
	st, err := d.store.SchemaStatus(ctx)
	if err != nil {
		return fail("%v", err)
	}
	if !st.Current() {
		return fail("%d of %d migrations applied", len(st.Applied), len(st.Known))
	}
	return pass("%d migrations applied, schema current", len(st.Applied))
}
