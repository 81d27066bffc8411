package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/phigate/phigate"
)

// RoleCommand shows roles: list, show.
type RoleCommand struct {
	m      *Main
	cfg    *configLoader
	verb   string
	args   []string
	asJSON bool
}

const roleUsage = `role <list|show> [flags] [NAME]

  list        list the roles (built-in and custom) with their permissions
  show NAME   show a role: permissions, purposes of use, care-team rule,
              break-glass and the minimum-necessary view per purpose`

// ParseFlags reads the verb and its argument.
func (c *RoleCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("role", roleUsage)
	c.cfg = bindConfig(fs)
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	verb, rest, err := splitVerb(fs, args, "list", "show")
	if err != nil {
		return err
	}
	c.verb, c.args = verb, rest
	if (verb == "show") != (len(rest) == 1) || (verb == "list" && len(rest) != 0) {
		fs.Usage()
		return errUsage
	}
	return nil
}

// Run does the verb.
func (c *RoleCommand) Run(ctx context.Context) error {
	a, err := c.m.openAccess(ctx, c.cfg, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if c.verb == "list" {
		roles := a.policy.Roles()
		if c.asJSON {
			return writeJSON(c.m.Stdout, map[string]any{"roles": roles})
		}
		tw := tabwriter.NewWriter(c.m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROLE\tKIND\tPERMISSIONS\tPURPOSES")
		for _, d := range roles {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, kind(d), permText(d.Permissions), joinPurposes(d.Purposes))
		}
		return tw.Flush()
	}
	d, err := a.policy.Role(phigate.Role(c.args[0]))
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.m.Stdout, d)
	}
	c.show(d)
	return nil
}

func (c *RoleCommand) show(d phigate.RoleDef) {
	w := c.m.Stdout
	fmt.Fprintf(w, "role:         %s (%s)\n", d.Name, kind(d))
	fmt.Fprintf(w, "description:  %s\n", d.Description)
	fmt.Fprintf(w, "permissions:  %s\n", permText(d.Permissions))
	fmt.Fprintf(w, "purposes:     %s\n", joinPurposes(d.Purposes))
	fmt.Fprintf(w, "care team:    %v (a patient's record needs a care-team relationship)\n", d.CareTeam)
	fmt.Fprintf(w, "break-glass:  %v\n", d.BreakGlass)
	fmt.Fprintf(w, "mfa required: %v\n", d.MFARequired())
	for _, p := range d.Purposes {
		v := d.Views[p]
		cats := make([]string, len(v.Categories))
		for i, c := range v.Categories {
			cats[i] = string(c)
		}
		text := strings.Join(cats, ",")
		if v.Deidentified {
			text = "de-identified only"
		}
		if text == "" {
			text = "none"
		}
		fmt.Fprintf(w, "view %-11s categories: %s; notes: %v\n", string(p)+":", text, v.Notes)
	}
}

func kind(d phigate.RoleDef) string {
	if d.Builtin {
		return "built-in"
	}
	return "custom"
}

func permText(ps []phigate.Permission) string {
	if len(ps) == 0 {
		return "-"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
