package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/phigate/phigate/audit"
)

// AuditConfig configures the audit log: checkpoints, their second copy,
// the nodes sharing the chain, retention and the SIEM forwarder.
type AuditConfig struct {
	Origin             string   `toml:"origin" flag:"audit-origin" help:"the log's name in every checkpoint: the same on every node"`
	Node               string   `toml:"node" flag:"audit-node" help:"this node's name in checkpoint signatures (default: host name)"`
	TrustedKeys        []string `toml:"trusted_keys" flag:"audit-trusted-keys" help:"verifier keys of the other nodes sharing the log (comma-separated)"`
	CheckpointEvery    int64    `toml:"checkpoint_every" flag:"audit-checkpoint-every" help:"sign a checkpoint once this many events are uncovered"`
	CheckpointInterval Duration `toml:"checkpoint_interval" flag:"audit-checkpoint-interval" help:"sign a checkpoint this often while events are uncovered"`
	CheckpointMirror   string   `toml:"checkpoint_mirror" flag:"audit-checkpoint-mirror" help:"file keeping a second copy of every checkpoint (default DATA_DIR/audit-checkpoints.jsonl; \"off\" disables)"`
	RetentionYears     int      `toml:"retention_years" flag:"audit-retention-years" help:"years events are kept before archived segments may be pruned (at least 6)"`
	SyslogAddr         string   `toml:"syslog_addr" flag:"audit-syslog-addr" help:"host:port of an RFC 5425 syslog-over-TLS receiver (SIEM); empty: off"`
	SyslogCAFile       string   `toml:"syslog_ca_file" flag:"audit-syslog-ca-file" help:"PEM CA that signs the syslog receiver's certificate (default: system roots)"`
	SyslogServerName   string   `toml:"syslog_server_name" flag:"audit-syslog-server-name" help:"name in the receiver's certificate (default: the host of syslog_addr)"`
	SyslogQueueDir     string   `toml:"syslog_queue_dir" flag:"audit-syslog-queue-dir" help:"on-disk queue of events not yet confirmed sent (default DATA_DIR/audit-syslog-queue)"`
}

// MinRetentionYears is HIPAA's six-year retention of documentation.
const MinRetentionYears = 6

// DefaultAuditConfig returns the audit defaults.
func DefaultAuditConfig() AuditConfig {
	return AuditConfig{
		Origin:             audit.DefaultOrigin,
		CheckpointEvery:    audit.DefaultCheckpointEvery,
		CheckpointInterval: Duration(audit.DefaultCheckpointInterval),
		RetentionYears:     MinRetentionYears,
	}
}

func (c *AuditConfig) validate() error {
	if c.RetentionYears < MinRetentionYears {
		return fmt.Errorf("config: audit.retention_years %d is under the %d years HIPAA requires", c.RetentionYears, MinRetentionYears)
	}
	if c.CheckpointEvery < 1 {
		return errors.New("config: audit.checkpoint_every must be at least 1")
	}
	if _, err := c.verifierKeys(); err != nil {
		return err
	}
	return nil
}

// nodeName is this node's name in checkpoint signatures.
func (c *AuditConfig) nodeName() string {
	if c.Node != "" {
		return c.Node
	}
	return nodeName()
}

// verifierKeys parses the other nodes' verifier keys.
func (c *AuditConfig) verifierKeys() ([]audit.VerifierKey, error) {
	var keys []audit.VerifierKey
	for i, s := range c.TrustedKeys {
		k, err := audit.ParseVerifierKey(s)
		if err != nil {
			return nil, fmt.Errorf("config: audit.trusted_keys entry %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// mirrorPath is the checkpoint mirror file, or "" when turned off.
func (c *AuditConfig) mirrorPath(dataDir string) string {
	switch c.CheckpointMirror {
	case "off":
		return ""
	case "":
		return filepath.Join(dataDir, auditMirrorName)
	}
	return c.CheckpointMirror
}

// apply sets the checkpoint cadence of a serving log.
func (c *AuditConfig) apply(l *audit.Log) {
	l.CheckpointEvery = c.CheckpointEvery
	l.CheckpointInterval = c.CheckpointInterval.D()
}

// openForwarder starts the SIEM forwarder, or returns nil when none is
// configured.
func (c *AuditConfig) openForwarder(d *deployment) (*audit.Forwarder, error) {
	if c.SyslogAddr == "" {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.SyslogServerName}
	if c.SyslogCAFile != "" {
		pem, err := os.ReadFile(c.SyslogCAFile)
		if err != nil {
			return nil, fmt.Errorf("audit syslog CA: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("audit syslog CA %s holds no PEM certificate", c.SyslogCAFile)
		}
	}
	f := audit.NewForwarder()
	f.Addr, f.TLS = c.SyslogAddr, tc
	f.Dir = c.SyslogQueueDir
	if f.Dir == "" {
		f.Dir = filepath.Join(d.cfg.DataDir, "audit-syslog-queue")
	}
	if d.log != nil {
		f.OnError = func(op string, err error) { d.log.Warn("audit forwarder", "op", op, "err", err.Error()) }
	}
	if err := f.Open(); err != nil {
		return nil, fmt.Errorf("audit forwarder: %w", err)
	}
	return f, nil
}
