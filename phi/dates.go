package phi

import (
	"github.com/phigate/phigate"
)

// findDates finds dates in numeric and written forms, ordinals such as
// "the 22nd" and lone years (reported with YearOnly).
func (st *state) findDates() {
	for i := 0; i < len(st.toks); i++ {
		var j int
		switch st.toks[i].kind {
		case kNum:
			if i > 0 && st.kws[i-1]&kwSay != 0 {
				st.says = append(st.says, i)
			}
			j = st.numericDate(i)
			if j < 0 {
				j = st.dayMonth(i)
			}
			if j < 0 {
				j = st.lonelyYear(i)
			}
			if j < 0 {
				j = st.historyYear(i)
			}
		case kWord:
			j = st.monthDate(i)
			if j < 0 && st.kws[i]&kwHoliday != 0 {
				j = st.holiday(i)
			}
		case kAlnum:
			j = st.ordinalDate(i)
			if j < 0 {
				j = st.dayMonth(i)
			}
			if j < 0 {
				j = st.gluedDate(i)
			}
		case kPunct:
			if st.text[st.toks[i].start] == '\'' {
				j = st.apostropheYear(i)
			}
		}
		if j > i {
			i = j
		}
	}
}

func validMD(m, d int) bool { return m >= 1 && m <= 12 && d >= 1 && d <= 31 }

// sep reports whether tokens i-1, i, i+1 are joined by separator c without spaces.
func (st *state) sep(i int, c byte) bool {
	return st.punct(i, c) && st.adjacent(i-1) && st.adjacent(i)
}

func (st *state) numericDate(i int) int {
	a := st.num(i)
	if st.digits(i) > 4 || (i > 0 && (st.punct(i-1, '.') && st.num(i-2) >= 0 || st.punct(i-1, '/') || st.punct(i-1, ':') && st.num(i-2) >= 0) && !st.toks[i].space) {
		return -1
	}
	for _, c := range []byte{'/', '-', '.'} {
		if !st.sep(i+1, c) || st.num(i+2) < 0 {
			continue
		}
		b := st.num(i + 2)
		if st.digits(i) == 4 && c == '-' && st.sep(i+3, '-') && validMD(b, st.num(i+4)) && st.digits(i+4) == 2 {
			st.add(i, i+4, phigate.DATE, 0.97, "date-iso")
			return i + 4
		}
		if st.sep(i+3, c) && st.num(i+4) >= 0 && (st.digits(i+4) == 2 || st.digits(i+4) == 4) && validMD(a, b) {
			if st.sep(i+5, c) && st.num(i+6) >= 0 {
				if c == '/' && validMD(st.num(i+4), st.num(i+6)) && st.digits(i+6) <= 2 && !st.ventContext(i) && !st.punct(i+7, '%') {
					st.add(i, i+6, phigate.DATE, 0.8, "date-md-pair") // "10/03/10/04"
				}
				return i + 6 // four parts
			}
			if y := st.num(i + 4); st.digits(i+4) == 4 && (y < 1900 || y > 2099) || st.punct(i+5, '%') || st.ventContext(i) && !st.dateContext(i) {
				return i + 4
			}
			st.add(i, i+4, phigate.DATE, 0.97, "date-mdy")
			return i + 4
		}
		if c == '/' && st.digits(i+2) == 4 && a >= 1 && a <= 12 && st.digits(i) <= 2 && b >= 1900 && b <= 2099 {
			st.add(i, i+2, phigate.DATE, 0.9, "date-my")
			return i + 2
		}
		if c == '/' && a >= 1 && a <= 12 && st.digits(i) <= 2 && st.digits(i+2) == 2 && (b > 31 || b == 0) && !st.sep(i+3, '/') &&
			!st.punct(i+3, '%') && !st.punct(i+3, '\'') && !st.ventContext(i) {
			st.add(i, i+2, phigate.DATE, 0.85, "date-my")
			return i + 2
		}
		if c == '.' || !validMD(a, b) || st.digits(i+2) > 2 || st.digits(i) > 2 {
			return -1
		}
		if st.sep(i+3, c) && st.num(i+4) >= 0 {
			return -1 // longer sequence
		}
		if conf := st.shortDateConfidence(i, c); conf > 0 {
			st.add(i, i+2, phigate.DATE, conf, "date-md")
			return i + 2
		}
		return -1
	}
	return -1
}

// dateContext reports whether a word that introduces a date precedes token i.
func (st *state) dateContext(i int) bool {
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		if st.toks[k].kind == kPunct {
			continue
		}
		w := string(lowerInto(st.buf[:0], st.word(k)))
		switch w {
		case "on", "since", "from", "until", "till", "dated", "date", "thru", "through", "before", "after", "last", "on/about",
			"placed", "extubate", "extubated", "intubated", "started", "stopped", "discontinued", "admitted", "transferred",
			"performed", "done", "drawn", "removed", "inserted", "changed", "seen", "expired", "discharged", "surgery",
			"adm", "admit", "admission", "arrived", "arrival", "presented", "returned", "readmitted", "born", "dob", "died",
			"post", "since:", "began", "begun", "diagnosed", "operated":
			return true
		}
		return st.kw(k)&kwWeekday != 0
	}
	return false
}

// shortDateConfidence scores an "m/d" or "m-d" candidate at i: fractions,
// scores and ranges are not dates.
func (st *state) shortDateConfidence(i int, c byte) float32 {
	a, b := st.num(i), st.num(i+2)
	ctx := st.dateContext(i)
	if c == '-' {
		if ctx && !st.followedByUnit(i+2) && !st.punct(i+3, ':') && !st.punct(i+3, '.') {
			return 0.8
		}
		return 0
	}
	if !ctx && (st.ventContext(i) || st.punct(i+3, '%') || st.punct(i+4, '%') && st.punct(i+3, ',')) {
		return 0 // ventilator settings: "PSV 10/5", "5/5, 40%"
	}
	if b == 10 && a <= 10 && !ctx && st.scoreContext(i) {
		return 0.25 // a 0-10 score: "pain 5/10"
	}
	if st.punct(i-1, '+') || st.punct(i-1, 'x') || st.is(i-1, "x") && st.adjacent(i-1) || st.punct(i+3, '%') {
		return 0
	}
	if st.kw(i-1)&kwFraction != 0 && !st.is(i-1, "of") || st.kw(i+3)&kwFraction != 0 || st.is(i-1, "bp") || st.is(i-1, "b/p") {
		if !ctx {
			return 0
		}
	}
	if st.followedByUnit(i+2) && !ctx {
		return 0
	}
	if a <= 4 && b <= 4 && a < b && (!ctx || st.kw(i+3)&kwFraction != 0) && !st.smallFractionIsDate(i) {
		return 0.25 // 1/2, 2/3, 3/4: usually fractions ("1/4 NS")
	}
	rangeLeft := st.punct(i-1, '-') && st.num(i-2) >= 0 && !st.punct(i-3, '/')
	rangeRight := st.punct(i+3, '-') && st.num(i+4) >= 0 && st.adjacent(i+2) && !st.punct(i+5, '/')
	if rangeLeft || rangeRight ||
		st.punct(i+3, '.') && st.adjacent(i+2) && st.num(i+4) >= 0 || st.punct(i+3, '/') {
		return 0 // part of a longer numeric expression
	}
	if ctx {
		return 0.95
	}
	return 0.8
}

// smallFractionIsDate reports whether "1/2", "2/3" or "3/4" at i stands
// where a date does rather than a fraction. A fraction qualifies what
// follows it ("1/2 NS", "1/4 strength", "3/4U", "crackles 1/3 up") or
// joins a whole number ("1 1/2 hrs", "D5 1/2"); a date ends a clause
// ("extubated 1/3.", "in CCU 1/2,"), follows or precedes a clock time
// ("at 0330 1/3", "1/2 @ 1900"), heads a line ("1/2 returned to cath
// lab"), comes before "with", "at", "AM" or a movement ("1/2 w/
// pulmonary edema", "arrest 1/4 transferred") or follows a movement
// ("admitted to CCU 2/4 via the ED").
func (st *state) smallFractionIsDate(i int) bool {
	n := i + 3
	if st.adjacent(i+2) && n < len(st.toks) && st.toks[n].kind != kPunct || st.kw(n)&(kwUnit|kwFraction) != 0 {
		return false // "1/2NS", "3/4 strength"
	}
	p := i - 1
	if p >= 0 {
		t := &st.toks[p]
		switch {
		case t.kind == kNum && st.digits(p) <= 2, t.kind == kAlnum && isDigit(st.text[t.end-1]):
			return false // "1 1/2", "D5 1/2"
		case st.kw(p)&(kwUnit|kwFraction) != 0 && !(st.is(p, "unit") && (st.is(p-1, "to") || st.is(p-1, "the"))) || st.punct(p, '-') || st.punct(p, '~') || st.is(p, "q") || st.is(p, "approx") ||
			st.is(p, "about") || st.is(p, "to") && !st.toks[i].newline:
			return false // "rales 1/3", "q 1/2-1 hrs", "changed to 1/4"; "to unit 1/2" is a ward
		}
	}
	switch {
	case n >= len(st.toks) || st.toks[n].newline:
		return true
	case st.punct(n, '.') || st.punct(n, ',') || st.punct(n, ';') || st.punct(n, ')'):
		return !st.adjacent(n) || n+1 >= len(st.toks) || st.toks[n+1].kind == kPunct
	case st.clockTime(p) || (st.punct(n, '@') || st.is(n, "at") || st.punct(n, '~')) && (st.clockTime(n+1) || st.kw(n+1)&kwTime != 0 && st.clockTime(n+2)):
		return true
	case p < 0 || st.toks[i].newline:
		return st.toks[n].kind == kWord || (st.punct(n, ':') || st.punct(n, '-')) && st.kw(n+1)&kwFraction == 0 && n+1 < len(st.toks) && st.toks[n+1].kind == kWord
	case st.is(n, "w") && st.punct(n+1, '/') || st.is(n, "with") || st.is(n, "at") || st.is(n, "am") || st.is(n, "pm") ||
		st.is(n, "transferred") || st.is(n, "admitted"):
		return true // "readmitted to unit 1/2 w/ pulmonary edema", "diaphoresis 1/2 at rehab", "from 30 1/4 AM"
	case st.punct(n, '-') || st.is(n, "to") || st.is(n, "thru"):
		// "1/2 - 7/23": a range whose other end is plainly a date
		if c, d := st.num(n+1), st.num(n+3); st.sep(n+2, '/') && validMD(c, d) && !(c < d && d <= 4) {
			return true
		}
	}
	for k := p; k >= 0 && k >= i-4; k-- {
		if st.kw(k)&kwMove != 0 && !st.is(k, "back") && !st.is(k, "go") {
			return st.toks[n].kind == kWord
		}
	}
	return false
}

// clockTime reports whether token i is a time of day: "0330", "2145",
// "12am", "11:30".
func (st *state) clockTime(i int) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	w := st.word(i)
	switch st.toks[i].kind {
	case kNum:
		if st.punct(i+1, ':') && st.adjacent(i) && st.digits(i+2) == 2 {
			return st.num(i) <= 24
		}
		if st.punct(i-1, ':') && st.adjacent(i-2) && st.digits(i-2) >= 1 && st.digits(i-2) <= 2 && len(w) == 2 {
			return true
		}
		v := st.num(i)
		return len(w) == 4 && v/100 <= 24 && v%100 < 60
	case kAlnum:
		d := 0
		for d < len(w) && isDigit(w[d]) {
			d++
		}
		suf := string(lowerInto(st.buf[:0], w[d:]))
		return d >= 1 && d <= 4 && (suf == "am" || suf == "pm" || suf == "a" || suf == "p")
	}
	return false
}

// followedByUnit reports whether token i is followed by a unit of measure.
func (st *state) followedByUnit(i int) bool {
	k := st.kw(i + 1)
	return k&kwUnit != 0 && !st.punct(i+1, '%') || st.punct(i+1, '%')
}

func (st *state) monthDate(i int) int {
	if st.kw(i)&kwMonth == 0 {
		return -1
	}
	j := i
	if st.punct(j+1, '.') && st.adjacent(j) && st.toks[i].end-st.toks[i].start <= 4 && !st.is(i, "may") && !st.is(i, "june") && !st.is(i, "july") {
		j++ // "Nov." keeps its period; "in early June." does not
	}
	n := j + 1
	if d := st.dayNumber(n); d > 0 {
		e := n
		e = st.yearAfter(e)
		st.add(i, e, phigate.DATE, 0.95, "date-month-day")
		return e
	}
	if y := st.yearAfter(j); y > j {
		st.add(i, y, phigate.DATE, 0.9, "date-month-year")
		return y
	}
	if st.loneMonthIsDate(i, j) {
		st.add(i, j, phigate.DATE, 0.75, "date-month")
		return j
	}
	return -1
}

// loneMonthIsDate decides whether a month word with no day is a date.
func (st *state) loneMonthIsDate(i, j int) bool {
	switch string(lowerInto(st.buf[:0], st.word(i))) {
	case "may", "march", "mar", "august", "jan", "dec", "jun":
		// also a verb or a short word ("may", "dec" for decreased):
		// a month only after a word of time that ends the clause
		// ("discharged home in dec.", "since march,"), or capitalised
		// inside a sentence where capitals carry information ("in March
		// for a fall")
		return st.beforeMonth(i-1) && (j > i || j+1 >= len(st.toks) || st.toks[j+1].newline || st.titled(i) && !st.sentenceStart(i) ||
			st.punct(j+1, '.') || st.punct(j+1, ',') || st.punct(j+1, ';'))
	}
	if st.toks[i].end-st.toks[i].start > 4 {
		return true
	}
	if j > i {
		return true // "nov."
	}
	return st.is(i-1, "of") || st.beforeMonth(i-1)
}

// beforeMonth reports whether token i is a word of time that comes
// before a month named alone ("in", "since", "early", "next").
func (st *state) beforeMonth(i int) bool {
	for _, w := range []string{"in", "since", "early", "late", "mid", "during", "until", "last", "next", "this"} {
		if st.is(i, w) {
			return true
		}
	}
	return false
}

// dayNumber returns the day of month at token i ("22", "22nd") or 0.
func (st *state) dayNumber(i int) int {
	if i < 0 || i >= len(st.toks) {
		return 0
	}
	if n := st.num(i); n >= 1 && n <= 31 && st.digits(i) <= 2 {
		if st.followedByUnit(i) || st.punct(i+1, ':') || st.punct(i+1, '/') {
			return 0
		}
		return n
	}
	return ordinalValue(st.word(i), st.toks[i].kind)
}

// isOrdinalSuffix reports whether b is "st", "nd", "rd" or "th" in any case.
func isOrdinalSuffix(b []byte) bool {
	if len(b) != 2 {
		return false
	}
	s := string([]byte{b[0] | 0x20, b[1] | 0x20})
	return s == "st" || s == "nd" || s == "rd" || s == "th"
}

// ordinalValue parses "1st".."31st" or returns 0.
func ordinalValue(w []byte, k kind) int {
	if k != kAlnum || len(w) < 3 || len(w) > 4 {
		return 0
	}
	n, i := 0, 0
	for i < len(w) && isDigit(w[i]) {
		n = n*10 + int(w[i]-'0')
		i++
	}
	if i == 0 || n < 1 || n > 31 || !isOrdinalSuffix(w[i:]) {
		return 0
	}
	return n
}

// yearAfter extends a date ending at e over ", 2023" or " '23" or " 2023".
func (st *state) yearAfter(e int) int {
	j := e + 1
	if st.punct(j, ',') {
		j++
	}
	if st.digits(j) == 4 {
		if y := st.num(j); y >= 1900 && y <= 2099 {
			return j
		}
	}
	if st.punct(j, '\'') && st.digits(j+1) == 2 {
		return j + 1
	}
	if st.punct(e+1, ',') && st.digits(j) == 2 && (st.num(j+1) >= 0 || j+1 >= len(st.toks) || st.toks[j+1].newline) {
		return j // "21 Apr, 21 0700"
	}
	return e
}

// dayMonth finds "22 July 2023", "22nd of July".
func (st *state) dayMonth(i int) int {
	if st.dayNumber(i) == 0 || i > 0 && st.kw(i-1)&kwMonth != 0 {
		return -1
	}
	j := i + 1
	if st.is(j, "of") {
		j++
	}
	if st.punct(j, '-') && st.adjacent(i) {
		j++
	}
	if st.kw(j)&kwMonth == 0 || st.is(j, "may") && st.toks[j].shape == sLower {
		return -1
	}
	if st.ambiguousMonth(j) && st.yearAfter(j) == j {
		return -1 // "02 dec from 4->2"
	}
	e := j
	if st.punct(e+1, '.') && st.adjacent(e) {
		e++
	}
	if st.punct(e+1, '-') && st.adjacent(e) && st.digits(e+2) > 0 {
		e += 2
	} else {
		e = st.yearAfter(e)
	}
	st.add(i, e, phigate.DATE, 0.95, "date-day-month")
	return e
}

// ordinalDate finds "the 22nd" (not "the 2nd unit").
func (st *state) ordinalDate(i int) int {
	if d := ordinalValue(st.word(i), st.toks[i].kind); d < 4 && !st.is(i+1, "of") || !st.is(i-1, "the") {
		return -1
	}
	if st.kw(i+1)&kwOrdinalNoun != 0 || st.toks[min(i+1, len(st.toks)-1)].kind == kWord && st.kw(i+1)&(kwMonth|kwStop) == 0 && i+1 < len(st.toks) {
		return -1
	}
	st.add(i, i, phigate.DATE, 0.8, "date-ordinal")
	return i
}

var ventWords = map[string]bool{"cpap": true, "ps": true, "psv": true, "peep": true, "bipap": true, "bi-pap": true, "vent": true,
	"ventilation": true, "settings": true, "simv": true, "imv": true, "ac": true, "trial": true, "trialed": true, "weaning": true,
	"ips": true, "epap": true, "ipap": true, "support": true, "mask": true, "setting": true, "pressure": true, "cpap/ps": true,
	"peep/ps": true, "co/ci": true, "co/ci/svr": true, "perrla": true, "perrl": true, "pupils": true}

var scoreWords = map[string]bool{"pain": true, "cp": true, "discomfort": true, "rating": true, "rates": true, "rated": true,
	"describes": true, "score": true, "scale": true, "angina": true, "pressure": true, "ache": true, "headache": true}

// scoreContext reports whether a pain word is near token i ("pain 5/10",
// "5/10 incisional pain").
func (st *state) scoreContext(i int) bool {
	for k := max(0, i-3); k <= min(len(st.toks)-1, i+5); k++ {
		if st.toks[k].kind == kWord && st.kws[k]&kwScore != 0 {
			return true
		}
	}
	return st.punct(i-1, '#')
}

// ventContext reports whether a ventilator, haemodynamic or pupil word
// is among the 6 words before token i, where "10/5" is a setting.
func (st *state) ventContext(i int) bool {
	for k, n := i-1, 0; k >= 0 && n < 6; k-- {
		if st.toks[k].kind == kPunct {
			if st.punct(k, '.') && st.toks[k].end < st.toks[min(k+1, len(st.toks)-1)].start || st.punct(k, '(') || st.punct(k, ')') {
				return false
			}
			continue
		}
		n++
		if st.kws[k]&kwVent != 0 {
			return true
		}
	}
	return false
}

// ambiguousMonth reports whether month word j is also a common
// abbreviation ("dec" for decreased) written in lower case.
func (st *state) ambiguousMonth(j int) bool {
	switch string(lowerInto(st.buf[:0], st.word(j))) {
	case "dec", "mar", "jan", "jun", "sat", "sun":
		return st.toks[j].shape == sLower
	}
	return false
}

// gluedDate finds a date glued to the word before it ("fx4/97",
// "on3/4/2023"): the trailing digits of word i start the date.
func (st *state) gluedDate(i int) int {
	w := st.word(i)
	d := len(w)
	for d > 0 && isDigit(w[d-1]) {
		d--
	}
	// "x2/3" counts times, but "fx4/97" dates a fracture: fx, dx, hx,
	// rx, sx and tx end in x.
	if d < 2 || len(w)-d > 2 || w[d-1]|0x20 == 'x' && !(d == 2 && xAbbrev(w[0])) || !st.sep(i+1, '/') || st.num(i+2) < 0 {
		return -1
	}
	m, b := 0, st.num(i+2)
	for _, c := range w[d:] {
		m = m*10 + int(c-'0')
	}
	e := i + 2
	if st.sep(i+3, '/') && st.num(i+4) >= 0 {
		e = i + 4
	}
	if m < 1 || m > 12 || st.digits(i+2) != 2 && st.digits(i+2) != 1 || b == 0 || b > 31 && e == i+2 && st.digits(i+2) != 2 {
		return -1
	}
	st.addSpan(st.toks[i].start+d, st.toks[e].end, phigate.DATE, 0.7, "date-glued")
	return e
}

// xAbbrev reports whether c+"x" is a clinical abbreviation (fx, dx, hx,
// rx, sx, tx).
func xAbbrev(c byte) bool {
	switch c | 0x20 {
	case 'f', 'd', 'h', 'r', 's', 't':
		return true
	}
	return false
}

// holiday marks a holiday, which names its date ("fell at home on
// Thanksgiving", "since Christmas Eve", "New Year's Day", "Labor Day"):
// a holiday of one word in any case, of two where its second word is
// "day" or "eve" (or "year's" after "new"). Returns the last token, or -1.
func (st *state) holiday(i int) int {
	w := string(lowerInto(st.buf[:0], st.word(i)))
	e := -1
	if w == "day" {
		// "Labor Day": the holiday's first word is looked at from "day"
		p := i - 1
		if p < 0 || !st.adjacentWord(p, i) || st.toks[p].kind != kWord || st.toks[i].newline ||
			!dayHolidays[string(lowerInto(st.buf[:0], st.word(p)))] || st.mixed && st.toks[p].shape == sLower {
			return -1
		}
		st.add(p, i, phigate.DATE, 0.8, "holiday")
		return i
	}
	switch {
	case holidays[w]:
		e = i
		if st.is(i+1, "eve") || st.is(i+1, "day") {
			e = i + 1
		}
	case w == "new" && (st.is(i+1, "year's") || st.is(i+1, "years")) && st.adjacentWord(i, i+1):
		e = i + 1
		if st.is(e+1, "eve") || st.is(e+1, "day") {
			e++
		}
	}
	if e < 0 || st.mixed && st.toks[i].shape == sLower && !holidays[w] {
		return -1 // "new years" and "labor day" in small letters in a capitalised note say less
	}
	st.add(i, e, phigate.DATE, 0.8, "holiday")
	return e
}

// holidays name a date alone; dayHolidays do before "Day". holidays,
// "new" and "day" are keywords (kwHoliday), so that findDates calls
// holiday for them only; dayHolidays are not, as "Columbus" and
// "Independence" are towns too.
var (
	holidays = map[string]bool{"thanksgiving": true, "christmas": true, "xmas": true, "easter": true, "halloween": true,
		"hanukkah": true, "chanukah": true, "passover": true, "kwanzaa": true, "christmastime": true}
	dayHolidays = map[string]bool{"memorial": true, "labor": true, "independence": true, "veterans": true, "veteran's": true,
		"mother's": true, "father's": true, "valentine's": true, "columbus": true, "presidents": true, "president's": true,
		"thanksgiving": true, "christmas": true, "patriots": true, "patriot's": true, "mlk": true}
)

func init() {
	addSet(kwHoliday, holidays)
	addKeywords(kwHoliday, "new day")
}

// sayVerbs introduce what a patient answers.
var sayVerbs = map[string]bool{"states": true, "stated": true, "says": true, "said": true, "answers": true, "answered": true,
	"replies": true, "replied": true, "responds": true, "responded": true, "guesses": true, "guessed": true}

// dateCues say a date is being asked or shown nearby.
var dateCues = map[string]bool{"date": true, "day": true, "today": true, "calendar": true, "calender": true, "month": true,
	"oriented": true, "orientation": true, "disoriented": true, "reoriented": true}

// statedDays marks the day numbers a patient gives for the date.
func (st *state) statedDays() {
	for _, i := range st.says {
		st.statedDay(i)
	}
}

func init() { addSet(kwSay, sayVerbs) }

// statedDay marks number i as a date when a patient says it in answer to
// the date ("states 17", with a calendar or a date nearby): a day number
// from 1 to 31 after a verb of saying, followed by punctuation or the
// line's end.
func (st *state) statedDay(i int) {
	v := st.num(i)
	if v < 1 || v > 31 || st.digits(i) > 2 || st.kw(i-1)&kwSay == 0 {
		return
	}
	if st.followedByUnit(i) || st.punct(i+1, '/') || st.punct(i+1, '-') || st.punct(i+1, ':') || st.punct(i+1, '%') ||
		st.punct(i+1, '.') && st.digits(i+2) > 0 || i+1 < len(st.toks) && st.toks[i+1].kind != kPunct && !st.toks[i+1].newline {
		return // an answer ends where the number does: not "states 8 out of 10", "states 2 pillows"
	}
	for k := max(0, i-12); k < min(len(st.toks), i+12); k++ {
		if k != i && st.toks[k].kind == kWord && dateCues[string(lowerInto(st.buf[:0], st.word(k)))] {
			st.add(i, i, phigate.DATE, 0.6, "stated-day")
			return
		}
	}
	for _, f := range st.found {
		if f.Category == phigate.DATE && !f.YearOnly && f.Start < st.toks[min(len(st.toks)-1, i+12)].end && f.End > st.toks[max(0, i-12)].start {
			st.add(i, i, phigate.DATE, 0.6, "stated-day")
			return
		}
	}
}
