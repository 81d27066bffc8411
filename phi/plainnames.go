package phi

// Names that are ordinary words ("rob", "dawn", "smokey"), taken when the
// words on both sides say a person: a verb of contact before and the end
// of a clause after ("unable to reach rob."), a relation before and a
// verb a person does after ("son smokey to go home").

// reachVerbs are verbs of contact whose object, at the end of a clause,
// is a person.
var reachVerbs = map[string]bool{"reach": true, "reached": true, "call": true, "called": true, "page": true, "paged": true,
	"contact": true, "contacted": true, "notified": true, "informed": true, "ask": true, "asked": true}

// reachedFirst reports whether word j, right after verb of contact i, is a
// first name that ends the clause ("unable to reach Rob.", "CALLED DAWN,"),
// even a first name that is an ordinary word: no clinical, function or
// calendar word, and not in small letters where capitals carry
// information.
func (st *state) reachedFirst(i, j int) bool {
	if j != i+1 || j+1 >= len(st.toks) || !st.adjacentWord(i, j) || st.toks[j].newline || st.toks[j].end-st.toks[j].start < 3 ||
		st.toks[i].end-st.toks[i].start > 9 || !reachVerbs[string(lowerInto(st.buf[:0], st.word(i)))] {
		return false
	}
	f := st.toks[j].flags
	if st.toks[j].kind != kWord || f&fName == 0 || f&fClinical != 0 || st.kws[j] != 0 || st.mixed && st.toks[j].shape == sLower ||
		f&fFirst == 0 && !(st.titled(j) || f&(fCommon|fCore) == 0) {
		return false // a surname only capitalised or when no English word ("only able to reach Barrett.")
	}
	return clauseEnd(st, j+1)
}

// clauseEnd reports whether token k ends a clause: a period, comma,
// semicolon, "!" or "?", or a line break before it.
func clauseEnd(st *state, k int) bool {
	if k >= len(st.toks) {
		return false
	}
	return st.toks[k].newline || st.punct(k, '.') || st.punct(k, ',') || st.punct(k, ';') || st.punct(k, '!') || st.punct(k, '?')
}

// kinProper reports whether word j, right after relation i, is a proper
// noun or first name that is also an ordinary word, followed by "to" and a
// verb or by a verb a person does ("son smokey to go to security", "son
// rusty called"): no clinical, function, calendar or place word, and not
// in small letters where capitals carry information.
func (st *state) kinProper(i, j int) bool {
	if j != i+1 || j+2 >= len(st.toks) || !st.adjacentWord(i, j) || st.toks[j].newline || st.toks[j].kind != kWord ||
		st.toks[j].end-st.toks[j].start < 3 || st.mixed && st.toks[j].shape == sLower {
		return false
	}
	f := st.toks[j].flags
	if f&(fFirst|fProper) == 0 || f&(fClinical|fCity) != 0 || st.kws[j] != 0 || !st.adjacentWord(j, j+1) {
		return false
	}
	if st.is(j+1, "to") {
		v := j + 2
		return st.adjacentWord(j+1, v) && st.toks[v].kind == kWord && st.toks[v].shape == st.toks[j].shape && st.kws[v]&kwMove != 0
	}
	return st.kws[j+1]&kwPost != 0
}

// pairAfterKin marks two names joined by "and" that follow a relation
// and a period on its line and end the text, line or clause ("are his
// health care proxies. ivo and lem"): each one word in one case, a first
// name or a word nobody listed, and at least one a name by its looks.
// Token i is the relation, i+1 the period.
func (st *state) pairAfterKin(i int) {
	a, b := i+2, i+4
	if b >= len(st.toks) || st.toks[a].newline || !st.is(a+1, "and") || !st.adjacentWord(a, a+1) || !st.adjacentWord(a+1, b) ||
		st.toks[a].shape != st.toks[b].shape || !(b+1 >= len(st.toks) || clauseEnd(st, b+1)) {
		return
	}
	if proxies := st.is(i, "proxies") || st.is(i, "proxys") || st.is(i, "hcps"); proxies {
		// Named as the proxies, any two names are taken, though each is
		// also a word ("health care proxys. pearl and link").
		if !st.proxyName(a) || !st.proxyName(b) {
			return
		}
	} else if !st.pairWord(a) || !st.pairWord(b) || !(st.knownName(a) || st.unknownName(a) || st.knownName(b) || st.unknownName(b)) {
		return
	}
	st.addName(a, a, lvKin, "relation-name")
	st.addName(b, b, lvKin, "relation-name")
}

// proxyName reports whether word j may be one of the people named after
// "proxies.": proxyPairWord, or a name that is also an ordinary word but
// no clinical or function word.
func (st *state) proxyName(j int) bool {
	t := &st.toks[j]
	return st.proxyPairWord(j) || t.kind == kWord && t.end-t.start >= 3 && st.kws[j] == 0 && t.flags&fName != 0 && t.flags&fClinical == 0 &&
		!(st.mixed && t.shape == sLower && !st.lowerNote)
}

// pairWord reports whether word j may be one of a pair of relatives'
// names: a first name that is no clinical or function word, or a word
// nobody listed of three or more letters.
func (st *state) pairWord(j int) bool {
	t := &st.toks[j]
	if t.kind != kWord || st.kws[j] != 0 || st.mixed && t.shape == sLower && !st.lowerNote {
		return false
	}
	return t.flags&fFirst != 0 && t.flags&fClinical == 0 && t.end-t.start > 2 || st.knownName(j) || st.unknownWord(j, 3)
}

// leaveWords are what a person is on when away or on duty ("X is on
// vacation", "X is on call").
var leaveWords = map[string]bool{"vacation": true, "vaca": true, "vacay": true, "leave": true, "call": true, "holiday": true}

// onLeaveName marks the name before "is on vacation" or "was on call"
// ("(Quarnbeck is on vaca)", "TOM IS ON LEAVE"): one word right before
// "is" or "was" (token i), a first name, a surname or a word nobody
// listed, no clinical or function word: a drug or a service is "on hold",
// not on vacation.
func (st *state) onLeaveName(i int) {
	j, k := i-1, i+2
	if k >= len(st.toks) || !st.is(i+1, "on") || !st.adjacentWord(j, i) || st.toks[i].newline || st.toks[k].newline ||
		st.toks[k].end-st.toks[k].start > 8 || !leaveWords[string(lowerInto(st.buf[:0], st.word(k)))] {
		return
	}
	t := &st.toks[j]
	if t.kind != kWord || t.end-t.start < 3 || st.kws[j] != 0 || t.flags&fClinical != 0 || st.mixed && t.shape == sLower ||
		!(t.flags&(fFirst|fLast) != 0 || st.unknownWord(j, 3)) {
		return
	}
	st.addName(j, j, lvMedium, "subject-name")
}

// nameOfService marks a first name and a surname that open a sentence
// before "of", a service and a verb a person does ("Holly Crews of
// hospital legal contacted", "TROS FLAITON OF RISK MANAGEMENT CALLED"):
// a place's people act, a place does not call. Token i is "of"; the
// verb comes within four words.
func (st *state) nameOfService(i int) {
	a, b := i-2, i-1
	if st.kws[a] != 0 || st.kws[b] != 0 || st.toks[a].flags&fClinical != 0 || !st.adjacentWord(a, b) || !st.adjacentWord(b, i) ||
		st.toks[i].newline || !st.sentenceStart(a) {
		return
	}
	ta, tb := st.toks[a], st.toks[b]
	if ta.kind != kWord || tb.kind != kWord || ta.shape != tb.shape || ta.shape == sLower && st.mixed || ta.shape == sMixed ||
		st.kws[a] != 0 || st.kws[b] != 0 || (ta.flags|tb.flags)&fClinical != 0 || ta.end-ta.start < 3 || tb.end-tb.start < 3 {
		return
	}
	if !(ta.flags&fFirst != 0 || st.unknownWord(a, 3)) || !(tb.flags&fLast != 0 || st.unknownWord(b, 3)) ||
		!(st.knownName(a) || st.knownName(b) || st.unknownName(a) || st.unknownName(b) || ta.flags&fFirstTop != 0 && tb.flags&fLastTop != 0) {
		return
	}
	for v := i + 2; v < len(st.toks) && v <= i+5 && !st.toks[v].newline; v++ {
		if st.toks[v].kind != kWord {
			return
		}
		if st.kws[v]&kwPost != 0 || st.is(v, "contacted") {
			st.addName(a, b, lvMedium, "subject-name")
			return
		}
	}
}

// endSignature marks the last word of the text when it follows a
// sentence's end and is a name by its looks, a word nobody listed of five
// or more letters (a misspelling seldom signs off a note alone; a cut
// word "INTE" does) or a name that is no word, capitalised: the writer's name signing the note ("... at 1400U/HR.
// QUARNBECK").
func (st *state) endSignature() {
	j := len(st.toks) - 1
	if j < 1 || st.toks[j].kind != kWord || st.toks[j].shape == sLower || st.toks[j].shape == sMixed || st.kws[j] != 0 ||
		!(st.punct(j-1, '.') || st.toks[j].newline) || !(st.unknownWord(j, 5) || st.unknownName(j) || st.knownName(j) && st.toks[j].end-st.toks[j].start > 3) {
		return
	}
	st.addName(j, j, lvMedium, "signature")
}

// pairContact marks two names joined by "and" before "are" or "were"
// (token i) and a relation ("Both Ivo and Lemmert are his appointed
// health care proxies"): the pair as in pairAfterKin, the relation
// within four words of fillers.
func (st *state) pairContact(i int) {
	a, b := i-3, i-1
	if a < 0 || !st.is(a+1, "and") || !st.adjacentWord(a, a+1) || !st.adjacentWord(b, i) || st.toks[a+1].newline ||
		st.toks[b].newline || st.toks[i].newline || st.toks[a].shape != st.toks[b].shape {
		return
	}
	k := i + 1
	for n := 0; n < 4 && k < len(st.toks) && st.toks[k].kind == kWord && !st.toks[k].newline && st.kws[k]&kwRelation == 0; n++ {
		if !contactFillers[string(lowerInto(st.buf[:0], st.word(k)))] && !proxyFillers[string(lowerInto(st.buf[:0], st.word(k)))] {
			return
		}
		k++
	}
	if st.kw(k)&kwRelation == 0 || k < len(st.toks) && st.toks[k].newline {
		return
	}
	// Named as the proxies, two words nobody listed are names even if
	// one ends like an English word ("Both Moththar and Whie are his
	// appointed health care proxies").
	if !st.proxyPairWord(a) || !st.proxyPairWord(b) || !(st.knownName(a) || st.unknownName(a) || st.knownName(b) || st.unknownName(b) ||
		st.unknown(a) && st.unknown(b)) {
		return
	}
	st.addName(a, a, lvKin, "relation-name")
	st.addName(b, b, lvKin, "relation-name")
}

// proxyPairWord is pairWord, or any word nobody listed of three or more
// letters in a case that may be a name's.
func (st *state) proxyPairWord(j int) bool {
	t := &st.toks[j]
	return st.pairWord(j) || st.unknown(j) && t.kind == kWord && t.end-t.start >= 3 && !(st.mixed && t.shape == sLower)
}

// proxyFillers are the words between "are his" and "proxies" ("are his
// appointed health care proxies").
var proxyFillers = map[string]bool{"appointed": true, "official": true, "legal": true, "health": true, "care": true, "healthcare": true,
	"designated": true, "both": true}
