package structured

import (
	"bytes"

	"github.com/phigate/phigate"
)

// Scrubber de-identifies free text: notes, comments, narrative. The deid
// package's transforms (surrogates, placeholders, date shifts) fit it
// through a small adapter; TagScrubber is the plain one.
type Scrubber interface {
	// Scrub appends text with its PHI replaced to dst and counts the
	// replacements per category; patient scopes date shifts and
	// surrogates. An error means the text could not be scanned: the caller
	// must fail closed.
	Scrub(dst, text []byte, patient string) ([]byte, map[phigate.Category]int, error)
}

// TagScrubber replaces each finding of Detector with its category in
// brackets ("[NAME]"). It is the small stand-in this package needs before
// the deid package's Transformer is on main; use an adapter over that for
// surrogates or placeholders.
type TagScrubber struct {
	Detector phigate.Detector
}

// Scrub implements Scrubber.
func (s TagScrubber) Scrub(dst, text []byte, _ string) ([]byte, map[phigate.Category]int, error) {
	fs, err := s.Detector.Detect(nil, text)
	if err != nil {
		return dst, nil, err
	}
	counts := map[phigate.Category]int{}
	last := 0
	for _, f := range fs {
		if f.Start < last || f.End > len(text) || f.Start >= f.End {
			return dst, nil, phigate.Errorf(phigate.EINTERNAL, "structured.TagScrubber", "finding at byte %d out of order", f.Start)
		}
		dst = append(dst, text[last:f.Start]...)
		dst = append(append(append(dst, '['), f.Category...), ']')
		counts[f.Category]++
		last = f.End
	}
	return append(dst, text[last:]...), counts, nil
}

// scrubXHTML scrubs the text of an XHTML fragment (FHIR narrative): the
// character data between tags and the values of attributes, leaving the
// markup as it is.
func scrubXHTML(s Scrubber, dst, doc []byte, patient string, counts map[phigate.Category]int) ([]byte, error) {
	for len(doc) > 0 {
		lt := bytes.IndexByte(doc, '<')
		if lt < 0 {
			lt = len(doc)
		}
		var err error
		if dst, err = scrubPart(s, dst, doc[:lt], patient, counts); err != nil {
			return dst, err
		}
		doc = doc[lt:]
		if len(doc) == 0 {
			break
		}
		gt := bytes.IndexByte(doc, '>')
		if gt < 0 {
			gt = len(doc) - 1
		}
		if dst, err = scrubTag(s, dst, doc[:gt+1], patient, counts); err != nil {
			return dst, err
		}
		doc = doc[gt+1:]
	}
	return dst, nil
}

// scrubTag copies a tag, scrubbing its quoted attribute values.
func scrubTag(s Scrubber, dst, tag []byte, patient string, counts map[phigate.Category]int) ([]byte, error) {
	for len(tag) > 0 {
		q := bytes.IndexAny(tag, `"'`)
		if q < 0 {
			return append(dst, tag...), nil
		}
		end := bytes.IndexByte(tag[q+1:], tag[q])
		if end < 0 {
			return append(dst, tag...), nil
		}
		dst = append(dst, tag[:q+1]...)
		var err error
		if dst, err = scrubPart(s, dst, tag[q+1:q+1+end], patient, counts); err != nil {
			return dst, err
		}
		dst = append(dst, tag[q])
		tag = tag[q+2+end:]
	}
	return dst, nil
}

func scrubPart(s Scrubber, dst, text []byte, patient string, counts map[phigate.Category]int) ([]byte, error) {
	if len(bytes.TrimSpace(text)) == 0 {
		return append(dst, text...), nil
	}
	out, c, err := s.Scrub(dst, text, patient)
	for k, n := range c {
		counts[k] += n
	}
	return out, err
}
