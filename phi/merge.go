package phi

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/phigate/phigate"
)

// merge drops findings below min, joins overlapping ones (the union of
// their spans, with the category of the most confident), snaps offsets to
// rune boundaries and appends the result to dst.
func (st *state) merge(dst []phigate.Finding, min float32) []phigate.Finding {
	fs := st.found[:0]
	for _, f := range st.found {
		if f.Confidence >= min && f.End > f.Start {
			fs = append(fs, f)
		}
	}
	slices.SortFunc(fs, func(a, b phigate.Finding) int {
		switch {
		case a.Start != b.Start:
			return a.Start - b.Start
		case a.End != b.End:
			return b.End - a.End
		case a.Confidence != b.Confidence:
			return cmp.Compare(b.Confidence, a.Confidence)
		}
		return strings.Compare(a.Recognizer, b.Recognizer) // ties name the same recogniser whatever the order of the rules
	})
	first := len(dst)
	for _, f := range fs {
		f.Start, f.End = snapStart(st.text, f.Start), snapEnd(st.text, f.End)
		if n := len(dst); n > first && f.Start < dst[n-1].End {
			joinInto(&dst[n-1], f)
			continue
		}
		dst = append(dst, f)
	}
	return dst
}

// joinInto widens d to cover f; the more confident finding names the result.
func joinInto(d *phigate.Finding, f phigate.Finding) {
	yearOnly := d.YearOnly && f.YearOnly
	if f.End > d.End {
		d.End = f.End
	}
	if f.Confidence > d.Confidence {
		d.Category, d.Confidence, d.Recognizer = f.Category, f.Confidence, f.Recognizer
	}
	d.YearOnly = yearOnly && d.Category == phigate.DATE
}

func snapStart(b []byte, i int) int {
	for i > 0 && i < len(b) && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}

func snapEnd(b []byte, i int) int {
	for i < len(b) && !utf8.RuneStart(b[i]) {
		i++
	}
	return i
}
