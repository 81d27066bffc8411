package phi

// The name recognisers that look back from a word after the name
// (credentials, report words, phone words) or at a whole line.

// nameBefore marks the name before a credential ("Mary Hulse, RN") or a
// report word ("Dr. X aware").
func (st *state) nameBefore(i int) {
	lv, ok := st.beforeLevel(i)
	if !ok || lv == lvWeak && st.kw(i-2)&kwPlacePrep != 0 && !st.is(i-2, "to") && st.toks[i-1].kind == kWord {
		return // "Carl Tobbrin of Mossgrove visited": a place before the verb
	}
	st.nameBeforeAt(i, lv)
}

// longCredentials are the credentials of four or more letters, which a
// swap of two neighbouring letters does not turn into another word.
var longCredentials = map[string]bool{"licsw": true, "lcsw": true, "crnp": true, "acnp": true, "pharmd": true, "psyd": true}

// transposedCredential reports whether w is one of longCredentials with
// two neighbouring letters swapped ("licws", "lcsw" typed "lscw").
func transposedCredential(w []byte) bool {
	var b [6]byte
	if len(w) > len(b) {
		return false
	}
	for k, c := range w {
		b[k] = c | 0x20
	}
	v := b[:len(w)]
	for k := 0; k+1 < len(v); k++ {
		v[k], v[k+1] = v[k+1], v[k]
		ok := longCredentials[string(v)]
		v[k], v[k+1] = v[k+1], v[k]
		if ok {
			return true
		}
	}
	return false
}

// dottedCredentials are credentials also written with periods ("R.N.").
var dottedCredentials = map[string]bool{"rn": true, "md": true, "np": true, "pa": true, "lpn": true, "rrt": true, "do": true,
	"msw": true, "phd": true, "cna": true, "bsn": true, "rph": true}

// dottedCredential marks the name before a credential written with
// periods ("Whoia Betshea, R.N.") when token i is its first letter.
func (st *state) dottedCredential(i int) {
	var key [4]byte
	n, j := 0, i
	for n < len(key) && st.isInitial(j) && st.punct(j+1, '.') && st.adjacent(j) && (j == i || st.adjacent(j-1)) {
		key[n] = st.text[st.toks[j].start] | 0x20
		n, j = n+1, j+2
	}
	if n < 2 || !dottedCredentials[string(key[:n])] || st.toks[i].shape != sUpper {
		return
	}
	st.nameBeforeAt(i, lvCred)
}

// nameBeforeAt marks the name before word i at evidence level lv.
func (st *state) nameBeforeAt(i, lv int) {
	cred := lv > lvWeak
	j := i - 1
	if st.punct(j, ',') || st.punct(j, '(') {
		j--
	}
	e := j
	for n := 0; n < 4 && j >= 0; n++ {
		switch {
		case st.accept(j, lv) && (n == 0 || st.nameLike(j) || cred):
			j--
		case n == 1 && cred && st.signedFirst(j):
			j-- // "Candida Shannon, RN": a first name that is a clinical word opens the signature
		case n == 0 && st.firstAndUnknown(j):
			j -= 2 // "grace dudak aware": a first name and an unknown surname
			n = 4
		case n == 0 && st.unknownPair(j-1):
			j -= 2 // "Tensine Trechoabraiman MD": two unknown words
			n = 4
		case n == 0 && j >= 2 && st.punct(j-1, '-') && st.adjacent(j-2) && st.adjacent(j-1) && st.hyphenPart(j-2, j) &&
			(st.unknown(j-2) || st.knownName(j-2)):
			j -= 3 // "Torress-Proctor MD": a name and a word joined by a hyphen
			n = 4
		case st.punct(j, '.') && j > 0 && st.isInitial(j-1) && n > 0:
			j -= 2
		case st.isInitial(j) && n > 0:
			j--
		case st.punct(j, '-') && n > 0 && st.adjacent(j-1) && st.adjacent(j) && j > 0 && st.toks[j-1].kind == kWord:
			j -= 2
		default:
			f := -1
			if n == 0 && cred {
				f = st.signedSurname(j) // "THAD N. LESS, RRT": a first name and an initial vouch for a surname that is a word
			}
			if f < 0 {
				n = 4
				continue
			}
			j, n = f-1, 4
		}
		if j >= 0 && j+1 < len(st.toks) && st.toks[j+1].newline {
			break
		}
	}
	if j < e {
		s := j + 1
		for s < e && st.toks[s].kind == kPunct {
			s++
		}
		st.addName(s, e, lv, "credential-name")
	}
}

// signedFirst reports whether word j, which opens a sentence or line
// before the surname of a signature, is a first name though also a
// clinical or ordinary word ("Mae Chappell, RN"), in the surname's case.
func (st *state) signedFirst(j int) bool {
	if j < 0 || j+1 >= len(st.toks) || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || !st.sentenceStart(j) ||
		st.toks[j].flags&fFirst == 0 || st.kws[j]&(kwTitle|kwRelation|kwRole|kwCred|kwMonth|kwWeekday) != 0 {
		return false
	}
	return st.toks[j].shape == st.toks[j+1].shape && st.toks[j].shape != sMixed && !(st.mixed && st.toks[j].shape == sLower)
}

// beforeLevel is the evidence that word i, after a name, gives: a
// credential ("RN", or "MD" after a name-like word), a role or relation in
// parentheses, or a report word ("aware"). ok is false for "Towson, MD".
func (st *state) beforeLevel(i int) (lv int, ok bool) {
	cred := st.kws[i]&kwCred != 0 && (st.toks[i].shape == sUpper || st.kws[i]&kwPost == 0)
	if cred && st.kws[i]&kwCredAmbiguous != 0 {
		p := i - 1
		if st.punct(p, ',') {
			p--
		}
		if p >= 0 && st.toks[i].shape == sUpper && st.kws[i]&kwState != 0 &&
			st.toks[p].flags&fCity != 0 && st.kw(p-1)&(kwPlacePrep|kwLive) != 0 {
			return 0, false // "from Towson, MD": a city and its state
		}
		cred = st.knownName(p) || st.hyphenName(p) ||
			st.nameLike(p) && (st.knownName(p-1) || st.isInitial(p-1) || st.punct(p-1, '.') && st.isInitial(p-2)) ||
			st.unknownName(p) && st.kw(i+1)&kwPost != 0 // "cleeson np aware"
	}
	if st.kws[i]&(kwRole|kwRelation) != 0 && st.punct(i-1, '(') && st.punct(i+1, ')') {
		cred = true
	}
	switch {
	case st.certified(i) && st.kws[i]&kwCred != 0:
		return lvCred, true // "Quenby Larkspur, PA-C"
	case !cred:
		return lvWeak, true
	case st.kws[i]&kwCredAmbiguous != 0:
		return lvKin, true
	}
	return lvCred, true
}

// certified reports whether "-C" follows credential i ("PA-C", "NP-C"):
// a certified practitioner, no state.
func (st *state) certified(i int) bool {
	return st.punct(i+1, '-') && st.adjacent(i) && st.adjacent(i+1) && st.is(i+2, "c") && st.toks[i+2].shape == sUpper
}

// actsAfter reports whether what follows word k says a person did
// something: a report word, "in to" ("in to strip tubes"), or a verb in
// -ing or -ed of five or more letters, on k's line and in k's case.
func (st *state) actsAfter(k int) bool {
	n := st.wordAfter(k, false)
	if n < 0 {
		return false
	}
	if st.kws[n]&kwPost != 0 || st.is(n, "in") && st.is(n+1, "to") {
		return true
	}
	w := st.word(n)
	return len(w) >= 5 && st.kws[n] == 0 && (hasSuffixFold(w, "ing") || hasSuffixFold(w, "ed"))
}

// wordAfter returns the word right after k on k's line and in k's case
// (in any case after an initial when initials is true, as an initial is
// a capital in any note), or -1.
func (st *state) wordAfter(k int, initials bool) int {
	n := k + 1
	if n >= len(st.toks) || !st.adjacentWord(k, n) || st.toks[n].newline || st.toks[n].kind != kWord ||
		st.toks[n].shape != st.toks[k].shape && !(initials && st.toks[k].end-st.toks[k].start == 1) {
		return -1
	}
	return n
}

// signedSurname returns the first word of the name whose surname is word
// j, before a credential (-1 if none): j is a
// surname though an ordinary or clinical word, because a first name and
// an initial ("Thad N. Less, RRT", even a first name that is a clinical
// word: "MAC A. HARP") or a first name that opens its line ("Hae Corona,
// RN") come before it: no calendar or keyword, and no function word
// without the initial.
func (st *state) signedSurname(j int) int {
	if j < 1 || st.toks[j].kind != kWord || st.toks[j].end-st.toks[j].start < 3 || st.toks[j].newline ||
		st.mixed && st.toks[j].shape == sLower || st.kws[j]&^kwStop != 0 {
		return -1
	}
	f, initial := j-1, true
	if st.punct(f, '.') && st.isInitial(f-1) && st.adjacent(f-1) {
		f -= 2
	} else if st.isInitial(f) && st.toks[f].shape == sUpper {
		f--
	} else if initial = false; !st.sentenceStart(f) || st.kws[j] != 0 {
		return -1 // a lone first name must open its line or sentence, and vouches for no function word
	}
	if f < 0 || f+1 > j || !st.toks[f+1].space || st.toks[f+1].newline && f+1 != j && !st.isInitial(f+1) {
		return -1
	}
	t := &st.toks[f]
	if initial && f+1 < j && st.isInitial(f+1) && (t.kind != kWord || st.kws[f] != 0 || t.flags&fName == 0 && !st.unknown(f)) &&
		st.toks[j].shape == st.toks[f+1].shape {
		return f + 1 // "PER P. TED NP": an initial alone before the surname
	}
	if t.kind == kWord && t.end-t.start >= 2 && (st.kws[f] == 0 || st.kws[f] == kwState && t.flags&fFirst != 0) && // "Virginia Bull, RN"
		(t.flags&fClinical == 0 || initial) && t.shape == st.toks[j].shape &&
		(t.flags&fFirst != 0 || st.unknown(f) && t.end-t.start >= 3 || !initial && t.flags&fLast != 0 && st.endsSignature(j)) {
		return f
	}
	return -1
}

// endsSignature reports whether word j and the credential after it end
// their line ("Kerr Mae RN"), where a note is signed.
func (st *state) endsSignature(j int) bool {
	c := j + 1
	if st.punct(c, ',') {
		c++
	}
	if st.kw(c)&kwCred == 0 {
		return false
	}
	n := c + 1
	if st.punct(n, '.') {
		n++
	}
	return n >= len(st.toks) || st.toks[n].newline
}

// knownName reports whether word p is a dictionary name and no word.
func (st *state) knownName(p int) bool {
	return p >= 0 && p < len(st.toks) && st.toks[p].flags&fName != 0 && st.toks[p].flags&(fCommon|fCore|fClinical) == 0
}

// hyphenName reports whether word p ends a hyphenated name with an
// unknown part ("Stord-Painter").
func (st *state) hyphenName(p int) bool {
	return st.punct(p-1, '-') && st.adjacent(p-1) && st.adjacent(p-2) && (st.unknown(p) || st.unknown(p-2))
}

// firstAndUnknown reports whether word j is an unknown word of four or
// more letters right after a first name.
func (st *state) firstAndUnknown(j int) bool {
	return j > 0 && st.unknown(j) && st.toks[j].kind == kWord && st.toks[j].end-st.toks[j].start > 3 &&
		st.toks[j-1].flags&fFirst != 0 && st.toks[j-1].flags&fClinical == 0 && st.adjacentWord(j-1, j)
}

// initialName marks "E. Welsh" and "J Smith".
func (st *state) initialName(i int) {
	article := st.is(i, "a") // "A. Busby aware" only: "a" is mostly the article
	if article && !st.punct(i+1, '.') || st.is(i, "i") && !st.punct(i+1, '.') {
		return
	}
	k := i + 1
	if st.punct(k, '.') {
		k++
	} else if st.toks[i].shape != sUpper && !(st.kw(i-1)&kwVerb != 0 && k < len(st.toks) && st.toks[k].flags&fLast != 0 &&
		st.toks[k].flags&(fCore|fClinical) == 0) {
		return
	}
	if k >= len(st.toks) || st.toks[k].newline {
		return
	}
	f := st.toks[k].flags
	dot := st.punct(i+1, '.')
	top := st.toks[i].shape == sUpper && f&fLastTop != 0 && f&fClinical == 0
	named := f&fName != 0 && st.accept(k, lvMedium)
	oovOK := st.accept(k, lvMedium) && dot && st.toks[i].shape == sUpper &&
		(st.kw(k+1)&(kwPost|kwCred) != 0 || st.kw(i-1)&kwVerb != 0 || st.titled(k))
	// "G. DRIESTON": an initial with a period before an unknown word,
	// after a word or before what a person does.
	acts := st.actsAfter(k) // "J. GOARN IN TO STRIP TUBES", "U. DRAIA PLACING STITCH"
	unknownOK := dot && st.toks[i].shape == sUpper && st.unknown(k) && st.toks[k].kind == kWord && st.toks[k].end-st.toks[k].start > 2 &&
		st.toks[k].shape != sLower && (st.toks[i].space && !st.toks[i].newline && st.toks[i-1].kind == kWord || acts) && (!st.nearWord(k) || acts)
	// "A. BUSBY AWARE": an initial with a period before a surname that is
	// no everyday word, or one that a report word or credential follows.
	reported := st.kw(k+1)&(kwPost|kwCred) != 0 && st.adjacentWord(k, k+1) && !st.toks[k+1].newline
	surname := dot && st.toks[i].shape == sUpper && f&fLast != 0 && st.kws[k]&kwStop == 0 && st.toks[k].shape != sLower &&
		(f&fClinical == 0 && (f&(fCommon|fCore) == 0 || reported) || reported && st.kw(k+1)&kwPost != 0) // "I. MALLORY AWARE", not "C. DIFF NEG"
	// "A. QUARNBECK AWARE", "A. DOE AWARE": even "A" with a period before
	// a capitalised name by its looks or a surname that a report word
	// follows.
	articleName := article && dot && st.toks[i].shape == sUpper && st.toks[k].shape != sLower && (st.unknownName(k) || f&fLast != 0 && st.kws[k] == 0) &&
		st.kw(k+1)&kwPost != 0 && st.adjacentWord(k, k+1) && !st.toks[k+1].newline
	if surname || articleName || !article && (named || oovOK || unknownOK || top && (dot || st.kw(k+1)&kwPost != 0) || st.reportedInitial(i)) {
		st.addName(i, st.extendName(k), lvMedium, "initial-name")
	}
}

// signatureLines marks short lines made only of names ("Marie Munroe").
func (st *state) signatureLines() {
	for i := 0; i < len(st.toks); {
		j := i + 1
		for j < len(st.toks) && !st.toks[j].newline {
			j++
		}
		st.signatureLine(i, j)
		st.credentialLine(i, j)
		i = j
	}
}

func (st *state) signatureLine(i, j int) {
	words, named := 0, 0
	for k := i; k < j; k++ {
		t := &st.toks[k]
		switch {
		case t.kind == kPunct && (st.punct(k, '.') || st.punct(k, ',') || st.punct(k, '-')):
		case st.isInitial(k):
		case t.kind == kWord && st.kws[k]&kwCred != 0:
		case t.kind == kWord && st.accept(k, lvMedium) && st.nameLike(k):
			words++
			if t.flags&fName != 0 && t.flags&(fCommon|fCore) == 0 {
				named++
			}
		default:
			return
		}
	}
	if words >= 1 && words <= 4 && named >= 1 && (words >= 2 || named == 1 && st.toks[i].shape != sLower) {
		e := j - 1
		for e > i && (st.toks[e].kind == kPunct || st.kws[e]&kwCred != 0) {
			e-- // "Marie Munroe, RN": the credential is no part of the name
		}
		st.addName(i, e, lvMedium, "signature")
	}
}

// credentialLine marks a line made of two or three names and a
// credential ("Vest Miles RN"): there even names that are ordinary words
// sign the note.
func (st *state) credentialLine(i, j int) {
	e := j - 1
	for e > i && st.toks[e].kind == kPunct {
		e--
	}
	e = st.credentialPair(e, i) // "BSN/RN"
	if e <= i || st.kws[e]&kwCred == 0 || st.kws[e]&kwCredAmbiguous != 0 && st.toks[e].shape != sUpper {
		return
	}
	e--
	if st.punct(e, ',') {
		e--
	}
	words := 0
	for k := i; k <= e; k++ {
		t := &st.toks[k]
		switch {
		case st.isInitial(k) || st.punct(k, '.') && st.isInitial(k-1):
		case t.kind == kWord && (t.flags&fName != 0 || st.unknownName(k)) && t.flags&fClinical == 0 &&
			st.kws[k]&(kwStop|kwTitle|kwRelation|kwRole|kwMonth|kwWeekday|kwCred) == 0 && (!st.mixed || t.shape != sLower):
			words++
		default:
			return
		}
	}
	if words >= 2 && words <= 3 {
		st.addName(i, e, lvMedium, "signature")
	}
}

// nameBeforePhone marks the one or two name-like words before a phone
// word in a contact list ("Lopie Certusi cell# 410-...").
func (st *state) nameBeforePhone(i int) {
	e := i - 1
	if st.punct(e, ',') || st.punct(e, '-') || st.punct(e, ':') {
		e--
	}
	s := e
	for s >= 0 && e-s < 2 && st.toks[s].kind == kWord && !st.toks[min(s+1, e)].newline &&
		(st.unknown(s) || st.toks[s].flags&fName != 0 && st.toks[s].flags&(fCore|fClinical) == 0 || (s == e || s == e-1) && st.firstBeforeWord(e)) &&
		(st.toks[s].shape == sTitle || !st.mixed && st.toks[s].shape != sMixed) && st.kws[s] == 0 {
		s--
	}
	if s < e && e-s >= 2 {
		st.addName(s+1, e, lvWeak, "contact-name")
	}
}

// firstBeforeWord reports whether word e, capitalised where capitals
// count and no clinical word, follows a capitalised name or a word nobody
// listed on its line: a surname though an ordinary word ("Jude Shearing
// cell#", "Combs Crane cell#").
func (st *state) firstBeforeWord(e int) bool {
	d := e - 1
	return st.titled(e) && st.toks[e].flags&fClinical == 0 && d >= 0 && st.titled(d) && st.toks[d].kind == kWord &&
		(st.toks[d].flags&fName != 0 || st.unknown(d)) && st.toks[d].flags&fClinical == 0 && st.kws[d] == 0 && st.adjacentWord(d, e) && !st.toks[e].newline
}

// coordinatedName marks a first name joined to the name ending at e by
// "and" ("Suzette and Hank").
func (st *state) coordinatedName(e int) {
	k := e + 1
	if !st.is(k, "and") && !st.punct(k, '&') {
		return
	}
	k++
	if k >= len(st.toks) || st.toks[k].kind != kWord || st.toks[k].flags&fFirst == 0 || st.toks[k].flags&fClinical != 0 ||
		st.kws[k]&(kwStop|kwRelation|kwRole|kwTitle|kwCred|kwMonth|kwWeekday) != 0 || st.mixed && st.toks[k].shape == sLower {
		return // "Beverly and son Douglas": a relation, no name
	}
	st.addName(k, k, lvNone, "dictionary-name")
}

// introName marks the patient's name that opens a note's summary: one to
// three words at the start of a sentence before "is a 70 yo" ("cian
// portbro is a 70 yr old female"); token i is "is".
func (st *state) introName(i int) {
	k := i + 2
	if k >= len(st.toks) || !(st.toks[k].kind == kNum || st.toks[k].kind == kAlnum && isDigit(st.text[st.toks[k].start])) {
		return
	}
	if st.introPair(i) {
		st.addName(i-2, i-1, lvMedium, "intro-name")
		return
	}
	s := i
	for s > 0 && i-s < 3 && st.introWord(s-1) && !st.toks[s].newline {
		s--
	}
	if s == i || !st.sentenceStart(s) {
		return
	}
	named := false
	for j := s; j < i; j++ {
		named = named || st.unknown(j) || st.toks[j].flags&fName != 0 && st.toks[j].flags&(fCore|fCommon) == 0
	}
	if named {
		st.addName(s, i-1, lvMedium, "intro-name")
	}
}

// introWord reports whether word j can be part of the name before "is a".
func (st *state) introWord(j int) bool {
	t := &st.toks[j]
	return t.kind == kWord && t.end-t.start > 1 && st.kws[j] == 0 && t.flags&(fCore|fClinical) == 0 &&
		(!st.mixed || t.shape != sLower || t.flags&(fCommon|fRare) == 0) // "nu rodman is a 70 yr old": small letters, but no English word
}

// introPair reports whether the two words before "is" (token i) are a
// first name and a surname that open the note's summary before an age,
// even when both are ordinary words ("callie call is a 70 yr old", "Lance
// Egbe is a 64 y/o"): at the start of a sentence or line, in one case, the
// first a first name and the second a surname or a word nobody listed,
// neither clinical, and "is a" followed by a number and a unit of age.
func (st *state) introPair(i int) bool {
	s, l := i-2, i-1
	if s < 0 || !st.ageUnitAfter(i+2) || !st.sentenceStart(s) || !st.adjacentWord(s, l) || !st.adjacentWord(l, i) ||
		st.toks[s].kind != kWord || st.toks[l].kind != kWord || st.toks[s].shape != st.toks[l].shape ||
		st.toks[s].end-st.toks[s].start < 2 || st.toks[l].end-st.toks[l].start < 2 {
		return false
	}
	a, b := st.toks[s].flags, st.toks[l].flags
	const notName = kwStop | kwTitle | kwRelation | kwRole | kwCred | kwMonth | kwWeekday | kwState | kwUnit
	return a&fFirst != 0 && (a&fClinical == 0 || b&fLast != 0) && st.kws[s]&notName == 0 && // "asia stafford is a 70 yr old"
		(b&fLast != 0 || st.unknown(l)) && b&fClinical == 0 && st.kws[l]&(notName&^kwStop) == 0
}

// ageUnitAfter reports whether token k is an age: a number and "yo",
// "y/o", "y.o.", "yr", "year" ("70 yr old", "64 y/o"), or a number glued
// to its unit ("70yo").
func (st *state) ageUnitAfter(k int) bool {
	if k >= len(st.toks) {
		return false
	}
	if st.toks[k].kind == kAlnum {
		w := st.word(k)
		n := 0
		for n < len(w) && isDigit(w[n]) {
			n++
		}
		return n > 0 && n <= 3 && len(w)-n >= 1 && (w[n]|0x20) == 'y'
	}
	if st.toks[k].kind != kNum || st.digits(k) > 3 {
		return false
	}
	j := k + 1
	if st.punct(j, '-') {
		j++
	}
	if st.is(j, "y") {
		return st.punct(j+1, '/') || st.punct(j+1, '.')
	}
	return st.is(j, "yo") || st.is(j, "yr") || st.is(j, "yrs") || st.is(j, "year") || st.is(j, "years") || st.is(j, "yof") || st.is(j, "yom")
}
