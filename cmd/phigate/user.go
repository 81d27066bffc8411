package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/phigate/phigate"
)

// UserCommand manages users: add, list, disable, enable, reset-mfa.
type UserCommand struct {
	m    *Main
	cfg  *configLoader
	verb string
	args []string
	// flags
	roles    multiFlag
	pwStdin  bool
	asJSON   bool
	flagsSet *flag.FlagSet
}

const userUsage = `user <add|list|disable|enable|reset-mfa> [flags] [NAME]

  add NAME --role ROLE [--role ROLE] [--password-stdin]
        create a user; prints a one-time password (shown once) unless
        --password-stdin reads one; either way it must be changed at first sign-in
  list                     list users with their roles, state and MFA
  disable NAME             disable a user and end their sessions (users are never deleted)
  enable NAME              re-enable a disabled user
  reset-mfa NAME           remove every second factor; the user enrols again`

// ParseFlags reads the verb, its flags and arguments.
func (c *UserCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("user", userUsage)
	c.cfg = bindConfig(fs)
	fs.Var(&c.roles, "role", "role to give (repeatable): "+rolesHelp())
	fs.BoolVar(&c.pwStdin, "password-stdin", false, "read the initial password from standard input")
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	c.flagsSet = fs
	verb, rest, err := splitVerb(fs, args, "add", "list", "disable", "enable", "reset-mfa")
	if err != nil {
		return err
	}
	c.verb, c.args = verb, rest
	if verb != "list" && len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	return nil
}

// Run does the verb.
func (c *UserCommand) Run(ctx context.Context) error {
	a, err := c.m.openAccess(ctx, c.cfg, true)
	if err != nil {
		return err
	}
	defer a.Close()
	switch c.verb {
	case "add":
		return c.add(ctx, a)
	case "list":
		return c.list(ctx, a)
	}
	u, err := a.auth.UserByName(ctx, c.args[0])
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	switch c.verb {
	case "disable", "enable":
		_, err = a.auth.SetDisabled(ctx, a.actor, u.ID, c.verb == "disable")
	case "reset-mfa":
		err = a.auth.ResetMFA(ctx, a.actor, u.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.m.Stdout, "%s: %s done\n", u.Name, c.verb)
	return nil
}

func (c *UserCommand) add(ctx context.Context, a *access) error {
	nu := phigate.NewUser{Name: c.args[0]}
	for _, r := range c.roles {
		nu.Roles = append(nu.Roles, phigate.Role(r))
	}
	if c.pwStdin {
		line, err := bufio.NewReader(c.m.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password: %w", err)
		}
		nu.Password = strings.TrimRight(line, "\r\n")
	}
	u, pw, err := a.auth.CreateUser(ctx, a.actor, nu)
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.m.Stdout, map[string]any{"user": u, "one_time_password": pw})
	}
	fmt.Fprintf(c.m.Stdout, "created user %s (%s) with roles %s\n", u.Name, u.ID, joinRoles(u.Roles))
	if pw != "" {
		fmt.Fprintf(c.m.Stdout, "one-time password (shown only now; must be changed at first sign-in): %s\n", pw)
	}
	return nil
}

func (c *UserCommand) list(ctx context.Context, a *access) error {
	users, err := a.auth.ListUsers(ctx)
	if err != nil {
		return err
	}
	type row struct {
		*phigate.User
		MFA phigate.MFAStatus `json:"mfa"`
	}
	rows := make([]row, 0, len(users))
	for _, u := range users {
		st, err := a.auth.MFAStatusOf(ctx, u.ID)
		if err != nil {
			return err
		}
		rows = append(rows, row{u, st})
	}
	if c.asJSON {
		return writeJSON(c.m.Stdout, map[string]any{"users": rows})
	}
	tw := tabwriter.NewWriter(c.m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tROLES\tSTATE\tMFA")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.ID, joinRoles(r.Roles), userState(r.User), mfaText(r.MFA))
	}
	return tw.Flush()
}

func userState(u *phigate.User) string {
	switch {
	case u.Disabled:
		return "disabled"
	case u.MustChangePassword:
		return "must-change-password"
	}
	return "active"
}

func mfaText(m phigate.MFAStatus) string {
	var parts []string
	if m.TOTP {
		parts = append(parts, "totp")
	}
	if m.Passkeys > 0 {
		parts = append(parts, fmt.Sprintf("passkeys:%d", m.Passkeys))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",") + fmt.Sprintf(" (recovery codes: %d)", m.RecoveryCodes)
}

func joinRoles(rs []phigate.Role) string {
	if len(rs) == 0 {
		return "-"
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func rolesHelp() string { return joinRoles(phigate.Roles) + " or a custom role" }

// multiFlag is a repeatable string flag.
type multiFlag []string

func (f *multiFlag) String() string     { return strings.Join(*f, ",") }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }

// splitVerb takes the verb from args, then parses flags and arguments in
// any order after it.
func splitVerb(fs *flag.FlagSet, args []string, verbs ...string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return "", nil, errUsage
	}
	verb := args[0]
	known := false
	for _, v := range verbs {
		known = known || v == verb
	}
	if !known {
		fs.Usage()
		return "", nil, errUsage
	}
	var rest []string
	args = args[1:]
	for {
		if err := fs.Parse(args); err != nil {
			return "", nil, err
		}
		if fs.NArg() == 0 {
			return verb, rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
