package phi

import "github.com/phigate/phigate"

// Places named by cues of work, coordination and buildings: "started a
// new job in Port Alder", "screened by Alder Rehab and Brookfield.",
// "the Quartermain Building" written as one word.

// gluedSuffixes are facility words a name may be glued to
// ("KestrelBuilding").
var gluedSuffixes = [...]string{"building", "hospital", "pavilion"}

// gluedFacility marks the name in a word glued to a facility word
// ("WinsloweBuilding", "winslowebuilding"): in mixed-case text both parts
// capitalised, and the first part no ordinary word unless it is also a
// town or a name; where case says nothing, a first part that is no word
// and near none. The name alone is marked.
func (st *state) gluedFacility(i int) {
	t := &st.toks[i]
	w := st.word(i)
	for _, suf := range gluedSuffixes {
		n := len(w) - len(suf)
		if n < 4 || !hasSuffixFold(w, suf) {
			continue
		}
		head := w[:n]
		if !isUpper(head[0]) && (t.shape == sMixed || st.mixed) {
			return
		}
		if t.shape == sMixed && !isUpper(w[n]) || t.shape == sMixed && hasUpperAfter(head) {
			return // "McAllenBuilding" is fine, "ABCBuilding" is an acronym
		}
		f := st.lx.lookupFold(head, st.buf[:])
		if f&(fClinical|fCore) != 0 || f&fCommon != 0 && (t.shape != sMixed || f&(fCity|fName) == 0) ||
			t.shape != sMixed && st.nearWordOf(head) {
			return // "MainBuilding", "newhospital"
		}
		st.addSpan(t.start, t.start+n, phigate.LOCATION, 0.7, "facility")
		return
	}
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// hasUpperAfter reports whether a capital follows the first two letters
// of w other than after "Mc" or "O'" ("DeSoto" passes, "ABC" does not).
func hasUpperAfter(w []byte) bool {
	n := 0
	for _, c := range w[1:] {
		if isUpper(c) {
			n++
		}
	}
	return n > 1
}

// jobWords say that a place follows "in" or "at" ("a new job in
// Alderton", "employed at Brookfield Mills"), tripWords that it follows
// "in", "on", "at" or "to" ("on vacation on the Kestrel Coast").
var jobWords = map[string]uint8{"job": cueJob, "jobs": cueJob, "employed": cueJob, "employment": cueJob, "career": cueJob,
	"vacation": cueTrip, "vacationing": cueTrip, "holiday": cueTrip, "trip": cueTrip, "cruise": cueTrip, "honeymoon": cueTrip}

// Kinds of jobWords.
const (
	cueJob = iota + 1
	cueTrip
)

// jobPlace marks the place after a word of work or travel and its
// preposition: in mixed-case text its capitalised words; where case says
// nothing, a word nobody listed that ends the phrase.
func (st *state) jobPlace(i int) {
	j := i + 1
	if n := st.toks[i].end - st.toks[i].start; n < 3 || n > 11 || j >= len(st.toks) || st.toks[j].end-st.toks[j].start != 2 {
		return
	}
	switch st.text[st.toks[i].start] | 0x20 {
	case 'j', 'e', 'c', 'v', 'h', 't': // the first letters of jobWords
	default:
		return
	}
	cue := jobWords[string(lowerInto(st.buf[:0], st.word(i)))]
	if cue == 0 || !st.is(j, "in") && !st.is(j, "at") && !(cue == cueTrip && (st.is(j, "on") || st.is(j, "to"))) {
		return
	}
	j++
	if st.is(j, "the") {
		j++
	}
	if (st.mixed || st.lowerNote) && st.capitalPlace(j) || st.mixed {
		return
	}
	if !st.placeCandidateCue(j, true) {
		return
	}
	switch {
	case st.phraseEnd(j + 1):
		st.add(j, j, phigate.LOCATION, 0.6, "place-end")
	case j+1 < len(st.toks) && st.adjacentWord(j, j+1) && !st.toks[j+1].newline && st.placeCandidateCue(j+1, true) && st.phraseEnd(j+2):
		st.add(j, j+1, phigate.LOCATION, 0.6, "place-end") // "on vacation on the brell cove-isle,"
	}
}

// facilityAnd marks the second of two facilities joined by "and" after a
// facility's name ("screened by Alder Rehab and Brookfield."): one word,
// capitalised where capitals mean something, that ends the phrase and is
// a town, a name or no word at all.
func (st *state) facilityAnd(i int) {
	j := i + 2
	if j >= len(st.toks) || !st.is(i+1, "and") || st.toks[j].newline || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 4 ||
		!st.phraseEnd(j+1) || st.is(j+1, "and") || st.is(j+1, "with") || !st.alreadyFound(i) || st.alreadyFound(j) {
		return
	}
	t := &st.toks[j]
	if t.flags&fClinical != 0 || st.kws[j] != 0 || st.stateName(j) {
		return
	}
	if st.mixed && t.shape != sTitle || !st.titled(j) && (t.flags&(fCommon|fCore) != 0 && t.flags&(fCity|fName) == 0 || st.toks[i].shape != t.shape) {
		return
	}
	if t.flags&(fCity|fName|fProper) == 0 && (!st.unknown(j) || st.nearWord(j) && !st.titled(j)) {
		return // a misspelt word is no facility; a compound may be one ("Theehaven")
	}
	st.add(j, j, phigate.LOCATION, 0.6, "facility")
}

// placeCandidateCue is placeCandidate where the context vouches for a
// place (strong): a word near an ordinary English word passes then, one
// near a clinical or facility word does not ("DAUGHTER FROM ZOTON.",
// not "transferred from hospial.").
func (st *state) placeCandidateCue(j int, strong bool) bool {
	if st.placeCandidate(j) {
		return true
	}
	if !strong || j < 0 || j >= len(st.toks) || !st.unknown(j) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 4 {
		return false
	}
	w := st.word(j)
	for _, e := range clinicalEndings {
		if len(w) > len(e)+2 && hasSuffixFold(w, e) {
			return false
		}
	}
	return !wordEnding(w) && !st.nearClinical(w) // glued words too: "FROM NEWBROOK"
}

// nearClinical reports whether w is one edit from a clinical word or a
// keyword ("hospial", "daugher", "cathlab").
func (st *state) nearClinical(w []byte) bool {
	if len(w) < 4 || len(w) > maxNear {
		return false
	}
	var low, buf [maxNear + 1]byte
	for k, c := range w {
		low[k] = c | 0x20
	}
	n := len(w)
	hit := func(b []byte) bool {
		f, k := st.lx.lookupBoth(b)
		return f&fClinical != 0 || k != 0
	}
	for k := 0; k < n; k++ {
		if hit(append(append(buf[:0], low[:k]...), low[k+1:n]...)) {
			return true
		}
	}
	for k := 0; k+1 < n; k++ {
		b := append(buf[:0], low[:n]...)
		b[k], b[k+1] = b[k+1], b[k]
		if hit(b) {
			return true
		}
	}
	for k := 0; k < n; k++ {
		b := append(buf[:0], low[:n]...)
		for c := byte('a'); c <= 'z'; c++ {
			if c != low[k] {
				b[k] = c
				if hit(b) {
					return true
				}
			}
		}
	}
	for k := 0; k <= n; k++ {
		b := append(append(append(buf[:0], low[:k]...), 'a'), low[k:n]...)
		for c := byte('a'); c <= 'z'; c++ {
			b[k] = c
			if hit(b) {
				return true
			}
		}
	}
	return false
}

// strongPlaceCue reports whether the word before preposition p (past "("
// and quotes) is a relative, a movement, a residence or a visit, or a
// movement comes before with only a time between: "DAUGHTER FROM X",
// "flying in tomorrow from X", "a consult from the X".
func (st *state) strongPlaceCue(p int) bool {
	k := p - 1
	for k >= 0 && (st.punct(k, '(') || st.punct(k, '"')) {
		k--
	}
	if k < 0 {
		return false
	}
	return st.kws[k]&(kwRelation|kwMove|kwLive) != 0 && !st.is(k, "back") ||
		st.toks[k].kind == kWord && st.toks[k].end-st.toks[k].start <= 11 && visitWords[string(lowerInto(st.buf[:0], st.word(k)))] ||
		st.movedBefore(p)
}

// facilityIn marks the town after a facility and "in" ("Mercy Hospital
// in Dover.", "the VA in Ashton"): one word ending the phrase,
// capitalised where capitals mean something, or where case says nothing a
// town or a word that is no ordinary one; no housing, calendar, clinical
// or function word and no state ("rehab in progress", "hospital in town").
func (st *state) facilityIn(i int) {
	j := i + 2
	if j >= len(st.toks) || !st.is(i+1, "in") || st.toks[j].newline || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 ||
		!st.phraseEnd(j+1) || st.alreadyFound(j) {
		return
	}
	t := &st.toks[j]
	if t.flags&fClinical != 0 || st.kws[j] != 0 || st.stateName(j) || housingWords[string(lowerInto(st.buf[:0], st.word(j)))] {
		return
	}
	if st.titled(j) {
		if t.flags&fCore != 0 && t.flags&fCity == 0 {
			return
		}
	} else if st.mixed || t.flags&(fCommon|fCore) != 0 && t.flags&fCity == 0 || t.flags&fCore != 0 || st.unknown(j) && st.wordLike(j) {
		return
	}
	st.add(j, j, phigate.LOCATION, 0.6, "facility-town")
}

// agencyRoles follow an agency's name after "by" ("seen by Loburg nurse
// for arrangements", "called by Dunmore liaison").
var agencyRoles = map[string]bool{"nurse": true, "nurses": true, "liaison": true, "team": true, "rep": true,
	"representative": true, "coordinator": true}

// townOfPerson marks the town after a person's name and "of" where
// capitals carry information ("daughter Bonnie of Wampum", "Nephew, Ralph
// Dunn of Haverly visited", "Dr. Hale of Quincy"): one or two
// capitalised words inside the sentence that are no clinical, calendar,
// state or function word and no hospital service ("Dr. Hale of
// Cardiology" names his service).
func (st *state) townOfPerson() {
	if !st.mixed && !st.lowerNote {
		return
	}
	n := len(st.found)
	for x := 0; x < n; x++ {
		f := st.found[x]
		if f.Category != phigate.NAME || f.Confidence < 0.6 || f.End+4 > len(st.text) || st.text[f.End] != ' ' ||
			st.text[f.End+1] != 'o' || st.text[f.End+2] != 'f' || st.text[f.End+3] != ' ' {
			continue
		}
		_, e := st.tokenSpan(f)
		j := e + 2
		if !st.is(e+1, "of") || !st.townOfWord(j) {
			continue
		}
		k := j
		if j+1 < len(st.toks) && st.adjacentWord(j, j+1) && st.townOfWord(j+1) {
			k = j + 1
		}
		st.add(j, k, phigate.LOCATION, 0.75, "hometown")
	}
}

// townOfWord reports whether word j may name a town after "Name of".
func (st *state) townOfWord(j int) bool {
	if j >= len(st.toks) || st.toks[j].newline {
		return false
	}
	t := &st.toks[j]
	return t.kind == kWord && st.titled(j) && t.end-t.start >= 3 && t.flags&fClinical == 0 && !st.serviceWord(j) &&
		st.kws[j]&(kwStop|kwMonth|kwWeekday|kwRole|kwRelation|kwTitle|kwCred|kwState|kwGeneric|kwFacility) == 0
}

// nurseKinds are the kinds of nurse whose words are also towns or
// surnames ("parish nurse", "school nurse").
var nurseKinds = map[string]bool{"parish": true, "school": true, "private": true, "travel": true, "agency": true, "float": true,
	"head": true, "visiting": true, "charge": true, "staff": true, "triage": true, "hospice": true, "home": true, "duty": true}

// agencyBefore marks the agency between "by" and a role word: a surname,
// a town or a word nobody listed, never a clinical word nor an ordinary
// one but a town's or a common surname's ("SEEN BY MARKS NURSE"; not
// "seen by wound nurse", "by charge nurse", "by IV team").
func (st *state) agencyBefore(i int) {
	j := i + 1
	k := j + 1
	if k >= len(st.toks) || st.toks[j].kind != kWord || st.toks[k].kind != kWord || !st.adjacentWord(j, k) || st.toks[j].end-st.toks[j].start < 4 ||
		!agencyRoles[string(lowerInto(st.buf[:0], st.word(k)))] || st.alreadyFound(j) {
		return
	}
	t := &st.toks[j]
	if t.flags&fClinical != 0 || t.flags&(fCommon|fCore) != 0 && t.flags&(fCity|fLastTop) == 0 || st.kws[j] != 0 ||
		st.mixed && t.shape != sTitle || t.shape != st.toks[k].shape && !st.mixed {
		return
	}
	// An agency's name may look like a word and a prefix ("Biwick"), not
	// like a misspelt word or two words ("HOMECARE NURSE").
	if t.flags&(fCity|fLast) == 0 && !(st.unknown(j) && !st.nearWord(j) && !st.compoundOf(st.word(j), 3)) ||
		nurseKinds[string(lowerInto(st.buf[:0], st.word(j)))] {
		return
	}
	st.add(j, j, phigate.LOCATION, 0.5, "agency")
}
