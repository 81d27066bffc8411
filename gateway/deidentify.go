package gateway

import (
	"strings"

	"github.com/phigate/phigate"
)

// unit is one text of a request the vendor would read, with its findings.
type unit struct {
	text     string
	findings []phigate.Finding
}

// scanned is the result of the detect stage on a request body.
type scanned struct {
	units  []unit
	counts map[phigate.Category]int
	binary int // parts that cannot be scanned
}

// scanBody runs the detector on every text of body that classify marks,
// including the strings inside JSON documents carried as text (tool
// arguments and results). Codes: EINVALID (malformed JSON), EUNAVAILABLE
// (the detector failed: fail closed).
func scanBody(det phigate.Detector, body []byte, classify func(jpath) kind) (*scanned, error) {
	sc := &scanned{counts: map[phigate.Category]int{}}
	var walkErr error
	add := func(s string) {
		if walkErr != nil {
			return
		}
		fs, err := det.Detect(nil, []byte(s))
		if err != nil {
			walkErr = phigate.E(phigate.EUNAVAILABLE, "gateway.detect", err)
			return
		}
		for _, f := range fs {
			sc.counts[f.Category]++
		}
		sc.units = append(sc.units, unit{text: s, findings: fs})
	}
	_, err := rewriteStrings(nil, body, func(p jpath, s string) (string, bool, error) {
		switch classify(p) {
		case kindText:
			add(s)
		case kindDoc:
			if !isDocument(s) {
				add(s)
				break
			}
			rewriteStrings(nil, []byte(s), func(_ jpath, inner string) (string, bool, error) {
				add(inner)
				return "", false, nil
			})
		case kindBinary:
			sc.binary++
		}
		return "", false, walkErr
	})
	if walkErr != nil {
		return nil, walkErr
	}
	if err != nil {
		return nil, phigate.Errorf(phigate.EINVALID, "gateway.scan", "request body is not valid JSON")
	}
	return sc, nil
}

// rewriter builds what leaves for the vendor: the same document with each
// text de-identified by the plan, and the model replaced.
type rewriter struct {
	sc    *scanned
	plan  *plan
	m     *Map
	coder Coder
	model string
	next  int
}

// rewrite returns body as the vendor will see it; body itself is not
// changed. It walks body in the order scanBody did.
func (rw *rewriter) rewrite(body []byte, classify func(jpath) kind) ([]byte, error) {
	return rewriteStrings(make([]byte, 0, len(body)+len(body)/8), body, func(p jpath, s string) (string, bool, error) {
		switch classify(p) {
		case kindModel:
			return rw.model, rw.model != s, nil
		case kindText:
			return rw.text()
		case kindDoc:
			if !isDocument(s) {
				return rw.text()
			}
			out, err := rewriteStrings(nil, []byte(s), func(jpath, string) (string, bool, error) { return rw.text() })
			return string(out), err == nil, err
		}
		return "", false, nil
	})
}

// text returns the next unit de-identified by the plan.
func (rw *rewriter) text() (string, bool, error) {
	u := &rw.sc.units[rw.next]
	rw.next++
	if len(u.findings) == 0 {
		return u.text, false, nil
	}
	out := make([]byte, 0, len(u.text)+16)
	last, changed := 0, false
	for _, f := range u.findings {
		if rw.plan.keeps(f) || f.Start < last || f.End > len(u.text) || f.Start >= f.End {
			continue
		}
		code, err := rw.m.Code(rw.coder, f, u.text[f.Start:f.End], rw.plan.surrogate)
		if err != nil {
			return "", false, err
		}
		out = append(append(out, u.text[last:f.Start]...), code...)
		last, changed = f.End, true
	}
	return string(append(out, u.text[last:]...)), changed, nil
}

// sent reports whether the caller's request holds value: PHI the caller
// sent may come back to it.
func (sc *scanned) sent(value string) bool {
	for i := range sc.units {
		if value != "" && strings.Contains(sc.units[i].text, value) {
			return true
		}
	}
	return false
}
