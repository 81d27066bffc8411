package main

import (
	"context"
	"fmt"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
	"github.com/phigate/phigate/records"
)

// PatientCommand administers patients: shred.
type PatientCommand struct {
	m    *Main
	cfg  *configLoader
	verb string
	id   string
}

const patientUsage = `patient shred ID [flags]

  shred ID   crypto-shred a patient: destroy the patient's data keys so the record
             and notes, in the database and in every backup made before, can never
             be opened again. The audit log keeps its events (they hold no PHI) and
             records the shred. This cannot be undone.

The command acts as the local operator (cli:$USER) with the administrator role:
whoever can read the data folder and its key file holds the keys anyway.`

// ParseFlags reads the verb, the patient id and the configuration flags.
func (c *PatientCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("patient", patientUsage)
	c.cfg = bindConfig(fs)
	verb, rest, err := splitVerb(fs, args, "shred")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	c.verb, c.id = verb, rest[0]
	return nil
}

// Run shreds the patient through the records service, so the access is
// authorised and audited like any other.
func (c *PatientCommand) Run(ctx context.Context) error {
	d, err := c.m.loadDeployment(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	pol, err := d.openPolicy(ctx)
	if err != nil {
		return err
	}
	guard := &auth.Guard{Policy: pol, Audit: d.audit, Hasher: d.hasher()}
	rs := &records.Service{Store: d.store, Guard: guard, Sealer: d.sealer(), Hasher: d.hasher()}
	if err := rs.Open(); err != nil {
		return err
	}
	ctx = phigate.NewContextWithSource(ctx, "cli")
	ctx = phigate.NewContextWithPrincipal(ctx, c.m.operator())
	if err := rs.ShredPatient(ctx, phigate.PurposeOperations, c.id); err != nil {
		return fmt.Errorf("shred patient %s: %w", c.id, err)
	}
	fmt.Fprintf(c.m.Stdout, "patient %s shredded: its data keys are destroyed\n", c.id)
	return nil
}

// operator is the principal of the local operator running the CLI.
func (m *Main) operator() *phigate.Principal {
	name := m.Getenv("USER")
	if name == "" {
		name = "operator"
	}
	return &phigate.Principal{UserID: "cli:" + name, Name: name, Roles: []phigate.Role{phigate.RoleAdministrator}, MFA: true}
}
