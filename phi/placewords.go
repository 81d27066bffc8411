package phi

import "github.com/phigate/phigate"

// Towns whose names are ordinary words, known by a strong cue: a hospital
// unit after them ("transferred to Marble ICU", "via amb from paradise
// ew"), a relative or a journey and "from" before them where case says
// nothing ("DAUGHTER (FROM PARADISE)", "FLY FROM HOPE IN 2 DAYS"), a
// business and "in" ("has a bakery in Marble."), "lives nearby in".

// townUnits follow a town's name as its hospital's unit or building.
var townUnits = map[string]bool{"er": true, "ew": true, "ed": true, "icu": true, "micu": true, "sicu": true, "ccu": true,
	"hospital": true, "hosp": true, "campus": true, "clinic": true}

// businessWords are places of work or worship whose town may follow "in"
// ("a bakery in Marble", "the church in Hope").
var businessWords = map[string]bool{"bakery": true, "shop": true, "store": true, "restaurant": true, "farm": true,
	"business": true, "company": true, "firm": true, "factory": true, "church": true, "school": true, "diner": true,
	"salon": true, "garage": true, "office": true, "synagogue": true, "temple": true, "mosque": true, "parish": true}

// townWord reports whether word j is a US town, even one that is an
// ordinary word, and no clinical, function, calendar or other keyword,
// no state, no housing or compass word ("from home", "to floor", "from
// west").
func (st *state) townWord(j int) bool {
	if j < 0 || j >= len(st.toks) {
		return false
	}
	t := &st.toks[j]
	if t.kind != kWord || t.end-t.start < 3 || t.flags&fCity == 0 || t.flags&fClinical != 0 || st.kws[j] != 0 || st.stateName(j) {
		return false
	}
	w := lowerInto(st.buf[:0], st.word(j))
	return !housingWords[string(w)] && !compassWords[string(w)] && !timeWords[string(w)]
}

// townUnit marks a town right before a hospital unit after "to", "from"
// or "at" ("transferred to Marble ICU", "from paradise ew"): in mixed-case
// text a capitalised town inside a sentence, where case says nothing a
// town written like its unit.
func (st *state) townUnit(p int) {
	j := p + 1
	if st.is(j, "the") {
		j++
	}
	k := j + 1
	if st.kw(k)&kwUnitWord == 0 || st.toks[j].newline || st.toks[k].newline || !st.adjacentWord(j, k) || st.toks[k].kind != kWord ||
		st.toks[k].end-st.toks[k].start > 8 || !townUnits[string(lowerInto(st.buf[:0], st.word(k)))] || !st.townWord(j) {
		return
	}
	if st.mixed && (st.toks[j].shape == sLower || st.sentenceStart(j)) || !st.mixed && st.toks[j].shape != st.toks[k].shape && st.toks[k].shape != sUpper {
		return
	}
	if !st.alreadyFound(j) {
		st.add(j, j, phigate.LOCATION, 0.6, "town-unit")
	}
}

// townAtEnd marks, where case says nothing, a town after a relative or a
// journey and "from" (or a relative and "in") that ends the phrase or
// comes before a preposition or a time ("DAUGHTER (FROM PARADISE)", "TO
// ARRIVE 5/2 FROM MARBLE.", "SON IN HOPE,"; not "son in law", "from home").
func (st *state) townAtEnd(p int) {
	j := p + 1
	if j >= len(st.toks) || st.toks[j].newline || !st.townWord(j) || !st.placeEnds(j+1) || st.alreadyFound(j) {
		return
	}
	if st.is(p, "in") && (st.kw(p-1)&kwRelation == 0 || !st.phraseEnd(j+1)) || st.is(p, "from") && (!st.strongPlaceCue(p) || st.toAfter(j)) {
		return // "urine went from amber and clear to yellow": a change, not a journey
	}
	st.add(j, j, phigate.LOCATION, 0.6, "town-end")
}

// toAfter reports whether "to" follows word j in its clause ("from X to Y").
func (st *state) toAfter(j int) bool {
	for k := j + 1; k < len(st.toks) && k <= j+8 && !st.toks[k].newline; k++ {
		if st.punct(k, '.') || st.punct(k, ';') || st.punct(k, ')') || st.punct(k, '"') {
			return false
		}
		if st.is(k, "to") {
			return true
		}
	}
	return false
}
