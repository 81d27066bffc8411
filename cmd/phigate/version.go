package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X main.Version=v1.2.3".
var Version = "dev"

// VersionCommand prints the version of phigate and of Go.
type VersionCommand struct{ m *Main }

// ParseFlags takes no flags.
func (c *VersionCommand) ParseFlags(args []string) error {
	return c.m.newFlagSet("version", "version").Parse(args)
}

// Run prints the version.
func (c *VersionCommand) Run(ctx context.Context) error {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(c.m.Stdout, "phigate %s (%s)\n", v, runtime.Version())
	return nil
}
