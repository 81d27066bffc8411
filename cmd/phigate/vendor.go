package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/gateway"
)

// VendorCommand manages the AI vendor registry: add, list, show, update,
// disable. Every change is audited; credentials and BAA documents given
// to it are stored sealed.
type VendorCommand struct {
	m    *Main
	cfg  *configLoader
	fs   *flag.FlagSet
	verb string
	name string

	baseURL, format, credEnv, credFile    string
	credStdin                             bool
	baa, baaEffective, baaExpires, baaCat string
	baaDoc, region, retention, note       string
	models                                string
	training, asJSON                      bool
}

const vendorUsage = `vendor <add|list|show|update|disable> [NAME] [flags]

  add NAME --base-url URL [--format openai|anthropic]
      [--credential-env VAR | --credential-file PATH | --credential-stdin]
      [--baa signed --baa-effective DATE --baa-expires DATE --baa-categories NAME,DATE,...|all]
      [--baa-document FILE] [--region R] [--retention R] [--training] [--note TEXT] [--models m1,m2]
        register a vendor (deny by default: only registered, enabled vendors are reachable)
  list                 list vendors with their BAA status and expiry
  show NAME            show one vendor (secrets only as "stored")
  update NAME [flags]  change the flags given
  disable NAME         stop all traffic to a vendor at once

DATE is 2006-01-02 (00:00 UTC), 2006-01-02T15:04 or RFC 3339. A BAA stops
covering PHI from the minute it expires.`

// ParseFlags reads the verb, the vendor name and the flags.
func (c *VendorCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("vendor", vendorUsage)
	c.cfg = bindConfig(fs)
	fs.StringVar(&c.baseURL, "base-url", "", "the vendor's API root, https://api.openai.com/v1")
	fs.StringVar(&c.format, "format", "", "API format: openai or anthropic (default openai)")
	fs.StringVar(&c.credEnv, "credential-env", "", "environment variable holding the vendor API key")
	fs.StringVar(&c.credFile, "credential-file", "", "file holding the vendor API key")
	fs.BoolVar(&c.credStdin, "credential-stdin", false, "read the API key from standard input and store it sealed")
	fs.StringVar(&c.baa, "baa", "", "BAA status: signed or none (default none)")
	fs.StringVar(&c.baaEffective, "baa-effective", "", "date the BAA takes effect")
	fs.StringVar(&c.baaExpires, "baa-expires", "", "date the BAA expires")
	fs.StringVar(&c.baaCat, "baa-categories", "", "PHI categories the BAA covers, comma-separated, or all")
	fs.StringVar(&c.baaDoc, "baa-document", "", "signed BAA document to store sealed")
	fs.StringVar(&c.region, "region", "", "where the vendor processes data")
	fs.StringVar(&c.retention, "retention", "", "the vendor's data retention (none, 30d, ...)")
	fs.BoolVar(&c.training, "training", false, "the vendor may train on what it is sent (never covered)")
	fs.StringVar(&c.note, "note", "", "a note")
	fs.StringVar(&c.models, "models", "", "models offered through phigate, comma-separated (default: any)")
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	c.fs = fs
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return errUsage
	}
	c.verb = args[0]
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		c.name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	needName := c.verb != "list"
	switch {
	case c.verb != "add" && c.verb != "list" && c.verb != "show" && c.verb != "update" && c.verb != "disable",
		fs.NArg() != 0, needName != (c.name != ""), c.verb == "add" && c.baseURL == "":
		fs.Usage()
		return errUsage
	}
	return nil
}

// Run does the verb.
func (c *VendorCommand) Run(ctx context.Context) error {
	d, err := c.m.loadDeployment(ctx, c.cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := d.vendorService()
	switch c.verb {
	case "list":
		return c.list(ctx, svc)
	case "show":
		v, err := svc.Get(ctx, c.name)
		if err != nil {
			return err
		}
		return c.show(v)
	case "disable":
		v, err := svc.Disable(ctx, c.actor(), c.name)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.m.Stdout, "disabled %s: no request reaches it any more\n", v.Name)
		return nil
	}
	ch, err := c.change()
	if err != nil {
		return err
	}
	var v *phigate.Vendor
	if c.verb == "add" {
		v, err = svc.Add(ctx, c.actor(), c.name, ch)
	} else {
		v, err = svc.Update(ctx, c.actor(), c.name, ch)
	}
	if err != nil {
		return err
	}
	return c.show(v)
}

func (c *VendorCommand) actor() string {
	who := c.m.Getenv("USER")
	if who == "" {
		who = "operator"
	}
	return "cli:" + who
}

// change turns the flags given into a VendorChange.
func (c *VendorCommand) change() (phigate.VendorChange, error) {
	var ch phigate.VendorChange
	var err error
	c.fs.Visit(func(f *flag.Flag) {
		if err == nil {
			err = c.setField(&ch, f.Name)
		}
	})
	if err == nil && c.verb == "add" && ch.BAAStatus != nil && *ch.BAAStatus == phigate.BAASigned && ch.BAACategories == nil {
		all := append([]phigate.Category(nil), phigate.Categories...)
		ch.BAACategories = &all
	}
	return ch, err
}

func (c *VendorCommand) setField(ch *phigate.VendorChange, name string) error {
	switch name {
	case "base-url":
		ch.BaseURL = &c.baseURL
	case "format":
		f := phigate.APIFormat(c.format)
		ch.Format = &f
	case "credential-env":
		ch.CredentialEnv = &c.credEnv
	case "credential-file":
		ch.CredentialFile = &c.credFile
	case "credential-stdin":
		b, err := io.ReadAll(io.LimitReader(c.m.Stdin, 64<<10))
		if err != nil {
			return fmt.Errorf("read credential: %w", err)
		}
		key := []byte(strings.TrimSpace(string(b)))
		ch.Credential = &key
	case "baa":
		s := phigate.BAAStatus(c.baa)
		ch.BAAStatus = &s
	case "baa-effective", "baa-expires":
		v := map[string]string{"baa-effective": c.baaEffective, "baa-expires": c.baaExpires}[name]
		t, err := parseWhen(v)
		if err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
		if name == "baa-effective" {
			ch.BAAEffective = &t
		} else {
			ch.BAAExpires = &t
		}
	case "baa-categories":
		cats, err := parseCategories(c.baaCat)
		if err != nil {
			return err
		}
		ch.BAACategories = &cats
	case "baa-document":
		b, err := os.ReadFile(c.baaDoc)
		if err != nil {
			return fmt.Errorf("read BAA document: %w", err)
		}
		base := c.baaDoc[strings.LastIndexByte(c.baaDoc, '/')+1:]
		ch.BAADocument, ch.BAADocumentName = &b, &base
	case "region":
		ch.Region = &c.region
	case "retention":
		ch.Retention = &c.retention
	case "training":
		ch.Training = &c.training
	case "note":
		ch.Note = &c.note
	case "models":
		ms := splitComma(c.models)
		ch.Models = &ms
	}
	return nil
}

// parseWhen reads 2006-01-02, 2006-01-02T15:04 or RFC 3339, in UTC.
func parseWhen(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02, 2006-01-02T15:04 or RFC 3339)", s)
}

func parseCategories(s string) ([]phigate.Category, error) {
	if strings.EqualFold(strings.TrimSpace(s), "all") {
		return append([]phigate.Category(nil), phigate.Categories...), nil
	}
	var out []phigate.Category
	for _, p := range splitComma(s) {
		c := phigate.Category(strings.ToUpper(p))
		if !c.Valid() {
			return nil, fmt.Errorf("--baa-categories: unknown category %q", p)
		}
		out = append(out, c)
	}
	return out, nil
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *VendorCommand) list(ctx context.Context, svc *gateway.VendorService) error {
	list, err := svc.List(ctx)
	if err != nil {
		return err
	}
	if c.asJSON {
		if list == nil {
			list = []*phigate.Vendor{}
		}
		return c.printJSON(map[string]any{"vendors": list})
	}
	now := time.Now()
	tw := tabwriter.NewWriter(c.m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFORMAT\tBASE URL\tBAA\tEXPIRES\tCOVERED NOW\tREGION\tSTATE")
	for _, v := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, v.Format, v.BaseURL, v.BAA.Status,
			dateOrDash(v.BAA.Expires), yesNo(v.CoveredAt(now)), dash(v.Region), vendorState(v))
	}
	return tw.Flush()
}

func (c *VendorCommand) show(v *phigate.Vendor) error {
	if c.asJSON {
		return c.printJSON(v)
	}
	now := time.Now()
	cred := "none"
	switch {
	case len(v.SealedCredential) > 0:
		cred = "stored (sealed)"
	case v.CredentialFile != "":
		cred = "file " + v.CredentialFile
	case v.CredentialEnv != "":
		cred = "environment " + v.CredentialEnv
	}
	w := c.m.Stdout
	fmt.Fprintf(w, "name:         %s\nstate:        %s\nformat:       %s\nbase url:     %s\ncredential:   %s\n",
		v.Name, vendorState(v), v.Format, v.BaseURL, cred)
	fmt.Fprintf(w, "baa:          %s\n", v.BAA.Status)
	if v.BAA.Status == phigate.BAASigned {
		cats := make([]string, len(v.BAA.Categories))
		for i, k := range v.BAA.Categories {
			cats[i] = string(k)
		}
		fmt.Fprintf(w, "baa effective: %s\nbaa expires:  %s\nbaa covers:   %s\n", v.BAA.Effective.Format(time.RFC3339),
			v.BAA.Expires.Format(time.RFC3339), strings.Join(cats, ","))
	}
	if v.BAADocumentName != "" {
		fmt.Fprintf(w, "baa document: %s (sha256 %s, sealed)\n", v.BAADocumentName, v.BAADocumentSHA256)
	}
	fmt.Fprintf(w, "covered now:  %s\nregion:       %s\nretention:    %s\ntraining:     %s\nmodels:       %s\nnote:         %s\n",
		yesNo(v.CoveredAt(now)), dash(v.Region), dash(v.Retention), yesNo(v.Training), dash(strings.Join(v.Models, ",")), dash(v.Note))
	return nil
}

func (c *VendorCommand) printJSON(v any) error {
	enc := json.NewEncoder(c.m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func vendorState(v *phigate.Vendor) string {
	if v.Disabled {
		return "disabled"
	}
	return "enabled"
}

func dateOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// vendorService returns the registry's service on the deployment's store.
// Changes need the deployment's audit log and, for stored secrets, its
// sealer; both are wired here once the keys and audit packages land.
func (d *deployment) vendorService() *gateway.VendorService {
	return &gateway.VendorService{Store: d.store, Sealer: d.gatewaySealer(), Audit: d.gatewayAudit()}
}

// gatewaySealer and gatewayAudit are the keys and audit services the
// gateway and the vendor registry use; without an audit log changes are
// refused, since they cannot be audited.
func (d *deployment) gatewaySealer() phigate.Sealer  { return d.sealer() }
func (d *deployment) gatewayAudit() phigate.AuditLog { return d.audit }

// checkBAAs warns 30 days before a vendor's BAA expires and fails when an
// enabled vendor's BAA has expired (PHI is then refused for it).
func checkBAAs(ctx context.Context, d *deployment) checkResult {
	if d.store == nil {
		return fail("database not open")
	}
	list, err := d.store.ListVendors(ctx)
	if err != nil {
		return fail("%v", err)
	}
	now := time.Now()
	exp := gateway.ExpiringBAAs(list, now, gateway.DefaultBAAWarning)
	if len(exp) == 0 {
		return pass("%d vendors, no BAA expires within 30 days", len(list))
	}
	v := exp[0]
	if !v.BAA.Expires.After(now) {
		return fail("vendor %s: BAA expired on %s; PHI is refused for it (%d vendor(s) to review)",
			v.Name, v.BAA.Expires.Format("2006-01-02 15:04"), len(exp))
	}
	return warn("vendor %s: BAA expires on %s, in %d days (%d vendor(s) to review)", v.Name,
		v.BAA.Expires.Format("2006-01-02 15:04"), int(v.BAA.Expires.Sub(now).Hours()/24), len(exp))
}
