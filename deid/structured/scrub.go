package structured

import (
	"bytes"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
)

// Scrubber de-identifies free text: notes, comments, narrative.
// TransformScrubber is the one phigate uses.
type Scrubber interface {
	// Scrub appends text with its PHI replaced to dst and counts the
	// replacements per category; patient scopes date shifts and
	// surrogates. An error means the text could not be scanned: the caller
	// must fail closed.
	Scrub(dst, text []byte, patient string) ([]byte, map[phigate.Category]int, error)
}

// TransformScrubber finds PHI with Detector (a phi.Scanner) and replaces
// it with Transformer (tags, surrogates with per-patient date shifts,
// redaction or masks), as the text de-identifier does.
type TransformScrubber struct {
	Detector    phigate.Detector
	Transformer *deid.Transformer
}

// Scrub implements Scrubber.
func (s TransformScrubber) Scrub(dst, text []byte, patient string) ([]byte, map[phigate.Category]int, error) {
	fs, err := s.Detector.Detect(nil, text)
	if err != nil {
		return dst, nil, err
	}
	return s.Transformer.Apply(dst, text, fs, patient)
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

// scrubTag copies a tag, scrubbing its quoted attribute values but for
// those that hold markup, not text (namespaces, classes, styles, ids).
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
		value := tag[q+1 : q+1+end]
		if markupAttribute(tag[:q]) {
			dst = append(dst, value...)
		} else {
			var err error
			if dst, err = scrubPart(s, dst, value, patient, counts); err != nil {
				return dst, err
			}
		}
		dst = append(dst, tag[q])
		tag = tag[q+2+end:]
	}
	return dst, nil
}

// markupAttribute reports whether the attribute whose value follows
// before ('... name=') holds markup rather than text.
func markupAttribute(before []byte) bool {
	before = bytes.TrimRight(before, " \t\n=")
	i := bytes.LastIndexAny(before, " \t\n<")
	name := string(bytes.ToLower(before[i+1:]))
	return name == "xmlns" || bytes.HasPrefix([]byte(name), []byte("xmlns:")) || name == "class" || name == "style" || name == "id"
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
