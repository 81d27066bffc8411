package phi

import (
	"sort"

	"github.com/phigate/phigate"
)

// Names nobody listed, found by the words around them: an unknown word
// after "spoke with", "per", "report given to", in any case.

// talkVerbs are verbs after which "with", "to" or "by" introduces a
// person ("spoke with", "explained to", "seen by").
var talkVerbs = map[string]string{
	"spoke": "with to", "speak": "with to", "spoken": "with to", "speaking": "with to", "talked": "with to", "talk": "with to",
	"talking": "with to", "met": "with", "meet": "with", "meeting": "with", "discussed": "with", "discuss": "with",
	"consult": "with", "consulted": "with by", "conferred": "with", "confer": "with", "explained": "to", "reported": "to",
	"report": "to", "given": "to", "seen": "by", "evaluated": "by", "examined": "by", "visited": "by", "assessed": "by",
}

// talkVerbSet is the set of talkVerbs' words, for the lexicon's fTalk.
func talkVerbSet() map[string]bool {
	m := make(map[string]bool, len(talkVerbs))
	for w := range talkVerbs {
		m[w] = true
	}
	return m
}

// talkCue reports whether word i is "with", "to" or "by" after a verb of
// talking or seeing ("spoke with", "report given to", "seen by").
func (st *state) talkCue(i int) bool {
	if i < 1 || st.toks[i].kind != kWord || st.toks[i].end-st.toks[i].start > 4 || !(st.is(i, "with") || st.is(i, "to") || st.is(i, "by")) {
		return false
	}
	p := i - 1
	if p > 0 && st.toks[p].flags&fTalk == 0 && st.toks[p].kind == kWord && st.toks[p].end-st.toks[p].start >= 5 &&
		hasSuffixFold(st.word(p), "ly") && st.toks[p-1].flags&fTalk != 0 {
		p-- // "spoken extensively with"
	}
	if st.toks[p].flags&fTalk != 0 && st.kws[p]&kwTitle == 0 && st.toks[p].kind == kWord && st.toks[p].end-st.toks[p].start <= 9 {
		preps, ok := talkVerbs[string(lowerInto(st.buf[:0], st.word(p)))]
		if ok {
			for _, w := range [...]string{"with", "to", "by"} {
				if st.is(i, w) && containsWord(preps, w) {
					return true
				}
			}
		}
	}
	return st.is(i, "with") && st.is(p, "made") && (st.is(p-1, "was") || st.is(p-1, "were")) // "contact was made with"
}

func containsWord(list, w string) bool {
	for len(list) > 0 {
		n := 0
		for n < len(list) && list[n] != ' ' {
			n++
		}
		if list[:n] == w {
			return true
		}
		list = list[min(n+1, len(list)):]
	}
	return false
}

// unknownName reports whether word i may be a name nobody listed: in no
// dictionary, four or more letters, no English word ending, no
// misspelling or two words glued, and no acronym in mixed-case text.
func (st *state) unknownName(i int) bool {
	if i < 0 || i >= len(st.toks) || !st.unknown(i) || st.toks[i].kind != kWord {
		return false
	}
	t := &st.toks[i]
	if t.end-t.start < 4 || st.mixed && t.shape == sUpper || st.punct(i+1, '/') || st.punct(i-1, '/') {
		return false
	}
	w := st.word(i)
	return !wordEnding(w) && !st.wordLike(i)
}

// cueUnknown returns the last word of an unknown name (one or two words)
// at j after cue i ("per Secraen", "spoke with jollglu crelner"), or -1.
// A cue of talking ("spoke with") needs no title.
func (st *state) cueUnknown(i, j, lv int) int {
	if j >= len(st.toks) || !st.unknown(j) || st.toks[j].newline || !(lv == lvWeak || lv == lvNone && st.talkCue(i)) {
		return -1
	}
	if !st.unknownName(j) && lv == lvNone && st.is(j+1, "from") && st.unknownWord(j, 4) && j+2 < len(st.toks) && st.toks[j+2].kind == kWord && st.kws[j+2]&kwStop == 0 && !(st.mixed && st.toks[j].shape != sTitle) {
		return j // "talked with peeley from case management": a person comes from a service ("nurce from 6 north" is left)
	}
	if !st.unknownName(j) {
		// two words nobody listed, the second a name by its looks, are a
		// name even when the first looks like a misspelt word ("spoke
		// with seeson quarnbeck", "consult with tro vellastro")
		k := j + 1
		if st.toks[j].kind == kWord && st.toks[j].end-st.toks[j].start >= 3 && !wordEnding(st.word(j)) &&
			!(st.mixed && st.toks[j].shape == sLower) && st.unknownName(k) && st.adjacentWord(j, k) && !st.toks[k].newline &&
			st.toks[k].shape == st.toks[j].shape {
			return k
		}
		return -1
	}
	if (st.unknownName(j+1) || st.unknownWord(j+1, 3)) && st.adjacentWord(j, j+1) && !st.toks[j+1].newline && st.toks[j+1].shape == st.toks[j].shape {
		return j + 1 // after a name by its looks, a surname even a letter from a word ("spoke with veancri stoby")
	}
	return j
}

// pairCue reports whether word i ends a two-word phrase that names a
// person next: "significant other", "contact person".
func (st *state) pairCue(i int) bool {
	if n := st.toks[i].end - st.toks[i].start; n != 5 && n != 6 || st.text[st.toks[i].start]|0x20 != 'o' && st.text[st.toks[i].start]|0x20 != 'p' {
		return false
	}
	return st.is(i, "other") && st.is(i-1, "significant") || st.is(i, "person") && st.is(i-1, "contact")
}

// coordinate marks a word joined by "and" or "&" to a name found with
// context or a dictionary ("thelma and pelter", "loura and keith"): one
// word, a dictionary name that is no ordinary word or a word nobody
// listed that looks like no English word, in the name's case.
func (st *state) coordinate() {
	n := len(st.found)
	for k := 0; k < n && k < len(st.found); k++ {
		f := st.found[k]
		if f.Category != phigate.NAME || f.Confidence < levelConf[lvNone] {
			continue
		}
		s, e := st.tokenSpan(f)
		if s >= len(st.toks) || e >= len(st.toks) {
			continue
		}
		if (st.is(e+1, "and") || st.punct(e+1, '&')) && st.conjunct(e+2, e) && !st.toks[e+2].newline {
			st.add(e+2, e+2, phigate.NAME, levelConf[lvWeak], "coordinated-name")
			n = min(n+1, len(st.found)+1) // "X, Y and Z" chains once more
		}
		if (st.is(s-1, "and") || st.punct(s-1, '&')) && st.conjunct(s-2, s) && !st.toks[s-1].newline {
			st.add(s-2, s-2, phigate.NAME, levelConf[lvWeak], "coordinated-name")
		}
	}
}

// tokenSpan returns the first and last tokens of finding f: the first
// starting at or after f.Start and the first ending at or after f.End
// (len(st.toks) when there is none).
func (st *state) tokenSpan(f phigate.Finding) (s, e int) {
	s = sort.Search(len(st.toks), func(i int) bool { return st.toks[i].start >= f.Start })
	e = sort.Search(len(st.toks), func(i int) bool { return st.toks[i].end >= f.End })
	return s, e
}

// conjunct reports whether word j, joined to name word m, is a name too.
func (st *state) conjunct(j, m int) bool {
	if j < 0 || j >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 ||
		st.kws[j]&(kwStop|kwRelation|kwTitle|kwCred|kwRole|kwMonth|kwWeekday|kwState|kwFacility) != 0 {
		return false
	}
	t, f := st.toks[j], st.toks[j].flags
	if st.mixed && t.shape == sLower || t.shape != st.toks[m].shape && !(st.mixed && t.shape == sTitle) {
		return false
	}
	return f&fName != 0 && f&(fCore|fClinical|fAmbiguous) == 0 && (f&fCommon == 0 || f&(fFirstTop|fLastTop) != 0) || st.unknownName(j)
}
