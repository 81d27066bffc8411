package phi

// A town followed by its state is a place in any case: "we live in tulsa
// oklahoma", "Dayton, ohio", "FRESNO, CA 93701". A small letter says
// nothing even in mixed-case text when a state vouches for the town.

// Kinds of state after a town.
const (
	stateNone = iota
	stateFull // a state's name: "tulsa oklahoma", "Akron, Ohio"
	stateAbbr // a postal abbreviation that ends the phrase: "Akron, OH."
)

// stateAfter reports which kind of US state follows the town ending at
// word e on its line, after an optional comma. An abbreviation must end
// the phrase or come before a ZIP code ("at this point, MS is" is mental
// status), and follow a comma if the town is also an ordinary word; in
// mixed-case text it must be in capitals unless the town is in small
// letters too.
func (st *state) stateAfter(e int) int {
	s := e + 1
	if st.punct(s, ',') {
		s++
	}
	if s >= len(st.toks) || st.toks[s].newline || st.toks[s].kind != kWord || !st.toks[s].space {
		return stateNone
	}
	if n := st.toks[s].end - st.toks[s].start; n > 2 && st.stateName(s) || st.statePair(s) {
		return stateFull
	}
	if st.toks[s].end-st.toks[s].start != 2 || st.kws[s]&kwState == 0 || !(st.phraseEnd(s+1) || st.digits(s+1) == 5) || st.certified(s) {
		return stateNone // "Larkspur, PA-C" is a physician assistant's signature
	}
	if st.mixed && st.toks[s].shape != sUpper && !(st.toks[s].shape == sLower && st.toks[e].shape == sLower) {
		return stateNone
	}
	if st.toks[e].flags&(fCommon|fCore) != 0 && (s == e+1 || st.is(s, "in") && st.digits(s+1) != 5) {
		return stateNone // "monitor ms", "check in.": a town that is a word needs "Town, ST"
	}
	return stateAbbr
}

// statePair reports whether words s and s+1 name a state of two words
// ("new york", "North Carolina").
func (st *state) statePair(s int) bool {
	k := s + 1
	if k >= len(st.toks) || !st.adjacentWord(s, k) || st.toks[s].kind != kWord || st.toks[k].kind != kWord ||
		st.toks[s].end-st.toks[s].start+st.toks[k].end-st.toks[k].start+1 > len(st.buf) {
		return false
	}
	key := lowerInto(st.buf[:0], st.word(s))
	key = append(key, ' ')
	key = lowerInto(key, st.word(k))
	return usStates[string(key)]
}

// lowerCity reports whether word i, a town in small letters in
// mixed-case text, is vouched for by a state after it or by "lives in"
// before it ("my wife and i live in tulsa"): only a town name that is no
// ordinary word.
func (st *state) lowerCity(i int) bool {
	if st.toks[i].flags&(fCommon|fCore) != 0 || st.toks[i].end-st.toks[i].start < 3 {
		return false
	}
	return st.stateAfter(i) != stateNone || st.is(i-1, "in") && st.kw(i-2)&kwLive != 0
}
