package phi

// The context of places known by their surroundings only: movement before
// "from", ward numbers, "the X area".

// movedBefore reports whether a movement or residence word comes before
// p with only a time between ("flying in at 6am tomorrow from X",
// "arrive 7/1 @ approx 1900 from X"); "returned with CT from X" and "back
// ache from X" name no place.
func (st *state) movedBefore(p int) bool {
	for k := p - 1; k >= 0 && k >= p-8 && !st.toks[k+1].newline; k-- {
		switch {
		case st.kws[k]&(kwMove|kwLive) != 0 && !st.is(k, "back"):
			return true
		case st.toks[k].kind == kNum || st.toks[k].kind == kAlnum && isDigit(st.text[st.toks[k].start]):
		case st.toks[k].kind == kPunct && !st.punct(k, '.') && !st.punct(k, ';') && !st.punct(k, ','):
		case st.kws[k]&(kwTime|kwWeekday|kwMonth) != 0 || timeWords[string(lowerInto(st.buf[:0], st.word(k)))]:
		default:
			return false
		}
	}
	return false
}

// timeWords may stand between a movement and its place ("flying in at
// 6am tomorrow from X").
var timeWords = map[string]bool{"in": true, "on": true, "am": true, "pm": true, "tomorrow": true, "today": true,
	"tonight": true, "yesterday": true, "early": true, "late": true, "later": true, "soon": true, "next": true,
	"this": true, "morning": true, "evening": true, "night": true, "afternoon": true, "week": true}

// areaName reports whether word i, before "area", names the place: a word
// nobody listed, a city or a name that is no ordinary word ("the Edgemere
// area", not "the groin area").
func (st *state) areaName(i int) bool {
	f := st.toks[i].flags
	if st.toks[i].kind != kWord || st.toks[i].end-st.toks[i].start < 4 || st.mixed && st.toks[i].shape == sLower ||
		f&fClinical != 0 || st.kws[i] != 0 {
		return false
	}
	return st.unknown(i) && (!st.nearWord(i) || st.titled(i) && !st.sentenceStart(i)) || // "in Wivins area": a capital vouches
		f&(fCity|fName) != 0 && (f&(fCommon|fCore) == 0 || st.titled(i) && !st.sentenceStart(i)) // "in Marble area"
}

// wardPlace reports whether word i, a dictionary word, stands where a
// ward is named before its number: after "transfer to", "pt to", "p: to"
// (a date may stand between: "admitted 3/2 to Alder 2"), "intubated on"
// or "plan:", and is a name, city or proper noun rather than an ordinary
// or clinical word ("transfer to floor 2", "wean to cpap 5"). A state
// there names a ward too ("transfer to Nevada 3").
func (st *state) wardPlace(i, p int) bool {
	f := st.toks[i].flags
	if st.transferTo(p) && st.kws[i]&(kwStop|kwUnit|kwMonth|kwWeekday|kwTitle|kwRelation|kwRole|kwFacility|kwGeneric) == 0 &&
		(f&fClinical == 0 || st.mixed && st.toks[i].shape == sTitle || f&(fName|fCity) != 0) &&
		!bedWords[string(lowerInto(st.buf[:0], st.word(i)))] && (st.wardOr(i+2) || st.phraseEnd(i+2) || st.wardTime(i+2)) {
		// "transfer to Calcium 2 tomorrow", "to Cooks 2 or Cooks 3": a
		// transfer names a ward, whatever the word, but a clinical one
		// only capitalised or when also a name ("TRANSFER TO BLOCKER 2",
		// not "transferred to CPAP 5").
		return true
	}
	if f&fClinical != 0 || f&(fName|fCity|fProper) == 0 && !st.stateName(i) ||
		f&fCore != 0 && f&(fFirstTop|fLastTop|fCity) == 0 && !st.stateName(i) ||
		st.kws[i]&(kwStop|kwUnit|kwMonth|kwWeekday|kwTitle|kwRelation) != 0 {
		return false
	}
	if st.is(p, "to") {
		m := p - 1
		if timeWords[string(lowerInto(st.buf[:0], st.word(max(m, 0))))] {
			m-- // "transfer today to Rose 2"
		}
		for n := 0; n < 5 && m > 0 && (st.num(m) >= 0 || st.punct(m, '/') || st.punct(m, '-')) && !st.toks[m+1].newline; n++ {
			m-- // "admitted 9/25 to Alder 2"
		}
		return st.kw(m)&kwMove != 0 || st.is(m, "pt") || st.punct(m, ':')
	}
	if st.is(p, "on") && (f&fCommon == 0 || f&(fLastTop|fCity) != 0) { // "INTUBATED ON MARBLE 2"
		return st.is(p-1, "intubated") || st.is(p-1, "extubated") || st.is(p-1, "reintubated") // "intubated on Ashby 2"
	}
	return st.punct(i-1, ':') && st.is(i-2, "plan")
}

// transferTo reports whether token p is "to" right after a transfer verb
// ("transfer to", "transferred to", "tranfered to", "tx to"; not "traveled
// to", another movement).
func (st *state) transferTo(p int) bool {
	if !st.is(p, "to") || p < 1 || st.kws[p-1]&kwMove == 0 || st.toks[p].newline {
		return false
	}
	w := st.word(p - 1)
	return len(w) >= 2 && w[0]|0x20 == 't' && w[1]|0x20 == 'x' || len(w) >= 4 && w[0]|0x20 == 't' && w[1]|0x20 == 'r' && w[2]|0x20 == 'a' && w[3]|0x20 == 'n'
}

// bedWords name a part of any hospital, not a ward of one: "transfer to
// floor 2", "to bed 2".
var bedWords = map[string]bool{"floor": true, "floors": true, "bed": true, "beds": true, "bay": true, "room": true, "rm": true,
	"pod": true, "unit": true, "units": true, "ward": true, "level": true, "step": true, "stepdown": true, "tower": true,
	"wing": true, "building": true, "bldg": true, "suite": true, "team": true, "side": true, "stage": true, "phase": true,
	"icu": true, "micu": true, "sicu": true, "ccu": true, "csru": true, "cvicu": true, "nicu": true, "picu": true,
	"tsicu": true, "pacu": true, "ed": true, "er": true, "or": true, "cath": true, "lab": true, "rehab": true, "tele": true,
	"telemetry": true, "hospice": true, "home": true, "nursing": true, "class": true, "grade": true, "number": true, "no": true}

// wardOr reports whether "or" and another ward number follow at j ("to
// Cooks 2 or 3", "to Cooks 2 or Cooks 3").
func (st *state) wardOr(j int) bool {
	return st.is(j, "or") && (st.wardNumber(j+1) || st.wardNumber(j+2) && st.toks[j+1].kind == kWord)
}

// wardTime reports whether a time word follows the ward at j ("to Farmer
// 3 today", "when stable", "if bed available", "at 1000").
func (st *state) wardTime(j int) bool {
	return j < len(st.toks) && (timeWords[string(lowerInto(st.buf[:0], st.word(j)))] || st.is(j, "when") || st.is(j, "if") ||
		st.is(j, "at") || st.is(j, "once") || st.is(j, "after") || st.is(j, "for") || st.is(j, "per"))
}

// wardNumber reports whether token i is a ward or floor number: one or
// two digits standing alone, not a measurement, range or ordinal.
func (st *state) wardNumber(i int) bool {
	if st.num(i) < 0 || st.digits(i) > 2 || st.followedByUnit(i) || !st.adjacentNext(i) {
		return false
	}
	j := i + 1
	return !(st.punct(j, '/') || st.punct(j, '.') && j+1 < len(st.toks) && st.toks[j+1].kind != kPunct && st.adjacent(j) || st.punct(j, ':') || st.punct(j, '-') || st.punct(j, '%') ||
		st.is(j, "st") || st.is(j, "nd") || st.is(j, "rd") || st.is(j, "th") || st.punct(j, '>'))
}

// adjacentNext is true when the token after i exists or i ends the text.
func (st *state) adjacentNext(i int) bool { return i < len(st.toks) }

// alnumWard matches a word glued to a ward number ("Quartermain7"), not
// a count ("stoolsx2") or an ordinary or clinical word with a number
// ("cpap7"). After "admitted to" (moved) a town that is an ordinary word
// stays ("admitted to Basin3").
func (st *state) alnumWard(k int, moved bool) bool {
	w := st.word(k)
	i := 0
	for i < len(w) && isLetter(w[i]) {
		i++
	}
	if i < 4 || w[i-1]|0x20 == 'x' {
		return false
	}
	if f := st.lx.lookupFold(w[:i], st.buf[:]); f != 0 && (f&(fCity|fName) == 0 || f&(fCommon|fCore|fClinical) != 0) &&
		!(moved && f&fCity != 0 && f&fClinical == 0 && !housingWords[string(lowerInto(st.buf[:0], w[:i]))] &&
			keywords[string(lowerInto(st.buf[:0], w[:i]))] == 0) {
		return false // "cpap7", "room4"; a town or surname stays ("Brookton4")
	}
	for _, c := range w[i:] {
		if !isDigit(c) {
			return false
		}
	}
	return len(w)-i <= 2
}
