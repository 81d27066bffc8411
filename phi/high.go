package phi

import "github.com/phigate/phigate"

// unknownNameAt marks word i, in no dictionary and no keyword, as a name
// where a name stands, unless it looks like an English word (a misspelling,
// two words glued, a word ending): beside a first name ("Mary Quarnbeck"),
// before a report word ("Quarnbeck aware"), after a title, relation, role
// or verb of contact ("wife Quarnbeck", "per Quarnbeck"), or capitalised
// where a person can stand in mixed-case text. At HighSensitivity it also
// takes it after any preposition that may introduce a person ("with", "by",
// "and"), after a first name that is also an ordinary word ("pat
// Quarnbeck") and wherever it is capitalised, with a lower confidence.
func (st *state) unknownNameAt(i int) {
	if !st.highCandidate(i) {
		return
	}
	t := &st.toks[i]
	p := i - 1
	for p >= 0 && st.toks[p].kind == kPunct && (st.punct(p, ',') || st.punct(p, '(')) && i-p < 3 {
		p--
	}
	strong := p >= 0 && !st.toks[i].newline && st.kws[p]&(kwTitle|kwRelation|kwRole|kwVerb) != 0 && st.kws[p]&kwStop == 0
	weak := p >= 0 && !st.toks[i].newline && st.kws[p]&kwPrep != 0 && st.kws[p]&kwStop == 0 ||
		st.is(p, "with") || st.is(p, "by") || st.is(p, "per")
	beside := st.firstNameAt(i-1) && st.adjacentWord(i-1, i) || st.firstNameAt(i+1) && st.adjacentWord(i, i+1)
	report := st.kw(i+1)&kwPost != 0 && !st.toks[min(i+1, len(st.toks)-1)].newline
	capital := st.titled(i) && t.end-t.start > 3
	switch {
	case (strong || beside || report) && !st.wordLike(i):
		st.add(i, i, phigate.NAME, levelConf[lvWeak], "unknown-name")
	case capital && !st.therapyContext(i) && st.personNext(i+1) && !clippedVerb(st.word(i)) && !st.wordLike(i):
		st.add(i, i, phigate.NAME, levelConf[lvNone], "unknown-capital")
	case st.high && (weak || capital || st.ordinaryFirstName(i-1) && st.adjacentWord(i-1, i)) && !st.wordLike(i):
		st.add(i, i, phigate.NAME, highConfidence, "unknown-name")
	}
}

// highConfidence is the confidence of the HighSensitivity guesses.
const highConfidence = 0.45

// highCandidate reports whether word i may be a name nobody listed: in no
// dictionary, three or more letters, no misspelling, not glued to a number.
func (st *state) highCandidate(i int) bool {
	t := &st.toks[i]
	if t.kind != kWord || t.end-t.start < 3 || !st.unknown(i) || st.punct(i+1, '/') || st.punct(i-1, '/') {
		return false
	}
	if st.mixed && t.shape == sLower && st.kw(i-1)&(kwTitle|kwRelation) == 0 {
		return false
	}
	w := st.word(i)
	if t.shape == sUpper && st.mixed || len(w) < 4 && st.kw(i-1)&(kwTitle|kwRelation) == 0 {
		return false // an acronym, or too short to tell
	}
	return !wordEnding(w)
}

// wordLike reports whether unknown word i is a misspelling or two words
// glued together; the costlier checks, run on candidates in context only.
func (st *state) wordLike(i int) bool {
	return st.nearWord(i) || st.compound(st.word(i))
}

// wordEndings are endings of English and clinical words that names
// seldom have ("diuresing", "thermodilution", "coagulopathy").
var wordEndings = []string{"ing", "ed", "ion", "ions", "al", "ic", "ous", "ity", "emia", "osis", "itis", "pathy", "ectomy",
	"ology", "ive", "ary", "ism", "ment", "ness", "able", "ible", "ly", "'s", "s'", "ase", "ine", "ide", "ate", "ol", "cin", "mab"}

// wordEnding reports whether w (any case) has one of wordEndings.
func wordEnding(w []byte) bool {
	for _, e := range wordEndings {
		if len(w) > len(e)+2 && hasSuffixFold(w, e) {
			return true
		}
	}
	return false
}

func hasSuffixFold(w []byte, e string) bool {
	if len(w) < len(e) {
		return false
	}
	w = w[len(w)-len(e):]
	for k := range e {
		if w[k]|0x20 != e[k] && w[k] != e[k] {
			return false
		}
	}
	return true
}

// compound reports whether w is two ordinary words written together
// ("lungsounds", "alittle").
func (st *state) compound(w []byte) bool { return st.compoundOf(w, 2) }

// compoundOf is compound with both words at least n letters long (but
// "a" when n is 2).
func (st *state) compoundOf(w []byte, n int) bool {
	if len(w) < 5 || len(w) > maxNear {
		return false
	}
	var low [maxNear]byte
	for k, c := range w {
		low[k] = c | 0x20
	}
	for k := 1; k < len(w)-1; k++ {
		a, b := low[:k], low[k:len(w)]
		if (len(a) >= n || n <= 2 && a[0] == 'a') && len(b) >= n && st.isWord(a) && st.isWord(b) {
			return true
		}
	}
	return false
}

// firstNameAt reports whether word i is a first name that is no ordinary
// or clinical word.
func (st *state) firstNameAt(i int) bool {
	if i < 0 || i >= len(st.toks) || st.toks[i].kind != kWord {
		return false
	}
	f := st.toks[i].flags
	return f&fFirst != 0 && f&(fCore|fClinical) == 0 && st.kws[i]&kwStop == 0
}

// therapyContext reports whether unknown word i stands where a drug or a
// device is named: after "on", "of", "start", "IV", "use", "tolerating",
// or before a dose, a unit, a route or a clinical word.
func (st *state) therapyContext(i int) bool {
	return therapyBefore[string(lowerInto(st.buf[:0], st.word(max(i-1, 0))))] || st.treatmentAfter(i)
}

// treatmentAfter reports whether a dose, a unit, a route or a clinical
// word follows word i, as after a drug or a device.
func (st *state) treatmentAfter(i int) bool {
	j := i + 1
	if j >= len(st.toks) {
		return false
	}
	if st.punct(j, '.') && st.digits(j+1) > 0 {
		j++
	}
	t := &st.toks[j]
	return t.kind == kNum || t.kind == kAlnum && isDigit(st.text[t.start]) || st.kws[j]&kwUnit != 0 || t.flags&fClinical != 0 && t.kind == kWord
}

var therapyBefore = map[string]bool{"on": true, "of": true, "iv": true, "po": true, "start": true, "started": true,
	"starting": true, "restart": true, "restarted": true, "use": true, "using": true, "used": true, "with": true, "for": true,
	"being": true, "cont": true, "continue": true, "continues": true, "continued": true, "tolerating": true,
	"receiving": true, "received": true, "given": true, "give": true, "increase": true, "increased": true, "decrease": true,
	"decreased": true, "wean": true, "weaned": true, "titrate": true, "titrated": true, "to": true, "by": true, "via": true,
	"and": true, "or": true, "plus": true, "added": true, "add": true, "held": true, "hold": true, "needs": true}

// personNext reports whether token j can follow a person's name: the end
// of a line or clause, another capitalised word, or a verb that people
// do ("is", "arrived", "contacted").
func (st *state) personNext(j int) bool {
	if j >= len(st.toks) || st.toks[j].newline {
		return true
	}
	switch {
	case st.toks[j].kind == kPunct:
		c := st.text[st.toks[j].start]
		return c == '.' || c == ',' || c == ';' || c == ':' || c == ')' || c == '"' || c == '\'' || c == '!' || c == '?' ||
			c == '-' && !st.punct(j+1, '>') // "X->": an arrow follows a finding, not a name
	case st.toks[j].kind != kWord:
		return false
	case st.titled(j) || st.kws[j]&(kwPost|kwMove|kwVerb) != 0:
		return true
	}
	return auxiliaries[string(lowerInto(st.buf[:0], st.word(j)))]
}

var auxiliaries = map[string]bool{"is": true, "was": true, "has": true, "had": true, "will": true, "would": true,
	"did": true, "does": true, "can": true, "could": true, "should": true, "may": true, "might": true}

// clippedVerb reports whether w is a verb clipped with an apostrophe
// ("Ambu'd", "Suxn'd"), as notes write procedures done.
func clippedVerb(w []byte) bool {
	return len(w) > 3 && w[len(w)-2] == '\'' && w[len(w)-1]|0x20 == 'd'
}
