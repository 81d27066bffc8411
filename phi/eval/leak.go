package eval

import (
	"strings"

	"github.com/phigate/phigate"
)

// Leaks counts what an uncovered vendor would still see: each finding is
// replaced by a placeholder ("[NAME]") and a gold span "reaches" the
// vendor when its string appears in the result, as a whole word, more
// often than the note holds it outside gold spans (a number such as "3"
// also occurs as a dose). Every gold type counts, lone years included, as
// in the gateway's corpus test.
type Leaks struct {
	Gold, Leaked int
	ByType       map[string]int
}

// countLeaks adds the leaks of one note with findings fs to l.
func (l *Leaks) countLeaks(text []byte, gold []Span, fs []phigate.Finding) {
	if l.ByType == nil {
		l.ByType = map[string]int{}
	}
	var sent strings.Builder
	last := 0
	for _, f := range fs {
		if f.Start < last || f.End > len(text) {
			continue
		}
		sent.Write(text[last:f.Start])
		sent.WriteString("[" + string(f.Category) + "]")
		last = f.End
	}
	sent.Write(text[last:])
	masked := []byte(string(text))
	for _, s := range gold {
		for k := max(0, s.Start); k < min(s.End, len(masked)); k++ {
			masked[k] = ' '
		}
	}
	out := sent.String()
	for _, s := range gold {
		if s.End > len(text) || s.End <= s.Start {
			continue
		}
		l.Gold++
		v := string(text[s.Start:s.End])
		if n := wordCount(out, v); n > 0 && n > wordCount(string(masked), v) {
			l.Leaked++
			l.ByType[s.Type]++
		}
	}
}

// wordCount counts the occurrences of v in s not touching a letter or digit.
func wordCount(s, v string) int {
	n := 0
	for i := 0; ; {
		k := strings.Index(s[i:], v)
		if k < 0 {
			return n
		}
		a, b := i+k, i+k+len(v)
		if (a == 0 || !isAlnum(s[a-1])) && (b == len(s) || !isAlnum(s[b])) {
			n++
		}
		i = a + 1
	}
}

func isAlnum(c byte) bool { return isAlpha(c) || isNum(c) }
