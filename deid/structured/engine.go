package structured

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// DateShifter gives each patient one date offset in days, the same in
// every file and run that uses the same key. deid.Surrogater implements it.
type DateShifter interface {
	DateShift(patient string) int
}

// engine applies rules to values.
type engine struct {
	scrub  Scrubber
	shift  DateShifter
	pseudo *Pseudonymizer
	now    time.Time
}

// errScan marks free text that could not be scanned: the record fails.
type errScan struct{ err error }

func (e *errScan) Error() string { return "scan free text: " + e.err.Error() }
func (e *errScan) Unwrap() error { return e.err }

// leaf is the context of one value.
type leaf struct {
	patient string
	target  string // what the rule selected, for Stats
	domain  string // pseudonym domain
	form    string // pseudonym form
	stats   *Stats
}

// apply returns what rule r makes of s, or drop.
func (e *engine) apply(r Rule, s string, l leaf) (out string, drop bool, err error) {
	out, drop, err = e.applyAction(r, s, l)
	if err != nil {
		return "", false, err
	}
	switch {
	case drop:
		l.stats.change(l.target, Redact)
	case out != s:
		l.stats.change(l.target, r.Action)
	}
	return out, drop, nil
}

func (e *engine) applyAction(r Rule, s string, l leaf) (string, bool, error) {
	switch r.Action {
	case Keep:
		return s, false, nil
	case Redact:
		return "", true, nil
	case DateShift:
		d, format, ok := parseDate(s)
		if !ok || e.shift == nil {
			return "", true, nil // not a date we can move: fail closed
		}
		return format(d.shift(e.shift.DateShift(l.patient))), false, nil
	case Generalise:
		out, ok := e.generalise(r.As, s)
		return out, !ok, nil
	case Pseudonymise:
		if strings.TrimSpace(s) == "" {
			return s, false, nil
		}
		code, err := e.pseudo.Code(l.domain, s, l.form)
		return code, false, err
	case Scan:
		if e.scrub == nil {
			return "", false, errNoDetector(l.target)
		}
		out, counts, err := e.scrub.Scrub(nil, []byte(s), l.patient)
		if err != nil {
			return "", false, &errScan{err}
		}
		for k, n := range counts {
			l.stats.Findings[k] += n
		}
		return string(out), false, nil
	}
	return "", true, nil
}

// generalise coarsens s; false means it cannot be and must go.
func (e *engine) generalise(as, s string) (string, bool) {
	switch as {
	case AsYear:
		y, ok := yearOf(s)
		return pad(y, 4), ok
	case AsBirthYear:
		y, ok := yearOf(s)
		return pad(y, 4), ok && e.now.Year()-y <= 89
	case AsZIP3:
		z := safeZIP3(s)
		return z, z != ""
	case AsAge:
		return ageBand(s, 0)
	}
	w, _ := bandWidth(as)
	return ageBand(s, w)
}

// ageBand puts an age in a band of width years ("30-39"), or leaves it as
// it is for width 0; ages over 89 become "90+".
func ageBand(s string, width int) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case err != nil || f < 0:
		return "", false
	case f > 89:
		return "90+", true
	case width == 0:
		return s, true
	}
	lo := int(f) / width * width
	return fmt.Sprintf("%d-%d", lo, min(lo+width-1, 89)), true
}

// errNoDetector refuses free text when no PHI detector is set: it cannot
// be de-identified, so nothing is written.
func errNoDetector(target string) error {
	return phigate.Errorf(phigate.EINVALID, "structured", "%q holds free text, which needs a PHI detector: none is set", target)
}

// check reports a rule the engine cannot carry out.
func (e *engine) check(rules []Rule) error {
	const op = "structured.Open"
	for _, r := range rules {
		switch {
		case r.Action == Scan && e.scrub == nil:
			return errNoDetector(r.target())
		case r.Action == DateShift && e.shift == nil:
			return phigate.Errorf(phigate.EINVALID, op, "rule for %q shifts dates but no date shifter is set", r.target())
		}
	}
	return nil
}
