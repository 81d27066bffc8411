package phi

import "github.com/phigate/phigate"

// Places that capitals alone told apart, found where case says nothing:
// a bare feature word after a journey ("went to harbor on 3/6", "surgeon
// from cape in this eve") and a hospital named by a religious prefix
// ("transferred from holy redeemer s/p mi").

// namedFeatures are geographic features that, bare (no "the", no number),
// after a journey or a person, name a town or a hospital: "went to harbor"
// is a place where "went to the harbor" may be a view. Words that are also
// devices or events ("port", "falls", "keys") are left out.
var namedFeatures = map[string]bool{"bay": true, "harbor": true, "harbour": true, "cape": true, "vineyard": true,
	"valley": true, "heights": true, "hills": true}

// namePrefixes begin the names of hospitals ("Holy Cross", "Sacred
// Heart", "Good Samaritan", "Mount Carmel"): after a journey they and the
// word after them are a place.
var namePrefixes = map[string]uint8{"holy": prefixAny, "sacred": prefixAny, "good": prefixName, "mount": prefixWord, "mt": prefixWord}

// What may follow a namePrefixes word.
const (
	prefixAny  = iota + 1 // any word but a function or calendar word ("sacred heart")
	prefixWord            // no clinical word either ("mount carmel", not "mt 2")
	prefixName            // a name, a town or a proper noun ("good samaritan", not "good effect")
)

// featurePlaces runs the rules of this file at preposition p ("to",
// "from", "at") in caseless text.
func (st *state) featurePlaces(p int) {
	j := p + 1
	if j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].newline {
		return
	}
	if st.is(p, "at") {
		st.pairAt(j)
	}
	n := st.toks[j].end - st.toks[j].start
	if n < 2 || n > 8 {
		return
	}
	switch st.text[st.toks[j].start] | 0x20 {
	case 'b', 'h', 'c', 'v', 'g', 's', 'm': // the first letters of namedFeatures and namePrefixes
	default:
		return
	}
	w := lowerInto(st.buf[:0], st.word(j))
	if namedFeatures[string(w)] {
		if st.journeyBefore(p) && st.placeEnds(j+1) && !st.alreadyFound(j) {
			st.add(j, j, phigate.LOCATION, 0.6, "feature-place")
		}
		return
	}
	if kind := namePrefixes[string(w)]; kind != 0 && st.journeyBefore(p) {
		st.prefixedPlace(j, kind)
	}
}

// journeyBefore reports whether preposition p follows a journey or a
// person: a movement, a residence, a relative or a visit ("went to",
// "daughter from", "consult from"), or a role or title before "from"
// ("surgeon from").
func (st *state) journeyBefore(p int) bool {
	return st.strongPlaceCue(p) || st.is(p, "from") && st.kw(p-1)&(kwRole|kwTitle) != 0
}

// placeEnds reports whether a place's name may end before token k: the
// phrase ends, or a preposition, a time or a date follows ("harbor on
// 3/6", "harbor in this eve", "good sam s/p mi"); never a number, a code
// or a word that may go on the name ("bay 4", "bay area" is the area rule's).
func (st *state) placeEnds(k int) bool {
	if st.phraseEnd(k) {
		return !st.is(k, "area")
	}
	if st.toks[k].kind != kWord {
		return false
	}
	if st.kws[k]&(kwPlacePrep|kwMonth|kwWeekday) != 0 && !st.is(k, "of") {
		return true
	}
	switch {
	case st.is(k, "s") || st.is(k, "c"):
		return st.punct(k+1, '/') // "s/p", "c/o"
	case st.is(k, "on"), st.is(k, "for"), st.is(k, "via"), st.is(k, "by"), st.is(k, "yesterday"), st.is(k, "last"),
		st.is(k, "this"), st.is(k, "earlier"), st.is(k, "after"), st.is(k, "when"), st.is(k, "tonight"):
		return true
	}
	return false
}

// prefixedPlace marks a hospital's prefix at j and the word after it,
// when that word fits the prefix and the name ends there.
func (st *state) prefixedPlace(j int, kind uint8) {
	k := j + 1
	if k >= len(st.toks) || st.toks[k].kind != kWord || st.toks[k].newline || st.toks[k].end-st.toks[k].start < 3 ||
		st.kws[k]&(kwStop|kwMonth|kwWeekday|kwUnit|kwTitle|kwRelation|kwMove) != 0 || st.alreadyFound(k) {
		return
	}
	f := st.toks[k].flags
	switch kind {
	case prefixWord:
		if f&fClinical != 0 {
			return
		}
	case prefixName:
		if f&fClinical != 0 || f&(fName|fProper|fCity) == 0 && !(st.unknown(k) && !st.wordLike(k)) ||
			f&fCore != 0 && f&(fProper|fCity) == 0 {
			return
		}
	}
	if !st.placeEnds(k+1) && st.kw(k+1)&kwFacility == 0 && !st.unitAfter(k) {
		return
	}
	st.add(j, k, phigate.LOCATION, 0.6, "prefixed-place")
}

// pairAt marks two words after "at" that look like no English word and
// end the phrase ("a transplant at quenby marrowfield."): a pair of such
// words is a name, and after "at" a place's.
func (st *state) pairAt(j int) {
	k := j + 1
	if !st.phraseEnd(k+1) || k >= len(st.toks) || !st.adjacentWord(j, k) || st.toks[k].newline ||
		!st.placeCandidate(j) || !st.placeCandidate(k) || st.alreadyFound(j) && st.alreadyFound(k) {
		return
	}
	st.add(j, k, phigate.LOCATION, 0.55, "place-pair")
}
