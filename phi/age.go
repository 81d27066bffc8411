package phi

import "github.com/phigate/phigate"

// findAges finds ages over 89 ("92 yo", "age 95", "101-year-old", "93F").
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
