package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// errAuditProblem makes verify exit 1 after printing its report.
var errAuditProblem = errors.New("the audit log failed verification")

func (c *AuditCommand) verify(ctx context.Context, env *auditEnv) error {
	v := &audit.Verifier{Store: env.d.store, Keys: env.keys, Origin: env.log.Origin}
	if c.opts.mirror != "" {
		notes, err := audit.ReadMirror(c.opts.mirror)
		if err != nil {
			return err
		}
		v.Trusted = notes
	}
	var reports []*audit.Report
	for _, path := range c.opts.segments {
		seg, err := verifySegmentFile(path, env.keys, env.log.Origin)
		if err != nil {
			return err
		}
		reports = append(reports, &seg.Report)
	}
	rep, err := v.Verify(ctx)
	if err != nil {
		return err
	}
	reports = append(reports, rep)
	c.print(reports, func(w io.Writer) {
		for _, r := range reports {
			printReport(w, r)
		}
	})
	for _, r := range reports {
		if !r.OK() {
			return errAuditProblem
		}
	}
	return nil
}

func verifySegmentFile(path string, keys []audit.VerifierKey, origin string) (*audit.Segment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("segment: %w", err)
	}
	defer f.Close()
	return audit.VerifySegment(f, keys, origin)
}

func printReport(w io.Writer, r *audit.Report) {
	if !r.OK() {
		fmt.Fprintf(w, "FAIL  %s\n", r.Problem)
		return
	}
	if r.Checkpoints == 0 {
		fmt.Fprintf(w, "OK    events %d..%d chained; no signed checkpoint yet: %d events await the first\n", r.First, r.Size, r.Size-r.Covered)
		return
	}
	fmt.Fprintf(w, "OK    events %d..%d, %d checkpoints verified (signed by %s), covered through %d",
		r.First, r.Size, r.Checkpoints, strings.Join(r.Signers, ", "), r.Covered)
	if r.Size > r.Covered {
		fmt.Fprintf(w, "; %d newer events await the next checkpoint", r.Size-r.Covered)
	}
	fmt.Fprintln(w)
}

func (c *AuditCommand) prove(ctx context.Context, env *auditEnv) error {
	var proof any
	if c.opts.consistency != "" {
		old, nw, ok := strings.Cut(c.opts.consistency, ":")
		a, err1 := strconv.ParseInt(old, 10, 64)
		b, err2 := strconv.ParseInt(nw, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return phigate.Errorf(phigate.EINVALID, "audit prove", "--consistency wants OLD:NEW sizes")
		}
		p, err := audit.ProveConsistency(ctx, env.d.store, a, b)
		if err != nil {
			return err
		}
		proof = p
	} else {
		seq, err := strconv.ParseInt(c.fs.Arg(0), 10, 64)
		if err != nil || seq < 1 {
			return phigate.Errorf(phigate.EINVALID, "audit prove", "EVENT must be an event number")
		}
		p, err := audit.Prove(ctx, env.d.store, seq, c.opts.checkpoint)
		if err != nil {
			return err
		}
		proof = p
	}
	enc := json.NewEncoder(c.m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(proof)
}

// checkProof checks a proof offline, with only the trusted keys.
func (c *AuditCommand) checkProof() error {
	var b []byte
	var err error
	if c.opts.check == "-" {
		b, err = io.ReadAll(c.m.Stdin)
	} else {
		b, err = os.ReadFile(c.opts.check)
	}
	if err != nil {
		return fmt.Errorf("read proof: %w", err)
	}
	keys, err := c.trustedKeys(nil)
	if err != nil || len(keys) == 0 {
		return phigate.Errorf(phigate.EINVALID, "audit prove", "--check needs --trusted-key or --trusted-keys")
	}
	var head struct{ Format string }
	json.Unmarshal(b, &head)
	if head.Format == audit.ConsistencyProofV1 {
		var p audit.Consistency
		if err := json.Unmarshal(b, &p); err != nil {
			return phigate.Errorf(phigate.EINVALID, "audit prove", "malformed proof")
		}
		if err := p.Verify(keys); err != nil {
			return fmt.Errorf("proof does not verify: %w", err)
		}
		fmt.Fprintln(c.m.Stdout, "OK    the newer checkpoint extends the older one")
		return nil
	}
	var p audit.Proof
	if err := json.Unmarshal(b, &p); err != nil {
		return phigate.Errorf(phigate.EINVALID, "audit prove", "malformed proof")
	}
	cp, err := p.Verify(keys)
	if err != nil {
		return fmt.Errorf("proof does not verify: %w", err)
	}
	fmt.Fprintf(c.m.Stdout, "OK    event %d is in %s as of its checkpoint of size %d\n", p.Seq, cp.Origin, cp.Size)
	return nil
}

// query builds the filter of search and export.
func (c *AuditCommand) query(env *auditEnv) (phigate.AuditQuery, error) {
	o := c.opts
	q := phigate.AuditQuery{Actor: o.actor, Action: o.action, Outcome: phigate.Outcome(o.outcome),
		Resource: o.resource, After: o.after, Limit: o.limit}
	var err error
	if q.Since, err = parseTime("since", o.since); err != nil {
		return q, err
	}
	if q.Until, err = parseTime("until", o.until); err != nil {
		return q, err
	}
	q.Patient, err = c.patient(env, false)
	return q, err
}

// patient returns the HMAC of --patient, or --patient-hmac.
func (c *AuditCommand) patient(env *auditEnv, required bool) (string, error) {
	switch {
	case c.opts.patientHMAC != "":
		return c.opts.patientHMAC, nil
	case c.opts.patient != "":
		if env.reader.Hasher == nil {
			return "", phigate.Errorf(phigate.EINVALID, "audit", "no key ring to hash --patient: give --patient-hmac")
		}
		return env.reader.PatientKey(c.opts.patient)
	case required:
		return "", phigate.Errorf(phigate.EINVALID, "audit", "--patient or --patient-hmac is required")
	}
	return "", nil
}

func (c *AuditCommand) search(ctx context.Context, env *auditEnv) error {
	q, err := c.query(env)
	if err != nil {
		return err
	}
	p, err := env.reader.Search(ctx, env.caller, q)
	if err != nil {
		return err
	}
	c.print(p, func(w io.Writer) {
		for _, e := range p.Events {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.Format(time.RFC3339), e.Actor,
				e.Action, e.Outcome, dash(e.Resource), dash(strings.Join(e.Patients, ",")))
		}
		if p.Next != 0 {
			fmt.Fprintf(w, "# more: --after %d\n", p.Next)
		}
	})
	return nil
}

func (c *AuditCommand) export(ctx context.Context, env *auditEnv) error {
	enc, err := audit.NewEncoder(c.opts.format, nodeName())
	if err != nil {
		return err
	}
	q, err := c.query(env)
	if err != nil {
		return err
	}
	w := c.m.Stdout
	if c.opts.out != "" {
		f, err := os.OpenFile(c.opts.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer f.Close()
		w = f
	}
	n, err := env.reader.Export(ctx, env.caller, w, enc, q)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.m.Stderr, "exported %d events\n", n)
	return nil
}

func (c *AuditCommand) disclosures(ctx context.Context, env *auditEnv) error {
	pat, err := c.patient(env, true)
	if err != nil {
		return err
	}
	since, err := parseTime("since", c.opts.since)
	if err != nil {
		return err
	}
	ds, err := env.reader.Disclosures(ctx, env.caller, pat, since)
	if err != nil {
		return err
	}
	c.print(ds, func(w io.Writer) {
		fmt.Fprintf(w, "Accounting of disclosures for patient %s (%d)\n", pat, len(ds))
		fmt.Fprintln(w, "DATE\tRECIPIENT\tPURPOSE\tDESCRIPTION")
		for _, d := range ds {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", d.Time.Format(time.RFC3339), d.Recipient, dash(string(d.Purpose)), d.Description)
		}
	})
	return nil
}
