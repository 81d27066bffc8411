package phi

import "github.com/phigate/phigate"

// generic words that describe but do not name a facility ("the outside
// hospital", "cardiac rehab").
var facilityGeneric = map[string]bool{
	"the": true, "this": true, "that": true, "outside": true, "another": true, "local": true, "a": true, "an": true,
	"his": true, "her": true, "their": true, "our": true, "other": true, "same": true, "previous": true, "psych": true,
	"psychiatric": true, "cardiac": true, "pulmonary": true, "acute": true, "rehab": true, "nursing": true, "home": true,
	"to": true, "from": true, "at": true, "in": true, "of": true, "and": true, "or": true, "for": true, "with": true,
	"osh": true, "va": true, "outpatient": true, "inpatient": true, "state": true, "county": true, "community": true,
	"hosp": true, "hospital": true, "med": true, "medical": true, "center": true, "ctr": true, "dialysis": true,
	"short": true, "long": true, "term": true, "care": true, "facility": true, "health": true, "any": true, "no": true,
	"not": true, "pt": true, "patient": true, "was": true, "is": true, "be": true, "back": true, "physical": true,
	"private": true, "teaching": true, "public": true, "military": true, "mental": true, "tertiary": true, "referring": true,
	"receiving": true, "nearest": true, "nearby": true, "original": true, "different": true, "new": true, "same-day": true,
	"card": true, "cardio": true, "pulm": true, "subacute": true, "begin": true, "start": true, "cont": true, "continue": true,
	"resume": true, "needs": true, "vestibular": true, "inpt": true, "outpt": true,
}

// distinctiveFacility words name a facility when another facility word
// follows ("Memorial Hospital").
var distinctiveFacility = map[string]bool{"memorial": true, "adventist": true, "general": true, "university": true,
	"veterans": true, "children's": true, "baptist": true, "methodist": true, "presbyterian": true, "lutheran": true,
	"mercy": true, "providence": true, "sinai": true, "shriners": true, "kaiser": true}

// facilityDescriptor words describe a facility between its name and its
// kind ("River Heart Center").
var facilityDescriptor = map[string]bool{"heart": true, "cancer": true, "medical": true, "med": true, "rehab": true,
	"rehabilitation": true, "health": true, "surgical": true, "eye": true, "children's": true, "women's": true,
	"community": true, "regional": true, "county": true, "memorial": true, "general": true, "care": true, "nursing": true}

// facilityBefore marks the name before "Hospital", "Rehab", "Memorial".
func (st *state) facilityBefore(i int) {
	if st.is(i, "health") && st.is(i+1, "care") {
		return
	}
	j := i - 1
	if st.punct(j, '-') {
		j--
	}
	last := j
	distinct := false
	for n := 0; n < 2 && j > 0 && st.kws[j]&kwDescriptor != 0; n++ {
		distinct = distinct || st.kws[j]&kwDistinct != 0
		j-- // "Chester River Heart Center", "X Medical Center"
	}
	named := j < last // a descriptor follows j ("X Memorial Hospital")
	if named && !st.facilityNameWord(j, i, true) {
		if distinct {
			st.add(j+1, i, phigate.LOCATION, 0.7, "facility") // "Memorial Hospital"
		}
		return
	}
	if j == last && j >= 0 && st.toks[j].shape == sUpper && st.toks[j].end-st.toks[j].start == 2 && st.kws[j]&kwState != 0 &&
		st.toks[i].shape != sUpper {
		st.add(j, i, phigate.LOCATION, 0.7, "facility") // "MD Hospital"
		return
	}
	if j == last && j > 0 && !st.mixed && st.toks[j].end-st.toks[j].start == 2 && st.kws[j]&kwState != 0 && st.toks[j].shape == st.toks[i].shape &&
		(st.is(i, "hospital") || st.is(i, "hosp")) && st.kw(j-1)&kwPlacePrep != 0 && !st.is(j-1, "of") {
		st.add(j, i, phigate.LOCATION, 0.6, "facility") // "admitted from md hospital": a state's hospital after "from"
		return
	}
	e := j
	for n := 0; n < 3 && j >= 0 && !st.toks[j+1].newline && (st.facilityNameWord(j, i, named && n == 0) || n == 0 && j == i-1 && (st.namedPlaceWord(j) || st.caselessPlaceWord(j, i)) ||
		j >= 0 && st.kws[j]&kwDistinct != 0); n++ {
		j--
		if st.punct(j, '.') && (st.is(j-1, "st") || st.is(j-1, "mt")) {
			j -= 2
			break
		}
		if st.is(j, "of") && st.isInitial(j-1) && st.toks[j-1].shape == sUpper && !st.is(j-1, "a") && !st.is(j-1, "i") && !st.toks[j].newline {
			j -= 2 // "U OF X MED CENTER"
			break
		}
		if st.is(j, "of") && st.placeWord(j-1, false) {
			j--
		}
		if st.punct(j, '-') && st.adjacent(j-1) && st.adjacent(j) {
			j--
		}
	}
	if j == e {
		return
	}
	s := j + 1
	for s < e && st.toks[s].kind == kPunct {
		s++
	}
	conf := float32(0.85)
	if st.toks[i].shape == sLower && !st.mixed && st.allCommon(s, e) {
		conf = 0.6
	}
	// The facility word is kept in the span: "Harbor Hospital" names a
	// place as a whole.
	st.add(s, i, phigate.LOCATION, conf, "facility")
}

// facilityNameWord reports whether word j may be part of the name of
// facility word i: a place word, or a person's or town's name that is
// also a clinical word ("Mexico Flanagan Hospital"), capitalised in mixed case before another capitalised
// word of the name ("Wilson Memorial Hospital", "Wilson Shalimar hosp");
// right before the facility word it names a specialty ("Parkinson
// Clinic"). Before a distinctive word (named: "WILSON MEMORIAL
// HOSPITAL") it is a name in any case.
func (st *state) facilityNameWord(j, i int, named bool) bool {
	if st.placeWord(j, false) {
		return true
	}
	if j >= 0 && j+1 < i && st.kws[j]&kwState != 0 && st.toks[j].kind == kWord && st.toks[j].end-st.toks[j].start > 2 &&
		st.toks[j].shape == st.toks[j+1].shape && st.toks[j].shape != sLower && st.kws[j]&(kwStop|kwMove|kwRelation|kwTitle|kwGeneric) == 0 {
		return true // "Virginia Mason Hospital": a state's name opens a facility's
	}
	if (st.is(i, "assisted") || st.is(i, "senior") || st.is(i, "manor") || institutionWords[string(lowerInto(st.buf[:0], st.word(i)))]) &&
		j == i-1 && st.titled(j) && st.titled(i) && st.toks[j].kind == kWord && !st.sentenceStart(j) &&
		st.toks[j].flags&fClinical == 0 && st.kws[j] == 0 {
		return true // "Benchmark Senior Living", "Briarwood Manor": capitals make a brand of a word
	}
	if j < 0 || st.toks[j].kind != kWord || st.toks[j].flags&(fFirst|fLast|fCity) == 0 || st.toks[j].flags&fClinical == 0 ||
		st.toks[j].end-st.toks[j].start < 3 || st.kws[j]&(kwStop|kwMonth|kwWeekday|kwMove|kwRelation|kwTitle|kwState|kwGeneric) != 0 {
		return false
	}
	if named {
		return st.toks[j].shape == st.toks[j+1].shape && (st.toks[j].shape != sLower || !st.mixed)
	}
	if j+1 == i && institutionWords[string(lowerInto(st.buf[:0], st.word(i)))] {
		return st.toks[j].shape == st.toks[i].shape && st.toks[j].shape != sLower // "THE WILSON CAMPUS", "Goodhue Wilsons Hospital"
	}
	return j+1 < i && st.titled(j) && st.titled(j+1)
}

// institutionWords name a whole institution, which a surname names
// (unlike "clinic" or "center", which a disease may: "Parkinson Clinic").
var institutionWords = map[string]bool{"hospital": true, "hosp": true, "campus": true, "infirmary": true, "memorial": true}

func (st *state) allCommon(s, e int) bool {
	for k := s; k <= e; k++ {
		if st.toks[k].kind == kWord && st.toks[k].flags&(fCommon|fCore) == 0 {
			return false
		}
	}
	return true
}

// saint marks "St. Mary's", "Saint Agnes".
func (st *state) saint(i int) {
	j := i + 1
	if st.punct(j, '.') {
		j++
	}
	f := st.toks[min(j, len(st.toks)-1)].flags
	// After "to", "from", "at", "the", an unknown word makes "St. X" a
	// place; elsewhere "St" may end a street.
	placed := st.kw(i-1)&(kwPlacePrep|kwMove|kwLive) != 0 || st.is(i-1, "the")
	if placed && st.saintName(i, j) {
		st.add(i, j, phigate.LOCATION, 0.8, "saint") // "transfer to St. Grove"
		return
	}
	if j < len(st.toks) && st.toks[j].kind == kWord && (f&(fFirst|fLast|fProper|fCity) != 0 || placed && st.unknown(j) && st.toks[j].end-st.toks[j].start > 2) &&
		f&(fClinical|fCore) == 0 &&
		(!st.mixed || st.toks[j].shape != sLower) && st.kw(j)&kwStop == 0 && st.num(i-1) < 0 && !st.punct(j+1, '/') {
		st.add(i, j, phigate.LOCATION, 0.8, "saint")
	}
}

// saintName reports whether word j after "St." (token i), itself after a
// place word, names a saint: capitalised where capitals mean something,
// and no function, clinical or calendar word. "to St. Grove" is a place,
// "SR TO ST. HIGH PRESSURES" is not: in caseless text the period and a
// word that names (a name, a city) and is no ordinary word are needed.
func (st *state) saintName(i, j int) bool {
	if j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].newline || st.toks[j].end-st.toks[j].start < 3 ||
		st.kws[j]&(kwStop|kwMonth|kwWeekday|kwUnit|kwTitle) != 0 || st.toks[j].flags&fClinical != 0 {
		return false
	}
	f := st.toks[j].flags
	switch {
	case st.toks[i].shape == sTitle && st.titled(j):
		return true
	case st.punct(i+1, '.') && st.toks[j].shape == sUpper && !st.mixed:
		return f&(fName|fCity|fProper) != 0 && f&(fCommon|fCore) == 0 || f == 0 ||
			st.townWord(j) && st.placeEnds(j+1) // "TO GO TO ST. MARBLE ON TUESDAY"
	}
	return false
}

// universityOf marks "University of Maryland", "U of MD".
func (st *state) universityOf(i int) {
	if st.toks[i].shape != sLower && i+1 < len(st.toks) && st.stateName(i+1) && !st.is(i, "u") || st.is(i, "u") && st.toks[i].shape == sUpper &&
		i+1 < len(st.toks) && st.toks[i+1].shape != sLower && st.stateName(i+1) ||
		st.is(i, "u") && !st.mixed && i+1 < len(st.toks) && st.stateName(i+1) && (st.unitAfter(i+1) || st.kw(i+2)&kwFacility != 0) {
		// "u maryland er" in a caseless note: a hospital unit vouches for it
		st.add(i, i+1, phigate.LOCATION, 0.8, "university") // "U Maryland", "University Maryland"
		return
	}
	if st.is(i, "u") && st.num(i-1) < 0 && (st.toks[i].shape == sUpper || !st.mixed) && i+2 < len(st.toks) && (st.toks[i+1].shape != sLower || !st.mixed) &&
		(st.unitAfter(i+1) || st.kw(i+2)&kwFacility != 0) && st.placeWord(i+1, false) &&
		(st.unknown(i+1) || st.toks[i+1].flags&(fCity|fName|fProper) != 0) && (st.toks[i+1].flags&fCore == 0 || st.titled(i+1) && st.unitAfter(i+1)) {
		st.add(i, i+1, phigate.LOCATION, 0.75, "university") // "U Hallbrook ER", "u hallbrook hospital"
		return
	}
	if !st.is(i+1, "of") || i+2 >= len(st.toks) || st.toks[i+2].kind != kWord {
		return
	}
	if st.is(i, "u") && (st.toks[i].shape != sUpper || st.toks[i+2].flags&(fCore|fClinical) != 0 && st.kws[i+2]&kwState == 0) {
		return // "2 u of insulin"
	}
	st.add(i, i+2, phigate.LOCATION, 0.85, "university")
}

var unitWords = map[string]bool{"ew": true, "er": true, "ed": true, "icu": true, "micu": true, "sicu": true, "ccu": true,
	"cath": true, "hospital": true, "hosp": true, "nurse": true, "nursing": true, "attorneys": true, "staff": true, "team": true,
	"clinic": true, "lab": true, "campus": true, "floor": true, "unit": true, "tcu": true, "rehab": true, "attorney": true,
	"doctors": true, "physicians": true, "surgeons": true, "er's": true}

// unitAfter reports whether a hospital unit or facility word follows word i.
func (st *state) unitAfter(i int) bool {
	j := i + 1
	if j >= len(st.toks) || st.toks[j].kind != kWord {
		return false
	}
	return st.kws[j]&kwUnitWord != 0
}

// caselessPlaceWord accepts, where case says nothing, an ordinary word
// right before "hospital" or "hosp" after a place word ("went to harbor
// hosp", "from harbor hospital"): "the", "outside", "local" and other
// generic words are not, and neither are clinical words.
func (st *state) caselessPlaceWord(j, i int) bool {
	if st.mixed || j < 1 || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 4 ||
		!(st.is(i, "hospital") || st.is(i, "hosp")) || st.toks[j].flags&fClinical != 0 ||
		st.kws[j]&(kwGeneric|kwStop|kwMonth|kwWeekday|kwDescriptor|kwUnit) != 0 {
		return false
	}
	return st.kw(j-1)&(kwPlacePrep|kwMove) != 0 && st.kws[j-1]&kwGeneric == 0 || st.is(j-1, "to") || st.is(j-1, "from")
}

// namedPlaceWord accepts a common word that is also a name right before a
// facility word ("Harbor Hospital", "Good Samaritan"), when its case says so.
func (st *state) namedPlaceWord(j int) bool {
	if j < 0 || j >= len(st.toks) || st.toks[j].kind != kWord {
		return false
	}
	t := &st.toks[j]
	if t.end-t.start < 2 || !st.mixed && t.flags&fCore != 0 && t.flags&(fProper|fCity) == 0 {
		return false
	}
	return t.flags&(fName|fProper|fCity) != 0 && t.flags&fClinical == 0 && st.kws[j]&(kwStop|kwMonth|kwWeekday) == 0 &&
		(st.mixed && t.shape == sTitle || !st.mixed && t.shape == sUpper) && st.kws[j]&kwGeneric == 0
}

// houseGeneric are words before "house" that name a kind of residence,
// not one residence ("halfway house", "group house").
var houseGeneric = map[string]bool{"halfway": true, "group": true, "boarding": true, "rooming": true, "guest": true,
	"sober": true, "safe": true, "care": true, "open": true, "nursing": true, "full": true, "whole": true, "farm": true,
	"town": true, "row": true, "half": true, "tree": true, "dog": true, "green": true, "flop": true}

// houseName marks a residence named "X House" ("Linden House NH
// resident", "lives at Alder House"): a nursing-home or residence word
// after it, or, where capitals carry information, both words capitalised
// after a place word.
func (st *state) houseName(i int) {
	j := i - 1
	if j < 0 || !st.adjacentWord(j, i) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || st.toks[i].newline ||
		st.toks[j].flags&fClinical != 0 || st.kws[j]&(kwStop|kwGeneric|kwMonth|kwWeekday|kwTitle|kwRelation|kwRole|kwState|kwUnit) != 0 ||
		houseGeneric[string(lowerInto(st.buf[:0], st.word(j)))] {
		return
	}
	if st.mixed && (st.toks[j].shape != sTitle || st.toks[i].shape != sTitle) || !st.mixed && st.toks[j].shape != st.toks[i].shape {
		return
	}
	k := i + 1
	after := st.is(k, "nh") || st.is(k, "snf") || st.is(k, "resident") || st.is(k, "residents") || st.is(k, "nursing") ||
		st.is(k, "rehab") || st.is(k, "facility") || st.is(k, "shelter")
	before := st.mixed && !st.sentenceStart(j) && st.kw(j-1)&(kwPlacePrep|kwMove) != 0 && !st.is(j-1, "of") && !st.is(j-1, "in")
	if after || before {
		st.add(j, i, phigate.LOCATION, 0.7, "facility")
	}
}
