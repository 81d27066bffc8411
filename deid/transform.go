package deid

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
)

// Method is a way to replace PHI.
type Method string

// The methods.
const (
	Redact      Method = "redact"      // remove the text
	Tag         Method = "tag"         // "[NAME]"
	Mask        Method = "mask"        // "*****", same length in runes
	Surrogate   Method = "surrogate"   // a realistic replacement of the same kind
	Placeholder Method = "placeholder" // a random code, kept in a PlaceholderMap
)

// Methods lists the methods in a fixed order.
var Methods = []Method{Redact, Tag, Mask, Surrogate, Placeholder}

// Valid reports whether m is one of Methods.
func (m Method) Valid() bool {
	for _, k := range Methods {
		if k == m {
			return true
		}
	}
	return false
}

// Transformer replaces findings in text. Set its fields before use; it is
// safe for concurrent use if Map and Surrogates are.
type Transformer struct {
	// Method is the replacement; empty means Tag.
	Method Method
	// Map keeps placeholders (Placeholder only); nil creates one on first use.
	Map *PlaceholderMap
	// Surrogates makes surrogates (Surrogate only); required for it.
	Surrogates *Surrogater
	// Rand is the randomness for placeholders; nil means crypto/rand.
	Rand io.Reader
	// KeepYears leaves lone years (Finding.YearOnly) as they are, which
	// Safe Harbor allows.
	KeepYears bool
}

// Counts counts replaced findings per category.
type Counts map[phigate.Category]int

// Add adds o to c.
func (c Counts) Add(o Counts) {
	for k, v := range o {
		c[k] += v
	}
}

// Apply appends text to dst with every finding replaced. Findings must be
// sorted and not overlap (as phigate.Detector returns them); patient scopes
// date shifts and surrogates.
func (t *Transformer) Apply(dst, text []byte, fs []phigate.Finding, patient string) ([]byte, Counts, error) {
	counts := Counts{}
	last := 0
	for _, f := range fs {
		if f.Start < last || f.End > len(text) || f.Start >= f.End {
			return dst, counts, phigate.Errorf(phigate.EINVALID, "deid.Apply", "finding at byte %d out of order or bounds", f.Start)
		}
		if f.YearOnly && t.KeepYears {
			continue
		}
		dst = append(dst, text[last:f.Start]...)
		var err error
		dst, err = t.replace(dst, f, text[f.Start:f.End], patient)
		if err != nil {
			return dst, counts, err
		}
		counts[f.Category]++
		last = f.End
	}
	return append(dst, text[last:]...), counts, nil
}

func (t *Transformer) replace(dst []byte, f phigate.Finding, value []byte, patient string) ([]byte, error) {
	switch t.Method {
	case Redact:
		return dst, nil
	case Mask:
		return append(dst, bytes.Repeat([]byte{'*'}, utf8.RuneCount(value))...), nil
	case Surrogate:
		if t.Surrogates == nil {
			return dst, phigate.Errorf(phigate.EINVALID, "deid.Apply", "surrogate method without a Surrogater")
		}
		return append(dst, t.Surrogates.Replace(f, string(value), patient)...), nil
	case Placeholder:
		if t.Map == nil {
			t.Map = NewPlaceholderMap()
		}
		p, err := t.Map.Add(f.Category, string(value), t.Rand)
		if err != nil {
			return dst, err
		}
		return append(dst, p...), nil
	case Tag, "":
		return append(append(append(dst, '['), f.Category...), ']'), nil
	}
	return dst, phigate.Errorf(phigate.EINVALID, "deid.Apply", "unknown method")
}

// Copy de-identifies r into w with bounded memory: it scans r as a
// stream and writes each final segment as soon as it is known. Text that
// is not UTF-8 or holds NUL bytes is refused with EINVALID before anything
// past it is written.
func (t *Transformer) Copy(w io.Writer, r io.Reader, sc *phi.Scanner, patient string) (Counts, error) {
	counts := Counts{}
	var out []byte
	var off int64
	err := sc.ScanReader(r, func(seg phi.Segment) error {
		if i := bytes.IndexByte(seg.Text, 0); i >= 0 {
			return phigate.Errorf(phigate.EINVALID, "deid.Copy", "NUL byte at offset %d: binary input", seg.Offset+int64(i))
		}
		if !utf8.Valid(seg.Text) {
			return phigate.Errorf(phigate.EINVALID, "deid.Copy", "invalid UTF-8 near offset %d", seg.Offset)
		}
		fs := make([]phigate.Finding, len(seg.Findings))
		for i, f := range seg.Findings {
			f.Start -= int(seg.Offset)
			f.End -= int(seg.Offset)
			fs[i] = f
		}
		var c Counts
		var err error
		out, c, err = t.Apply(out[:0], seg.Text, fs, patient)
		if err != nil {
			return err
		}
		counts.Add(c)
		off += int64(len(seg.Text))
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	})
	return counts, err
}
