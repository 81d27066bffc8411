package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// AuditCommand reads, checks and exports the audit log:
// verify, prove, search, export, disclosures, archive.
type AuditCommand struct {
	m    *Main
	sub  string
	cfg  *configLoader
	fs   *flag.FlagSet
	opts auditOpts
}

// auditOpts holds every flag of the audit subcommands.
type auditOpts struct {
	trusted     multiFlag
	trustedFile string
	mirror      string
	segments    multiFlag
	jsonOut     bool
	checkpoint  int64
	consistency string
	check       string
	since       string
	until       string
	actor       string
	action      string
	outcome     string
	resource    string
	patient     string
	patientHMAC string
	after       int64
	limit       int
	format      string
	out         string
	before      string
	prune       string
	retention   int
}

const auditUsage = `audit <verify|prove|search|export|disclosures|archive> [flags] [arguments]

  verify        walk the chain and its signed checkpoints; report the first event
                changed, removed, reordered or truncated (exit 1)
  prove EVENT   print an inclusion proof of EVENT against a signed checkpoint;
                --consistency OLD:NEW proves two checkpoints; --check FILE checks a proof
  search        events by --since --until --actor --action --outcome --resource --patient
  export        --format jsonl|cef|syslog for --since/--until, to --out or stdout
  disclosures   --patient ID [--since DATE]: the accounting of disclosures (45 CFR 164.528)
  archive       --out FILE [--before DATE]: write old events as a self-verifying segment;
                --prune FILE removes an archived segment's events once past retention

Reading the log is itself recorded in it. Dates are RFC 3339 or YYYY-MM-DD.`

// ParseFlags reads the subcommand and its flags.
func (c *AuditCommand) ParseFlags(args []string) error {
	c.fs = c.m.newFlagSet("audit", auditUsage)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		c.fs.Usage()
		return errUsage
	}
	c.sub, args = args[0], args[1:]
	c.cfg = bindConfig(c.fs)
	o := &c.opts
	c.fs.Var(&o.trusted, "trusted-key", "a trusted checkpoint verifier key (repeatable; default: this node's)")
	c.fs.StringVar(&o.trustedFile, "trusted-keys", "", "file of trusted verifier keys, one a line")
	c.fs.StringVar(&o.mirror, "checkpoints", "", "verify: the checkpoint mirror file kept in a second place")
	c.fs.Var(&o.segments, "segment", "verify: an archive segment to verify (repeatable)")
	c.fs.BoolVar(&o.jsonOut, "json", false, "print JSON")
	c.fs.Int64Var(&o.checkpoint, "checkpoint", 0, "prove: the checkpoint size to prove against (default: newest)")
	c.fs.StringVar(&o.consistency, "consistency", "", "prove: OLD:NEW checkpoint sizes")
	c.fs.StringVar(&o.check, "check", "", "prove: check the proof in FILE ('-': stdin)")
	c.fs.StringVar(&o.since, "since", "", "events at or after this time")
	c.fs.StringVar(&o.until, "until", "", "events before this time")
	c.fs.StringVar(&o.actor, "actor", "", "user or API key id")
	c.fs.StringVar(&o.action, "action", "", "action, or a prefix ending in '.' or '*'")
	c.fs.StringVar(&o.outcome, "outcome", "", "success, denied or failure")
	c.fs.StringVar(&o.resource, "resource", "", "resource")
	c.fs.StringVar(&o.patient, "patient", "", "patient identifier (hashed before use)")
	c.fs.StringVar(&o.patientHMAC, "patient-hmac", "", "patient, as the keyed HMAC events carry")
	c.fs.Int64Var(&o.after, "after", 0, "search: events after this seq (paging)")
	c.fs.IntVar(&o.limit, "limit", audit.DefaultPageSize, "search: events per page")
	c.fs.StringVar(&o.format, "format", audit.FormatJSONL, "export: jsonl, cef or syslog")
	c.fs.StringVar(&o.out, "out", "", "export, archive: output file (export default: stdout)")
	c.fs.StringVar(&o.before, "before", "", "archive: only events before this time")
	c.fs.StringVar(&o.prune, "prune", "", "archive: remove the events of this archived segment")
	c.fs.IntVar(&o.retention, "retention-years", 6, "archive --prune: retention in years (at least 6)")
	if err := c.fs.Parse(args); err != nil {
		return err
	}
	switch c.sub {
	case "verify", "search", "export", "disclosures", "archive":
		if c.fs.NArg() != 0 {
			return fmt.Errorf("unexpected argument %q", c.fs.Arg(0))
		}
	case "prove":
		if c.fs.NArg() > 1 || (c.fs.NArg() == 0 && o.consistency == "" && o.check == "") {
			return errors.New("prove needs one EVENT, --consistency OLD:NEW or --check FILE")
		}
	default:
		return fmt.Errorf("unknown audit command %q", c.sub)
	}
	return nil
}

// auditEnv is what the audit subcommands work on.
type auditEnv struct {
	d      *deployment
	log    *audit.Log
	keys   []audit.VerifierKey
	reader *audit.Reader
	caller audit.Caller
}

// Run runs the subcommand.
func (c *AuditCommand) Run(ctx context.Context) error {
	if c.sub == "prove" && c.opts.check != "" {
		return c.checkProof()
	}
	cfg, err := c.cfg.Load(c.m.Getenv)
	if err != nil {
		return err
	}
	d, err := c.m.openDeployment(ctx, cfg, c.m.newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	env, err := c.openAudit(d)
	if err != nil {
		return err
	}
	switch c.sub {
	case "verify":
		return c.verify(ctx, env)
	case "prove":
		return c.prove(ctx, env)
	case "search":
		return c.search(ctx, env)
	case "export":
		return c.export(ctx, env)
	case "disclosures":
		return c.disclosures(ctx, env)
	}
	return c.archive(ctx, env)
}

// openAudit takes the deployment's audit log (opened by openDeployment),
// the trusted keys, and a reader acting for the local operator.
func (c *AuditCommand) openAudit(d *deployment) (*auditEnv, error) {
	l := d.auditlog
	keys, err := c.trustedKeys(l)
	if err != nil {
		return nil, err
	}
	if len(c.opts.trusted) == 0 && c.opts.trustedFile == "" {
		others, err := d.cfg.Audit.verifierKeys()
		if err != nil {
			return nil, err
		}
		keys = append(keys, others...)
	}
	env := &auditEnv{d: d, log: l, keys: keys}
	env.reader = &audit.Reader{Store: d.store, Log: l, Hasher: auditHasher(d)}
	env.caller = audit.Caller{Source: "cli", Principal: &phigate.Principal{UserID: "cli:" + osUser(),
		Roles: []phigate.Role{phigate.RoleAuditor}}}
	return env, nil
}

// openAuditLog opens the audit log of a deployment, signing checkpoints
// with this node's Ed25519 key from the key ring; set adjusts the log
// before it opens.
func openAuditLog(d *deployment, set func(*audit.Log)) (*audit.Log, error) {
	if d.ring == nil {
		return nil, phigate.Errorf(phigate.EAUDIT, "openAuditLog", "the key ring is not open")
	}
	sk, err := d.ring.SigningKey(d.cfg.Audit.nodeName())
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	trusted, err := d.cfg.Audit.verifierKeys()
	if err != nil {
		return nil, err
	}
	l := audit.NewLog()
	l.Store, l.KeyName, l.Trusted = d.store, sk.Node(), trusted
	l.Signer = audit.FuncSigner{PublicKey: ed25519.PublicKey(sk.Public().Bytes()), SignFunc: sk.Sign}
	if d.cfg.Audit.Origin != "" {
		l.Origin = d.cfg.Audit.Origin
	}
	if set != nil {
		set(l)
	}
	if err := l.Open(); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return l, nil
}

// openCLIAudit opens the audit log as a command-line tool does: it records
// the tool's own events and leaves checkpoints to the serving nodes.
func openCLIAudit(d *deployment) (*audit.Log, error) {
	return openAuditLog(d, func(l *audit.Log) {
		l.CheckpointEvery, l.CheckpointInterval, l.FinalCheckpoint = math.MaxInt64, -1, false
	})
}

// auditMirrorName is the file in the data folder that keeps a second copy
// of every checkpoint (audit verify --checkpoints reads it).
const auditMirrorName = "audit-checkpoints.jsonl"

// openServingAudit opens the audit log as a serving node does: checkpoints
// every checkpoint_every events or checkpoint_interval, each copied to the
// mirror file (and to syslog when a SIEM forwarder is configured), events
// forwarded to the SIEM. Close commits pending events and signs a last
// checkpoint; it is closed after the server drains.
func openServingAudit(d *deployment) (*audit.Log, error) {
	fwd, err := d.cfg.Audit.openForwarder(d)
	if err != nil {
		return nil, err
	}
	l, err := openAuditLog(d, func(l *audit.Log) {
		d.cfg.Audit.apply(l)
		var mirrors audit.Mirrors
		if path := d.cfg.Audit.mirrorPath(d.cfg.DataDir); path != "" {
			mirrors = append(mirrors, &audit.FileMirror{Path: path})
		}
		if fwd != nil {
			mirrors = append(mirrors, fwd)
			l.Followers = append(l.Followers, fwd)
		}
		if len(mirrors) > 0 {
			l.Mirror = mirrors
		}
		if d.log != nil {
			l.OnError = func(op string, err error) { d.log.Error("audit", "op", op, "err", err.Error()) }
		}
	})
	if err != nil {
		if fwd != nil {
			fwd.Close()
		}
		return nil, err
	}
	d.forwarder = fwd
	return l, nil
}

// auditHasher returns the Hasher of patient identifiers: the deployment's
// keys (nil without them; patients are then given by --patient-hmac).
var auditHasher = func(d *deployment) phigate.Hasher { return d.hasher() }

// nodeName names this node in checkpoint signatures: its host name.
func nodeName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return audit.DefaultKeyName
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == '+' || r > '~' {
			return '_'
		}
		return r
	}, h)
}

func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}

// trustedKeys returns the keys given by flags, or this node's.
func (c *AuditCommand) trustedKeys(l *audit.Log) ([]audit.VerifierKey, error) {
	lines := append([]string(nil), c.opts.trusted...)
	if c.opts.trustedFile != "" {
		b, err := os.ReadFile(c.opts.trustedFile)
		if err != nil {
			return nil, fmt.Errorf("trusted keys: %w", err)
		}
		for _, s := range strings.Split(string(b), "\n") {
			if s = strings.TrimSpace(s); s != "" && !strings.HasPrefix(s, "#") {
				lines = append(lines, s)
			}
		}
	}
	var keys []audit.VerifierKey
	for i, s := range lines {
		k, err := audit.ParseVerifierKey(s)
		if err != nil {
			return nil, fmt.Errorf("trusted key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 && l != nil {
		k, err := l.Verifier()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (c *AuditCommand) print(v any, text func(w io.Writer)) {
	if c.opts.jsonOut {
		enc := json.NewEncoder(c.m.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(v)
		return
	}
	text(c.m.Stdout)
}

// parseTime reads RFC 3339 or YYYY-MM-DD (UTC midnight); "" is zero.
func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, phigate.Errorf(phigate.EINVALID, "audit", "--%s: not an RFC 3339 time or YYYY-MM-DD date", name)
}
