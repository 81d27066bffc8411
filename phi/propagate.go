package phi

import (
	"bytes"
	"sort"

	"github.com/phigate/phigate"
)

// propagate marks every other occurrence of a word that a recogniser
// found with good context ("Dr. Rakusin" makes "Rakusin aware" a name,
// "transferred to GH" makes "at GH" a place).
func (st *state) propagate() {
	if st.seen == nil {
		st.seen = map[string]phigate.Finding{}
	}
	clear(st.seen)
	st.wardWords = st.wardWords[:0]
	st.seenHashes = st.seenHashes[:0]
	for _, f := range st.found {
		capitalOnly := capitalSources[f.Recognizer]
		if !propagationSources[f.Recognizer] && !capitalOnly || f.Confidence < 0.6 {
			continue
		}
		first := sort.Search(len(st.toks), func(k int) bool { return st.toks[k].end > f.Start })
		for i := first; i < len(st.toks); i++ {
			t := &st.toks[i]
			if t.start >= f.End {
				break
			}
			if capitalOnly && !(st.titled(i) && !st.sentenceStart(i) && t.flags&fName != 0) {
				continue
			}
			if t.start >= f.Start && t.end <= f.End && (st.propagatable(i) || st.stateFirstName(i, f)) {
				key := lowerInto(st.buf[:0], st.word(i))
				if _, dup := st.seen[string(key)]; !dup {
					st.seenHashes = append(st.seenHashes, st.hashes[i]) // once a word: a long note repeats its names
				}
				st.seen[string(key)] = f
			} else if f.Recognizer == "ward" && t.kind == kWord && t.end-t.start >= 4 && t.start >= f.Start && t.end <= f.End {
				if !st.wardWordSeen(i) {
					st.wardWords = append(st.wardWords, i) // once a word: a long note repeats its wards
				}
			}
		}
	}
	if len(st.seen) == 0 && len(st.wardWords) == 0 {
		return
	}
	for i := range st.toks {
		if st.toks[i].kind != kWord {
			continue
		}
		if !st.seenHash(st.hashes[i]) {
			// no word seen has this word's hash: no need to ask the map
		} else if f, ok := st.seen[string(lowerInto(st.buf[:0], st.word(i)))]; ok {
			st.add(i, i, f.Category, 0.7, "propagated")
			continue
		}
		if st.wardEcho(i) {
			st.add(i, i, phigate.LOCATION, 0.7, "propagated") // "to Cooks 2 or Cooks 3"
		}
	}
}

// seenHash reports whether a word propagate saw has folded hash h (the
// few words seen are checked before the map hashes the word again).
func (st *state) seenHash(h uint64) bool {
	for _, s := range st.seenHashes {
		if s == h {
			return true
		}
	}
	return false
}

// wardWordSeen reports whether wardWords already holds word i's word.
func (st *state) wardWordSeen(i int) bool {
	for _, j := range st.wardWords {
		if st.sameWord(i, j) {
			return true
		}
	}
	return false
}

// sameWord reports whether tokens i and j are one word, in any case.
func (st *state) sameWord(i, j int) bool {
	return st.hashes[i] == st.hashes[j] && bytes.EqualFold(st.word(i), st.word(j))
}

// wardEcho reports whether word i, before a ward number, is the word of a
// ward found elsewhere in the note. A ward's word may be an ordinary one
// ("Cooks 2"), so it stands for the ward only before a number again.
func (st *state) wardEcho(i int) bool {
	if len(st.wardWords) == 0 || st.num(i+1) < 0 || !st.wardNumber(i+1) {
		return false
	}
	for _, j := range st.wardWords {
		if j != i && st.sameWord(i, j) {
			return true
		}
	}
	return false
}

// propagationSources are the recognisers whose findings rest on context,
// not on the word alone, so that the word can be trusted elsewhere.
var propagationSources = map[string]bool{"title-name": true, "relation-name": true, "role-name": true, "credential-name": true,
	"signature": true, "initial-name": true, "place-context": true, "facility": true, "acronym-place": true, "ward": true,
	"saint": true, "university": true, "homograph-name": true}

// capitalSources are recognisers whose words propagate only when they
// were capitalised inside a sentence of mixed-case text.
var capitalSources = map[string]bool{"dictionary-name": true, "prep-name": true, "context-name": true}

// propagatable reports whether word i may stand for its finding elsewhere:
// not an ordinary or clinical word, and long enough to be distinctive.
func (st *state) propagatable(i int) bool {
	t := &st.toks[i]
	n := t.end - t.start
	return t.kind == kWord && (n >= 3 || n == 2 && t.shape == sUpper) && t.flags&(fCore|fCommon|fClinical|fAmbiguous) == 0 &&
		st.kws[i]&(kwStop|kwTitle|kwCred|kwRole|kwRelation|kwMonth|kwFacility|kwState) == 0
}

// stateFirstName reports whether word i, a state's name, was found as the
// first name of the two-word name f in mixed case ("spoken with
// Washington Richter"): elsewhere in the note, capitalised, it is him.
func (st *state) stateFirstName(i int, f phigate.Finding) bool {
	return f.Category == phigate.NAME && st.mixed && st.toks[i].shape == sTitle && st.kws[i]&kwState != 0 &&
		st.toks[i].flags&fName != 0 && st.toks[i].start == f.Start && st.toks[i].end < f.End
}

// nameNeighbours widens a name found by context over a capitalised name
// word beside it, where capitals carry information ("with Ruddy Sturwold"
// once "Sturwold" is known, "(Stanley Page)" once "Stanley" is), and then
// lets such a word, though it is an ordinary English word, stand for the
// name where it is capitalised again in the note and not merely opening
// a sentence ("explained to Ruddy by", "At this time Ruddy wishes"), or
// opens one before a report word or a verb only a person does ("Ruddy
// called"; not "Rosy cheeks noted").
func (st *state) nameNeighbours() {
	if !st.mixed && !st.lowerNote {
		return
	}
	clear(st.seen)
	n := len(st.found)
	for x := 0; x < n; x++ {
		f := st.found[x]
		if f.Category != phigate.NAME || f.Confidence < 0.6 || !isUpper(st.text[f.Start]) {
			continue
		}
		strong := f.Confidence >= 0.7 // only these widen over a neighbour
		// Most names have no capitalised word beside them: say so from the
		// bytes before looking for their tokens.
		left := f.Start >= 2 && st.text[f.Start-1] == ' ' && isLetter(st.text[f.Start-2])
		right := f.End+1 < len(st.text) && st.text[f.End] == ' ' && isUpper(st.text[f.End+1])
		full := f.Recognizer != "propagated" && bytes.IndexByte(st.text[f.Start:f.End], ' ') > 0
		if !full && (!strong || !left && !right) {
			continue
		}
		first := sort.Search(len(st.toks), func(k int) bool { return st.toks[k].end > f.Start })
		last := first
		for last+1 < len(st.toks) && st.toks[last+1].end <= f.End {
			last++
		}
		if first >= len(st.toks) || !st.titled(first) || !st.titled(last) {
			continue
		}
		if full && last > first && st.toks[first].flags&fName != 0 && st.toks[first].flags&fClinical == 0 && st.kws[first]&^kwStreet == 0 {
			// The first name of a full name found with its surname stands
			// for the person elsewhere, though an English word ("spoken
			// with Alley Petersen ... At this time, Alley wishes").
			st.seen[string(lowerInto(st.buf[:0], st.word(first)))] = f
		}
		if !strong {
			continue
		}
		if p := first - 1; p >= 0 && st.adjacentWord(p, first) && !st.toks[first].newline && st.neighbourName(p, false) {
			st.add(p, p, phigate.NAME, 0.7, "name-neighbour")
			st.seen[string(lowerInto(st.buf[:0], st.word(p)))] = f
		}
		if k := last + 1; k < len(st.toks) && st.adjacentWord(last, k) && !st.toks[k].newline && st.neighbourName(k, true) {
			st.add(k, k, phigate.NAME, 0.7, "name-neighbour")
			st.seen[string(lowerInto(st.buf[:0], st.word(k)))] = f
		}
	}
	if len(st.seen) == 0 {
		return
	}
	for i := range st.toks {
		if st.toks[i].kind != kWord || !st.titled(i) {
			continue
		}
		if _, ok := st.seen[string(lowerInto(st.buf[:0], st.word(i)))]; !ok {
			continue
		}
		if st.sentenceStart(i) && !(i+1 < len(st.toks) && st.adjacentWord(i, i+1) && !st.toks[i+1].newline && (st.kws[i+1]&kwPost != 0 || st.subjectVerb(i+1))) {
			continue
		}
		st.add(i, i, phigate.NAME, 0.7, "propagated")
	}
}

// neighbourName reports whether capitalised word i, beside a name, is a
// part of it: a census name (a surname after it) that is no clinical
// word or keyword; after the name, a word kept from names only as a verb
// ("page") still is one when the phrase ends with it.
func (st *state) neighbourName(i int, after bool) bool {
	t := &st.toks[i]
	if t.kind != kWord || t.end-t.start < 3 || !st.titled(i) || t.flags&fClinical != 0 {
		return false
	}
	want := fName
	if after {
		want = fLast
	}
	if t.flags&want == 0 {
		return false
	}
	k := st.kws[i]
	if after && k&^(kwStop|kwVerb) == 0 && k != 0 {
		j := i + 1
		return j < len(st.toks) && st.toks[j].kind == kPunct && (st.punct(j, ')') || st.punct(j, ',') || st.punct(j, ';'))
	}
	return k == 0
}
