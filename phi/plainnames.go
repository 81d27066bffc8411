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
	if st.toks[j].kind != kWord || f&fFirst == 0 || f&fClinical != 0 || st.kws[j] != 0 || st.mixed && st.toks[j].shape == sLower {
		return false
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
	if !st.pairWord(a) || !st.pairWord(b) || !(st.knownName(a) || st.unknownName(a) || st.knownName(b) || st.unknownName(b)) {
		return
	}
	st.addName(a, a, lvKin, "relation-name")
	st.addName(b, b, lvKin, "relation-name")
}

// pairWord reports whether word j may be one of a pair of relatives'
// names: a first name that is no clinical or function word, or a word
// nobody listed of three or more letters.
func (st *state) pairWord(j int) bool {
	t := st.toks[j]
	if t.kind != kWord || st.kws[j] != 0 || st.mixed && t.shape == sLower && !st.lowerNote {
		return false
	}
	return t.flags&fFirst != 0 && t.flags&fClinical == 0 && t.end-t.start > 2 || st.knownName(j) || st.unknownWord(j, 3)
}
