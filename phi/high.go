package phi

import "github.com/phigate/phigate"

// highNames is the name pass of HighSensitivity: unknown words (in no
// dictionary and not one edit from an ordinary word) where a name could
// stand become names with a low confidence.
func (st *state) highNames() {
	for i := range st.toks {
		if !st.highCandidate(i) {
			continue
		}
		t := st.toks[i]
		p := i - 1
		for p >= 0 && st.toks[p].kind == kPunct && (st.punct(p, ',') || st.punct(p, ':') || st.punct(p, '(')) && i-p < 3 {
			p--
		}
		cue := p >= 0 && !st.toks[i].newline && st.kws[p]&(kwTitle|kwRelation|kwRole|kwVerb|kwPrep) != 0 && st.kws[p]&kwStop == 0 ||
			st.is(p, "with") || st.is(p, "by") || st.is(p, "per")
		beside := st.firstNameAt(i-1) && st.adjacentWord(i-1, i) || st.firstNameAt(i+1) && st.adjacentWord(i, i+1)
		report := st.kw(i+1)&kwPost != 0 && !st.toks[min(i+1, len(st.toks)-1)].newline
		capital := st.mixed && t.shape == sTitle && t.end-t.start > 3
		if (cue || beside || report || capital) && !st.wordLike(i) {
			st.add(i, i, phigate.NAME, highConfidence, "unknown-name")
		}
	}
}

// highConfidence is the confidence of the HighSensitivity guesses.
const highConfidence = 0.45

// highCandidate reports whether word i may be a name nobody listed: in no
// dictionary, three or more letters, no misspelling, not glued to a number.
func (st *state) highCandidate(i int) bool {
	t := st.toks[i]
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
func (st *state) compound(w []byte) bool {
	if len(w) < 5 || len(w) > maxNear {
		return false
	}
	var low [maxNear]byte
	for k, c := range w {
		low[k] = c | 0x20
	}
	for k := 1; k < len(w)-1; k++ {
		a, b := low[:k], low[k:len(w)]
		if (len(a) > 1 || a[0] == 'a') && st.isWord(a) && st.isWord(b) {
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
