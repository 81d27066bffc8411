package phi

import (
	"sort"

	"github.com/phigate/phigate"
)

// Names that are ordinary words or that nobody listed, found when the
// words around them say a person: "per d keva.", "NP Hope aware",
// "S TRELLIK ORDERED", "spoke with Bill Quarnbeck", "ann k. stiles bsn/rn".

// initialCueName returns the last word of a name made of an initial and a
// name after a verb of contact ("per d keva", "per a quarnbeck"), or -1:
// the word after the initial must be a name that is no ordinary word or a
// word nobody listed that looks like no English word.
func (st *state) initialCueName(j int) int {
	if j+1 >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start != 1 || st.is(j, "i") ||
		st.toks[j+1].newline {
		return -1
	}
	k := j + 1
	if st.punct(k, '.') && st.adjacent(j) {
		k++
	}
	if k >= len(st.toks) || !st.adjacentWordOrDot(j, k) {
		return -1
	}
	if st.knownName(k) && st.kws[k] == 0 || st.unknownName(k) {
		return st.extendName(k)
	}
	if st.unknownWord(k, 3) && st.toks[k].shape == st.toks[j].shape && (st.punct(k+1, '.') || st.punct(k+1, ',') || k+1 >= len(st.toks) || st.toks[k+1].newline) {
		return k // "per d treel.": an initial and a word nobody listed that ends the clause
	}
	return -1
}

// adjacentWordOrDot reports whether word k follows initial j on its line,
// after a space or "." ("per d keva", "per d. keva").
func (st *state) adjacentWordOrDot(j, k int) bool {
	return k < len(st.toks) && !st.toks[k].newline && st.toks[k].kind == kWord && (k == j+1 && st.toks[k].space || k == j+2)
}

// reportedName reports whether word j, after a title, role, relation or
// verb of contact, is a dictionary name, even one that is an ordinary
// word, followed by a report word ("NP Hope aware", "son Rob called"):
// clinical, function and calendar words are not.
func (st *state) reportedName(j int) bool {
	if j < 0 || j+1 >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || st.toks[j].newline {
		return false
	}
	f := st.toks[j].flags
	if f&fName == 0 || f&fClinical != 0 || st.kws[j]&(kwStop|kwMonth|kwWeekday|kwTitle|kwRelation|kwRole|kwCred|kwState|kwPost|kwVerb) != 0 ||
		st.mixed && st.toks[j].shape == sLower {
		return false
	}
	return st.kws[j+1]&kwPost != 0 && st.adjacentWord(j, j+1) && !st.toks[j+1].newline
}

// reportedInitial reports whether initial i, a capital letter other than
// "A" and "I", starts a name with the word after it that a report word
// follows ("S TRELLIK ORDERED", "K. VOSS AWARE"): there even a word one
// letter from an English word is a surname.
func (st *state) reportedInitial(i int) bool {
	if st.toks[i].shape != sUpper || st.is(i, "a") || st.is(i, "i") {
		return false
	}
	k := i + 1
	if st.punct(k, '.') {
		k++
	}
	if k+1 >= len(st.toks) || !st.adjacentWordOrDot(i, k) || st.toks[k].end-st.toks[k].start < 3 || st.toks[k].shape == sLower ||
		!st.unknown(k) || wordEnding(st.word(k)) {
		return false
	}
	return st.kws[k+1]&kwPost != 0 && st.adjacentWord(k, k+1) && !st.toks[k+1].newline
}

// firstNamesBefore widens each name found so far over a capitalised first
// name right before it, in mixed-case text, even a first name that is an
// ordinary word ("spoke with Bill Quarnbeck", "Hope Trellis aware"): not
// at the start of a sentence, and no clinical, function or calendar word.
func (st *state) firstNamesBefore() {
	n := len(st.found)
	for _, f := range st.found[:n] {
		if f.Category != phigate.NAME {
			continue
		}
		s := sort.Search(len(st.toks), func(k int) bool { return st.toks[k].start >= f.Start })
		p := s - 1
		if s >= len(st.toks) || st.toks[s].start != f.Start || p < 0 || !st.adjacentWord(p, s) || st.toks[s].newline {
			continue
		}
		t := &st.toks[p]
		if t.kind != kWord || t.shape != sTitle || !st.titled(s) || t.end-t.start < 3 || t.flags&fFirst == 0 || t.flags&fClinical != 0 ||
			st.kws[p]&(kwStop|kwMonth|kwWeekday|kwTitle|kwRelation|kwRole|kwCred|kwState|kwPost|kwVerb|kwFacility) != 0 || st.sentenceStart(p) ||
			st.alreadyFound(p) {
			continue
		}
		st.found = append(st.found, phigate.Finding{Start: t.start, End: f.End, Category: phigate.NAME, Confidence: f.Confidence,
			Recognizer: "first-name-before"})
	}
}

// credentialPair skips back over a pair of credentials written with a
// slash ("BSN/RN", "MSN/CRNP") that ends a line at e, and returns the
// token before it, or e.
func (st *state) credentialPair(e, i int) int {
	for e-2 > i && st.punct(e-1, '/') && st.kws[e]&kwCred != 0 && st.kws[e-2]&kwCred != 0 {
		e -= 2
	}
	return e
}

// titleSurname reports whether word j, after "MR" or "MS" that may be
// mitral regurgitation or mental status, is a common surname that is also
// an ordinary word, followed by a verb ("MR FIELDS HAD", "ms cross will
// call") or, as a possessive without its apostrophe, by a relative or
// "health care" ("MAKING MS CROSS HEALTH CARE DECISIONS", "MR HILL SON"):
// findings are not followed by "had", "son" or "health care"; clinical and
// function words, and words before a number, are no surnames.
func (st *state) titleSurname(j int) bool {
	if j < 0 || j+1 >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || st.toks[j].newline ||
		!st.adjacentWord(j, j+1) || st.toks[j+1].kind != kWord {
		return false
	}
	f := st.toks[j].flags
	if st.kws[j]&(kwStop|kwMonth|kwWeekday|kwTitle|kwRelation|kwRole|kwCred|kwState|kwUnit) != 0 || st.mixed && st.toks[j].shape == sLower {
		return false
	}
	healthCare := st.is(j+1, "health") && st.is(j+2, "care")
	had := st.is(j+1, "had") || st.is(j+1, "has")
	if f&fLastTop == 0 {
		// A rarer surname only where a person's day or decisions follow
		// ("MR BARRIO HAD AN IMPROVED DAY", "MAKING MS OAK HEALTH CARE
		// DECISIONS").
		return f&fLast != 0 && f&fClinical == 0 && (had && (st.is(j+2, "a") || st.is(j+2, "an")) || healthCare)
	}
	if st.kws[j+1]&kwRelation != 0 || healthCare || had {
		// "MS CROSS HEALTH CARE DECISIONS", "MR HILL SON CALLED", "MR
		// BRADY HAD A GOOD DAY": a possessive or a person's day, no
		// finding, even where the surname is a clinical word
		return true
	}
	if f&fClinical != 0 {
		return false
	}
	return st.kws[j+1]&(kwPost|kwMove) != 0 || auxiliaries[string(lowerInto(st.buf[:0], st.word(j+1)))]
}

// kinWord reports whether word j may be a relative's name that is also an
// ordinary word: three or more letters unless a first name, no function,
// calendar, kin, role or state word, and not in small letters where
// capitals carry information.
func (st *state) kinWord(j int) bool {
	if j < 0 || j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].newline || st.mixed && st.toks[j].shape == sLower {
		return false
	}
	f := st.toks[j].flags
	return (st.toks[j].end-st.toks[j].start > 2 || f&fFirst != 0) &&
		st.kws[j]&(kwStop|kwMonth|kwWeekday|kwTitle|kwRelation|kwRole|kwCred|kwState|kwUnit|kwEvent|kwPost|kwVerb) == 0
}

// kinAppositive reports whether first name j stands between commas right
// after relation word i ("son, ed, was updated"): a first name that is
// also a clinical word, or a word nobody listed, needs a verb after it
// ("mother, MI, HTN" is a history).
func (st *state) kinAppositive(i, j int) bool {
	if j != i+2 || !st.punct(i+1, ',') || !st.punct(j+1, ',') {
		return false
	}
	v := j + 2
	verb := v < len(st.toks) && (st.kws[v]&kwPost != 0 || auxiliaries[string(lowerInto(st.buf[:0], st.word(v)))])
	if st.unknown(j) && st.toks[j].kind == kWord && !(st.mixed && st.toks[j].shape == sLower) {
		return verb // "Son, Ze, was updated": a word nobody listed, however short, with a verb
	}
	if !st.kinWord(j) || st.toks[j].flags&fFirst == 0 {
		return false
	}
	return st.toks[j].flags&fClinical == 0 || verb
}

// kinList reports whether word j, a proper noun or name after a relation
// word, starts a list of names ("sons smokey, morris and roger"): the next
// item must be a name in its own right.
func (st *state) kinList(j int) bool {
	if !st.kinWord(j) || st.toks[j].end-st.toks[j].start < 3 || st.toks[j].flags&fClinical != 0 ||
		st.toks[j].flags&(fName|fProper) == 0 && !st.unknownName(j) {
		return false
	}
	k := j + 1
	if !st.punct(k, ',') && !st.is(k, "and") {
		return false
	}
	return k+1 < len(st.toks) && st.toks[k+1].shape == st.toks[j].shape && st.nameChain(k+1, lvKin) >= 0
}

// talkedFirst reports whether word j, after "spoke with" or "talk with",
// is a first name, though an ordinary word, that the subject of the talk
// or the clause's end follows ("TALK WITH RAY REGARDING"): no clinical or
// keyword, and not in small letters where capitals carry information.
func (st *state) talkedFirst(j int) bool {
	if j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].newline || st.toks[j].end-st.toks[j].start < 3 || st.kws[j] != 0 ||
		st.toks[j].flags&(fFirst|fClinical) != fFirst || st.mixed && st.toks[j].shape == sLower {
		return false
	}
	k := j + 1
	return clauseEnd(st, k) || st.punct(k, '(') || st.is(k, "regarding") || st.is(k, "re") || st.is(k, "about")
}

// talkedPair reports whether words j and j+1, after "spoke with" or
// "report given to", are a first name and a surname even if both are
// ordinary words ("speak with holly booth"): same case, no function or
// role word, no clinical word but a common first name ("flora"), and not
// in small letters where capitals carry information; or two words nobody
// listed, capitalised where capitals count or one a name by its looks.
func (st *state) talkedPair(j int) bool {
	k := j + 1
	if k >= len(st.toks) || !st.adjacentWord(j, k) || st.toks[j].newline || st.toks[k].newline ||
		st.toks[j].kind != kWord || st.toks[k].kind != kWord || st.toks[j].shape != st.toks[k].shape ||
		st.mixed && st.toks[j].shape == sLower || st.toks[j].end-st.toks[j].start < 3 || st.toks[k].end-st.toks[k].start < 3 {
		return false
	}
	a, b := st.toks[j].flags, st.toks[k].flags
	if st.unknown(j) && st.unknown(k) && (st.toks[j].shape == sTitle || !st.mixed && (st.unknownName(j) || st.unknownName(k) ||
		st.unknownWord(j, 4) && st.unknownWord(k, 4) && !st.nearWord(j) && !st.nearWord(k))) {
		return true // "I spoke with Spe Raan, who", "SPEAK WITH BARNSPA GLUETTE": two words nobody listed
	}
	return a&fFirst != 0 && b&fLast != 0 && (a&fClinical == 0 || a&fFirstTop != 0) && b&fClinical == 0 && st.kws[j] == 0 &&
		(st.kws[k] == 0 || st.kws[k] == kwStop && b&fLastTop != 0) || // "SPEAK WITH KERRIE FAIR IN AM"
		st.mixed && st.toks[j].shape == sTitle && a&fName != 0 && a&fClinical == 0 && st.kws[j]&^kwStreet == 0 && st.knownName(k) // "with Alley Petersen"
}
