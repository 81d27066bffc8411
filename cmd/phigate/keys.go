package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"golang.org/x/term"
)

// KeysConfig configures the key-encryption keys: the local key file, its
// passphrase, and optionally an external KMS (Vault/OpenBao transit).
type KeysConfig struct {
	Passphrase       string   `toml:"passphrase" flag:"key-passphrase" secret:"true" help:"passphrase sealing the key file (argon2id); asked on a terminal when needed"`
	PassphraseFile   string   `toml:"passphrase_file" flag:"key-passphrase-file" fileof:"key-passphrase" help:"file holding the key file's passphrase"`
	RotationPeriod   Duration `toml:"rotation_period" flag:"key-rotation-period" help:"doctor warns when the active key-encryption key is older"`
	KMS              string   `toml:"kms" flag:"kms" help:"where key-encryption keys live: file (the key file) or transit (Vault/OpenBao)"`
	TransitAddress   string   `toml:"transit_address" flag:"transit-address" help:"Vault/OpenBao address, https://host:8200"`
	TransitToken     string   `toml:"transit_token" flag:"transit-token" secret:"true" help:"Vault/OpenBao token"`
	TransitTokenFile string   `toml:"transit_token_file" flag:"transit-token-file" fileof:"transit-token" help:"file holding the Vault/OpenBao token"`
	TransitMount     string   `toml:"transit_mount" flag:"transit-mount" help:"transit engine mount path"`
	TransitKey       string   `toml:"transit_key" flag:"transit-key" help:"transit key name"`
}

// DefaultKeysConfig returns the key settings of a fresh install.
func DefaultKeysConfig() KeysConfig {
	return KeysConfig{RotationPeriod: Duration(keys.DefaultRotationPeriod), KMS: "file",
		TransitMount: keys.DefaultTransitMount, TransitKey: keys.DefaultTransitKey}
}

// validate checks the key settings.
func (k *KeysConfig) validate() error {
	switch k.KMS {
	case "file":
	case "transit":
		if k.TransitAddress == "" || k.TransitToken == "" {
			return errors.New("config: keys.kms = transit needs keys.transit_address and a token (keys.transit_token or keys.transit_token_file)")
		}
	default:
		return fmt.Errorf("config: keys.kms %q must be file or transit", k.KMS)
	}
	if k.RotationPeriod <= 0 {
		return errors.New("config: keys.rotation_period must be positive")
	}
	return nil
}

// passphrase returns the key file's passphrase: configured (flag,
// environment, _FILE), else asked on the terminal when the file is sealed
// and stdin is one, else nil.
func (m *Main) passphrase(cfg Config, path string) ([]byte, error) {
	if cfg.Keys.Passphrase != "" {
		return []byte(cfg.Keys.Passphrase), nil
	}
	sealed, err := keys.KeyFileSealed(path)
	if err != nil || !sealed {
		return nil, err
	}
	f, ok := m.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, fmt.Errorf("key file %s is sealed: set PHIGATE_KEY_PASSPHRASE or PHIGATE_KEY_PASSPHRASE_FILE", path)
	}
	fmt.Fprintf(m.Stderr, "Passphrase for %s: ", path)
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(m.Stderr)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	return p, nil
}

// createKeyFile makes the key file of a new deployment, sealed when a
// passphrase is configured. It overwrites nothing.
func createKeyFile(path string, passphrase string) error {
	f := &keys.KeyFile{Path: path, Passphrase: []byte(passphrase)}
	if _, err := f.Create(); err != nil {
		return fmt.Errorf("key file %s cannot be created: %w", path, err)
	}
	return nil
}

// loadRing loads the deployment's key file.
func (m *Main) loadRing(cfg Config, path string) (*keys.Ring, error) {
	pass, err := m.passphrase(cfg, path)
	if err != nil {
		return nil, err
	}
	r, err := keys.LoadKeyFile(path, pass)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	return r, nil
}

// openKMS returns the source of key-encryption keys: the ring itself, or
// the transit engine.
func openKMS(ctx context.Context, cfg Config, ring *keys.Ring) (keys.KMS, error) {
	if cfg.Keys.KMS != "transit" {
		return ring, nil
	}
	t := keys.NewTransit(cfg.Keys.TransitAddress, cfg.Keys.TransitToken)
	t.Mount, t.Key = cfg.Keys.TransitMount, cfg.Keys.TransitKey
	if err := t.EnsureKey(ctx); err != nil {
		return nil, fmt.Errorf("transit: %w", err)
	}
	return t, nil
}

// openEnvelope loads the keys of d and returns the envelope that seals PHI
// at rest in d's store (phigate.Sealer and phigate.Hasher) and the ring
// (HMAC key and node signing keys).
func (m *Main) openEnvelope(ctx context.Context, d *deployment) (*keys.Envelope, *keys.Ring, error) {
	ring, err := m.loadRing(d.cfg, d.keyFile)
	if err != nil {
		return nil, nil, err
	}
	kms, err := openKMS(ctx, d.cfg, ring)
	if err != nil {
		return nil, nil, err
	}
	e := keys.NewEnvelope(ring, d.store)
	e.KMS = kms
	return e, ring, nil
}

// sealer and hasher return the deployment's envelope as the root
// interfaces, or nil when its keys are not open.
func (d *deployment) sealer() phigate.Sealer {
	if d.envelope == nil {
		return nil
	}
	return d.envelope
}

func (d *deployment) hasher() phigate.Hasher {
	if d.envelope == nil {
		return nil
	}
	return d.envelope
}

// KeysCommand manages the key-encryption keys: rotate, rewrap, retire and
// status.
type KeysCommand struct {
	m      *Main
	cfg    *configLoader
	action string
	json   bool
	force  bool
	min    uint64
}

const keysUsage = `keys <rotate|rewrap|retire|status> [flags]

  rotate   add a key-encryption key version; new data keys use it
  rewrap   re-wrap every stored data key under the newest version, without
           decrypting any record; safe while serving, resumes after a crash
  retire   --min N: versions below N can no longer decrypt (refused while
           data keys still need them, unless --force)
  status   versions, their ages, how many data keys each wraps, rewrap progress`

// ParseFlags reads the action and flags.
func (c *KeysCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("keys", keysUsage)
	c.cfg = bindConfig(fs)
	fs.BoolVar(&c.json, "json", false, "status: print JSON")
	fs.BoolVar(&c.force, "force", false, "retire: even while data keys need the versions")
	fs.Uint64Var(&c.min, "min", 0, "retire: the new minimum decryption version")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return errUsage
	}
	c.action = args[0]
	if !slices.Contains([]string{"rotate", "rewrap", "retire", "status"}, c.action) {
		fmt.Fprintf(c.m.Stderr, "phigate keys: unknown action %q\n", c.action)
		fs.Usage()
		return errUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if c.action == "retire" && (c.min == 0 || c.min > 1<<32-1) {
		return errors.New("retire needs --min N (a key version)")
	}
	return nil
}

// Run opens the deployment's store and keys and does the action.
func (c *KeysCommand) Run(ctx context.Context) error {
	cfg, err := c.cfg.Load(c.m.Getenv)
	if err != nil {
		return err
	}
	d := &deployment{cfg: cfg, log: c.m.newLogger("error")}
	d.paths()
	if _, err := os.Stat(d.keyFile); err != nil {
		return fmt.Errorf("no key file at %s: start phigate serve once, or set --data-dir", d.keyFile)
	}
	if d.store, err = openStore(cfg); err != nil {
		return err
	}
	defer d.Close()
	e, _, err := c.m.openEnvelope(ctx, d)
	if err != nil {
		return err
	}
	switch c.action {
	case "rotate":
		return c.rotate(ctx, e)
	case "rewrap":
		return c.rewrap(ctx, e)
	case "retire":
		return c.retire(ctx, e)
	}
	return c.status(ctx, e)
}

func (c *KeysCommand) rotate(ctx context.Context, e *keys.Envelope) error {
	v, err := e.Rotate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.m.Stdout, "key-encryption key version %d is active: new data keys use it.\n"+
		"Restart or reload running nodes, then run 'phigate keys rewrap' to re-wrap existing data keys.\n", v)
	return nil
}

func (c *KeysCommand) rewrap(ctx context.Context, e *keys.Envelope) error {
	start := time.Now()
	job, err := e.Rewrap(ctx, func(j *phigate.RewrapJob) { c.progress(j) })
	if job != nil {
		fmt.Fprintln(c.m.Stderr)
	}
	if err != nil {
		return fmt.Errorf("rewrap stopped (run it again to resume): %w", err)
	}
	fmt.Fprintf(c.m.Stdout, "rewrap to version %d: %d of %d data keys re-wrapped, %d failed, in %s\n",
		job.Target, job.Done, job.Total, job.Failed, time.Since(start).Round(time.Millisecond))
	if job.Failed > 0 {
		return fmt.Errorf("%d data keys could not be re-wrapped (damaged or under a retired version)", job.Failed)
	}
	return nil
}

// progress prints one progress line, redrawn in place.
func (c *KeysCommand) progress(j *phigate.RewrapJob) {
	pct := 100
	if j.Total > 0 {
		pct = min(100, (j.Done+j.Failed)*100/j.Total)
	}
	fmt.Fprintf(c.m.Stderr, "\rrewrap to version %d: %d/%d (%d%%), %d failed", j.Target, j.Done+j.Failed, j.Total, pct, j.Failed)
}

func (c *KeysCommand) retire(ctx context.Context, e *keys.Envelope) error {
	if err := e.Retire(ctx, uint32(c.min), c.force); err != nil {
		return err
	}
	fmt.Fprintf(c.m.Stdout, "minimum decryption version is now %d\n", c.min)
	return nil
}

func (c *KeysCommand) status(ctx context.Context, e *keys.Envelope) error {
	s, err := e.Status(ctx)
	if err != nil {
		return err
	}
	if c.json {
		return writeStatusJSON(c.m.Stdout, s, time.Now())
	}
	writeStatus(c.m.Stdout, s, time.Now())
	return nil
}

// writeStatus prints the status as a table.
func writeStatus(w io.Writer, s *keys.Status, now time.Time) {
	fmt.Fprintf(w, "key-encryption key source: %s; active version %d; minimum decryption version %d\n\n", s.KEK.Source, s.KEK.Active, s.KEK.Min)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tCREATED\tAGE\tDATA KEYS")
	for _, v := range s.KEK.Versions {
		created, age := "-", "-"
		if !v.CreatedAt.IsZero() {
			created, age = v.CreatedAt.Format(time.DateTime), strconv.Itoa(int(now.Sub(v.CreatedAt).Hours()/24))+"d"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", v.Version, versionState(s.KEK, v), created, age, s.DataKeys[v.Version])
	}
	tw.Flush()
	for v, n := range s.DataKeys {
		if !slices.ContainsFunc(s.KEK.Versions, func(k keys.KEKVersion) bool { return k.Version == v }) {
			fmt.Fprintf(w, "WARNING: %d data keys are wrapped under version %d, which the key source does not have\n", n, v)
		}
	}
	if j := s.Rewrap; j != nil {
		state := "interrupted: run 'phigate keys rewrap' to resume"
		if !j.FinishedAt.IsZero() {
			state = "finished " + j.FinishedAt.Format(time.DateTime)
		}
		fmt.Fprintf(w, "\nrewrap to version %d: %d/%d re-wrapped, %d failed, %s\n", j.Target, j.Done, j.Total, j.Failed, state)
	}
	fmt.Fprintf(w, "shredded subjects: %d\n", s.Shreds)
}

func versionState(k *keys.KEKStatus, v keys.KEKVersion) string {
	switch {
	case v.Version == k.Active:
		return "active"
	case v.Retired:
		return "retired"
	}
	return "decrypt-only"
}

// writeStatusJSON prints the status for scripts.
func writeStatusJSON(w io.Writer, s *keys.Status, now time.Time) error {
	type version struct {
		Version   uint32    `json:"version"`
		State     string    `json:"state"`
		CreatedAt time.Time `json:"created_at,omitzero"`
		AgeDays   int       `json:"age_days"`
		DataKeys  int       `json:"data_keys"`
	}
	out := struct {
		Source   string             `json:"source"`
		Active   uint32             `json:"active"`
		Min      uint32             `json:"min_decryption_version"`
		Versions []version          `json:"versions"`
		Rewrap   *phigate.RewrapJob `json:"rewrap,omitempty"`
		Shreds   int                `json:"shredded_subjects"`
	}{Source: s.KEK.Source, Active: s.KEK.Active, Min: s.KEK.Min, Rewrap: s.Rewrap, Shreds: s.Shreds}
	for _, v := range s.KEK.Versions {
		ver := version{Version: v.Version, State: versionState(s.KEK, v), CreatedAt: v.CreatedAt, DataKeys: s.DataKeys[v.Version]}
		if !v.CreatedAt.IsZero() {
			ver.AgeDays = int(now.Sub(v.CreatedAt).Hours() / 24)
		}
		out.Versions = append(out.Versions, ver)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// checkKeyRotation is the doctor check of the active key's age.
func checkKeyRotation(ctx context.Context, d *deployment) checkResult {
	if _, err := os.Stat(d.keyFile); err != nil {
		return fail("no key file at %s", d.keyFile)
	}
	sealed, err := keys.KeyFileSealed(d.keyFile)
	if err != nil {
		return fail("%v", err)
	}
	if sealed && d.cfg.Keys.Passphrase == "" {
		return warn("key file is sealed: set PHIGATE_KEY_PASSPHRASE(_FILE) to check the key's age")
	}
	ring, err := keys.LoadKeyFile(d.keyFile, []byte(d.cfg.Keys.Passphrase))
	if err != nil {
		return fail("%v", err)
	}
	kms, err := openKMS(ctx, d.cfg, ring)
	if err != nil {
		return fail("%v", err)
	}
	r, err := keys.CheckRotation(ctx, kms, d.cfg.Keys.RotationPeriod.D(), time.Now())
	if err != nil {
		return fail("%v", err)
	}
	days := func(t time.Duration) int { return int(t.Hours() / 24) }
	if r.Due {
		return warn("active key-encryption key version %d is %d days old, rotation period is %d days: run 'phigate keys rotate' then 'phigate keys rewrap'",
			r.Version, days(r.Age), days(r.Period))
	}
	return pass("active key-encryption key version %d is %d days old (rotation every %d days)", r.Version, days(r.Age), days(r.Period))
}
