package phi

import (
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
	for _, f := range st.found {
		capitalOnly := capitalSources[f.Recognizer]
		if !propagationSources[f.Recognizer] && !capitalOnly || f.Confidence < 0.6 {
			continue
		}
		first := sort.Search(len(st.toks), func(k int) bool { return st.toks[k].end > f.Start })
		for i := first; i < len(st.toks); i++ {
			t := st.toks[i]
			if t.start >= f.End {
				break
			}
			if capitalOnly && !(st.titled(i) && !st.sentenceStart(i) && t.flags&fName != 0) {
				continue
			}
			if t.start >= f.Start && t.end <= f.End && st.propagatable(i) {
				st.seen[string(lowerInto(st.buf[:0], st.word(i)))] = f
			}
		}
	}
	if len(st.seen) == 0 {
		return
	}
	for i := range st.toks {
		if st.toks[i].kind != kWord {
			continue
		}
		if f, ok := st.seen[string(lowerInto(st.buf[:0], st.word(i)))]; ok {
			st.add(i, i, f.Category, 0.7, "propagated")
		}
	}
}

// propagationSources are the recognisers whose findings rest on context,
// not on the word alone, so that the word can be trusted elsewhere.
var propagationSources = map[string]bool{"title-name": true, "relation-name": true, "role-name": true, "credential-name": true,
	"signature": true, "initial-name": true, "place-context": true, "facility": true, "acronym-place": true, "ward": true,
	"saint": true, "university": true}

// capitalSources are recognisers whose words propagate only when they
// were capitalised inside a sentence of mixed-case text.
var capitalSources = map[string]bool{"dictionary-name": true, "prep-name": true, "context-name": true}

// propagatable reports whether word i may stand for its finding elsewhere:
// not an ordinary or clinical word, and long enough to be distinctive.
func (st *state) propagatable(i int) bool {
	t := st.toks[i]
	n := t.end - t.start
	return t.kind == kWord && (n >= 3 || n == 2 && t.shape == sUpper) && t.flags&(fCore|fCommon|fClinical|fAmbiguous) == 0 &&
		st.kws[i]&(kwStop|kwTitle|kwCred|kwRole|kwRelation|kwMonth|kwFacility) == 0
}
