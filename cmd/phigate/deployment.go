package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/postgres"
	"github.com/phigate/phigate/server"
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
	// audit is the audit log; access commands and routes refuse without it.
	audit phigate.AuditLog
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
	return d, nil
}

// Close releases the store.
func (d *deployment) Close() error {
	if d.store != nil {
		return d.store.Close()
	}
	return nil
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
	if err := server.WriteSelfSigned(certFile, keyFile, time.Now(), server.DefaultCertValidity, nil); err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	return nil
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
