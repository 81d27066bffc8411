// Command phigate is the one binary of phigate: the HTTPS service (serve)
// and the CLI for everything the service does. main handles signals and exit
// codes; each subcommand lives in a file of its own; all wiring is explicit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main holds the process's streams and environment, so tests can run the
// CLI in-process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Signals, if set, receives SIGHUP for certificate reloads (serve).
	Signals bool
}

// NewMain returns a Main bound to the process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Signals: true}
}

// Command is one subcommand: ParseFlags reads its arguments, Run does it.
type Command interface {
	ParseFlags(args []string) error
	Run(ctx context.Context) error
}

// command describes a subcommand in the table.
type command struct {
	summary string
	new     func(m *Main) Command
}

// commands is the closed set of subcommands. Add one line per command.
var commands = map[string]command{
	"serve":     {"run the HTTPS service", func(m *Main) Command { return &ServeCommand{m: m} }},
	"doctor":    {"check a deployment's hardening", func(m *Main) Command { return &DoctorCommand{m: m} }},
	"config":    {"show the effective configuration (config print)", func(m *Main) Command { return &ConfigCommand{m: m} }},
	"version":   {"print the version", func(m *Main) Command { return &VersionCommand{m: m} }},
	"detect":    {"find PHI in text files or stdin", func(m *Main) Command { return &DetectCommand{m: m} }},
	"deid":      {"de-identify text, CSV, JSON lines and FHIR R4: files, folders or stdin", func(m *Main) Command { return &DeidCommand{m: m} }},
	"eval":      {"score the PHI detector on a PhysioNet-format corpus", func(m *Main) Command { return &EvalCommand{m: m} }},
	"patient":   {"administer patients (shred: crypto-shredding)", func(m *Main) Command { return &PatientCommand{m: m} }},
	"user":      {"manage users (add, list, disable, enable, reset-mfa)", func(m *Main) Command { return &UserCommand{m: m} }},
	"apikey":    {"manage API keys (create, list, revoke)", func(m *Main) Command { return &APIKeyCommand{m: m} }},
	"role":      {"show roles and their permissions (list, show)", func(m *Main) Command { return &RoleCommand{m: m} }},
	"vendor":    {"manage the AI vendor registry (add, list, show, update, disable)", func(m *Main) Command { return &VendorCommand{m: m} }},
	"audit":     {"verify, prove, search and export the audit log", func(m *Main) Command { return &AuditCommand{m: m} }},
	"risk":      {"measure re-identification risk of a CSV (Expert Determination)", func(m *Main) Command { return &RiskCommand{m: m} }},
	"anonymize": {"generalise a CSV to k-anonymity with the least information loss", func(m *Main) Command { return &AnonymizeCommand{m: m} }},
	"keys":      {"rotate, rewrap, retire and show key-encryption keys", func(m *Main) Command { return &KeysCommand{m: m} }},
}

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

// Run runs the subcommand named by args[0] and returns the exit code:
// 0 success, 1 failure, 2 usage error.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(m.Stderr, "phigate: unknown command %q\n\n", args[0])
		m.usage()
		return 2
	}
	cmd := c.new(m)
	if err := cmd.ParseFlags(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(m.Stderr, "phigate %s: %v\n", args[0], err)
		}
		return 2
	}
	if err := cmd.Run(ctx); err != nil {
		fmt.Fprintf(m.Stderr, "phigate %s: %s\n", args[0], userMessage(err))
		return 1
	}
	return 0
}

func (m *Main) usage() {
	fmt.Fprintln(m.Stderr, "phigate: a gateway that makes AI safe to use with patient data.\n\nUsage: phigate <command> [flags] [arguments]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(m.Stderr, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(m.Stderr, "\nRun 'phigate <command> -h' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors through Main.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("phigate "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: phigate %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// userMessage is the one line shown for a failed command. Errors here are
// built from paths, codes and identifiers only (never PHI), so the whole
// chain is shown; multi-line causes are folded.
func userMessage(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
