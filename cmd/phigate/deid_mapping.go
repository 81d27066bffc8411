package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
	"github.com/phigate/phigate/deid/structured"
)

// sealedMapping is the file of `phigate deid --mapping`: the pseudonym
// codes of structured records, each value sealed with the deployment's
// keys under the file's own subject, read before a run and rewritten,
// extended, after it. Reads and writes are audited; events carry the
// subject (a random id) and counts, never values.
type sealedMapping struct {
	path    string
	d       *deployment
	actor   string
	subject string
	codes   *structured.Pseudonymizer
	exists  bool
	loaded  int
}

// cliContext marks ctx as the local operator's, from the command line.
func (m *Main) cliContext(ctx context.Context) context.Context {
	return phigate.NewContextWithPrincipal(phigate.NewContextWithSource(ctx, "cli"), m.operator())
}

// openMapping opens the deployment and reads the mapping if it exists.
// On any failure nothing has been written.
func (c *DeidCommand) openMapping(ctx context.Context) (*sealedMapping, error) {
	cfg, err := c.deployment.Load(c.m.Getenv)
	if err != nil {
		return nil, err
	}
	m := &sealedMapping{path: c.mapping, codes: structured.NewPseudonymizer(nil), actor: c.m.operator().UserID}
	_, err = os.Stat(m.path)
	m.exists = err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("mapping %s cannot be read: %w", m.path, errors.Unwrap(err))
	}
	keyFile := filepath.Join(cfg.DataDir, keyFileName)
	if _, err := os.Stat(keyFile); m.exists && err != nil {
		return nil, fmt.Errorf("mapping %s needs the key file that sealed it; %s is missing (wrong --data-dir?): nothing was written", m.path, keyFile)
	}
	if m.d, err = c.m.openDeployment(ctx, cfg, c.m.newLogger("error")); err != nil {
		return nil, err
	}
	if err := m.read(ctx); err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

// read loads the codes of an existing mapping, or draws the subject of a
// new one.
func (m *sealedMapping) read(ctx context.Context) error {
	var err error
	if !m.exists {
		m.subject, err = structured.NewMappingSubject(nil)
		return err
	}
	f, err := os.Open(m.path)
	if err != nil {
		return fmt.Errorf("mapping %s cannot be read: %w", m.path, errors.Unwrap(err))
	}
	defer f.Close()
	m.subject, err = m.codes.ReadMapping(ctx, f, m.d.sealer())
	m.loaded = m.codes.Len()
	if aerr := m.audit(ctx, "deid.mapping.read", err); err == nil && aerr != nil {
		return fmt.Errorf("mapping %s: %w: nothing was written", m.path, aerr)
	}
	switch phigate.ErrorCode(err) {
	case "":
		return nil
	case phigate.ECRYPTO:
		return fmt.Errorf("mapping %s does not open with this deployment's keys (it was sealed with another key file or data folder, or altered): nothing was written: %w", m.path, err)
	case phigate.ENOTFOUND:
		return fmt.Errorf("mapping %s was shredded: its key is destroyed: nothing was written: %w", m.path, err)
	}
	return fmt.Errorf("mapping %s: nothing was written: %w", m.path, err)
}

// write seals every code into the mapping file (whole or not at all,
// 0600) when the run drew new ones or the file is new; the audit event is
// durable before the file takes its name.
func (m *sealedMapping) write(ctx context.Context) error {
	if m.exists && m.codes.Len() == m.loaded {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(m.path), 0o700); err != nil {
		return fmt.Errorf("mapping %s: create folder: %w", m.path, errors.Unwrap(err))
	}
	f, err := risk.CreateAtomic(m.path)
	if err != nil {
		return fmt.Errorf("mapping %s: %w", m.path, err)
	}
	defer f.Abort()
	err = m.codes.WriteMapping(ctx, f, m.d.sealer(), m.subject)
	if err == nil {
		err = m.audit(ctx, "deid.mapping.write", nil)
	} else {
		m.audit(ctx, "deid.mapping.write", err)
	}
	if err == nil {
		if err = f.Commit(); err != nil {
			m.audit(ctx, "deid.mapping.write", err)
		}
	}
	if err != nil {
		return fmt.Errorf("mapping %s not written: %w", m.path, err)
	}
	return nil
}

// audit records a read or write of the mapping, successful or not.
func (m *sealedMapping) audit(ctx context.Context, action string, failure error) error {
	resource := m.subject
	if resource == "" {
		resource = "deid-mapping"
	}
	e := &phigate.Event{Time: time.Now().UTC(), Actor: m.actor, Source: "cli", Action: action, Resource: resource,
		Outcome: phigate.OutcomeSuccess, Fields: map[string]string{
			"entries": strconv.Itoa(m.codes.Len()), "new": strconv.Itoa(m.codes.Len() - m.loaded)}}
	if failure != nil {
		e.Outcome, e.Reason = phigate.OutcomeFailure, phigate.ErrorCode(failure)
	}
	if err := m.d.audit.Record(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// close closes the deployment (and its audit log).
func (m *sealedMapping) close() {
	if m.d != nil {
		m.d.Close()
	}
}
