package phi

// Names in labelled fields of forms and headers ("Name: Okonkwo, Chidinma
// A.", "Patient: Smith, John", "Emergency contact: Reuben Adeyemi"): the
// label says a person follows, so the words after its colon, to the end
// of the line or the field, are the name even where no list holds them.

// nameLabels are the last words of labels that a person's name follows;
// the strong ones take any word that may be part of a name, the others
// only names, words nobody listed and initials ("Patient: alert" is none).
var nameLabels = map[string]bool{"name": true, "guarantor": true, "kin": true, "proxy": true, "hcp": true,
	"patient": false, "pt": false, "contact": false, "pcp": false, "spouse": false, "informant": false}

// fieldName marks the name after label word i and its colon.
func (st *state) fieldName(i int) {
	strong, ok := nameLabels[string(lowerInto(st.buf[:0], st.word(i)))]
	if !ok || !st.punct(i+1, ':') {
		return
	}
	j := i + 2
	if j < len(st.toks) && st.kws[j]&kwTitle != 0 {
		j++ // "Name: Mr. John Smith"
		if st.punct(j, '.') {
			j++
		}
	}
	s, e, words, named := j, -1, 0, false
	for k := j; k < len(st.toks) && k <= j+6 && (k == j || !st.toks[k].newline); k++ {
		switch {
		case st.punct(k, ','):
			if words != 1 || k != e+1 {
				k = len(st.toks) // only "Last, First" keeps going
			}
			continue
		case st.punct(k, '.') && e == k-1 && st.isInitial(k-1):
			continue
		case st.punct(k, '-') && st.adjacent(k-1) && st.adjacent(k):
			continue
		case st.toks[k].kind != kWord:
			k = len(st.toks)
			continue
		}
		if !st.fieldNameWord(k, strong) {
			break
		}
		named = named || st.fieldNamed(k)
		e = k
		words++
	}
	if e < s || words > 4 || !named && !strong {
		return
	}
	st.addName(s, e, lvCred, "field-name")
}

// fieldNameWord reports whether word k may be part of a name after a
// label: an initial, a name, a word nobody listed or, after a strong
// label, any word that is no function, calendar, clinical or unit word;
// not in small letters where capitals count.
func (st *state) fieldNameWord(k int, strong bool) bool {
	t := &st.toks[k]
	if st.isInitial(k) && t.shape == sUpper {
		return true
	}
	if st.mixed && t.shape == sLower || st.kws[k]&(kwStop|kwMonth|kwWeekday|kwUnit|kwTitle|kwCred|kwRelation|kwRole) != 0 {
		return false
	}
	if st.fieldNamed(k) {
		return true
	}
	return strong && t.end-t.start >= 2 && t.flags&fClinical == 0
}

// fieldNamed reports whether word k is a name by itself: a word nobody
// listed, or a name that is a common one or no ordinary word.
func (st *state) fieldNamed(k int) bool {
	f := st.toks[k].flags
	return st.unknown(k) || f&fName != 0 && f&fClinical == 0 && (f&(fCommon|fCore) == 0 || f&(fFirstTop|fLastTop) != 0)
}

// statedName marks the name a sentence gives as one, from word j: "my
// name is Darnell Whitfield", "her name is rosa delgado", "a friend
// named Bob". The words say a name follows, so small letters count in
// any note, but only for words that are names by themselves
// (fieldNamed) or capitalised ones: "her name is not known" is none.
func (st *state) statedName(j int) {
	e := -1
	for k := j; k < len(st.toks) && k < j+3 && (k == j || !st.toks[k].newline); k++ {
		t := &st.toks[k]
		if t.kind != kWord || k > j && !st.adjacentWord(k-1, k) && !(st.punct(k-1, '.') && st.isInitial(k-2)) {
			break
		}
		if st.kws[k]&(kwStop|kwMonth|kwWeekday|kwUnit|kwTitle|kwCred|kwRelation|kwRole|kwPost) != 0 || t.flags&fClinical != 0 && t.flags&fName == 0 {
			break
		}
		if !(st.fieldNamed(k) || st.isInitial(k) && t.shape == sUpper || t.shape != sLower && t.end-t.start >= 2) {
			break
		}
		e = k
		if st.punct(k+1, '.') && st.isInitial(k) {
			k++
		}
	}
	if e >= j {
		st.addName(j, e, lvCred, "stated-name")
	}
}
