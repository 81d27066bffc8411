package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/phigate/phigate"
)

// APIKeyCommand manages API keys: create, list, revoke.
type APIKeyCommand struct {
	m    *Main
	cfg  *configLoader
	verb string
	args []string

	name, owner     string
	roles, purposes multiFlag
	routes, cidrs   multiFlag
	ttl             time.Duration
	asJSON          bool
	fs              *flag.FlagSet
}

const apikeyUsage = `apikey <create|list|revoke> [flags]

  create --name NAME --owner USER --role ROLE [--purpose P] [--route "METHOD /path"] [--cidr NET] [--ttl 2160h]
        create a key; prints its secret (phg_...) once: it is stored only hashed
  list [--owner USER]      list keys with owner, roles, expiry, last use and state
  revoke ID                revoke a key at once`

// ParseFlags reads the verb, its flags and arguments.
func (c *APIKeyCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("apikey", apikeyUsage)
	c.cfg = bindConfig(fs)
	fs.StringVar(&c.name, "name", "", "name of the key (what uses it)")
	fs.StringVar(&c.owner, "owner", "", "user who answers for the key (name or id)")
	fs.Var(&c.roles, "role", "role of the key (repeatable): the owner's roles or service")
	fs.Var(&c.purposes, "purpose", "allowed purpose of use (repeatable; default: any the roles allow)")
	fs.Var(&c.routes, "route", `allowed route, "POST /v1/chat/completions" or "/api/v1/*" (repeatable; default: any)`)
	fs.Var(&c.cidrs, "cidr", "allowed source network, 10.0.0.0/8 (repeatable; default: any)")
	fs.DurationVar(&c.ttl, "ttl", 90*24*time.Hour, "lifetime of the key")
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	c.fs = fs
	verb, rest, err := splitVerb(fs, args, "create", "list", "revoke")
	if err != nil {
		return err
	}
	c.verb, c.args = verb, rest
	if (verb == "revoke") != (len(rest) == 1) || (verb != "revoke" && len(rest) != 0) ||
		(verb == "create" && (c.name == "" || c.owner == "" || len(c.roles) == 0)) {
		fs.Usage()
		return errUsage
	}
	return nil
}

// Run does the verb.
func (c *APIKeyCommand) Run(ctx context.Context) error {
	a, err := c.m.openAccess(ctx, c.cfg, true)
	if err != nil {
		return err
	}
	defer a.Close()
	switch c.verb {
	case "create":
		return c.create(ctx, a)
	case "list":
		return c.list(ctx, a)
	}
	if err := a.auth.RevokeAPIKey(ctx, a.actor, c.args[0]); err != nil {
		return err
	}
	fmt.Fprintf(c.m.Stdout, "revoked %s\n", c.args[0])
	return nil
}

func (c *APIKeyCommand) create(ctx context.Context, a *access) error {
	owner, err := a.auth.UserByName(ctx, c.owner)
	if err != nil {
		return fmt.Errorf("find owner: %w", err)
	}
	nk := phigate.NewAPIKey{Name: c.name, OwnerID: owner.ID, Routes: c.routes, CIDRs: c.cidrs, TTL: c.ttl}
	for _, r := range c.roles {
		nk.Roles = append(nk.Roles, phigate.Role(r))
	}
	for _, p := range c.purposes {
		nk.Purposes = append(nk.Purposes, phigate.Purpose(p))
	}
	secret, k, err := a.auth.CreateAPIKey(ctx, a.actor, nk)
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.m.Stdout, map[string]any{"api_key": k, "secret": secret})
	}
	fmt.Fprintf(c.m.Stdout, "created API key %s (%s) for %s, expires %s\n", k.ID, k.Name, owner.Name, k.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintf(c.m.Stdout, "secret (shown only now; send it as \"Authorization: Bearer <secret>\"): %s\n", secret)
	return nil
}

func (c *APIKeyCommand) list(ctx context.Context, a *access) error {
	ownerID := ""
	if c.owner != "" {
		u, err := a.auth.UserByName(ctx, c.owner)
		if err != nil {
			return fmt.Errorf("find owner: %w", err)
		}
		ownerID = u.ID
	}
	keys, err := a.auth.ListAPIKeys(ctx, ownerID)
	if err != nil {
		return err
	}
	if c.asJSON {
		if keys == nil {
			keys = []*phigate.APIKey{}
		}
		return writeJSON(c.m.Stdout, map[string]any{"api_keys": keys})
	}
	tw := tabwriter.NewWriter(c.m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tOWNER\tROLES\tPURPOSES\tEXPIRES\tLAST USED\tSTATE")
	now := time.Now()
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.OwnerID, joinRoles(k.Roles),
			joinPurposes(k.Purposes), when(k.ExpiresAt), when(k.LastUsedAt), keyState(k, now))
	}
	return tw.Flush()
}

func keyState(k *phigate.APIKey, now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero():
		return "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return "expired"
	}
	return "active"
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func joinPurposes(ps []phigate.Purpose) string {
	if len(ps) == 0 {
		return "any"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}
