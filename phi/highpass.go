package phi

import "github.com/phigate/phigate"

// highPass adds, at HighSensitivity, the guesses that read a whole
// sentence: a first name that is also an ordinary word beside a name or
// after a verb of contact ("pat Quarnbeck", "able to reach Bill"), a word
// joined by "and" to a name, a capitalised name word inside a sentence, a
// geographic feature after a place preposition ("at the cape"), a
// capitalised word after "in" or "from" ("from the VA in Wilm"), and a
// day number a patient gives when asked the date ("states 17"). It runs
// after every other recogniser, on their findings.
func (st *state) highPass() {
	n := len(st.found)
	for k := 0; k < n; k++ {
		f := st.found[k]
		if f.Category != phigate.NAME && f.Category != phigate.LOCATION || f.Confidence < highConfidence {
			continue
		}
		s, e := st.tokenSpan(f)
		if s >= len(st.toks) || e >= len(st.toks) {
			continue
		}
		if f.Category == phigate.LOCATION {
			// The rest of a capitalised place name ("Beth Israel
			// Deaconess"): the vendor sees none of it.
			if x := st.capitalRun(e); x > e {
				st.add(s, x, phigate.LOCATION, f.Confidence, f.Recognizer)
			}
			// A town name that is also a surname ("pat Weston"): a first
			// name before it, and no place preposition, make it a person.
			if p := s - 1; s == e && st.toks[s].flags&(fCore|fCommon) == 0 && st.adjacentWord(p, s) && !st.toks[s].newline &&
				st.ordinaryFirstName(p) && !st.locative(p-1) {
				st.add(p, s, phigate.NAME, levelConf[lvWeak], "high-first-name")
			}
			continue
		}
		if p := s - 1; st.adjacentWord(p, s) && !st.toks[s].newline && st.ordinaryFirstName(p) {
			st.add(p, p, phigate.NAME, highConfidence, "high-first-name")
		}
		if st.initialBefore(s) {
			st.add(s-2, s-2, phigate.NAME, highConfidence, "high-initial") // "J. Quarnbeck"
		}
		if x := e + 1; x < len(st.toks) && st.adjacentWord(e, x) && !st.toks[x].newline && st.toks[x].shape == st.toks[e].shape && st.strangeName(x, 3) {
			st.add(x, x, phigate.NAME, highConfidence, "high-surname") // "Ann Quarnbeck-Vell"
		}
		if (st.is(e+1, "and") || st.punct(e+1, '&')) && e+2 < len(st.toks) && !st.toks[e+2].newline && st.joinedName(e+2) {
			st.add(e+2, e+2, phigate.NAME, highConfidence, "high-coordinated")
		}
		if (st.is(s-1, "and") || st.punct(s-1, '&')) && !st.toks[s-1].newline && st.joinedName(s-2) {
			st.add(s-2, s-2, phigate.NAME, highConfidence, "high-coordinated")
		}
	}
	for i := range st.toks {
		t := &st.toks[i]
		switch {
		case t.kind != kWord:
		case st.kw(i-1)&kwVerb != 0 && !st.toks[i].newline && st.ordinaryFirstName(i):
			st.add(i, i, phigate.NAME, highConfidence, "high-first-name") // "unable to reach Pat"
		case st.talkCue(i-1) && (st.nameWord(i) || st.namePair(i)):
			e := i
			if i+1 < len(st.toks) && st.adjacentWord(i, i+1) && !st.toks[i+1].newline && (st.nameWord(i+1) || st.namePair(i)) {
				e = i + 1
			}
			st.add(i, e, phigate.NAME, highConfidence, "high-talk-name") // "son to speak with Flora Booth"
		case st.kw(i-1)&(kwRole|kwTitle|kwRelation) != 0 && st.kw(i+1)&kwPost != 0 && !st.toks[i].newline && !st.toks[i+1].newline &&
			st.kws[i] == 0 && st.toks[i].end-st.toks[i].start >= 3:
			st.add(i, i, phigate.NAME, highConfidence, "high-role-name") // "NP Brady aware"
		case st.titled(i) && !st.sentenceStart(i) && st.toks[i].flags&fName != 0 && st.ordinaryFirstName(i) && st.personNext(i+1):
			st.add(i, i, phigate.NAME, highConfidence, "high-capital-name")
		case st.strangeWord(i, 3) && st.strangeAt(i):
		case (st.locative(i-1) || st.is(i-1, "the") && st.locative(i-2)) && placeFeatures[string(lowerInto(st.buf[:0], st.word(i)))]:
			st.featurePlace(i)
		case st.titled(i) && !st.sentenceStart(i) && t.end-t.start >= 4 && st.locativeBefore(i):
			if f := t.flags; f&(fCore|fClinical) == 0 && st.kws[i] == 0 {
				st.add(i, i, phigate.LOCATION, highConfidence, "high-place")
			}
		}
	}
}

// capitalRun returns the last of the capitalised words that follow word e
// on its line in mixed-case text, none at a sentence start, or e.
func (st *state) capitalRun(e int) int {
	x := e
	for x+1 < len(st.toks) && st.adjacentWord(x, x+1) && !st.toks[x+1].newline && st.toks[x+1].kind == kWord &&
		st.titled(x+1) && st.kws[x+1]&kwStop == 0 && !st.sentenceStart(x+1) {
		x++
	}
	return x
}

// strangeAt marks strange word i (strangeWord) as a name where a person
// stands: after an initial ("J. QUARNBECK IN TO"), beside another
// ("QUARNBECK VELLOTT OF LEGAL"), before "is" or "was" ("(QUARNBECK IS ON
// VACATION)"), alone on the last line (a signature), addressed
// ("\"Quarnbeck, I know…\"") or joined by "and" ("proxies: quarnbeck and
// vell"). The context is checked first: the misspelling test is costly.
func (st *state) strangeAt(i int) bool {
	n := st.toks[i].end - st.toks[i].start
	j := min(i+1, len(st.toks)-1)
	initial := st.initialBefore(i)
	pair := n >= 4 && i+1 < len(st.toks) && st.adjacentWord(i, i+1) && !st.toks[i+1].newline && st.strangeWord(i+1, 4) &&
		!st.therapyContext(i)
	subject := n >= 4 && j > i && auxiliaries[string(lowerInto(st.buf[:0], st.word(j)))] && !st.toks[j].newline &&
		(!st.sentenceStart(i) || st.punct(i-1, '(')) && !st.therapyContext(i)
	last := n >= 4 && st.aloneOnLastLine(i)
	vocative := st.titled(i) && st.sentenceStart(i) && st.punct(i+1, ',') && !clippedVerb(st.word(i))
	joined := n >= 4 && st.is(i+1, "and") && st.strangeWord(i+2, 3) && !st.toks[i+2].newline && !st.therapyContext(i) &&
		!(st.treatmentAfter(i+2) && i+3 < len(st.toks) && !st.toks[i+3].newline)
	if !(initial || pair || subject || last || vocative || joined) || !st.strangeName(i, 3) {
		return false
	}
	switch {
	case initial:
		st.add(i-2, i, phigate.NAME, highConfidence, "high-initial")
	case pair && st.strangeName(i+1, 4):
		st.add(i, i+1, phigate.NAME, highConfidence, "high-unknown-pair")
	case subject:
		st.add(i, i, phigate.NAME, highConfidence, "high-subject")
	case last:
		st.add(i, i, phigate.NAME, highConfidence, "high-signature")
	case vocative:
		st.add(i, i, phigate.NAME, highConfidence, "high-vocative")
	case joined && st.strangeName(i+2, 3):
		st.add(i, i, phigate.NAME, highConfidence, "high-coordinated")
		st.add(i+2, i+2, phigate.NAME, highConfidence, "high-coordinated")
	default:
		return false
	}
	return true
}

// strangeWord reports whether token i is a word of n or more letters in no
// dictionary and no keyword (it may still look like a misspelling).
func (st *state) strangeWord(i, n int) bool {
	return i >= 0 && i < len(st.toks) && st.toks[i].kind == kWord && st.toks[i].end-st.toks[i].start >= n && st.unknown(i) &&
		!(st.mixed && st.toks[i].shape == sUpper)
}

// strangeName reports whether token i may be a name nobody listed: a
// strange word (strangeWord) that is no misspelling, no two words glued
// and has no English word ending.
func (st *state) strangeName(i, n int) bool {
	return st.strangeWord(i, n) && !wordEnding(st.word(i)) && !st.wordLike(i)
}

// initialBefore reports whether an initial and its period stand right
// before word i, the initial after white space ("J. Quarnbeck", not
// "90'S. HEMODYNAMICS" or "D+I. MIDSTERNAL").
func (st *state) initialBefore(i int) bool {
	k := i - 2
	return st.punct(i-1, '.') && st.isInitial(k) && st.adjacent(k) && st.toks[i].space && !st.toks[i].newline &&
		(k == 0 || st.toks[k].space || st.toks[k].newline)
}

// aloneOnLastLine reports whether word i stands alone on the last line
// of the text, as a signature does.
func (st *state) aloneOnLastLine(i int) bool {
	if !(i == 0 || st.toks[i].newline) {
		return false
	}
	for j := i + 1; j < len(st.toks); j++ {
		if st.toks[j].newline {
			return false
		}
		if st.toks[j].kind != kPunct {
			return false
		}
	}
	return true
}

// ordinaryFirstName reports whether word i is a first or last name that
// may also be an ordinary word ("Grace", "pat", "Bill"): in the name
// dictionaries, no clinical word, no keyword.
func (st *state) ordinaryFirstName(i int) bool {
	if i < 0 || i >= len(st.toks) || st.toks[i].kind != kWord || st.toks[i].end-st.toks[i].start < 3 {
		return false
	}
	if st.mixed && st.toks[i].shape == sUpper {
		return false // an acronym
	}
	f := st.toks[i].flags
	return f&fFirst != 0 && f&fClinical == 0 && st.kws[i] == 0 && !auxiliaries[string(lowerInto(st.buf[:0], st.word(i)))]
}

// nameWord reports whether word i may be a name after "spoke with": in the
// name dictionaries, or in none and no misspelling, and no keyword, core
// English or clinical word.
func (st *state) nameWord(i int) bool {
	if i < 0 || i >= len(st.toks) || st.toks[i].kind != kWord || st.toks[i].end-st.toks[i].start < 3 || st.kws[i] != 0 {
		return false
	}
	f := st.toks[i].flags
	return f&(fClinical|fCore) == 0 && !(st.mixed && st.toks[i].shape == sUpper) && (f&fName != 0 || st.unknown(i) && !st.wordLike(i))
}

// namePair reports whether words i and i+1 are both in the name
// dictionaries, even as ordinary words ("FLORA BOOTH"), on one line, and
// neither a keyword or a clinical word.
func (st *state) namePair(i int) bool {
	if i < 0 || i+1 >= len(st.toks) || !st.adjacentWord(i, i+1) || st.toks[i+1].newline {
		return false
	}
	for _, k := range [2]int{i, i + 1} {
		f := st.toks[k].flags
		if st.toks[k].kind != kWord || st.kws[k] != 0 || f&fName == 0 || f&fClinical != 0 || st.toks[k].end-st.toks[k].start < 3 {
			return false
		}
	}
	return true
}

// joinedName reports whether word j, joined by "and" to a name, may be a
// name too: a name-dictionary word or a word in no dictionary, of three or
// more letters, no keyword and no clinical word.
func (st *state) joinedName(j int) bool {
	if j < 0 || j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || st.kws[j] != 0 {
		return false
	}
	if st.mixed && st.toks[j].shape == sUpper {
		return false
	}
	f := st.toks[j].flags
	return f&fClinical == 0 && (f&fName != 0 || st.unknown(j))
}

// placeFeatures are geographic features a place is often named by alone
// ("at the cape", "down at the harbor").
var placeFeatures = map[string]bool{"bay": true, "harbor": true, "harbour": true, "cape": true, "vineyard": true,
	"island": true, "islands": true, "shore": true, "coast": true, "lake": true, "lakes": true, "valley": true, "hills": true,
	"heights": true, "falls": true, "springs": true, "keys": true, "beach": true, "port": true}

// featurePlace marks feature word i as a place after a place preposition
// ("at harbor", "in the valley"), unless a number or a code follows ("bay
// 3" is a bed).
func (st *state) featurePlace(i int) {
	p := i - 1
	if st.is(p, "the") {
		p--
	}
	if !st.locative(p) || st.toks[i].newline {
		return
	}
	if j := i + 1; j < len(st.toks) && !st.toks[j].newline && (st.toks[j].kind == kNum || st.toks[j].kind == kAlnum || st.punct(j, '#')) {
		return
	}
	st.add(i, i, phigate.LOCATION, highConfidence, "high-place")
}

// locative reports whether token p is "at", "in", "from", "near" or "to".
func (st *state) locative(p int) bool {
	return st.is(p, "at") || st.is(p, "in") || st.is(p, "from") || st.is(p, "near") || st.is(p, "to")
}

// locativeBefore reports whether "in", "from" or "near" comes right before
// word i, on its line (not "to", after which a drug is named as often).
func (st *state) locativeBefore(i int) bool {
	p := i - 1
	return !st.toks[i].newline && (st.is(p, "in") || st.is(p, "from") || st.is(p, "near"))
}
