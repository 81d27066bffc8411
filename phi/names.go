package phi

import "github.com/phigate/phigate"

// Levels of evidence that a word is part of a person's name.
const (
	lvNone   = iota // no context: the word must be an unambiguous name
	lvWeak          // "per", "spoke with", "aware": a dictionary name
	lvMedium        // "nurse", a credential after: a name-like word
	lvKin           // "wife", "son": also a common word that is a first name ("son Bill")
	lvCred          // before "RN", "RRT": any name but a core English word
	lvStrong        // "Dr", "Mrs": almost any word
)

var levelConf = [...]float32{lvNone: 0.6, lvWeak: 0.75, lvMedium: 0.85, lvKin: 0.85, lvCred: 0.9, lvStrong: 0.95}

// findNames finds person names from titles, roles, relations, credentials,
// initials and the name dictionaries.
func (st *state) findNames() {
	for i := 0; i < len(st.toks); i++ {
		k := st.kws[i]
		if k == 0 && st.toks[i].kind != kWord {
			continue // every rule below starts at a word or a keyword
		}
		n := st.toks[i].end - st.toks[i].start
		switch {
		case k&kwTitle != 0 && st.titleLevel(i) > 0:
			st.nameAfter(i, st.titleLevel(i), "title-name")
		case k&kwRelation != 0 || (n == 5 || n == 6) && st.pairCue(i):
			st.nameAfter(i, lvKin, "relation-name")
			if k&kwRelation != 0 && st.punct(i+1, '.') {
				st.pairAfterKin(i)
			}
		case k&kwRole != 0 && st.toks[i].kind == kWord:
			lv := lvKin
			if (k&kwCredAmbiguous != 0 || st.toks[i].end-st.toks[i].start <= 3) && !st.talkCue(i-1) {
				lv = lvMedium // "HO", "MD" may be no person; "spoke with HO" is one
			}
			st.nameAfter(i, lv, "role-name")
		case k&kwVerb != 0:
			st.nameAfter(i, lvWeak, "context-name")
		case k&kwPrep != 0:
			st.nameAfter(i, lvNone, "prep-name")
		}
		if k&(kwCred|kwPost) != 0 || k&(kwRole|kwRelation) != 0 && st.punct(i-1, '(') {
			st.nameBefore(i)
		}
		if k&kwPost != 0 || k&kwVerb != 0 && (st.is(i, "visited") || st.is(i, "contacted")) {
			st.subjectBefore(i)
		}
		if n == 1 && (st.isInitial(i) || st.toks[i].kind == kWord && st.kw(i-1)&kwVerb != 0) {
			st.initialName(i)
			if st.punct(i-1, ',') || st.toks[i].space {
				st.dottedCredential(i)
			}
		}
		if st.toks[i].kind == kWord && st.kw(i+1)&kwPost != 0 && st.kws[i]&kwStop == 0 &&
			(st.toks[i].flags&(fAmbiguous|fFirst) == fAmbiguous|fFirst && (!st.mixed || !st.sentenceStart(i)) ||
				st.toks[i].flags&(fFirst|fClinical) == fFirst && st.kws[i] == 0 && st.titled(i) && !st.sentenceStart(i)) {
			st.addName(i, i, lvNone, "name-report") // "bill called", "grace made aware", "once Barb woke up"
		}
		if st.kws[i]&kwPhoneWord != 0 {
			st.nameBeforePhone(i)
		}
		if n == 1 && st.is(i, "i") && st.toks[i].shape == sUpper && st.pronounNotSubject(i) {
			st.addName(i, i+1, lvMedium, "initial-name") // "I TYTON ORDERED EPI": no pronoun before a word nobody listed and a verb
		}
		if n == 2 && st.is(i, "rt") && st.roleSurnameActs(i+1) {
			st.addName(i+1, i+1, lvMedium, "role-name") // "RT BURNS DREW ABG": RT is a respiratory therapist here, not "right"
		}
		if n <= 9 && st.punct(i+1, ':') && st.toks[i].kind == kWord {
			st.fieldName(i) // "Name: Okonkwo, Chidinma A."
		}
		if (n == 4 || n == 5) && st.text[st.toks[i].start]|0x20 == 'n' {
			if n == 4 && st.is(i, "name") && (st.is(i+1, "is") || st.is(i+1, "was")) {
				st.statedName(i + 2) // "her name is rosa delgado"
			} else if n == 5 && st.is(i, "named") {
				st.statedName(i + 1) // "a friend named Bob"
			}
		}
		if n <= 4 {
			if st.is(i, "is") && (st.is(i+1, "a") || st.is(i+1, "an")) {
				st.introName(i)
			} else if k&kwStop != 0 && i > 0 && (st.is(i, "is") || st.is(i, "was")) {
				st.contactName(i)
				st.onLeaveName(i)
			} else if st.is(i, "are") || st.is(i, "were") {
				st.pairContact(i)
			} else if k&kwPlacePrep != 0 && i > 1 && st.is(i, "of") {
				st.nameOfService(i)
			}
		}
		if st.toks[i].flags == 0 && k == 0 && st.toks[i].kind == kWord {
			st.unknownNameAt(i)
		}
		if t := &st.toks[i]; t.flags&(fFirst|fLast) != 0 && t.kind == kWord && (!st.mixed || t.shape == sTitle) {
			st.homographAt(i) // "discussed with Green from renal"
		}
		if t := &st.toks[i]; t.kind == kWord && (t.flags&fName != 0 || st.titled(i)) && st.accept(i, lvNone) { // accept takes neither at lvNone
			e := i
			if st.toks[i].flags&fFirst != 0 {
				e = st.extendName(i)
			}
			st.addName(i, e, lvNone, "dictionary-name")
			st.coordinatedName(e)
		}
	}
	st.signatureLines()
	st.endSignature()
	st.firstNamesBefore()
	st.coordinate()
}

// titleLevel is the evidence a title gives: "MS" may be mental status and
// "MR" mitral regurgitation, so without a period they need a name-like
// word after them; before ":" or "," they are no title.
func (st *state) titleLevel(i int) int {
	if st.punct(i+1, ':') || st.punct(i+1, ',') || st.punct(i+1, '/') {
		return 0
	}
	if st.is(i, "ms") || st.is(i, "mr") || st.is(i, "miss") {
		if st.toks[i].shape == sLower && st.is(i, "ms") && !st.punct(i+1, '.') {
			return 0
		}
		if st.is(i, "mr") && st.punct(i+1, '.') && st.adjacent(i) && st.adjacent(i+1) && i+2 < len(st.toks) &&
			st.toks[i+2].kind == kWord && st.toks[i+2].flags&fLast != 0 &&
			(st.toks[i+2].flags&fProper != 0 || st.toks[i+2].flags&(fCommon|fCore) == 0 || st.didAfter(i+2)) {
			return lvStrong // "mr.german returned", "mr.reap returned": typed as a title, glued to a surname (not "MR.SEVERE")
		}
		if st.toks[i].shape == sTitle && !st.is(i, "miss") && (st.mixed || st.punct(i+1, '.')) {
			return lvStrong // "Mr. Roan": mitral regurgitation and mental status are "MR", "MS"
		}
		return lvCred // "MS" may be mental status, "MR" mitral regurgitation
	}
	if st.is(i, "fr") && (!st.punct(i+1, '.') || i > 0 && st.toks[i-1].kind == kNum || st.kw(i-1)&kwUnit != 0 ||
		st.toks[i].shape != sTitle && !(st.toks[i].shape == sUpper && !st.mixed && st.knownName(i+2))) {
		return 0 // "Fr. O'Malley", "FR. O'MALLEY" are priests; "16 Fr. Foley", "FR" and "fr" are a catheter's size
	}
	if nounTitles[string(lowerInto(st.buf[:0], st.word(i)))] {
		j := st.nextWord(i)
		if i > 0 && determiners[string(lowerInto(st.buf[:0], st.word(i-1)))] || st.kw(j)&kwStop != 0 {
			return 0 // "page the doctor on call", "ask doctor to call": a noun, no title
		}
		if st.toks[i].shape == sLower {
			return lvCred
		}
		return lvStrong // "Rabbi Stern", "Doctor Quarnbeck"
	}
	return lvStrong
}

// nounTitles are titles spelled out that are also nouns ("the doctor").
var nounTitles = map[string]bool{"doctor": true, "professor": true, "pastor": true, "rabbi": true, "reverend": true}

// determiners make the noun after them a common noun ("the doctor").
var determiners = map[string]bool{"the": true, "a": true, "an": true, "your": true, "my": true, "his": true, "her": true,
	"their": true, "our": true, "this": true, "that": true, "each": true, "every": true, "another": true, "any": true}

// isInitial reports whether token i is a single letter, optionally with ".".
func (st *state) isInitial(i int) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	t := &st.toks[i]
	return t.kind == kWord && t.end-t.start == 1 && (st.toks[i].shape == sUpper || st.punct(i+1, '.') && st.adjacent(i))
}

// skipGlue moves from token i over punctuation that may sit between a
// trigger and a name: ". , : ( - \" '".
func (st *state) skipGlue(i int) int {
	for n := 0; n < 3 && i < len(st.toks) && st.toks[i].kind == kPunct; n++ {
		switch st.text[st.toks[i].start] {
		case '.', ',', ':', '(', '-', '"', '\'':
			i++
		default:
			return i
		}
	}
	return i
}

// accept reports whether word i can be part of a name at level lv.
func (st *state) accept(i, lv int) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	t := &st.toks[i]
	if t.kind != kWord || t.end-t.start < 2 && lv < lvStrong {
		return false
	}
	f, k := t.flags, st.kws[i]
	named := f&fName != 0
	// SCOWL 70 holds many rare nouns that are also names (martin, morris):
	// for a common name only the core list (SCOWL 50) makes it a word.
	// A common first name outweighs an English homograph (martin, carol);
	// a common surname a rarer one (carey, not tan or high); any name a
	// word found only in the largest list (suzette).
	core := f&fCore != 0 && f&fFirstTop == 0
	common := f&fAmbiguous != 0 || core || f&fCommon != 0 && f&(fFirstTop|fLastTop) == 0 || f&fRare != 0 && !named
	oov := f&(fCommon|fCore|fRare|fProper|fClinical|fCity|fName) == 0
	capital := t.shape == sTitle || t.shape == sUpper
	if st.mixed && !capital && lv < lvMedium {
		return false
	}
	if lv < lvStrong && t.end-t.start > 2 && (st.kws[i]&kwState != 0 || st.text[t.end-2] == '\'' && st.stateName(i)) &&
		!(lv >= lvKin && f&fFirst != 0 && (st.knownSurnameAfter(i) || st.is(i+1, "who") || st.kinBefore(i)) ||
			f&fName != 0 && st.titled(i) && !st.sentenceStart(i) && st.knownSurnameAfter(i)) { // "spoken with Washington Richter"
		return false // "Florida", "Maryland's": states are no names, but "Virginia Alfredo, RN" and "son Virginia who" are
	}
	if k&(kwStop|kwMonth|kwWeekday|kwCred|kwTitle|kwRelation) != 0 {
		// After a title, a surname that is also a function word, before
		// another name or a report word ("DR. POST CALLED").
		return lv >= lvStrong && named && k&(kwCred|kwTitle) == 0 && !(st.mixed && t.shape == sLower) && // not "Dr. to call"
			(st.nameLike(st.nextWord(i)) || f&fLast != 0 && st.kw(i+1)&kwPost != 0 && st.adjacentWord(i, i+1) && !auxiliaries[string(lowerInto(st.buf[:0], st.word(i+1)))] ||
				st.capitalInCaps(i) || // "PER DR. Call.": typed with a capital in a note in capitals
				st.mixed && t.shape == sTitle && f&fLast != 0) // "by Dr. Fair with", "per Dr. Still-": capitalised where capitals count
	}
	clinical := f&fClinical != 0
	if lv < lvMedium && st.eponym(i) {
		return false // "Whipple procedure", "Nissen fundoplication": a name that names a procedure or a sign
	}
	switch lv {
	case lvStrong:
		return k&kwNotNameAfterTitle == 0 && !(clinical && !named)
	case lvKin:
		if clinical && st.titled(i) && f&fFirst != 0 {
			return true // "Son, Ed, was updated"
		}
		if clinical && named && f&(fFirstTop|fLastTop) != 0 && k == 0 && t.end-t.start > 2 && st.titled(i) == st.mixed && st.kinNameEnds(i) {
			return true // "SON BELL 689-674-1747": a common name though a clinical word, where nothing follows it
		}
		if clinical && f&fFirst != 0 && k == 0 && t.end-t.start > 2 && st.is(i+1, "who") && !(st.mixed && t.shape == sLower) {
			return true // "LIVES W/ DAUGHTER MAI WHO IS PROXY"
		}
		if st.titled(i) && !clinical && !core && t.end-t.start > 2 {
			return true // "Sons Smokey, Morris and Roger"
		}
		properOnly := f&(fProper|fCore|fCommon|fClinical|fCity) == fProper
		rareOnly := f&(fRare|fCore|fCommon|fClinical|fProper) == fRare && t.shape != sLower
		// A relative's name is rarely an English word: in caseless text
		// any unknown word after "daughter" is taken ("DAUGHTER KEARMOFE").
		return !clinical && (named && (!common || f&(fFirst|fLastTop) != 0) || oov && t.end-t.start > 2 && (st.oovNameShape(i) || !st.mixed) ||
			(properOnly || rareOnly) && t.end-t.start > 2)
	case lvCred:
		return !clinical && (named && (!core || f&fFirst != 0) || oov && t.end-t.start > 1 ||
			f&fCity != 0 && f&(fCommon|fCore|fRare) == 0 && t.end-t.start > 3) // "pat rixford licsw": many surnames are towns
	case lvMedium:
		return !clinical && (named && (!common || f&fAmbiguous != 0 && f&fFirst != 0 && st.nameFollows(i) ||
			k == 0 && st.titled(i) && !st.sentenceStart(i) && !st.isInitial(i-1) || // "per md Riddle.": capitalised where capitals count
			f&fFirstTop != 0 && k == 0 && t.shape != sLower && !st.isInitial(i-1) && (clauseEnd(st, i+1) || st.punct(i+1, ')'))) || // "(DISCUSSED WITH NP DON).", not "T MAX."
			oov && t.end-t.start > 2 && st.oovNameShape(i))
	case lvWeak:
		return !clinical && (named && !common || oov && st.titled(i) && t.end-t.start > 2 ||
			oov && !st.mixed && t.shape == sUpper && st.is(i-1, "per") && st.unknownWord(i, 4) && !st.nearWord(i) || // "PER SOGULL WILL HOLD"
			oov && (st.unknownPair(i) || st.unknownPair(i-1)) ||
			named && (!core || f&fFirst != 0) && k == 0 && f&(fFirst|fLastTop) != 0 && st.kw(i-1)&kwVerb != 0 && clauseEnd(st, i+1) &&
				!st.punct(i+1, '.') || // "PER CARMAN, HE HAS", "PER MATT, HE HAS"
			named && k == 0 && f&fFirst != 0 && st.is(i-1, "per") && i+1 < len(st.toks) && st.adjacentWord(i, i+1) &&
				auxiliaries[string(lowerInto(st.buf[:0], st.word(i+1)))]) // "PER SUNNY WILL HOLD"
	default:
		if st.titled(i) && !st.sentenceStart(i) && !clinical && !common && t.end-t.start > 2 && (named || oov && t.end-t.start > 3) {
			return named || st.kw(i-1)&(kwVerb|kwPrep) != 0
		}
		return !clinical && named && !common && (t.end-t.start > 3 || f&(fFirstTop|fLastTop) != 0) && (f&fCity == 0 || f&(fFirstTop|fLastTop|fFirst) != 0) &&
			f&(fFirst|fLast) != 0 && (!st.misspeltName(i) || st.talkCue(i-1) || st.kw(i-1)&kwVerb != 0)
	}
}

// eponymNouns follow a surname that names a procedure, sign, score or
// device rather than a person ("Whipple procedure", "Nissen
// fundoplication", "Murphy sign").
var eponymNouns = map[string]bool{"procedure": true, "procedures": true, "operation": true, "fundoplication": true,
	"repair": true, "maneuver": true, "manoeuvre": true, "sign": true, "signs": true, "reflex": true, "criteria": true,
	"classification": true, "score": true, "scale": true, "syndrome": true, "disease": true, "palsy": true, "test": true,
	"triad": true, "pouch": true, "shunt": true, "catheter": true, "tube": true, "incision": true, "technique": true,
	"method": true, "fracture": true, "anastomosis": true, "resection": true, "bypass": true, "diverticulum": true}

// eponym reports whether word i, a name, is the eponym of the noun right
// after it.
func (st *state) eponym(i int) bool {
	k := i + 1
	if k >= len(st.toks) || !st.adjacentWord(i, k) || st.toks[k].newline || st.toks[k].end-st.toks[k].start < 3 {
		return false
	}
	return eponymNouns[string(lowerInto(st.buf[:0], st.word(k)))]
}

// pronounNotSubject reports whether "I" at i is an initial: a word
// nobody listed and near no word follows it and then a past tense or
// a report word ("I TYTON ORDERED"), where "I" cannot be its subject.
func (st *state) pronounNotSubject(i int) bool {
	j := i + 1
	if j >= len(st.toks) || !st.adjacentWord(i, j) || st.toks[j].newline || !st.unknownWord(j, 4) || st.nearWord(j) {
		return false
	}
	return st.didAfter(j)
}

// roleSurnameActs reports whether word j, right after a role, is a
// surname that is also an ordinary or clinical word, no part of the body,
// and a past tense of doing or a report word follows it in its case
// ("RT BURNS DREW ABG", "RN Burns placed IV"; not "RT HAND BANDAGED").
func (st *state) roleSurnameActs(j int) bool {
	if j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || st.toks[j].newline || st.kws[j] != 0 ||
		st.toks[j].flags&fLast == 0 || st.toks[j].flags&(fClinical|fCommon|fCore) == 0 || st.mixed && st.toks[j].shape != sTitle ||
		bodyParts[string(lowerInto(st.buf[:0], st.word(j)))] {
		return false
	}
	return st.didAfter(j)
}

// bodyParts are parts of the body that are also surnames: after "RT"
// (right) they are no name ("RT HAND BANDAGED").
var bodyParts = map[string]bool{"hand": true, "hands": true, "arm": true, "arms": true, "leg": true, "legs": true, "foot": true,
	"feet": true, "knee": true, "hip": true, "eye": true, "ear": true, "side": true, "chest": true, "lung": true, "shoulder": true,
	"wrist": true, "elbow": true, "ankle": true, "neck": true, "back": true, "groin": true, "thigh": true, "toe": true,
	"finger": true, "heel": true, "head": true, "face": true, "breast": true, "flank": true, "calf": true, "shin": true,
	"temple": true, "brow": true, "cheek": true, "jaw": true, "lip": true, "palm": true, "thumb": true, "nail": true}

// didAfter reports whether the word right after j, on its line and in
// its case, says a person did something: a report word, a past tense in
// "-ed" of five or more letters or an irregular one ("ORDERED", "drew",
// "returned"; not "meeting").
func (st *state) didAfter(j int) bool {
	k := st.wordAfter(j, true)
	if k < 0 {
		return false
	}
	w := st.word(k)
	return st.kws[k]&kwPost != 0 || irregularPast[string(lowerInto(st.buf[:0], w))] || len(w) >= 5 && st.kws[k]&kwStop == 0 && hasSuffixFold(w, "ed")
}

// irregularPast are past tenses of verbs of doing that end in no "-ed".
var irregularPast = map[string]bool{"drew": true, "gave": true, "took": true, "put": true, "sent": true, "held": true,
	"left": true, "told": true, "saw": true, "came": true, "ran": true, "spoke": true, "wrote": true, "got": true}

// kinBefore reports whether a relation word stands right before word i,
// or before a quote that opens it ("daughter georgia", "daughter
// "georgia"").
func (st *state) kinBefore(i int) bool {
	p := i - 1
	if st.punct(p, '"') {
		p--
	}
	return st.kw(p)&kwRelation != 0
}

// kinFirstEnds reports whether word j is a first name, though an ordinary
// word, that a bracket, the clause's end, a report word or "in" follows
// ("SISTER & PEARL (SIGNIFICANT OTHER)"; not "daughter and will call").
func (st *state) kinFirstEnds(j int) bool {
	if !st.kinWord(j) || st.toks[j].flags&fFirst == 0 || st.toks[j].flags&fClinical != 0 || st.kws[j] != 0 {
		return false
	}
	n := j + 1
	return st.punct(n, '(') || clauseEnd(st, n) || st.kw(n)&kwPost != 0 || st.is(n, "in") || st.is(n, "into")
}

// kinNameEnds reports whether after word i a phone number, the clause's
// end, a line break, a report word or an auxiliary follows ("SON TED HAS
// PHONED X2").
func (st *state) kinNameEnds(i int) bool {
	n := i + 1
	return n >= len(st.toks) || clauseEnd(st, n) || st.toks[n].kind == kNum && st.digits(n) == 3 ||
		st.toks[n].kind == kWord && (st.kws[n]&kwPost != 0 || auxiliaries[string(lowerInto(st.buf[:0], st.word(n)))])
}

// capitalInCaps reports whether word i is capitalised (not in capitals)
// in a note written in capitals, as a name typed with care is ("PER NP
// Wells.").
func (st *state) capitalInCaps(i int) bool {
	return !st.mixed && !st.lowerNote && st.toks[i].shape == sTitle && st.toks[i].end-st.toks[i].start >= 3
}

// kinListFirst reports whether word j, listed after a relative's name
// ending at m ("daughters gala and scarlet"), is a first name though an
// ordinary word: no clinical or keyword, in m's case.
func (st *state) kinListFirst(j, m int) bool {
	if m < 0 || j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].newline || st.toks[j].end-st.toks[j].start < 3 {
		return false
	}
	t := &st.toks[j]
	return t.flags&fFirst != 0 && t.flags&fClinical == 0 && st.kws[j] == 0 && t.shape == st.toks[m].shape && t.shape != sMixed
}

// knownSurnameAfter reports whether the word right after i, in i's case,
// is a surname or a word nobody listed ("Virginia Alfredo").
func (st *state) knownSurnameAfter(i int) bool {
	k := i + 1
	if k >= len(st.toks) || !st.adjacentWord(i, k) || st.toks[k].newline || st.toks[k].kind != kWord || st.toks[k].shape != st.toks[i].shape {
		return false
	}
	return st.toks[k].flags&fLast != 0 && st.toks[k].flags&(fClinical|fCity) == 0 && st.kws[k] == 0 || st.unknown(k) && st.toks[k].end-st.toks[k].start > 2
}

// misspeltName reports whether name i, with no capital to vouch for it,
// is more likely a misspelt word: a rare name one edit from
// an ordinary word ("bagan", "stabel", "bowell" in a lower-case note).
func (st *state) misspeltName(i int) bool {
	return !st.titled(i) && st.toks[i].flags&(fFirstTop|fLastTop) == 0 && st.nearWord(i)
}

// unknownPair reports whether words i and i+1 are both in no dictionary,
// three or more letters each, on one line and in one case: a first name
// and a surname nobody listed ("Tensine Trechoabraiman MD"); misspelt
// words seldom come in pairs.
func (st *state) unknownPair(i int) bool {
	j := i + 1
	if i < 0 || j >= len(st.toks) || !st.adjacentWord(i, j) || st.toks[j].newline {
		return false
	}
	a, b := st.toks[i], st.toks[j]
	return st.unknown(i) && st.unknown(j) && a.kind == kWord && b.kind == kWord && a.end-a.start > 2 && b.end-b.start > 2 &&
		(a.shape == b.shape || a.shape == sTitle && b.shape == sTitle) && (!st.mixed || a.shape != sLower)
}

// sentenceStart reports whether word i starts a sentence or a line, where
// a capital says nothing.
func (st *state) sentenceStart(i int) bool {
	if i == 0 || st.toks[i].newline {
		return true
	}
	p := i - 1
	for p >= 0 && (st.punct(p, '"') || st.punct(p, '(') || st.punct(p, '\'')) {
		p--
	}
	return p < 0 || st.toks[p].newline && st.toks[p].kind == kPunct || st.punct(p, '.') || st.punct(p, '!') || st.punct(p, '?') ||
		st.punct(p, ':') || st.punct(p, '-') || st.punct(p, ';')
}

// oovNameShape reports whether an unknown word i looks like a name rather
// than a misspelt word: capitalised in mixed-case text; elsewhere followed
// by a report word, a credential, a name or punctuation.
func (st *state) oovNameShape(i int) bool {
	if st.mixed {
		return st.toks[i].shape == sTitle || st.toks[i].shape == sUpper ||
			st.kw(i+1)&kwCred != 0 && st.kw(i+2)&kwPost != 0 && st.unknownName(i) // "cleeson np aware": a credential and a report vouch
	}
	j := i + 1
	if j >= len(st.toks) || st.toks[j].newline || st.toks[j].kind == kPunct && !st.punct(j, '/') {
		return true
	}
	return st.kws[j]&(kwPost|kwCred) != 0 || st.toks[j].kind == kWord && st.toks[j].flags&fName != 0 &&
		st.toks[j].flags&(fCore|fClinical|fAmbiguous) == 0 || st.unknown(j) && st.nameFollows(j) ||
		st.unknown(j) && st.toks[j].kind == kWord && st.toks[j].end-st.toks[j].start > 2 && st.adjacentWord(i, j) // two unknown words: a full name
}

// nameFollows reports whether a report word or another name follows word i.
func (st *state) nameFollows(i int) bool {
	j := i + 1
	return st.kw(j)&(kwPost|kwCred) != 0 || j < len(st.toks) && st.toks[j].kind == kWord && st.toks[j].flags&fName != 0 &&
		st.toks[j].flags&(fCore|fClinical|fAmbiguous) == 0
}

// nextWord returns the index of the next word after i, skipping glue.
func (st *state) nextWord(i int) int { return st.skipGlue(i + 1) }

// nameAfter marks the name that follows trigger i.
func (st *state) nameAfter(i, lv int, rec string) {
	j := st.skipGlue(i + 1)
	if st.punct(j, '?') && st.punct(j+1, ')') {
		j = st.skipGlue(j + 2) // "wife(?) Quarnbeck"
	}
	if lv == lvKin && (st.is(j, "and") || st.punct(j, '&')) && st.kws[i]&kwRelation != 0 && (st.knownName(j+1) || st.unknownName(j+1) || st.kinFirstEnds(j+1)) {
		j++ // "sister & Quarnbeck", "SISTER & PEARL (SIGNIFICANT OTHER)"
	}
	if j < len(st.toks) && st.toks[j].newline || lv < lvStrong && st.punct(i+1, '.') && st.kws[i]&kwTitle == 0 {
		return // a name does not follow on the next line or sentence
	}
	if lv == lvStrong && st.kw(j)&kwTitle != 0 {
		j = st.skipGlue(j + 1)
	}
	if lv == lvMedium && (st.is(j, "is") || st.is(j, "was")) {
		j = st.skipGlue(j + 1)
		if st.kw(j)&kwTitle != 0 {
			j, lv = st.skipGlue(j+1), lvStrong
		}
	}
	prev := -1
	for n := 0; n < 4; n++ {
		e := st.nameChain(j, lv)
		if e < j && n == 0 && st.punct(j+1, '/') {
			// "MR D/T MVR": an abbreviation with a slash is no initial
		} else if e < j && n == 0 && st.kws[i]&kwTitle != 0 && st.isInitial(j) && st.toks[j].shape == sUpper &&
			j+1 < len(st.toks) && st.toks[j+1].kind != kWord {
			e = j // "MS S. CARE": an initial stands for the name
		} else if e < j && n == 0 && st.kws[i]&kwTitle != 0 && st.isInitial(j) && st.toks[j].shape == sUpper && (!st.is(j, "a") || st.didAfter(j)) {
			e = j // "mr I remained", "mr A remained"
		}
		if e < j && n == 0 && lv == lvWeak {
			e = st.initialCueName(j) // "per d keva"
		}
		if e < j && n == 0 && lv == lvWeak && st.reachedFirst(i, j) {
			e = j // "able to reach Rob.", "called dawn,"
		}
		if e < j && n == 0 && st.reportedName(j) {
			e = j // "NP Hope aware"
		}
		if e < j && n == 0 && st.kws[i]&kwRole != 0 && st.roleSurnameActs(j) {
			e = j // "RT BURNS DREW ABG": a surname that is a clinical word, doing something
		}
		if e < j && n == 0 && lv == lvKin && st.kws[i]&kwRelation != 0 && (st.kinAppositive(i, j) || st.kinList(j) || st.kinProper(i, j)) {
			e = j // "son, ed, was updated", "sons smokey, morris and roger"
		}
		if e < j && n == 0 && lv == lvKin && st.kws[i]&kwRelation != 0 && st.kinPair(j) {
			e = j // "daughters geelle and garvel"
		}
		if e < j && n == 0 && lv == lvCred && st.kws[i]&kwTitle != 0 && st.titleSurname(j) {
			e = j // "MR FIELDS HAD": no mitral regurgitation has a verb
		}
		if e < j && n == 0 {
			e = st.cueUnknown(i, j, lv)
		}
		if e < j && n == 0 && lv == lvNone && st.talkCue(i) && st.talkedPair(j) {
			e = j + 1 // "SON TO SPEAK WITH HOLLY BOOTH IN AM"
		}
		if e < j && n == 0 && lv == lvNone && st.talkCue(i) && st.talkedFirst(j) {
			e = j // "UP TO TALK WITH RAY REGARDING HIS BROTHER"
		}
		if e < j && n > 0 && st.unknownName(j) && (!st.mixed || st.toks[j].shape != sLower) {
			e = j // "daughters Quarnbeck and Vellastro"
		}
		if e < j && n > 0 && st.kws[i]&kwRelation != 0 && (st.kinConjunct(j, prev) || st.kinListFirst(j, prev)) {
			e = j // "daughters geelle and garvel", "daughters gala and scarlet"
		}
		if e < j {
			return
		}
		if n == 0 && e == j && (lv == lvKin && st.kws[i]&kwRelation != 0 || lv == lvStrong) && st.surnameEnding(j, lv) {
			e = j + 1 // "son: copps tinker - 555-0100", "mrs. stanley page, tel"
		}
		st.addName(j, e, lv, rec)
		prev = e
		if lv < lvMedium {
			return
		}
		// lists: "sons Smokey, Morris and Roger", "Drs Ferullo and Saeed"
		k := e + 1
		if !(st.punct(k, ',') || st.is(k, "and") || st.punct(k, '&')) {
			return
		}
		k++
		if st.is(k, "and") || st.punct(k, '&') {
			k++
		}
		if st.kw(k)&kwTitle != 0 {
			k = st.skipGlue(k + 1)
		}
		j = k
		if !(st.is(i, "drs") && st.mixed && st.toks[min(j, len(st.toks)-1)].shape == sTitle) {
			lv = min(lv, lvMedium) // "Drs Esparza and Sledge": a plural title names them all
		}
	}
}

// nameChain returns the last token of the name starting at j (first
// word accepted at lv, following words at lvMedium), or -1.
func (st *state) nameChain(j, lv int) int {
	lone := lv == lvStrong && st.toks[min(j, len(st.toks)-1)].kind == kWord && st.toks[min(j, len(st.toks)-1)].end-st.toks[min(j, len(st.toks)-1)].start == 1 &&
		(!st.is(j, "a") && !st.is(j, "i") || st.unknownWord(j+1, 4) || st.knownName(j+1)) && j+1 < len(st.toks) && st.toks[j+1].kind == kWord &&
		!st.toks[j+1].newline // "dr b muse", "Dr. a lengaison", "Dr. i acker"
	if (st.isInitial(j) || lone) && lv >= lvMedium {
		k := j + 1
		if st.punct(k, '.') {
			k++
		}
		if st.accept(k, max(lv, lvMedium)) {
			return st.extendName(k)
		}
		return -1
	}
	if !st.accept(j, lv) {
		return -1
	}
	return st.extendName(j)
}

// extendName extends a name ending at word e over further name words,
// initials and hyphenated parts.
func (st *state) extendName(e int) int {
	for n := 0; n < 3; n++ {
		k := e + 1
		switch {
		case st.punct(k, '-') && st.adjacent(e) && st.adjacent(k) && st.toks[k+1].kind == kWord && (st.accept(k+1, lvMedium) || st.hyphenPart(e, k+1)):
			e = k + 1
			continue
		case st.isInitial(k) && st.punct(k+1, '.') && st.accept(k+2, lvMedium) && !st.toks[k].newline:
			e = k + 2
			continue
		case st.isInitial(k) && st.toks[k].shape == sUpper && !st.punct(k+1, '.') && st.accept(k+1, lvMedium) && !st.toks[k].newline:
			e = k + 1
			continue
		}
		if k < len(st.toks) && !st.toks[k].newline && (st.accept(k, lvMedium) && st.nameLike(k) ||
			st.unknown(k) && st.toks[k].kind == kWord && st.toks[k].end-st.toks[k].start > 2 && st.adjacentWord(e, k) &&
				(!st.mixed || st.toks[k].shape != sLower)) {
			e = k
			continue
		}
		if st.surnameAfterFirst(e, k) {
			e = k
		}
		break
	}
	return e
}

// hyphenPart reports whether word k, joined by a hyphen to name word e
// with no space, is the second part of a double surname though an
// ordinary word ("Torress-Proctor"): a census name in e's case, no
// clinical or function word.
func (st *state) hyphenPart(e, k int) bool {
	if k >= len(st.toks) {
		return false
	}
	t := &st.toks[k]
	return t.flags&(fFirst|fLast) != 0 && t.flags&fClinical == 0 && t.shape == st.toks[e].shape &&
		t.end-t.start >= 3 && st.kws[k]&(kwStop|kwCred|kwTitle|kwRole|kwRelation|kwMonth|kwWeekday|kwUnit) == 0
}

// surnameAfterFirst accepts a surname that is also a word ("Frances
// Baker", "Arthur Wilson") right after a first name, when no content word
// follows it.
func (st *state) surnameAfterFirst(e, k int) bool {
	if k >= len(st.toks) || st.toks[k].newline || st.toks[k].kind != kWord || st.toks[k].flags&fLast == 0 ||
		st.kws[k]&(kwStop|kwCred|kwTitle) != 0 || !st.adjacentWord(e, k) {
		return false
	}
	if st.mixed && st.toks[k].shape == sLower {
		return false
	}
	if st.toks[e].flags&fFirst == 0 {
		// "Cafferky Boney": after any name, a capitalised surname where
		// capitals carry information.
		return st.titled(e) && st.titled(k) && st.toks[k].flags&fClinical == 0 && st.kws[k]&(kwMonth|kwWeekday|kwState) == 0

	}
	n := k + 1
	return n >= len(st.toks) || st.toks[n].kind != kWord || st.toks[n].newline || st.kws[n]&(kwStop|kwPost|kwCred|kwMove|kwVerb) != 0 ||
		auxiliaries[string(lowerInto(st.buf[:0], st.word(n)))]
}

// adjacentWord reports whether k directly follows e with only a space.
func (st *state) adjacentWord(e, k int) bool { return k == e+1 && st.toks[k].space }

// nameLike is true for a dictionary name or an unknown capitalised word.
func (st *state) nameLike(i int) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	f := st.toks[i].flags
	return f&fName != 0 || f&(fCommon|fCore|fClinical) == 0
}

func (st *state) addName(i, j, lv int, rec string) {
	st.add(i, j, phigate.NAME, levelConf[lv], rec)
}

// surnameEnding reports whether, where case says nothing, the word after
// name word j is its surname though an ordinary word: a census surname of
// four letters or more, no keyword and no clinical word, that ends the
// phrase (before a comma, a dash, a bracket or the line's end). After a
// title and a first name, a surname that is a verb ("page") ends it too.
func (st *state) surnameEnding(j, lv int) bool {
	k := j + 1
	if st.mixed || k >= len(st.toks) || !st.adjacentWord(j, k) || st.toks[k].newline || st.toks[k].kind != kWord ||
		st.toks[k].end-st.toks[k].start < 4 || st.toks[k].flags&fLast == 0 || st.toks[k].flags&fClinical != 0 {
		return false
	}
	if kk := st.kws[k]; kk != 0 && (lv < lvStrong || kk&^(kwStop|kwVerb) != 0 || st.toks[j].flags&fFirst == 0) {
		return false
	}
	n := k + 1
	return n >= len(st.toks) || st.toks[n].newline ||
		st.punct(n, ',') || st.punct(n, ';') || st.punct(n, ')') || st.punct(n, '-') && st.toks[n].space
}
