package phi

import (
	"github.com/phigate/phigate"
)

// findNumbers finds phone and fax numbers, SSNs and identifiers.
func (st *state) findNumbers() {
	for i := 0; i < len(st.toks); i++ {
		t := &st.toks[i]
		if t.kind != kNum && t.kind != kAlnum && !st.punct(i, '(') && !st.punct(i, '+') {
			continue
		}
		if j := st.findPhone(i); j > i {
			i = j
			continue
		}
		if j := st.findSSN(i); j > i {
			i = j
			continue
		}
		if j := st.gs1UDI(i); j > i {
			i = j
			continue
		}
		if t.kind != kPunct {
			st.findID(i)
		}
	}
}

// gs1UDI marks a device identifier in the GS1 form, an application
// identifier in brackets before each part, from "(01)" and a 14-digit
// GTIN ("(01)00884838047495(17)251231(10)ABC123"), and returns its last
// token (or -1).
func (st *state) gs1UDI(i int) int {
	if !st.punct(i, '(') || !st.is(i+1, "01") || !st.punct(i+2, ')') || st.digits(i+3) != 14 ||
		!st.adjacent(i) || !st.adjacent(i+1) || !st.adjacent(i+2) {
		return -1
	}
	e := i + 3
	for st.adjacent(e) && st.punct(e+1, '(') && st.digits(e+2) == 2 &&
		st.adjacent(e+1) && st.adjacent(e+2) && st.punct(e+3, ')') && st.adjacent(e+3) && e+4 < len(st.toks) &&
		(st.toks[e+4].kind == kNum || st.toks[e+4].kind == kAlnum || st.toks[e+4].kind == kWord && st.toks[e+4].shape == sUpper) {
		e += 4
	}
	st.add(i, e, phigate.DEVICE_ID, 0.95, "udi")
	return e
}

// seq matches the digit groups of want (lengths) starting at token i,
// separated by one of "-", ".", "/", or spaces; it returns the index of
// the last token or -1.
func (st *state) seq(i int, want ...int) int {
	j := i
	for g, n := range want {
		if st.digits(j) != n {
			return -1
		}
		if g == len(want)-1 {
			return j
		}
		next := j + 1
		if st.punct(next, '-') || st.punct(next, '.') || st.punct(next, '/') {
			next++
		} else if !st.toks[min(next, len(st.toks)-1)].space || next >= len(st.toks) {
			return -1
		}
		if next >= len(st.toks) {
			return -1
		}
		j = next
	}
	return -1
}

var phoneShapes = [][]int{{3, 3, 4}, {3, 7}, {6, 4}, {3, 3, 5}, {1, 3, 3, 4}, {10}, {3, 4}}

func (st *state) findPhone(i int) int {
	s := i
	paren := st.punct(i, '(') && st.digits(i+1) == 3 && st.punct(i+2, ')')
	if paren {
		j := i + 3
		if st.punct(j, '-') {
			j++
		}
		if e := st.seq(j, 3, 4); e > 0 {
			return st.addPhone(s, st.extension(e))
		}
		return -1
	}
	if st.punct(i, '+') {
		if st.num(i+1) == 1 {
			i += 2
			if st.punct(i, '-') {
				i++
			}
		} else {
			return -1
		}
	}
	shapes := phoneShapes
	if d := st.digits(i); d != 3 && d != 1 && d != 6 && d != 10 {
		shapes = nil // no phone shape starts with such a group
	}
	for k, shape := range shapes {
		e := st.seq(i, shape...)
		if e < 0 {
			continue
		}
		if k == 0 && st.digits(e+2) > 0 && (st.punct(e+1, '-') || st.punct(e+1, '.')) {
			continue // longer number, e.g. a date or an id
		}
		if k >= 5 && (!st.phoneContext(s) || st.contextCategory(s) != "") {
			continue // a bare number needs a phone word, and an id word makes it an id
		}
		if k == 5 && st.text[st.toks[i].start] < '2' {
			continue
		}
		return st.addPhone(s, st.extension(e))
	}
	if st.digits(i) >= 4 && st.digits(i) <= 6 && st.pagerContext(i) {
		st.add(i, i, phigate.PHONE, 0.85, "pager")
		return i
	}
	return -1
}

// extension extends a phone number ending at e over "x45" or "ext 45".
func (st *state) extension(e int) int {
	j := e + 1
	if j < len(st.toks) && st.toks[j].kind == kAlnum && (st.word(j)[0]|0x20) == 'x' {
		return j
	}
	if (st.is(j, "x") || st.is(j, "ext") || st.is(j, "extension")) && st.num(j+1) >= 0 {
		return j + 1
	}
	if st.is(j, "ext") && st.punct(j+1, '.') && st.num(j+2) >= 0 {
		return j + 2
	}
	return e
}

func (st *state) addPhone(s, e int) int {
	cat := phigate.PHONE
	// The nearest label on the number's line and in its sentence decides:
	// "fax done. Tel 410-…" is a phone.
	for k := s - 1; k >= s-4 && k >= 0; k-- {
		if st.is(k, "fax") || st.is(k, "faxed") || st.is(k, "faxing") || st.is(k, "facsimile") || st.is(k, "telefax") ||
			(st.is(k, "f") || st.is(k, "fx")) && st.punct(k+1, ':') { // "faxed to", "F: 410-…"
			cat = phigate.FAX
			break
		}
		if st.punct(k, '.') && !st.isInitial(k-1) || st.punct(k, ';') ||
			st.toks[k].kind == kWord && voiceLabels[string(lowerInto(st.buf[:0], st.word(k)))] {
			break
		}
	}
	st.add(s, e, cat, 0.95, "phone")
	return e
}

// voiceLabels name a number as a voice line, nearer than any "fax"
// before them ("fax 555-0100, cell 555-0101").
var voiceLabels = map[string]bool{"phone": true, "tel": true, "telephone": true, "cell": true, "mobile": true, "home": true,
	"work": true, "office": true, "pager": true, "beeper": true, "cellphone": true, "ph": true}

var phoneWords = map[string]bool{"phone": true, "tel": true, "telephone": true, "cell": true, "mobile": true, "home": true,
	"work": true, "office": true, "fax": true, "pager": true, "beeper": true, "call": true, "reached": true, "number": true,
	"ph": true, "contact": true, "page": true, "pg": true, "cellphone": true, "h": true, "w": true, "c": true, "m": true, "no": true}

// phoneContext reports whether a phone word is among the 4 tokens before i.
func (st *state) phoneContext(i int) bool {
	for k := i - 1; k >= i-4 && k >= 0; k-- {
		if st.toks[k].kind == kWord && phoneWords[string(lowerInto(st.buf[:0], st.word(k)))] {
			return true
		}
		if st.punct(k, '#') {
			return true
		}
	}
	return false
}

var pagerWords = map[string]bool{"pager": true, "pg": true, "beeper": true, "pgr": true, "bpr": true, "beep": true, "page": true}

func (st *state) pagerContext(i int) bool {
	for k := i - 1; k >= i-3 && k >= 0; k-- {
		if st.toks[k].kind == kWord {
			return pagerWords[string(lowerInto(st.buf[:0], st.word(k)))]
		}
	}
	return false
}

// findSSN finds ddd-dd-dddd with the SSA validity rules, or nine digits
// after an SSN keyword.
func (st *state) findSSN(i int) int {
	if e := st.seq(i, 3, 2, 4); e > 0 {
		if validSSN(st.word(i), st.word(i+2), st.word(e)) {
			st.add(i, e, phigate.SSN, 0.95, "ssn")
			return e
		}
		return -1
	}
	if st.digits(i) == 9 && st.contextCategory(i) == phigate.SSN {
		w := st.word(i)
		if validSSN(w[:3], w[3:5], w[5:]) {
			st.add(i, i, phigate.SSN, 0.9, "ssn")
			return i
		}
	}
	return -1
}

func validSSN(area, group, serial []byte) bool {
	a := string(area)
	return a != "000" && a != "666" && a[0] != '9' && string(group) != "00" && string(serial) != "0000"
}
