package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/postgres"
	"github.com/phigate/phigate/sqlite"
)

// File names inside the data folder.
const (
	keyFileName  = "phigate.key"
	certFileName = "tls-cert.pem"
	certKeyName  = "tls-key.pem"
)

// deployment is one phigate installation as seen by a command: its
// configuration, data folder and store.
type deployment struct {
	cfg      Config
	log      *slog.Logger
	store    phigate.Store
	keyFile  string
	certFile string
	certKey  string
	// configPath is the configuration file, if any (doctor).
	configPath string
	// storeErr is why the store could not be opened (doctor).
	storeErr error
	// envelope seals PHI at rest in store (phigate.Sealer, phigate.Hasher);
	// ring holds the HMAC key and node signing keys (see keys.go).
	envelope *keys.Envelope
	ring     *keys.Ring
	// audit is the audit log (auditlog as the root interface); every
	// command and route that touches PHI or administers refuses without it.
	audit    phigate.AuditLog
	auditlog *audit.Log
	// forwarder sends audit events to the SIEM (serve), if configured.
	forwarder *audit.Forwarder
}

// paths fills the file locations from the configuration.
func (d *deployment) paths() {
	d.keyFile = filepath.Join(d.cfg.DataDir, keyFileName)
	d.certFile, d.certKey = d.cfg.Server.TLSCert, d.cfg.Server.TLSKey
	if d.certFile == "" {
		d.certFile = filepath.Join(d.cfg.DataDir, certFileName)
		d.certKey = filepath.Join(d.cfg.DataDir, certKeyName)
	}
}

// openDeployment prepares the data folder (0700), the key file (0600), the
// self-signed certificate when none is configured, and opens the store. It
// creates what is missing and overwrites nothing.
func (m *Main) openDeployment(ctx context.Context, cfg Config, log *slog.Logger) (*deployment, error) {
	return m.openDeploymentMode(ctx, cfg, log, false)
}

// loadDeployment loads the configuration cl names and opens the
// deployment for a command-line tool (logging errors only).
func (m *Main) loadDeployment(ctx context.Context, cl *configLoader) (*deployment, error) {
	cfg, err := cl.Load(m.Getenv)
	if err != nil {
		return nil, err
	}
	return m.openDeployment(ctx, cfg, m.newLogger("error"))
}

// openDeploymentMode is openDeployment; serving opens the audit log as a
// serving node (signed checkpoints, mirror, SIEM) instead of as a tool.
func (m *Main) openDeploymentMode(ctx context.Context, cfg Config, log *slog.Logger, serving bool) (*deployment, error) {
	d := &deployment{cfg: cfg, log: log}
	d.paths()
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if err := ensureKeyFile(d.keyFile, cfg.Keys.Passphrase); err != nil {
		return nil, err
	}
	if cfg.Server.TLSCert == "" {
		if err := ensureCertificate(d.certFile, d.certKey); err != nil {
			return nil, err
		}
	}
	store, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	d.store = store
	if d.envelope, d.ring, err = m.openEnvelope(ctx, d); err != nil {
		store.Close()
		return nil, err
	}
	open := openCLIAudit
	if serving {
		open = openServingAudit
	}
	if d.auditlog, err = open(d); err != nil {
		store.Close()
		return nil, err
	}
	d.audit = d.auditlog
	d.envelope.OnError = d.auditCryptoFailure
	return d, nil
}

// Close commits and closes the audit log (a serving node signs a last
// checkpoint), stops the SIEM forwarder, then closes the store.
func (d *deployment) Close() error {
	var err error
	if d.auditlog != nil {
		err = d.auditlog.Close()
		d.auditlog, d.audit = nil, nil
	}
	if d.forwarder != nil {
		d.forwarder.Close()
		d.forwarder = nil
	}
	if d.store != nil {
		if cerr := d.store.Close(); err == nil {
			err = cerr
		}
		d.store = nil
	}
	return err
}

// auditCryptoFailure records a value that failed to open (tampered, moved
// or under a missing key version) as an alert event: the subject and place
// are ids, never PHI.
func (d *deployment) auditCryptoFailure(ctx context.Context, op, subject string, place phigate.Place, err error) {
	e := &phigate.Event{Time: time.Now().UTC(), Actor: "system", Action: "alert.crypto", Outcome: phigate.OutcomeFailure,
		Resource: place.Table + ":" + place.Field, Reason: phigate.ErrorCode(err),
		RequestID: phigate.RequestIDFromContext(ctx), Source: phigate.SourceFromContext(ctx),
		Fields: map[string]string{"op": op, "subject_kind": subjectKind(subject)}}
	if d.audit != nil {
		if rerr := d.audit.Record(ctx, e); rerr != nil && d.log != nil {
			d.log.Error("audit of a crypto failure", "err", rerr.Error())
		}
	}
	if d.log != nil {
		d.log.Warn("protected value failed to open", "table", place.Table, "field", place.Field, "code", phigate.ErrorCode(err))
	}
}

// subjectKind is the kind part of a subject ("patient" of "patient:123").
func subjectKind(subject string) string {
	if i := strings.IndexByte(subject, ':'); i >= 0 {
		return subject[:i]
	}
	return "subject"
}

// ensureDataDir creates the data folder with mode 0700 and checks that it
// can be written.
func ensureDataDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("data folder %s cannot be created: %w", dir, errors.Unwrap(err))
		}
	case err != nil:
		return fmt.Errorf("data folder %s cannot be used: %w", dir, errors.Unwrap(err))
	case !fi.IsDir():
		return fmt.Errorf("data folder %s exists but is not a folder", dir)
	}
	probe, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("data folder %s cannot be written: %w", dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// ensureKeyFile creates the key file (0600, see package keys) if it does
// not exist, sealed with passphrase when one is set.
func ensureKeyFile(path, passphrase string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	return createKeyFile(path, passphrase)
}

// ensureCertificate creates a self-signed certificate if none exists.
func ensureCertificate(certFile, keyFile string) error {
	_, cerr := os.Stat(certFile)
	_, kerr := os.Stat(keyFile)
	if cerr == nil && kerr == nil {
		return nil
	}
	if cerr == nil || kerr == nil {
		return fmt.Errorf("certificate %s and key %s: one exists without the other", certFile, keyFile)
	}
	if _, err := keys.WriteSelfSignedCert(nil, certFile, keyFile, selfSignedHosts(), time.Now()); err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	return nil
}

// selfSignedHosts are the names a generated certificate covers: localhost,
// the host's name and the loopback addresses.
func selfSignedHosts() []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		hosts = append(hosts, h)
	}
	return hosts
}

// openStore opens the SQLite file or the PostgreSQL database of cfg.
func openStore(cfg Config) (phigate.Store, error) {
	if cfg.IsPostgres() {
		db := postgres.NewDB(cfg.Database)
		if err := db.Open(); err != nil {
			return nil, fmt.Errorf("database %s: %w", postgres.Redacted(cfg.Database), err)
		}
		return db, nil
	}
	if err := ensureFile(cfg.Database, 0o600); err != nil {
		return nil, err
	}
	db := sqlite.NewDB(cfg.Database)
	if err := db.Open(); err != nil {
		return nil, fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	return db, nil
}

// ensureFile creates an empty file with mode perm if none exists, so that
// SQLite's files (and its -wal and -shm twins, which copy the mode) are
// private from the start.
func ensureFile(path string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("database %s cannot be created: %w", path, errors.Unwrap(err))
	}
	return f.Close()
}

// newLogger returns the JSON logger on stderr at the configured level.
func (m *Main) newLogger(level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: l}))
}
