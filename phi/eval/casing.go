package eval

// Case names a rewrite of the letter case of mixed-case notes, to check
// that a detector does not depend on capitals: nursing notes are often
// written in ALL CAPS or all lower case.
type Case string

// The case rewrites. CaseAsIs keeps the mixed-case notes unchanged: it
// scores the same notes as CaseLower and CaseUpper, for comparison.
const (
	CaseAsIs  Case = "asis"
	CaseLower Case = "lower"
	CaseUpper Case = "upper"
)

// ValidCase reports whether c is one of the case rewrites.
func ValidCase(c Case) bool { return c == CaseAsIs || c == CaseLower || c == CaseUpper }

// RecaseMixed keeps the notes written in mixed case (see MixedCase),
// rewritten to case c, and the gold spans of those notes. The text is
// ASCII-cased in place of a copy, so offsets do not move.
func RecaseMixed(recs []Record, gold []Span, c Case) ([]Record, []Span) {
	keep := map[[2]string]bool{}
	var out []Record
	for _, r := range recs {
		if !MixedCase(r.Text) {
			continue
		}
		keep[[2]string{r.Patient, r.Note}] = true
		out = append(out, Record{Patient: r.Patient, Note: r.Note, Text: recase(r.Text, c)})
	}
	var spans []Span
	for _, s := range gold {
		if keep[[2]string{s.Patient, s.Note}] {
			spans = append(spans, s)
		}
	}
	return out, spans
}

// MixedCase reports whether a note is written in ordinary mixed case: of
// its words of two or more letters at least one in twenty is capitalised
// and at least three in ten are lower case.
func MixedCase(text []byte) bool {
	var words, title, lower int
	for i := 0; i < len(text); {
		if !isAlpha(text[i]) {
			i++
			continue
		}
		j, up, lo := i, 0, 0
		for j < len(text) && isAlpha(text[j]) {
			if text[j] < 'a' {
				up++
			} else {
				lo++
			}
			j++
		}
		if j-i > 1 {
			words++
			switch {
			case up == 0:
				lower++
			case up == 1 && text[i] < 'a':
				title++
			}
		}
		i = j
	}
	return words > 0 && title*20 >= words && lower*10 >= words*3
}

// recase returns a copy of t with its ASCII letters in case c; other bytes
// stay, so offsets do not move.
func recase(t []byte, c Case) []byte {
	out := make([]byte, len(t))
	for i, b := range t {
		switch {
		case c == CaseLower && 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		case c == CaseUpper && 'a' <= b && b <= 'z':
			b -= 'a' - 'A'
		}
		out[i] = b
	}
	return out
}
