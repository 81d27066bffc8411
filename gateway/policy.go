package gateway

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Mode is what a policy does with PHI.
type Mode string

// The modes.
const (
	// ModeAllow sends PHI as is, but only to a covered vendor and only in
	// the categories its BAA covers, less Policy.Strip; everything else is
	// replaced with placeholders.
	ModeAllow Mode = "allow"
	// ModeDeidentify replaces every PHI value, whatever the vendor.
	ModeDeidentify Mode = "deidentify"
	// ModeBlock refuses a request that holds PHI.
	ModeBlock Mode = "block"
)

// Method is how PHI is replaced.
type Method string

// The methods.
const (
	MethodPlaceholder Method = "placeholder" // random codes like [NAME-7KQ2XM]
	MethodSurrogate   Method = "surrogate"   // realistic fakes; dates shifted by one offset per conversation
)

// OutputScan is what happens to PHI in an answer that the caller did not
// send.
type OutputScan string

// The output scan settings.
const (
	OutputRedact OutputScan = "redact" // replace it with [REDACTED] and flag it in the audit log
	OutputFlag   OutputScan = "flag"   // flag it in the audit log only
	OutputOff    OutputScan = "off"
)

// Policy decides what PHI may reach a vendor. Policies are set on routes
// and API keys on the server; no client header can weaken them.
type Policy struct {
	Mode   Mode   `json:"mode" toml:"mode"`
	Method Method `json:"method,omitempty" toml:"method"`
	// Strip lists categories that ModeAllow always replaces (minimum
	// necessary); nil means DefaultStrip.
	Strip []phigate.Category `json:"strip,omitempty" toml:"strip"`
	// KeepYears leaves lone years as they are, which Safe Harbor allows.
	KeepYears  bool       `json:"keep_years,omitempty" toml:"keep_years"`
	OutputScan OutputScan `json:"output_scan,omitempty" toml:"output_scan"`
}

// DefaultStrip lists the categories ModeAllow strips when a policy names none.
var DefaultStrip = []phigate.Category{phigate.SSN}

// DefaultPolicy is the policy of a route and key that set none: PHI goes
// as is to covered vendors (less SSNs), as placeholders to the others.
var DefaultPolicy = Policy{Mode: ModeAllow, Method: MethodPlaceholder, OutputScan: OutputRedact}

// Validate checks p and fills its defaults.
func (p *Policy) Validate() error {
	const op = "gateway.Policy.Validate"
	switch p.Mode {
	case ModeAllow, ModeDeidentify, ModeBlock:
	case "":
		p.Mode = DefaultPolicy.Mode
	default:
		return phigate.Errorf(phigate.EINVALID, op, "mode must be allow, deidentify or block")
	}
	switch p.Method {
	case MethodPlaceholder, MethodSurrogate:
	case "":
		p.Method = MethodPlaceholder
	default:
		return phigate.Errorf(phigate.EINVALID, op, "method must be placeholder or surrogate")
	}
	switch p.OutputScan {
	case OutputRedact, OutputFlag, OutputOff:
	case "":
		p.OutputScan = OutputRedact
	default:
		return phigate.Errorf(phigate.EINVALID, op, "output_scan must be redact, flag or off")
	}
	for _, c := range p.Strip {
		if !c.Valid() {
			return phigate.Errorf(phigate.EINVALID, op, "strip: unknown category %q", string(c))
		}
	}
	return nil
}

var modeRank = map[Mode]int{ModeAllow: 0, ModeDeidentify: 1, ModeBlock: 2}
var scanRank = map[OutputScan]int{OutputOff: 0, OutputFlag: 1, OutputRedact: 2}

// Strictest combines two policies (a route's and an API key's) into the
// one that lets the least through.
func Strictest(a, b Policy) Policy {
	out := a
	if modeRank[b.Mode] > modeRank[a.Mode] {
		out.Mode = b.Mode
	}
	if a.Method == MethodPlaceholder || b.Method == MethodPlaceholder {
		out.Method = MethodPlaceholder
	}
	out.Strip = union(a.strip(), b.strip())
	out.KeepYears = a.KeepYears && b.KeepYears
	if scanRank[b.OutputScan] > scanRank[a.OutputScan] {
		out.OutputScan = b.OutputScan
	}
	return out
}

func (p Policy) strip() []phigate.Category {
	if p.Strip == nil {
		return DefaultStrip
	}
	return p.Strip
}

func union(a, b []phigate.Category) []phigate.Category {
	out := slices.Clone(a)
	for _, c := range b {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Decision names what was done with a request's PHI, for the audit log.
type Decision string

// The decisions.
const (
	DecisionNone       Decision = "none"       // no PHI found: sent as is
	DecisionAllow      Decision = "allow"      // PHI sent as is to a covered vendor (some may be replaced)
	DecisionDeidentify Decision = "deidentify" // every PHI value replaced
	DecisionBlock      Decision = "block"      // refused
)

// plan is the decision for one request: which categories go as is and
// how the others are replaced.
type plan struct {
	decision  Decision
	keep      map[phigate.Category]bool
	keepYears bool
	surrogate bool
	policy    Policy
}

// keeps reports whether finding f goes to the vendor as is.
func (p *plan) keeps(f phigate.Finding) bool {
	return p.keep[f.Category] || f.YearOnly && p.keepYears
}

// decide makes the plan for a request with the given findings counts to
// vendor v at time now. Codes: EPOLICY (blocked).
func decide(pol Policy, v *phigate.Vendor, counts map[phigate.Category]int, now time.Time) (*plan, error) {
	p := &plan{keep: map[phigate.Category]bool{}, keepYears: pol.KeepYears, policy: pol,
		surrogate: pol.Method == MethodSurrogate}
	if len(counts) == 0 {
		p.decision = DecisionNone
		return p, nil
	}
	switch pol.Mode {
	case ModeBlock:
		p.decision = DecisionBlock
		return p, refuse(phigate.EPOLICY, reasonBlocked, fmt.Errorf("%d PHI categories found", len(counts)))
	case ModeDeidentify:
		p.decision = DecisionDeidentify
		return p, nil
	}
	p.decision = DecisionDeidentify
	if v.BAA.Status == phigate.BAASigned && !v.BAA.InForce(now) {
		// The BAA this route relies on expired (or is not yet in force):
		// refuse rather than change what the application sends.
		return p, refuse(phigate.EPOLICY, reasonBAA, errors.New("BAA not in force"))
	}
	if !v.CoveredAt(now) {
		return p, nil
	}
	strip := pol.strip()
	for c := range counts {
		if v.Covers(c, now) && !slices.Contains(strip, c) {
			p.keep[c] = true
			p.decision = DecisionAllow
		}
	}
	return p, nil
}

// countsString formats category counts as "DATE:1,NAME:2" (sorted).
func countsString(counts map[phigate.Category]int) string {
	keys := make([]string, 0, len(counts))
	for c := range counts {
		keys = append(keys, string(c))
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s:%d", k, counts[phigate.Category(k)])
	}
	return b.String()
}
