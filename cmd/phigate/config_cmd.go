package main

import (
	"context"
	"fmt"
)

// ConfigCommand shows the effective configuration: `phigate config print`.
type ConfigCommand struct {
	m   *Main
	cfg *configLoader
}

// ParseFlags reads the verb and the configuration flags.
func (c *ConfigCommand) ParseFlags(args []string) error {
	if len(args) == 0 || args[0] != "print" {
		fmt.Fprintln(c.m.Stderr, "Usage: phigate config print [flags]\n\nPrints the effective configuration (file, then PHIGATE_* environment, then flags) as TOML, secrets redacted.")
		return errUsage
	}
	fs := c.m.newFlagSet("config print", "config print [flags]")
	c.cfg = bindConfig(fs)
	return fs.Parse(args[1:])
}

// Run prints the configuration.
func (c *ConfigCommand) Run(ctx context.Context) error {
	cfg, err := c.cfg.Load(c.m.Getenv)
	if err != nil {
		return err
	}
	fmt.Fprint(c.m.Stdout, "# phigate effective configuration (secrets redacted)\n"+cfg.Print())
	return nil
}
