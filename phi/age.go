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
			if ageAlnum(st.word(i)) {
				st.add(i, i, phigate.AGE, 0.9, "age")
			}
		}
	}
}

func (st *state) ageContext(i int) bool {
	if st.is(i-1, "age") || st.is(i-1, "aged") || st.punct(i-1, ':') && st.is(i-2, "age") {
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
