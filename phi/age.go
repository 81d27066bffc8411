package phi

import "github.com/phigate/phigate"

// findAges finds ages over 89 ("92 yo", "age 95", "101-year-old", "93F")
// and, in the same pass over the words, references to face photographs
// (photoAt): a pass costs about as much as a small rule.
func (st *state) findAges() {
	for i := range st.toks {
		switch st.toks[i].kind {
		case kNum:
			if n := st.num(i); n >= 90 && n <= 125 && st.digits(i) <= 3 && st.ageContext(i) {
				st.add(i, i, phigate.AGE, 0.9, "age")
			}
		case kAlnum:
			if ageAlnum(st.word(i)) || st.ageDecade(i) {
				st.add(i, i, phigate.AGE, 0.9, "age")
			}
		case kWord:
			t := &st.toks[i]
			if t.flags&fMarked != 0 {
				if ageNouns[string(lowerInto(st.buf[:0], st.word(i)))] {
					st.add(i, i, phigate.AGE, 0.85, "age") // "a nonagenarian": an age over 89 in one word
					continue
				}
				st.photoAt(i)
			}
			if t.end-t.start != 6 && t.end-t.start != 3 || st.text[t.start]|0x20 != 'n' && st.text[t.start]|0x20 != 'o' {
				continue // only "ninety" and "one hundred" start a spelt age
			}
			if e := st.spelledAge(i); e >= i {
				st.add(i, e, phigate.AGE, 0.85, "age")
			}
		}
	}
}

func (st *state) ageContext(i int) bool {
	if st.is(i-1, "age") || st.is(i-1, "aged") || st.punct(i-1, ':') && st.is(i-2, "age") ||
		st.is(i-1, "turned") || st.is(i-1, "turns") || st.is(i-1, "turning") || st.is(i-1, "turn") {
		return true
	}
	j := i + 1
	if st.punct(j, '-') {
		j++
	}
	for _, w := range []string{"yo", "y", "yr", "yrs", "year", "years", "yoF", "yom", "yof"} {
		if st.is(j, w) {
			return true
		}
	}
	return false
}

// ageAlnum matches "92yo", "95y", "93F", "91M", "92yo".
func ageAlnum(w []byte) bool {
	n, i := 0, 0
	for i < len(w) && isDigit(w[i]) {
		n = n*10 + int(w[i]-'0')
		i++
	}
	if i == 0 || i > 3 || n < 90 || n > 125 {
		return false
	}
	var buf [8]byte
	if len(w)-i > len(buf) {
		return false
	}
	switch string(lowerInto(buf[:0], w[i:])) {
	case "yo", "y", "yr", "yrs", "f", "m", "yof", "yom", "yoF", "yowm", "yowf":
		return true
	}
	return false
}

// ageDecade reports whether token i is a person's decade over 89: "90s"
// or "100s" after "his", "her" or "their", with "early", "mid" or "late"
// between ("in her late 90s"); "sats in the 90s" is no age.
func (st *state) ageDecade(i int) bool {
	w := st.word(i)
	if len(w) < 3 || len(w) > 4 || w[len(w)-1]|0x20 != 's' {
		return false
	}
	n := 0
	for _, c := range w[:len(w)-1] {
		if !isDigit(c) {
			return false
		}
		n = n*10 + int(c-'0')
	}
	if n != 90 && n != 100 {
		return false
	}
	p := i - 1
	if st.punct(p, '-') {
		p--
	}
	if st.is(p, "early") || st.is(p, "mid") || st.is(p, "late") {
		p--
	}
	return st.is(p, "his") || st.is(p, "her") || st.is(p, "their")
}

// spelledAge returns the last token of an age over 89 spelt out at word
// i ("ninety-two year old", "aged ninety", "one hundred and one years"),
// or -1: "ninety" with an optional unit after a hyphen or a space, or
// "one hundred" with an optional "and" and unit, as an age by the words
// around it (ageContext).
func (st *state) spelledAge(i int) int {
	var e int
	switch {
	case st.is(i, "ninety"):
		e = i
		if k := i + 1; st.punct(k, '-') && st.adjacent(i) && spelledUnits[string(lowerInto(st.buf[:0], st.word(min(k+1, len(st.toks)-1))))] {
			e = k + 1
		} else if spelledUnits[string(lowerInto(st.buf[:0], st.word(min(k, len(st.toks)-1))))] && k < len(st.toks) {
			e = k
		}
	case st.is(i, "one") && st.is(i+1, "hundred"):
		e = i + 1
		k := e + 1
		if st.is(k, "and") {
			k++
		}
		if k < len(st.toks) && spelledUnits[string(lowerInto(st.buf[:0], st.word(k)))] {
			e = k
		}
	default:
		return -1
	}
	if !st.ageContext(i) && !st.ageContext(e) && !st.subjectIs(i, e) {
		return -1
	}
	return e
}

// subjectIs reports whether the number from i to e is what a person is,
// ending the clause: "He is ninety-three.", "pt was ninety".
func (st *state) subjectIs(i, e int) bool {
	return (st.is(i-1, "is") || st.is(i-1, "was")) && (st.is(i-2, "he") || st.is(i-2, "she") || st.is(i-2, "pt") || st.is(i-2, "patient")) &&
		(e+1 >= len(st.toks) || clauseEnd(st, e+1))
}

// ageNouns name a person by an age over 89.
var ageNouns = map[string]bool{"nonagenarian": true, "nonagenarians": true, "centenarian": true, "centenarians": true,
	"supercentenarian": true}

// spelledUnits are the units of a number spelt out.
var spelledUnits = map[string]bool{"one": true, "two": true, "three": true, "four": true, "five": true, "six": true,
	"seven": true, "eight": true, "nine": true}
