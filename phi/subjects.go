package phi

// Names found by what the sentence says of them: the subject of a verb
// only a person does ("Quarnbeck arrived in the unit", "once vellastro woke
// up" in a note that writes names in small letters), the person a note
// names as the family's contact ("Trell is family contact"), and the second
// of two relatives ("daughters geelle and garvel").

// kinConjunct reports whether word j, joined by "and" or "," to a
// relative's name ending at m, is a name too: a word in no dictionary, in
// the first name's case, three or more letters and no English word
// ending (but right after "X and" any such word). After "daughters X and"
// even a word one letter from an English word is a name: the relation
// vouches for it.
func (st *state) kinConjunct(j, m int) bool {
	if m < 0 || j >= len(st.toks) || st.toks[j].newline || st.toks[j].shape != st.toks[m].shape || st.toks[j].shape == sMixed {
		return false
	}
	// Right after "X and", even an English ending is a name's ("daughters
	// raitynspo and skisply").
	return st.unknownWord(j, 3) || j == m+2 && st.is(m+1, "and") && st.unknown(j) && st.toks[j].kind == kWord &&
		st.toks[j].end-st.toks[j].start >= 4 && !st.punct(j+1, '/')
}

// contactName marks the name before "is" or "was" that a relation or
// "contact" follows ("Trell is family contact", "Vond was his HCP",
// "tod is the pt's proxy"); token i is "is" or "was". The name is
// taken as after a relation word: "Lasix is" is no name, as no relation
// follows a drug.
func (st *state) contactName(i int) {
	k := i + 1
	for n := 0; n < 2 && k < len(st.toks) && st.toks[k].kind == kWord && !st.toks[k].newline && contactFillers[string(lowerInto(st.buf[:0], st.word(k)))]; n++ {
		k++
	}
	if k >= len(st.toks) || st.toks[k].newline || st.toks[i].newline || !(st.kws[k]&kwRelation != 0 || st.is(k, "contact")) {
		return
	}
	if !st.adjacentWord(i-1, i) || st.kws[i-1] != 0 {
		return
	}
	st.nameBeforeAt(i, lvKin)
}

// contactFillers are the words between "is" and the relation in
// "X is the family contact", "X is his HCP".
var contactFillers = map[string]bool{"the": true, "his": true, "her": true, "their": true, "family": true, "pt's": true,
	"patient's": true, "pts": true, "main": true, "primary": true, "emergency": true}

// subjectBefore marks the name before a verb only a person does
// ("Quarnbeck Vellastro visited", "Trell contacted again by Dr. Hale"),
// then an unknown word in small letters there (below); token i is the
// verb.
func (st *state) subjectBefore(i int) {
	if st.kws[i]&kwPost == 0 && st.kw(i-2)&kwPlacePrep == 0 && st.kw(i-1)&kwStop == 0 {
		st.nameBeforeAt(i, lvWeak) // "visited", "contacted": not places ("of Mossgrove visited")
	}
	st.subjectLower(i)
}

// subjectLower marks an unknown word in small letters, in a note that
// capitalises names elsewhere, right before a verb only a person does
// ("praman called", "and gaison visited"): a word nobody listed that
// looks like no English word. Token i is the verb.
func (st *state) subjectLower(i int) {
	j := i - 1
	if j < 0 || st.mixed && st.toks[j].shape != sLower || st.titled(j) || st.kw(j-1)&kwPlacePrep != 0 && !st.is(j-1, "to") || st.toks[i].newline || !st.adjacentWord(j, i) || !st.subjectVerb(i) {
		return
	}
	// After a heading or "and" ("social: prallon called", "and sorvane
	// visited"), even a word one letter from an English word is a name;
	// at a sentence's start it may be a misspelt service ("pharmcy
	// called").
	clause := st.punct(j-1, ':') || st.is(j-1, "and") || st.punct(j-1, ',')
	if !st.unknownName(j) && !(clause && st.unknownWord(j, 4)) {
		return
	}
	st.addName(j, j, lvWeak, "subject-name")
}

// subjectVerb reports whether report word i is a verb whose subject is a
// person ("called", "arrived"), not one a service or a test may have
// ("aware", "ordered", "made").
func (st *state) subjectVerb(i int) bool {
	for _, w := range [...]string{"called", "arrived", "visited", "contacted", "woke", "awoke", "phoned", "came", "stated", "said", "spoke"} {
		if st.is(i, w) {
			return true
		}
	}
	return false
}

// unknownWord reports whether word i is in no dictionary, at least n
// letters long and without an English word ending: a name by its looks
// once a strong cue vouches for it, even if one letter from a word.
func (st *state) unknownWord(i, n int) bool {
	return i >= 0 && i < len(st.toks) && st.unknown(i) && st.toks[i].kind == kWord && st.toks[i].end-st.toks[i].start >= n &&
		!st.punct(i+1, '/') && !st.punct(i-1, '/') && !wordEnding(st.word(i))
}

// kinPair reports whether word j, right after a relation word, and the
// word after "and" or "," are both unknown words in one case ("daughters
// geelle and garvel"): two relatives' names even where small letters say
// nothing, or where one is a letter from an English word.
func (st *state) kinPair(j int) bool {
	k := j + 1
	if !(st.is(k, "and") || st.punct(k, ',') || st.punct(k, '&')) || !st.unknownWord(j, 3) || st.toks[j].newline {
		return false
	}
	return (st.unknownName(j) || st.unknownName(k+1)) && st.kinConjunct(k+1, j)
}
