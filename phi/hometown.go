package phi

import "github.com/phigate/phigate"

// Places named by where people live, come from and meet, in notes whose
// case says nothing: "lives in Harmony.", "DAUGHTER FROM KLAMBURG.",
// "went back to new brenton today", "PRESENTED TO U OF X MED CENTER".

// housingWords are the places where someone lives that name no town
// ("lives in an apartment", "lives in senior housing").
var housingWords = map[string]bool{"apartment": true, "apt": true, "apartments": true, "house": true, "home": true,
	"condo": true, "condominium": true, "trailer": true, "shelter": true, "housing": true, "facility": true, "complex": true,
	"community": true, "building": true, "town": true, "city": true, "country": true, "county": true, "state": true,
	"area": true, "neighborhood": true, "neighbourhood": true, "suburbs": true, "suburb": true, "village": true,
	"basement": true, "residence": true, "dorm": true, "dormitory": true, "hotel": true, "motel": true, "camp": true,
	"car": true, "van": true, "street": true, "streets": true, "woods": true, "jail": true, "prison": true, "group": true,
	"nursing": true, "assisted": true, "senior": true, "private": true, "public": true, "own": true, "rural": true,
	"downtown": true, "uptown": true, "bed": true, "room": true, "unit": true, "care": true, "respite": true}

// hometownAt runs the rules of this file at word i.
func (st *state) hometownAt(i int) {
	k := st.kws[i]
	if k&(kwLive|kwPlacePrep|kwMove) == 0 {
		return
	}
	if k&kwLive != 0 && st.is(i+1, "in") {
		st.homeTown(i + 2)
	}
	if k&kwLive != 0 && st.is(i+2, "in") && (st.is(i+1, "nearby") || st.is(i+1, "locally") || st.is(i+1, "close")) {
		st.homeTown(i + 3) // "lives nearby in Marble"
	}
	if k&(kwMove|kwLive) != 0 && (st.is(i+1, "to") || st.is(i+1, "from")) && st.is(i+2, "new") {
		st.newPlace(i+2, st.kinSubject(i))
	}
	if st.mixed {
		return
	}
	if st.is(i, "from") || st.is(i, "in") {
		st.townAtEnd(i)
	}
	if k&kwPlacePrep != 0 && !st.is(i, "of") && !st.is(i, "to") {
		st.placeAtEnd(i)
	}
	if k&kwPlacePrep != 0 && (st.is(i, "to") || st.is(i, "from") || st.is(i, "at")) {
		st.featurePlaces(i)
	}
}

// kinSubject reports whether a relative is the subject of movement word
// i: a relation word, with at most a name between ("daughter Lita
// returned", "her son returned").
func (st *state) kinSubject(i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && !st.toks[k+1].newline; k-- {
		if st.kws[k]&kwRelation != 0 {
			return true
		}
		if st.toks[k].kind != kWord || st.kws[k] != 0 {
			return false
		}
	}
	return false
}

// phraseEnd reports whether token j ends a phrase: punctuation other than
// "/", a line break, the end of the text, or a word that cannot go on a
// place's name ("and", "today", "with").
func (st *state) phraseEnd(j int) bool {
	if j >= len(st.toks) || st.toks[j].newline {
		return true
	}
	if st.toks[j].kind == kPunct {
		c := st.text[st.toks[j].start]
		return c == '.' || c == ',' || c == ';' || c == ')' || c == '"' || c == '\'' || c == '!' || c == '?' || c == '-' && !st.punct(j+1, '>')
	}
	return st.is(j, "and") || st.is(j, "today") || st.is(j, "tomorrow") || st.is(j, "with") || st.is(j, "but") ||
		st.is(j, "where") || st.is(j, "area")
}

// homeTown marks the town after "lives in", "born in", "works in" even when
// it is an ordinary English word ("lives in Harmony."), if the phrase ends
// there: no housing word ("lives in shelter"), no function, clinical or
// calendar word, no US state (states are no Safe Harbor identifiers; the
// District of Columbia is a city).
func (st *state) homeTown(j int) {
	if st.is(j, "dc") && st.phraseEnd(j+1) && !st.toks[j].newline {
		st.add(j, j, phigate.LOCATION, 0.7, "city") // "lives in dc": Washington, in any case
		return
	}
	if j >= len(st.toks) || st.toks[j].newline || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 ||
		!st.phraseEnd(j+1) || st.alreadyFound(j) {
		return
	}
	t := &st.toks[j]
	if t.flags&fClinical != 0 || st.kws[j]&(kwStop|kwMonth|kwWeekday|kwRelation|kwTitle|kwState|kwGeneric|kwFacility) != 0 ||
		st.stateName(j) || housingWords[string(lowerInto(st.buf[:0], st.word(j)))] || st.mixed && t.shape != sTitle && !st.townWord(j) {
		return // a town in small letters is one still ("lives in marble and")
	}
	if t.flags&(fCommon|fCore) != 0 && t.flags&(fCity|fProper) == 0 {
		return // "lives in fear.": a word, and a surname at most
	}
	st.add(j, j, phigate.LOCATION, 0.7, "hometown")
}

// placeAtEnd marks, in caseless text, a word nobody listed that ends a
// phrase after "from", "at", "in" or "near" (and an optional "the"):
// "DAUGHTER FROM KLAMBURG.", "consult from the brevale.", "meeting at
// trossick" and the same with two such words ("FROM THE VEX DORRIN-").
// Misspelt or glued words, English word endings and words before a dose
// or a slash are not places.
func (st *state) placeAtEnd(p int) {
	j := p + 1
	if st.is(j, "the") {
		j++
	}
	if !(st.unknown(j) || st.namedPlaceCandidate(j)) || st.toks[j].kind != kWord || st.toks[j].newline || !st.placeEnds(j+1) && !st.placeEnds(j+2) ||
		!st.personBefore(p) {
		return // every way below needs a word nobody listed or a town's or person's name, a phrase's end and a person
	}
	strong := st.strongPlaceCue(p)
	second := j+1 < len(st.toks) && st.adjacentWord(j, j+1) && (st.placeCandidateCue(j+1, strong) || st.namedPlaceCandidate(j+1))
	if !(st.placeCandidateCue(j, strong) || st.namedPlaceCandidate(j) || strong && second && st.toks[j].end-st.toks[j].start >= 3) {
		return // a strong cue takes a pair whose first word is short or near a word ("FROM THE GOAND SPIDALE-")
	}
	e := j
	if second {
		e = j + 1
	}
	if !st.phraseEnd(e+1) && !(strong || st.kw(p-1)&(kwRole|kwTitle) != 0) || !st.placeEnds(e+1) || st.alreadyFound(j) && st.alreadyFound(e) {
		return // "in X area" is the area rule's
	}
	st.add(j, e, phigate.LOCATION, 0.6, "place-end")
}

// namedPlaceCandidate reports whether word j is a town or a census name
// of four or more letters that is no English, clinical or keyword
// ("CONSULT FROM THE LEBEAU."), for placeAtEnd.
func (st *state) namedPlaceCandidate(j int) bool {
	if j < 0 || j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 4 || st.kws[j] != 0 {
		return false
	}
	f := st.toks[j].flags
	return f&(fCity|fFirst|fLast) != 0 && f&(fCommon|fCore|fClinical|fRare) == 0 && !st.stateName(j)
}

// placeCandidate reports whether word j is in no dictionary, has four or
// more letters and looks like no English word.
func (st *state) placeCandidate(j int) bool {
	if j < 0 || j >= len(st.toks) || !st.unknown(j) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 4 {
		return false
	}
	w := st.word(j)
	for _, e := range clinicalEndings {
		if len(w) > len(e)+2 && hasSuffixFold(w, e) {
			return false
		}
	}
	return !wordEnding(w) && !st.wordLike(j)
}

// personBefore reports whether, in the clause before word p, a person or
// a journey is spoken of: a relation, role, title, contact or facility
// word or one of visitWords ("DAUGHTER FROM X", "consult from the X",
// "meeting at X"), or a movement with only a time between (movedBefore);
// not only a body ("bleeding from X", "returned with CT from X").
func (st *state) personBefore(p int) bool {
	for k := p - 1; k >= 0 && k >= p-6 && !st.toks[k+1].newline; k-- {
		if st.punct(k, '.') || st.punct(k, ';') || st.punct(k, ':') {
			return false
		}
		if st.kws[k]&(kwRelation|kwRole|kwTitle|kwVerb|kwPost|kwFacility) != 0 ||
			st.toks[k].kind == kWord && st.toks[k].end-st.toks[k].start <= 11 && visitWords[string(lowerInto(st.buf[:0], st.word(k)))] {
			return true
		}
	}
	return st.movedBefore(p)
}

// visitWords are the nouns and verbs of meeting, visiting and travelling
// that say a place is near ("a consult from", "visiting from").
var visitWords = map[string]bool{"consult": true, "consults": true, "consultant": true, "meeting": true, "meet": true,
	"appointment": true, "appt": true, "visit": true, "visits": true, "visiting": true, "visited": true, "visitor": true,
	"visitors": true, "family": true, "friend": true, "friends": true, "job": true, "vacation": true, "trip": true,
	"stay": true, "stays": true, "staying": true, "stayed": true, "flight": true, "flying": true, "fly": true,
	"relatives": true, "relative": true, "church": true, "school": true, "class": true, "ambulance": true, "ems": true,
	"transport": true, "helicopter": true, "team": true, "fellowship": true}

// clinicalEndings end clinical words more often than places, even
// misspelt ones ("hemroids", "colonscopy").
var clinicalEndings = [...]string{"oid", "oids", "cele", "tomy", "scopy", "gram", "plasty", "itis", "algia", "pnea"}

// newPlace marks "new" and the town after it, after a movement or
// residence word and "to" or "from" ("returned to new brenton"): the
// second word must be a name, a town or no word at all, never an
// ordinary or clinical word ("moved to new room", "changed to new trach"),
// but where a relative (kin) went and a time or the phrase's end follows,
// any word that is no clinical, keyword or part of a hospital ("daughter
// returned to new muse today"), the only way in mixed case.
func (st *state) newPlace(j int, kin bool) {
	k := j + 1
	if k >= len(st.toks) || st.toks[k].newline || st.toks[k].kind != kWord || st.toks[k].end-st.toks[k].start < 3 {
		return
	}
	f := st.toks[k].flags
	if namedFeatures[string(lowerInto(st.buf[:0], st.word(k)))] && st.placeEnds(k+1) && !st.mixed {
		st.add(j, k, phigate.LOCATION, 0.6, "new-place") // "returned to new valley today"
		return
	}
	if kin && f&fClinical == 0 && st.kws[k] == 0 && !bedWords[string(lowerInto(st.buf[:0], st.word(k)))] && (st.wardTime(k+1) || st.phraseEnd(k+1)) {
		st.add(j, k, phigate.LOCATION, 0.6, "new-place") // "daughter Lita returned to new bowlegs today": a relative goes home
		return
	}
	if st.mixed {
		return // where capitals count, only a relative's journey vouches for small letters
	}
	if f&(fClinical|fCore|fCommon) != 0 || st.kws[k] != 0 || st.stateName(k) {
		return
	}
	if st.unknown(k) && !st.nearWord(k) || f&(fCity|fName|fProper) != 0 { // glued words too: "new harborview"
		st.add(j, k, phigate.LOCATION, 0.6, "new-place")
	}
}

// alreadyFound reports whether a finding so far covers token j.
func (st *state) alreadyFound(j int) bool {
	s := st.toks[j].start
	for k := len(st.found) - 1; k >= 0; k-- {
		if st.found[k].Start <= s && s < st.found[k].End {
			return true
		}
	}
	return false
}
