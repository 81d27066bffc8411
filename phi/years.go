package phi

import "github.com/phigate/phigate"

// lonelyYear finds a four-digit year standing alone.
func (st *state) lonelyYear(i int) int {
	y := st.num(i)
	if st.digits(i) != 4 || y < 1900 || y > 2099 || st.followedByUnit(i) || st.punct(i-1, '.') || st.punct(i+1, '.') && st.num(i+2) >= 0 {
		return -1
	}
	if st.punct(i-1, '/') || (st.punct(i-1, '-') || st.punct(i-1, '+')) && !st.toks[i].space || st.punct(i+1, '/') || st.punct(i+1, ':') {
		return -1
	}
	time := y%100 < 60 && y < 2400
	if time && !st.yearContext(i) {
		return -1
	}
	f := phigate.Finding{Start: st.toks[i].start, End: st.toks[i].end, Category: phigate.DATE,
		Confidence: 0.8, Recognizer: "year", YearOnly: true}
	st.found = append(st.found, f)
	return i
}

// yearContext reports whether a word before i says a year follows.
func (st *state) yearContext(i int) bool { return st.yearContextN(i, 4) }

// yearContextN is yearContext looking back over at most n years of a list.
func (st *state) yearContextN(i, n int) bool {
	k := i - 1
	if st.punct(k, '\'') || st.punct(k, ',') && (st.kw(k-1)&kwMonth != 0 || st.dayNumber(k-1) > 0 && st.kw(k-2)&kwMonth != 0) {
		return true // "'92", "July 4, 1976"
	}
	if n > 0 && (st.punct(k, ',') || st.is(k, "and")) && st.digits(k-1) == 4 && st.num(k-1) >= 1900 && st.num(k-1) <= 2099 &&
		st.yearContextN(k-1, n-1) {
		return true // "CABG 1984, 2007", "in 1998 and 2004"
	}
	switch string(lowerInto(st.buf[:0], st.word(max(k, 0)))) {
	case "in", "since", "year", "of", "early", "late", "mid", "during", "circa", "ca", "born", "dob", "yr", "class":
		return k >= 0
	case "is", "its", "it's":
		return k >= 0 && (st.punct(i+1, ',') || st.punct(i+1, '.') || st.punct(i+1, '"'))
	}
	if st.eventBefore(i) {
		return true
	}
	if k >= 0 && st.toks[k].flags&fClinical != 0 && st.toks[k].shape == sUpper && (st.punct(i+1, ',') || st.punct(i+1, ';') || i+1 >= len(st.toks) || st.toks[i+1].newline) {
		return true
	}
	return false
}

// apostropheYear finds '92 and 92'.
func (st *state) apostropheYear(i int) int {
	if !st.punct(i, '\'') {
		return -1
	}
	glued := i > 0 && st.toks[i-1].kind != kPunct && !st.toks[i].space
	if glued && st.toks[i-1].shape == sUpper && st.toks[i-1].flags&fClinical != 0 {
		glued = false // "prostate CA'88"
	}
	if st.digits(i+1) == 2 && st.adjacent(i) && !glued {
		if st.punct(i+2, '\'') || st.punct(i+2, '"') || st.followedByUnit(i+1) {
			return -1
		}
		st.found = append(st.found, phigate.Finding{Start: st.toks[i].start, End: st.toks[i+1].end, Category: phigate.DATE,
			Confidence: 0.75, Recognizer: "year-apostrophe", YearOnly: true})
		return i + 1
	}
	plural := i+1 < len(st.toks) && !st.toks[i+1].space && (st.is(i+1, "s") || st.toks[i+1].kind == kNum)
	if st.digits(i-1) == 2 && !st.toks[i].space && !plural {
		if st.punct(i-2, '/') || st.punct(i-2, '-') || st.punct(i+1, '"') || st.is(i+1, "s") || !st.eventBefore(i-1) {
			return -1 // "HOB 30'" is feet; "CVA 74'" a year
		}
		st.found = append(st.found, phigate.Finding{Start: st.toks[i-1].start, End: st.toks[i].end, Category: phigate.DATE,
			Confidence: 0.7, Recognizer: "year-apostrophe", YearOnly: true})
		return i
	}
	return -1
}

// eventWords name past events that are dated by a year in a history
// ("MI 92", "CABG 1995", "CVA in 94").
var eventWords = map[string]bool{"mi": true, "cva": true, "cabg": true, "ptca": true, "pci": true, "avr": true, "mvr": true,
	"tia": true, "dvt": true, "pe": true, "chf": true, "ca": true, "turp": true, "tah": true, "redo": true, "stent": true,
	"stents": true, "appy": true, "appendectomy": true, "cholecystectomy": true, "hysterectomy": true, "repair": true,
	"surgery": true, "ablation": true, "pacer": true, "ppm": true, "aicd": true, "cath": true, "nqwmi": true, "imi": true,
	"ami": true, "stroke": true, "fx": true, "fracture": true, "transplant": true, "bypass": true, "cabgx2": true,
	"cabgx3": true, "cabgx4": true, "cardioversion": true, "resection": true, "nephrectomy": true, "mastectomy": true,
	"smoking": true, "quit": true, "stopped": true, "dx": true, "diagnosed": true}

// eventBefore reports whether an event word comes right before token i,
// or before "in" right before it.
func (st *state) eventBefore(i int) bool {
	k := i - 1
	if st.punct(k, '\'') {
		k--
	}
	if st.is(k, "in") {
		k--
	}
	return k >= 0 && st.toks[k].kind != kPunct && st.kws[k]&kwEvent != 0
}

// historyYear finds two-digit years after an event in a medical history
// ("MI 92,", "CVA in 94 and 00").
func (st *state) historyYear(i int) int {
	if st.digits(i) != 2 || st.followedByUnit(i) || st.punct(i+1, '/') || st.punct(i+1, '.') && st.num(i+2) >= 0 {
		return -1
	}
	if st.eventAfter(i) {
		st.found = append(st.found, phigate.Finding{Start: st.toks[i].start, End: st.toks[i].end, Category: phigate.DATE,
			Confidence: 0.6, Recognizer: "year-history", YearOnly: true})
		return i
	}
	end := i+1 >= len(st.toks) || st.toks[i+1].newline || st.punct(i+1, ',') || st.punct(i+1, ';') || st.punct(i+1, '.') ||
		st.is(i+1, "and") || st.punct(i+1, ')')
	chained := st.is(i-1, "and") && st.digits(i-2) == 2 && st.eventBefore(i-2)
	if !(end && st.eventBefore(i) || chained) { // "CVA in 94 and 00 affected (R) side": the second of a pair needs no end
		return -1
	}
	st.found = append(st.found, phigate.Finding{Start: st.toks[i].start, End: st.toks[i].end, Category: phigate.DATE,
		Confidence: 0.6, Recognizer: "year-history", YearOnly: true})
	return i
}

// eventAfter reports whether two-digit token i opens a history entry
// ("NIDDM. 09 PTCA to LCX", "'13 stent"): it follows a boundary and an
// event word follows it.
func (st *state) eventAfter(i int) bool {
	p := i - 1
	boundary := p < 0 || st.toks[i].newline || st.punct(p, '.') || st.punct(p, ',') || st.punct(p, ';') || st.punct(p, ':') ||
		st.punct(p, '(') || st.punct(p, '\'')
	k := i + 1
	return boundary && k < len(st.toks) && st.toks[k].kind == kWord && st.toks[k].space &&
		st.kws[k]&kwEvent != 0
}
