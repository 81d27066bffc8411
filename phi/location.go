package phi

import "github.com/phigate/phigate"

// findLocations finds facility names, places after movement and residence
// words, street addresses, cities and ZIP codes.
func (st *state) findLocations() {
	for i := range st.toks {
		k := st.kws[i]
		t := &st.toks[i]
		if t.kind == kPunct && k == 0 {
			continue // every rule below starts at a word, a number or a keyword
		}
		n := t.end - t.start
		if k&kwFacility != 0 && t.kind == kWord {
			st.facilityBefore(i)
			st.facilityAnd(i)
			st.facilityIn(i)
		}
		if t.kind == kWord {
			if n >= 12 {
				st.gluedFacility(i)
			}
			if k == 0 && t.flags&fCommon != 0 {
				st.jobPlace(i)
			}
			// The words below are told apart by length first: most
			// tokens are none of them.
			switch n {
			case 2:
				switch {
				case st.is(i, "va"):
					st.facilityIn(i)
				case st.is(i, "by"):
					st.agencyBefore(i)
				case st.is(i, "to"), st.is(i, "at"):
					st.townUnit(i)
				case st.is(i, "in"):
					if i > 0 && st.toks[i-1].kind == kWord && st.toks[i-1].end-st.toks[i-1].start <= 10 && st.kws[i-1]&^kwNotNameAfterTitle == 0 &&
						st.toks[i-1].flags&fCore != 0 && businessWords[string(lowerInto(st.buf[:0], st.word(i-1)))] {
						st.facilityIn(i - 1) // "has a bakery in Marble."
					}
				}
			case 4:
				if st.is(i, "from") {
					st.townUnit(i)
				}
			case 5:
				if st.is(i, "house") {
					st.houseName(i)
				}
			case 6:
				if st.text[t.start]|0x20 == 's' && st.is(i, "senior") && (st.is(i+1, "living") || st.is(i+1, "residence")) && st.toks[i].shape != sLower {
					st.facilityBefore(i) // "referral to Benchmark Senior Living"
				}
			case 8:
				if st.is(i, "assisted") && st.is(i+1, "living") {
					st.facilityBefore(i) // "lives at Carpenter Assisted Living"
				}
			}
		}
		if k&kwMove != 0 || k&kwLive != 0 {
			st.placeAfter(i)
		}
		if t.kind == kWord {
			switch n {
			case 1:
				if st.is(i, "u") && i+1 < len(st.toks) && st.toks[i+1].kind == kWord {
					st.universityOf(i)
				}
			case 2:
				if st.text[t.start+1]|0x20 == 't' && (st.is(i, "st") || st.is(i, "mt")) {
					st.saint(i) // "St. Anne's", "Mt. Auburn"
				}
			case 3:
				if st.is(i, "uof") && i+1 < len(st.toks) && st.adjacentWord(i, i+1) && (st.stateName(i+1) || st.placeWord(i+1, true)) {
					st.add(i, i+1, phigate.LOCATION, 0.75, "university") // "uof maryland hosp"
				}
			case 4:
				if st.is(i, "univ") {
					st.universityOf(i)
				}
			case 5:
				if st.is(i, "saint") || st.is(i, "mount") {
					st.saint(i)
				}
			case 10:
				if st.is(i, "university") {
					st.universityOf(i)
				}
			}
		}
		if st.toks[i].flags&fCityStart != 0 && i+1 < len(st.toks) && st.toks[i+1].kind == kWord && st.toks[i+1].space {
			st.cityPair(i)
		}
		if st.toks[i].kind == kNum {
			st.street(i)
			st.zip(i)
		}
		if st.kws[i]&kwStreet != 0 && (st.toks[i].end-st.toks[i].start >= 3 || st.punct(i+1, '.') && st.toks[i].shape != sLower) {
			st.streetName(i)
		}
		if st.toks[i].flags&fCity != 0 {
			st.city(i)
		}
		if st.toks[i].kind == kWord || st.toks[i].kind == kAlnum {
			if st.plainAfterPlain(i) {
				continue // unknownPlace's first test, without the call: most words end here
			}
			st.unknownPlace(i)
		}
	}
	for i := range st.toks {
		if st.kws[i]&(kwLive|kwPlacePrep|kwMove) != 0 {
			st.hometownAt(i) // after the rules above, which keep their names
		}
	}
}

// placeWord reports whether word i can be part of a place name.
func (st *state) placeWord(i int, strict bool) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	t := &st.toks[i]
	if t.kind != kWord && t.kind != kAlnum {
		return false
	}
	if st.kws[i]&kwGeneric != 0 || st.kws[i]&(kwStop|kwMonth|kwWeekday|kwMove|kwRelation|kwTitle) != 0 {
		return false
	}
	if st.mixed && t.shape == sLower {
		return false
	}
	if t.flags&fClinical != 0 || t.kind == kAlnum && strict {
		return false
	}
	if !strict && (t.flags&fCore != 0 && t.flags&(fCity|fProper) == 0 || t.flags&fCommon != 0 && t.flags&(fName|fCity|fProper) == 0 ||
		t.end-t.start < 2) {
		return false
	}
	if st.kws[i]&kwState != 0 && t.end-t.start > 2 {
		return false // states are no Safe Harbor identifiers
	}
	if strict {
		return t.flags&(fCommon|fCore) == 0 || t.flags&(fCity|fProper|fName) != 0 && st.mixed && t.shape == sTitle ||
			st.num(i+1) >= 0 && st.digits(i+1) <= 2 && !st.followedByUnit(i+1) && !bedWords[string(lowerInto(st.buf[:0], st.word(i)))] // not "to level 2"
	}
	return true
}

// placeAfter marks the place after "transferred to", "lives in", "from".
func (st *state) placeAfter(i int) {
	j := i + 1
	if st.kws[i]&kwLive != 0 && (st.is(j, "nearby") || st.is(j, "alone")) {
		j++
	}
	if st.kw(j)&kwPlacePrep == 0 && !(st.is(j, "for") && (st.is(i, "works") || st.is(i, "worked") || st.is(i, "work"))) {
		return
	}
	j++
	if st.is(j, "the") {
		j++
	}
	if st.capitalPlace(j) {
		return
	}
	if !st.placeWord(j, true) || st.kw(j)&kwFacility != 0 {
		st.placePair(j)
		return
	}
	if st.placePairAt(j) {
		return
	}
	e := j
	for e+1 < len(st.toks) && e-j < 2 && st.placeWord(e+1, true) && !st.toks[e+1].newline && st.kw(e+1)&kwFacility == 0 {
		e++
	}
	st.add(j, e, phigate.LOCATION, 0.8, "place-context")
}

// street marks "123 Main Street" and "45 Elm St., Apt 4".
func (st *state) street(i int) {
	if st.digits(i) > 6 || i > 0 && !st.toks[i].space && !st.toks[i].newline || st.punct(i-1, '/') || st.punct(i-1, '-') {
		return
	}
	j := i + 1
	for n := 0; n < 4 && j < len(st.toks) && (st.toks[j].kind == kWord || n < 2 && st.ordinalWord(j)); n++ {
		if st.kws[j]&kwStreet != 0 && j > i+1 && (st.toks[j-1].shape != sLower || !st.mixed || st.ordinalWord(j-1)) && !st.is(j, "dr") &&
			(!st.is(j, "st") && (!st.is(j, "ct") || st.mixed) || st.punct(j+1, '.') || st.punct(j+1, ',') || j+1 >= len(st.toks) || st.toks[j+1].newline) {
			e := j
			if st.punct(e+1, '.') {
				e++
			}
			e = st.unitAfterStreet(e)
			st.add(i, e, phigate.LOCATION, 0.9, "street")
			st.cityAfterStreet(e)
			return
		}
		if (st.kws[j]&kwStop != 0 || st.toks[j].flags&fClinical != 0 || st.unknown(j) && !st.mixed) && !(j == i+1 && st.compass(j)) {
			return
		}
		j++
	}
}

// compass reports whether word j is a compass direction in capitals
// before a street's name ("20 W 3rd Ave", "5 NE Elm St").
func (st *state) compass(j int) bool {
	if st.toks[j].shape != sUpper || st.toks[j].end-st.toks[j].start > 2 {
		return false
	}
	switch string(lowerInto(st.buf[:0], st.word(j))) {
	case "n", "s", "e", "w", "ne", "nw", "se", "sw":
		return true
	}
	return false
}

// ordinalWord reports whether token j is an ordinal in digits ("61st",
// "2nd"), as numbered streets are named.
func (st *state) ordinalWord(j int) bool {
	w := st.word(j)
	if st.toks[j].kind != kAlnum || len(w) < 3 || len(w) > 5 {
		return false
	}
	for _, c := range w[:len(w)-2] {
		if !isDigit(c) {
			return false
		}
	}
	return isOrdinalSuffix(w[len(w)-2:])
}

// titledPair reports whether words a and a+1 (= b) are capitalised
// words inside a sentence where capitals carry information, neither a
// clinical word (but a town's or a feature's: "Bay") nor a keyword (but
// a verb of movement: "Back").
func (st *state) titledPair(a, b int) bool {
	if a < 0 || b >= len(st.toks) || !st.adjacentWord(a, b) || st.toks[b].newline {
		return false
	}
	for _, k := range [2]int{a, b} {
		if !st.titled(k) || st.toks[k].kind != kWord || st.kws[k]&^(kwMove|kwGeneric) != 0 ||
			st.toks[k].flags&fClinical != 0 && st.toks[k].flags&fCity == 0 && !namedFeatures[string(lowerInto(st.buf[:0], st.word(k)))] {
			return false
		}
	}
	return true
}

// streetName marks a street named without its number ("found on Elm
// Street", "lives off Pond Rd.", "on Main St."): one or two capitalised
// words (capitals in a caseless note, or words that are no English word
// in a note in small letters) before a street word spelt out or
// abbreviated, in the name's case, after a preposition of place or a verb
// of living or moving. Token j is the street word; "Dr", "Ct", "Pl" and
// "Way" say too many other things to be taken without a number, and
// "St" only capitalised and with its period (findLocations asks).
func (st *state) streetName(j int) {
	if !streetSuffixes[string(lowerInto(st.buf[:0], st.word(j)))] || st.toks[j].newline || st.toks[j].shape == sLower && st.mixed {
		return
	}
	s := j - 1
	for n := 0; n < 2 && s >= 0 && st.streetWord(s, j); n++ {
		if s-1 < 0 || !st.adjacentWord(s-1, s) || st.toks[s].newline || !st.streetWord(s-1, j) {
			break
		}
		s--
	}
	if s >= j || !st.streetWord(s, j) || !st.adjacentWord(s, s+1) || st.toks[s].newline {
		return
	}
	p := s - 1
	if p < 0 || !(st.kws[p]&(kwPlacePrep|kwLive|kwMove) != 0 || st.is(p, "on") || st.is(p, "off") || st.is(p, "near")) {
		return
	}
	e := j
	if st.punct(e+1, '.') && st.toks[j].end-st.toks[j].start <= 4 {
		e++
	}
	st.add(s, e, phigate.LOCATION, 0.8, "street")
	if st.punct(e+1, ',') {
		st.cityAfterStreet(e)
	}
}

// streetWord reports whether word s may be part of the name of the street
// whose street word is j: in j's case, no function, clinical or calendar
// word.
func (st *state) streetWord(s, j int) bool {
	t := &st.toks[s]
	if t.kind != kWord || t.shape != st.toks[j].shape || t.end-t.start < 2 || t.flags&fClinical != 0 ||
		st.kws[s]&(kwStop|kwMonth|kwWeekday|kwTitle|kwRole|kwRelation|kwStreet|kwUnit) != 0 {
		return false
	}
	if t.shape == sLower {
		// In a note in small letters only a name, a town or a word nobody
		// listed names a street ("on fenwick street", not "on the main road").
		return !st.mixed && t.flags&(fCommon|fCore|fRare) == 0
	}
	return st.mixed || t.shape == sUpper
}

// streetSuffixes are the street words streetName takes without a number.
var streetSuffixes = map[string]bool{"street": true, "avenue": true, "ave": true, "road": true, "rd": true, "boulevard": true,
	"blvd": true, "lane": true, "ln": true, "drive": true, "court": true, "terrace": true, "circle": true, "highway": true,
	"parkway": true, "pkwy": true, "turnpike": true, "pike": true, "square": true, "trail": true,
	"st": true} // "on Main St.": the two-letter ones only capitalised and with their period

var usStates = map[string]bool{}

func init() {
	for _, s := range []string{"al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in", "ia", "ks",
		"ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok",
		"or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy", "pr", "alabama", "alaska", "arizona",
		"arkansas", "california", "colorado", "connecticut", "delaware", "florida", "georgia", "hawaii", "idaho", "illinois",
		"indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
		"mississippi", "missouri", "montana", "nebraska", "nevada", "ohio", "oklahoma", "oregon", "pennsylvania", "tennessee",
		"texas", "utah", "vermont", "virginia", "washington", "wisconsin", "wyoming", "new hampshire", "new jersey",
		"new mexico", "new york", "north carolina", "north dakota", "south carolina", "south dakota", "rhode island",
		"west virginia"} {
		usStates[s] = true
	}
	addSet(kwState, usStates)
	addSet(kwGeneric, facilityGeneric)
	addSet(kwDistinct, distinctiveFacility)
	addSet(kwDescriptor, facilityDescriptor)
	addSet(kwUnitWord, unitWords)
	addSet(kwEvent, eventWords)
	addSet(kwVent, ventWords)
	addSet(kwScore, scoreWords)
}

// zip marks a ZIP code after a state ("MA 02115") or the word "zip".
func (st *state) zip(i int) {
	if st.digits(i) != 5 {
		return
	}
	e := i
	if st.punct(i+1, '-') && st.digits(i+2) == 4 && st.adjacent(i) {
		e = i + 2
	}
	p := i - 1
	if st.punct(p, ',') {
		p--
	}
	if st.is(p, "id") && !st.punct(p-1, ',') {
		return // "Badge ID 55821" is an identifier; Idaho follows its city: "Boise, ID 83702"
	}
	if p >= 0 && (st.kws[p]&kwState != 0 && (st.toks[p].shape == sUpper || !st.mixed) ||
		st.is(p, "zip") || st.is(p, "zipcode")) {
		st.add(i, e, phigate.LOCATION, 0.9, "zip")
	}
}

// city marks a US city name (one or more words) in a place context, or
// an unambiguous one anywhere.
func (st *state) city(i int) {
	t := &st.toks[i]
	if t.kind != kWord || t.flags&fClinical != 0 || st.kws[i]&(kwState|kwStop) != 0 || st.eponym(i) {
		return // "fluid in Douglas pouch" names an anatomy
	}
	if st.mixed && t.shape == sLower {
		if st.lowerCity(i) {
			st.add(i, i, phigate.LOCATION, 0.75, "city-state") // "we live in tulsa oklahoma"
		}
		return
	}
	prep := st.is(i-1, "in") || st.is(i-1, "from") || st.is(i-1, "of") || st.is(i-1, "near") || st.is(i-1, "to") || st.is(i-1, "at")
	state := st.stateAfter(i) != stateNone
	common := t.flags&(fCommon|fCore) != 0
	switch {
	case !common && t.flags&fName == 0 && t.end-t.start > 3:
		st.add(i, i, phigate.LOCATION, 0.7, "city")
	case (prep || state) && !common:
		st.add(i, i, phigate.LOCATION, 0.8, "city-context")
	case state && (t.shape != sLower || !st.mixed):
		st.add(i, i, phigate.LOCATION, 0.75, "city-state")
	}
}

// cityPair marks two-word city names ("New Haven", "Bel Air").
func (st *state) cityPair(i int) {
	a, b := st.word(i), st.word(i+1)
	if len(a)+len(b)+1 > len(st.buf) || st.mixed && (st.toks[i].shape == sLower || st.toks[i+1].shape == sLower) &&
		(st.toks[i].shape != st.toks[i+1].shape || st.stateAfter(i+1) == stateNone && !st.livedBefore(i-1)) {
		return // "new haven, connecticut" or "lives with me in el paso" in small letters: the state or the journey vouches
	}
	if st.toks[i].flags&fClinical != 0 || st.toks[i+1].flags&fClinical != 0 ||
		st.toks[i].flags&fCore != 0 && st.toks[i+1].flags&fCore != 0 && st.kw(i-1)&kwPlacePrep == 0 {
		return // "left hand"
	}
	key := lowerInto(st.buf[:0], a)
	key = append(key, ' ')
	key = lowerInto(key, b)
	if st.lx.lookup(key)&fCity != 0 && !usStates[string(key)] {
		st.add(i, i+1, phigate.LOCATION, 0.75, "city")
	}
}

// livedBefore reports whether p is "in", "from", "to" or "near" after a
// residence or movement word a few words back on its line, with no
// punctuation between ("lives with me in el paso", "moved back to san
// diego").
func (st *state) livedBefore(p int) bool {
	if !(st.is(p, "in") || st.is(p, "from") || st.is(p, "to") || st.is(p, "near")) {
		return false
	}
	for k := p - 1; k >= 0 && k >= p-4 && !st.toks[k+1].newline && st.toks[k].kind == kWord; k-- {
		if st.kws[k]&(kwLive|kwMove) != 0 {
			return true
		}
	}
	return false
}

// unknown reports whether word i is in no dictionary at all.
func (st *state) unknown(i int) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	t := &st.toks[i]
	return (t.kind == kWord || t.kind == kAlnum) && t.flags == 0 && st.kws[i] == 0
}

// plainAfterPlain reports, cheaply, what unknownPlace's early return
// decides for most words: a listed word, not capitalised where capitals
// count and before no number, after a word that is no preposition of
// place, movement, "by", "on", "the" or number.
func (st *state) plainAfterPlain(i int) bool {
	t := &st.toks[i]
	if t.kind != kWord || t.flags == 0 && st.kws[i] == 0 || st.titled(i) || i+1 < len(st.toks) && st.toks[i+1].kind == kNum {
		return false
	}
	p := i - 1
	if p < 0 {
		return true
	}
	kp := st.kws[p]
	if kp&(kwPlacePrep|kwMove|kwPrep) != 0 || st.toks[p].kind == kNum {
		return false // a preposition, a movement, "by" or a number may come before a place
	}
	n := st.toks[p].end - st.toks[p].start
	return n > 3 || !(st.is(p, "the") || st.is(p, "on") || st.is(p, "by"))
}

// unknownPlace marks places known by their shape and context only: a
// word in no dictionary before a ward number ("Quartermain 2"), an unknown
// acronym after "to", "at", "from" ("transferred to GH"), and a
// capitalised name after such a word in mixed-case text.
func (st *state) unknownPlace(i int) {
	t := &st.toks[i]
	n := t.end - t.start
	p := i - 1
	numBefore := p >= 0 && st.toks[p].kind == kNum && st.digits(p) == 3
	if st.is(p, "the") || numBefore {
		p-- // "from the GBMC", "to 209 Quartermain"
	}
	prep := st.shortPlacePrep(p) || st.kw(p)&kwMove != 0
	if !prep && t.kind == kWord && !st.is(p, "by") && !st.unknown(i) && !st.titled(i) && (i+1 >= len(st.toks) || st.toks[i+1].kind != kNum) {
		return // a listed word in small letters after no preposition: every rule below wants one of these
	}
	if st.unknown(i) && t.kind == kWord && n >= 4 && (prep && !numBefore || st.punct(i-1, ':')) && st.wardNumber(i+1) {
		st.add(i, i, phigate.LOCATION, 0.75, "ward")
		return
	}
	if t.kind == kWord && n >= 4 && st.num(i+1) >= 0 && !st.unknown(i) && st.wardPlace(i, p) && st.wardNumber(i+1) {
		st.add(i, i, phigate.LOCATION, 0.7, "ward") // "transfer to Appleton 2"
		return
	}
	if t.kind == kAlnum && n >= 5 && (prep || st.sentenceStart(i)) && st.alnumWard(i, st.is(p, "to") && st.kw(p-1)&kwMove != 0) {
		st.add(i, i, phigate.LOCATION, 0.6, "ward")
		return
	}
	if st.unknown(i) && t.kind == kWord && n >= 2 && n <= 5 && (t.shape == sUpper || !st.mixed && t.shape == sLower) &&
		!prep && st.unitAfter(i) && (st.toks[i+1].shape == t.shape || st.mixed) {
		st.add(i, i, phigate.LOCATION, 0.6, "acronym-place") // "GH EW", "GH attorneys"
		return
	}
	if st.titled(i) && t.kind == kWord && (st.is(p, "from") || st.is(p, "at")) && !st.sentenceStart(i) &&
		t.flags&(fName|fProper|fCity) != 0 && t.flags&(fClinical) == 0 && st.kws[i]&(kwStop|kwMonth|kwWeekday|kwTitle|kwFacility) == 0 &&
		st.kws[i]&kwState == 0 {
		st.add(i, i, phigate.LOCATION, 0.5, "capital-place") // "Surgeon from Harbor"
	}
	// "of" names a place after a name ("Shynsina of Ganflaswick"), not
	// after a dose ("dose of Levoquin").
	ofName := !st.is(p, "of") || p > 0 && st.toks[p-1].shape == sTitle
	if st.titled(i) && st.unknown(i) && n >= 4 && !st.sentenceStart(i) && st.placePrep(p) && ofName &&
		(!st.nearWord(i) || st.unknownPair(i) && !st.nearWord(i+1)) { // "at Camu Vedoa": a pair vouches for a word near another
		e := i
		if st.unknownPair(i) {
			e = i + 1 // "at Camu Vedoa"
		}
		st.add(i, e, phigate.LOCATION, 0.5, "capital-place") // "daughter Rot of Kynspouridge"
	}
	if t.kind == kWord && st.titled(i) && st.is(i+1, "area") && st.titledPair(i-1, i) && !st.sentenceStart(i-1) {
		q := i - 2
		if st.is(q, "the") {
			q--
		}
		if st.is(q, "in") || st.is(q, "near") || st.is(q, "from") {
			st.add(i-1, i, phigate.LOCATION, 0.6, "area") // "lives in the Back Bay area"
		}
	}
	if !prep && !st.is(p, "by") {
		return
	}
	acronym := st.unknown(i) && t.kind == kWord && n >= 2 && n <= 5 && (t.shape == sUpper || !st.mixed && t.shape == sLower) &&
		!numBefore && st.num(i-1) < 0
	if st.unknown(i) && t.kind == kWord && n >= 4 && numBefore && st.is(p, "to") {
		st.add(i, i, phigate.LOCATION, 0.7, "ward")
		return
	}
	if t.kind == kWord && n >= 4 && numBefore && st.is(p, "to") && st.kw(p-1)&kwMove != 0 && st.phraseEnd(i+1) &&
		t.flags&(fCity|fName) != 0 && t.flags&(fCore|fClinical) == 0 && st.kws[i] == 0 {
		st.add(i, i, phigate.LOCATION, 0.6, "ward") // "transferred to 312 Ashby."
		return
	}
	if acronym && (st.kw(p-1)&kwMove != 0 || st.kw(p)&kwMove != 0 || st.unitAfter(i)) {
		st.add(i, i, phigate.LOCATION, 0.75, "acronym-place")
		return
	}
	if acronym && n <= 4 && !st.is(p, "by") && !st.followedByUnit(i) && st.num(i+1) < 0 && !st.punct(i+1, '/') {
		st.add(i, i, phigate.LOCATION, 0.5, "acronym-place")
		return
	}
	if st.titled(i) && t.kind == kWord && !st.sentenceStart(i) && t.flags&(fCore|fClinical) == 0 &&
		t.flags&(fProper|fCity|fName) != 0 && st.kws[i]&(kwStop|kwMonth|kwWeekday|kwTitle|kwFacility|kwState) == 0 &&
		st.kw(p-1)&kwMove != 0 {
		st.add(i, i, phigate.LOCATION, 0.6, "capital-place")
		return
	}
	if !st.mixed && st.unknown(i) && t.kind == kWord && n >= 4 && (st.is(p, "from") || st.is(p, "in") || st.is(p, "near")) &&
		(st.kw(p-1)&(kwRelation|kwMove|kwLive) != 0 || st.is(p, "from") && st.movedBefore(p) || st.high && !st.is(p-1, "to")) &&
		!st.nearWord(i) && !st.followedByUnit(i) {
		st.add(i, i, phigate.LOCATION, 0.5, "unknown-place") // "daughter from POAFORD", "son in SLERTSEETON"
	}
	if st.is(i+1, "area") && (st.is(p, "in") || st.is(p, "near")) && st.areaName(i) {
		st.add(i, i, phigate.LOCATION, 0.6, "area") // "a shelter in Edgemere area"
	}
	if st.is(i-1, "the") && st.regionPair(i) {
		st.add(i, i+1, phigate.LOCATION, 0.5, "region") // "from the Eastern Shore"
	}
	if st.is(i, "dc") && t.shape == sUpper && (st.is(p, "in") || st.is(p, "from")) {
		st.add(i, i, phigate.LOCATION, 0.7, "city") // Washington, DC
	}
}

// placePairAt is placePair for pairs that start with a place word.
func (st *state) placePairAt(j int) bool {
	n := len(st.found)
	st.placePair(j)
	return len(st.found) > n
}

// placePair marks a two-word place of ordinary words after a movement
// word ("went to Holy Cross", "from the Eastern Shore"): both words must
// be able to name a place and one must be a name or a proper noun.
func (st *state) placePair(j int) {
	k := j + 1
	if !st.placeWord(j, false) || !st.placeWord(k, false) || st.toks[k].newline || st.kw(k)&kwFacility != 0 {
		return
	}
	named := (st.toks[j].flags|st.toks[k].flags)&(fName|fProper|fCity) != 0
	if st.mixed && (st.toks[j].shape == sLower || st.toks[k].shape == sLower) || !named {
		return
	}
	next := k + 1
	if next < len(st.toks) && st.toks[next].kind == kWord && !st.toks[next].newline && st.kws[next]&(kwStop|kwPlacePrep) == 0 &&
		st.toks[next].flags&fClinical == 0 && st.toks[next].end-st.toks[next].start > 1 {
		return // a longer phrase, not a name
	}
	st.add(j, k, phigate.LOCATION, 0.6, "place-pair")
}

// stateName reports whether word i is a US state name ("maryland's" too).
func (st *state) stateName(i int) bool {
	w := lowerInto(st.buf[:0], st.word(i))
	if len(w) > 2 && w[len(w)-2] == '\'' && w[len(w)-1] == 's' {
		w = w[:len(w)-2]
	}
	return usStates[string(w)]
}

// regionPair reports whether words i and i+1 name a region ("Eastern
// Shore", "North Shore") with nothing but punctuation after them: in
// mixed-case text both capitalised, one a proper noun or place, no
// clinical or function word; where case says nothing, a compass word and
// a word of geography ("the eastern shore"; not "THE LOW SIDE").
func (st *state) regionPair(i int) bool {
	k := i + 1
	if k >= len(st.toks) || st.toks[i].kind != kWord || st.toks[k].kind != kWord || st.toks[k].newline {
		return false
	}
	if n := k + 1; n < len(st.toks) && st.toks[n].kind != kPunct && !st.toks[n].newline {
		return false
	}
	a, b := st.toks[i], st.toks[k]
	if !st.mixed {
		if a.shape != b.shape || a.shape == sMixed || (a.flags|b.flags)&fClinical != 0 {
			return false
		}
		if a.flags&(fProper|fCity) != 0 && a.flags&(fCore|fCommon) == 0 && b.flags&(fName|fProper|fCity) != 0 && b.flags&fCore == 0 &&
			(st.kws[i]|st.kws[k])&(kwStop|kwMonth|kwWeekday|kwTitle|kwFacility|kwState) == 0 {
			return true // "FROM THE RUIDOSO FLATS": a place that is no English word
		}
		return st.toks[k].end-st.toks[k].start <= 10 &&
			compassWords[string(lowerInto(st.buf[:0], st.word(i)))] && regionNouns[string(lowerInto(st.buf[:0], st.word(k)))]
	}
	if a.shape != sTitle || b.shape != sTitle || (a.flags|b.flags)&fClinical != 0 ||
		(st.kws[i]|st.kws[k])&(kwStop|kwMonth|kwWeekday|kwTitle|kwFacility) != 0 {
		return false
	}
	return a.flags&(fProper|fCity) != 0 && b.flags&(fName|fProper|fCity) != 0
}

// compassWords and regionNouns make the name of a region in caseless
// text ("the Eastern Shore", "the north country").
var (
	compassWords = map[string]bool{"north": true, "south": true, "east": true, "west": true, "northern": true, "southern": true,
		"eastern": true, "western": true, "northeast": true, "northwest": true, "southeast": true, "southwest": true,
		"midwest": true, "upstate": true, "downstate": true, "central": true}
	regionNouns = map[string]bool{"shore": true, "shores": true, "coast": true, "country": true, "county": true, "valley": true,
		"hills": true, "mountains": true, "islands": true, "island": true, "cape": true, "bay": true, "plains": true,
		"panhandle": true, "peninsula": true, "slope": true, "lakes": true, "woods": true, "end": true, "side": true}
)

// capitalPlace marks, in mixed-case text, the capitalised words after a
// movement word ("transferred from Good Sam"): capitals inside a sentence
// make a proper name whatever the words are.
func (st *state) capitalPlace(j int) bool {
	if !(st.mixed || st.lowerNote) || j >= len(st.toks) || st.sentenceStart(j) {
		return false
	}
	e := j - 1
	for k := j; k < len(st.toks) && k-j < 3 && st.toks[k].kind == kWord && st.toks[k].shape == sTitle &&
		(k == j || !st.toks[k].newline) && st.toks[k].flags&fClinical == 0 &&
		st.kws[k]&(kwMonth|kwWeekday|kwTitle|kwRelation) == 0 && st.kws[k]&kwGeneric == 0 && !st.stateName(k); k++ {
		e = k
	}
	if e < j || e == j && st.toks[j].flags&fCore != 0 && st.toks[j].flags&(fName|fProper|fCity) == 0 {
		return false
	}
	st.add(j, e, phigate.LOCATION, 0.6, "capital-place")
	return true
}

// cityAfterStreet marks the town after a street address ("123 Main
// Street, Springfield"), up to two capitalised words before a comma, a
// state, a ZIP code or the end of the line.
func (st *state) cityAfterStreet(e int) {
	j := e + 1
	if st.punct(j, ',') {
		j++
	}
	k := j
	for k < len(st.toks) && k-j < 2 && st.toks[k].kind == kWord && st.toks[k].shape != sLower && !st.toks[k].newline &&
		st.toks[k].flags&fClinical == 0 && !st.stateName(k) && st.kws[k]&(kwStop|kwRelation|kwRole|kwTitle|kwMonth|kwWeekday) == 0 {
		k++
	}
	if k > j && st.punct(e, '.') && j == e+1 && st.toks[j].flags&fCity == 0 && st.stateAfter(k-1) == stateNone {
		return // "40 2nd st. Took 3": after "st." a new sentence may start; a town or a state says it did not
	}
	if k > j {
		st.add(j, k-1, phigate.LOCATION, 0.85, "street-city")
	}
}

// unitAfterStreet extends a street address over ", Apt 3B", "Suite 100",
// "Unit 5" or "#4".
func (st *state) unitAfterStreet(e int) int {
	j := e + 1
	if st.punct(j, ',') {
		j++
	}
	if st.is(j, "apt") || st.is(j, "apartment") || st.is(j, "suite") || st.is(j, "ste") || st.is(j, "unit") || st.is(j, "room") {
		j++
		if st.punct(j, '.') || st.punct(j, '#') {
			j++
		}
	} else if st.punct(j, '#') {
		j++
	} else {
		return e
	}
	if j < len(st.toks) && (st.toks[j].kind == kNum || st.toks[j].kind == kAlnum || st.toks[j].end-st.toks[j].start == 1) {
		return j
	}
	return e
}

// placePrep reports whether word p is a preposition that introduces a
// place ("in", "from", "of", "near", "to", "at").
func (st *state) placePrep(p int) bool {
	return st.is(p, "in") || st.is(p, "from") || st.is(p, "of") || st.is(p, "near") || st.is(p, "to") || st.is(p, "at")
}

// shortPlacePrep reports whether token p is "to", "at", "from", "in" or
// "on": the place prepositions but "of" and "near", read from the keyword
// bits first (unknownPlace asks it of every token).
func (st *state) shortPlacePrep(p int) bool {
	switch k := st.kw(p); {
	case k&kwPlacePrep != 0:
		return !st.is(p, "of") && !st.is(p, "near")
	case k&kwStop != 0:
		return st.is(p, "on")
	}
	return false
}
