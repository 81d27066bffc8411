package phi

import "github.com/phigate/phigate"

// Names that are also ordinary English words ("Green", "Stone", "Hale",
// "Summer"), taken in a note whose capitals carry information when the
// word is capitalised and the words around it say a person stands there:
// a verb of contact or a role before it ("discussed with Green", "NP
// Hale"), or a role, a relation, a service or a report word after it
// ("Walker (PT)", "Cash, pt's son", "Wood from vascular", "Stone paged").
// The dictionary alone cannot tell "Green" the surname from the colour;
// the capital and the slot can.

// homographAt marks such a name at word i. Inside a sentence the capital is
// evidence, so a cue on either side will do; at a sentence's start, where
// every word is capitalised, only a cue after the word counts, and only
// for one of the most common names.
//
// findNames calls it for each word i that is a census name, capitalised
// where capitals mean something.
func (st *state) homographAt(i int) {
	if st.mixed && st.fullNameSlot(i) {
		st.homographName(i-1, i) // "spoken extensively with Vil Sharp"
		return
	}
	if !st.homograph(i) {
		if st.mixed && st.roleVerbName(i) || st.clinicalNameReported(i) {
			st.homographName(i, i) // "discussed with charge RN Page.", "NP BRADY AWARE"
		}
		return
	}
	top := st.toks[i].flags&(fFirstTop|fLastTop) != 0
	if !st.mixed {
		if top && st.caselessSlot(i) {
			st.homographName(i, i)
		}
		return
	}
	start := st.sentenceStart(i)
	pair := st.punct(i+1, '/') && st.adjacent(i) && st.adjacent(i+1) && st.homograph(i+2)
	switch {
	case (!start || st.punct(i-1, ':')) && st.personSlotBefore(i, false) || (top || !start) && st.personSlotAfter(i, false):
		switch {
		case pair:
			st.homographName(i, i+2) // "team (Steele/Knight)"
		case (st.is(i+1, "and") || st.punct(i+1, '&')) && st.homograph(i+2) && st.adjacentWord(i+1, i+2):
			st.homographName(i, i)
			st.homographName(i+2, i+2) // "discussed w Crane and Finch"
		default:
			st.homographName(i, i)
		}
	case pair && top && st.toks[i+2].flags&(fFirstTop|fLastTop) != 0 && st.teamBefore(i):
		st.homographName(i, i+2) // "team aware: Frost/Reed"
	}
}

// fullNameSlot reports whether census surname i and the capitalised word
// before it, a first name or a word nobody listed, stand together where a
// person does ("spoken with Vil Sharp", "per Lory Hale"): inside a
// sentence, after a verb of contact or a role.
func (st *state) fullNameSlot(i int) bool {
	f := i - 1
	if f < 1 || st.toks[i].flags&fLast == 0 || st.toks[i].flags&fClinical != 0 || st.kws[i] != 0 || !st.adjacentWord(f, i) ||
		st.toks[i].newline || !st.titled(f) || !st.titled(i) || st.sentenceStart(f) || st.kws[f] != 0 || st.toks[f].flags&fClinical != 0 {
		return false
	}
	if st.toks[f].flags&fFirst == 0 && !(st.unknown(f) && st.toks[f].end-st.toks[f].start >= 3) {
		return false
	}
	return st.personSlotBefore(f, false)
}

// homographName records a homograph name over words [i, j], less sure
// than a place found at the same words ("from Dover": a town).
func (st *state) homographName(i, j int) {
	st.add(i, j, phigate.NAME, 0.72, "homograph-name")
}

// caselessSlot reports whether, in a note whose case says nothing, the
// words around common name i put a person there: a cue after it ("WALKER
// (PT)", "CASH, PT'S SON"), a role or a relation right before it ("NP
// HALE"), or a verb of contact before it and the clause's end after it
// ("PAGED MOODY X2" is not taken, "PAGED MOODY." is), or an ambiguous
// role before it and a report word after it ("NP BRADY AWARE").
func (st *state) caselessSlot(i int) bool {
	if st.personSlotAfter(i, true) {
		return true
	}
	p := i - 1
	if p < 0 || st.toks[i].newline || st.toks[p].kind != kWord {
		return false
	}
	if st.kws[p]&(kwRole|kwTitle) != 0 && st.kws[p]&kwPrep == 0 && st.capitalInCaps(i) {
		return true // "PER NP Wells."
	}
	if st.toks[p].shape != st.toks[i].shape {
		return false
	}
	if st.kws[p]&(kwRole|kwRelation) != 0 && st.kws[p]&(kwPrep|kwStop|kwCredAmbiguous) == 0 {
		return true // "NURSE HALE", not "PA NUMBERS"
	}
	// After the cue, the clause's end, a report word or an auxiliary
	// ("PAGED MOODY.", "NP BRADY AWARE", "PER LONG WILL HOLD").
	n := i + 1
	reported := n < len(st.toks) && st.adjacentWord(i, n) && (st.kws[n]&kwPost != 0 || auxiliaries[string(lowerInto(st.buf[:0], st.word(n)))])
	if !reported && !clauseEnd(st, n) {
		return false
	}
	return st.personSlotBefore(i, true) || reported && st.kws[p]&kwRole != 0 && st.kws[p]&kwPrep == 0
}

// homograph reports whether word i is a census name of three or more
// letters, capitalised where capitals carry information, that is no
// clinical word and plays no keyword role (no month, state, function
// word or title).
func (st *state) homograph(i int) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	t := &st.toks[i]
	if t.kind != kWord || t.end-t.start < 3 || t.flags&(fFirst|fLast) == 0 || t.flags&fClinical != 0 || st.kws[i] != 0 ||
		t.shape == sMixed || st.mixed && t.shape != sTitle || !st.mixed && !st.lowerNote && t.shape == sLower {
		return false // in a note in capitals, a word in small letters is no name of its
	}
	// "Blood Bank", "Case Management", "Night Float": the first word of a
	// capitalised phrase of ordinary words names a thing.
	n := i + 1
	// (townUnits' longest word, "hospital", has 8 letters: longer words
	// skip the map.)
	if n < len(st.toks) && st.toks[n].kind == kWord && st.toks[n].end-st.toks[n].start <= 8 && townUnits[string(lowerInto(st.buf[:0], st.word(n)))] {
		return false // "Marble ICU", "Hope ER": a place's unit
	}
	return !(n < len(st.toks) && st.adjacentWord(i, n) && !st.toks[n].newline && st.toks[n].shape == sTitle &&
		st.toks[n].flags&(fCommon|fCore|fClinical) != 0 && st.toks[n].flags&(fFirstTop|fLastTop) == 0)
}

// personSlotBefore reports whether the words before word i put a person
// there: a verb of contact ("paged", "per"), a role ("NP", "fellow"),
// a relation, "with", "by", "to" or "for" after a verb ("discussed with",
// "seen by", "message left for"), "d/w" or "w/", or a service and an
// opening bracket ("ortho (Marsh)"). Where case says nothing (caseless),
// a verb before "with" or "to" must be one of contact ("oriented to SELF",
// "suctioning for WHITE" name no one).
func (st *state) personSlotBefore(i int, caseless bool) bool {
	p := i - 1
	if st.toks[i].newline || p < 0 {
		return false
	}
	k := st.kws[p]
	switch {
	case k&(kwVerb|kwRole|kwRelation) != 0 && st.toks[p].kind == kWord && k&kwPrep == 0:
		return !caseless || k&kwCredAmbiguous == 0 // "GET PA NUMBERS,"
	case st.punct(p, '/') && st.is(p-1, "w"):
		return true // "w/ Green", "d/w Green"
	case st.is(p, "w") && st.punct(p-1, '/'):
		return true // "D/W Castle"
	case st.is(p, "with") || st.is(p, "w") || st.is(p, "by") || st.is(p, "to") || st.is(p, "for"):
		return p > 0 && !st.toks[p].newline && st.verbBefore(p-1, st.is(p, "with") || st.is(p, "w") || st.is(p, "for"), !caseless)
	case st.punct(p, '('):
		return p > 0 && (st.serviceWord(p-1) || st.staffBefore(p-1)) // "ortho (Marsh)", "MD (Bird) aware"
	case st.punct(p, ':'):
		return p > 0 && st.staffBefore(p-1) // "Primary RN: Lamb"
	case st.punct(p, ',') && !caseless:
		return p > 0 && st.staffBefore(p-1) && clauseEnd(st, i+1) // "reviewed with covering NP, Meadows."
	}
	return false
}

// clinicalNameReported reports whether word i, one of the most common
// names though a clinical word ("Brady", "Hickman", "Bell"), is a name
// because a role or a title stands right before it and a report word
// right after it ("NP BRADY AWARE", "HO Hickman notified"), in its case.
func (st *state) clinicalNameReported(i int) bool {
	t := &st.toks[i]
	if t.kind != kWord || t.end-t.start < 3 || t.flags&fClinical == 0 || t.flags&(fFirstTop|fLastTop) == 0 || st.kws[i] != 0 ||
		i == 0 || i+1 >= len(st.toks) || st.toks[i].newline || !st.adjacentWord(i, i+1) || st.toks[i+1].newline ||
		st.mixed && t.shape != sTitle || t.shape == sMixed {
		return false
	}
	p, n := i-1, i+1
	if st.punct(p, '.') && st.kw(p-1)&kwTitle != 0 {
		p--
	}
	return st.toks[p].kind == kWord && st.kws[p]&(kwRole|kwTitle) != 0 && st.kws[p]&kwPrep == 0 &&
		st.kws[n]&kwPost != 0 && !auxiliaries[string(lowerInto(st.buf[:0], st.word(n)))]
}

// roleVerbName reports whether word i, a capitalised verb that is also a
// surname ("Page", "Call"), is a name: right after a role and before the
// clause's end ("charge RN Page.").
func (st *state) roleVerbName(i int) bool {
	t := &st.toks[i]
	if t.kind != kWord || t.shape != sTitle || t.end-t.start < 3 || t.flags&fLast == 0 || t.flags&fClinical != 0 ||
		st.kws[i]&^(kwVerb|kwStop) != 0 || st.kws[i]&kwVerb == 0 || st.sentenceStart(i) || !st.adjacentWord(i-1, i) {
		return false
	}
	return st.kws[i-1]&kwRole != 0 && st.toks[i-1].kind == kWord && clauseEnd(st, i+1)
}

// staffBefore reports whether word p is a role or a credential ("RN:",
// "MD (Bird)"); not a title, which before a colon is more often a heading
// ("MS: Alert").
func (st *state) staffBefore(p int) bool {
	return p >= 0 && st.toks[p].kind == kWord && st.kws[p]&(kwRole|kwCred) != 0 && st.kws[p]&kwTitle == 0
}

// verbBefore reports whether word v is a verb that takes a person after
// "with", "by", "to" or "for": a verb of contact, or a past participle
// ("discussed", "seen", "left"); with ing, also a present participle
// ("asking for", "meeting with"), which before "to" is too often a noun
// ("dressing to Left leg"); without loose, only a verb of contact or one
// of participles.
func (st *state) verbBefore(v int, ing, loose bool) bool {
	if v < 0 || st.toks[v].kind != kWord {
		return false
	}
	if st.kws[v]&kwMove != 0 {
		return false // "transferred to Marble": a place
	}
	if st.kws[v]&kwVerb != 0 {
		return true
	}
	w := lowerInto(st.buf[:0], st.word(v))
	if len(w) > 5 && w[len(w)-2] == 'l' && w[len(w)-1] == 'y' && v > 0 && !st.toks[v].newline && st.toks[v-1].kind == kWord {
		return st.verbBefore(v-1, ing, loose) // "spoken extensively with"
	}
	if loose && (len(w) > 4 && w[len(w)-2] == 'e' && w[len(w)-1] == 'd' || ing && len(w) > 5 && string(w[len(w)-3:]) == "ing") {
		return true // "discussed with", "asking for"
	}
	return participles[string(w)]
}

// participles are irregular past participles and verbs after which "with",
// "by" or "to" names a person ("seen by", "spoke to", "left with").
var participles = map[string]bool{"seen": true, "spoke": true, "spoken": true, "met": true, "left": true, "done": true, "told": true,
	"given": true, "written": true, "drawn": true, "taken": true, "speak": true, "talk": true, "meet": true, "work": true,
	"out": true, "over": true, "off": true, "report": true, "talking": true, "speaking": true, "explaining": true, "reporting": true} // "signed out to", "handed off to", "gave report to"

// personSlotAfter reports whether the words after word i put a person there:
// a role, credential or relation in brackets ("Walker (PT)", "Gray (case
// mgr)"), a comma and a role or relation within three words ("Page,
// resident", "Cash, pt's son"), "from" or "in" and a service ("Wood from
// vascular", "Porter in blood bank"), or a report word ("Stone paged x2", "Green aware"). Where
// case says nothing (caseless), a role after a comma ("HAND, HO
// NOTIFIED") and a report word ("PRIEST CALLED") say too little.
func (st *state) personSlotAfter(i int, caseless bool) bool {
	n := i + 1
	if n >= len(st.toks) || st.toks[n].newline {
		return false
	}
	switch {
	case st.punct(n, '(') && n+2 < len(st.toks):
		w := n + 1
		return st.kws[w]&(kwRole|kwCred|kwRelation) != 0 && st.toks[w].kind == kWord || staffWords[string(lowerInto(st.buf[:0], st.word(w)))]
	case st.punct(n, ','):
		for w := n + 1; w <= n+3 && w < len(st.toks) && !st.toks[w].newline; w++ {
			if st.kws[w]&kwRelation != 0 && st.toks[w].kind == kWord || !caseless && st.kws[w]&kwRole != 0 && st.toks[w].kind == kWord {
				return true
			}
			if st.toks[w].kind == kPunct && !st.punct(w, '\'') {
				return false
			}
		}
		return false
	case st.is(n, "from") || st.is(n, "in"):
		w := n + 1
		if st.is(w, "the") {
			w++
		}
		return w < len(st.toks) && !st.toks[w].newline && st.serviceWord(w)
	case !caseless && st.kws[n]&kwPost != 0 && st.adjacentWord(i, n):
		return true
	case st.is(n, "to") && st.adjacentWord(i, n):
		return n+1 < len(st.toks) && st.adjacentWord(n, n+1) && visitVerbs[string(lowerInto(st.buf[:0], st.word(n+1)))] // "Turner to see pt"
	}
	w := st.word(i)
	if len(w) > 3 && w[len(w)-2] == '\'' && w[len(w)-1]|0x20 == 's' && st.adjacentWord(i, n) {
		// "Miller's voicemail", "Green's wife"
		return st.kws[n]&(kwRelation|kwRole|kwPhoneWord) != 0 || ownedWords[string(lowerInto(st.buf[:0], st.word(n)))]
	}
	return false
}

// visitVerbs are what a clinician or a visitor comes to do ("Turner to
// see pt").
var visitVerbs = map[string]bool{"see": true, "eval": true, "evaluate": true, "examine": true, "visit": true, "call": true,
	"come": true, "round": true, "speak": true, "discuss": true, "consult": true, "assess": true}

// ownedWords are what a person, not a thing, has in a note ("Miller's
// voicemail").
var ownedWords = map[string]bool{"voicemail": true, "voice": true, "answering": true, "number": true, "message": true,
	"house": true, "home": true, "request": true, "permission": true, "consent": true, "car": true, "office": true}

// staffWords are the disciplines a note writes in brackets after a
// person's name ("Walker (PT)", "Gray (case mgr)"); a body part or a
// service in brackets describes a thing ("Stone (renal)").
var staffWords = map[string]bool{"pt": true, "ot": true, "rt": true, "sw": true, "cm": true, "slp": true, "case": true,
	"social": true, "pharmacy": true, "nutrition": true, "dietary": true, "interpreter": true, "chaplaincy": true, "admitting": true}

// teamBefore reports whether a team, a service or a role stands within
// four words before word i ("Team aware: Frost/Reed", "Surgical team
// (Steele/Knight)").
func (st *state) teamBefore(i int) bool {
	for p := i - 1; p >= 0 && p >= i-4; p-- {
		if st.is(p, "team") || st.is(p, "service") || st.kws[p]&kwRole != 0 && st.toks[p].kind == kWord || st.serviceWord(p) {
			return true
		}
		if st.toks[p+1].newline {
			return false
		}
	}
	return false
}

// serviceWord reports whether word i names a hospital service or
// discipline ("renal", "ortho", "pharmacy", "social"), whose people a note
// names by surname.
func (st *state) serviceWord(i int) bool {
	if i < 0 || i >= len(st.toks) || st.toks[i].kind != kWord || st.toks[i].end-st.toks[i].start > 14 {
		return false
	}
	return serviceWords[string(lowerInto(st.buf[:0], st.word(i)))]
}

// serviceWords are hospital services and disciplines.
var serviceWords = map[string]bool{}

func init() {
	for _, w := range []string{"renal", "nephrology", "neph", "vascular", "surgery", "surgical", "surg", "ortho", "orthopedics",
		"orthopaedics", "neuro", "neurology", "neurosurgery", "nsurg", "gi", "cards", "cardiology", "cardiac", "pulm", "pulmonary",
		"id", "ep", "pharmacy", "pt", "ot", "rt", "sw", "social", "case", "cm", "nutrition", "hospice", "palliative", "psych",
		"psychiatry", "derm", "dermatology", "ent", "urology", "uro", "gu", "onc", "oncology", "heme", "hematology", "endo",
		"endocrine", "endocrinology", "radiology", "ir", "anesthesia", "micu", "sicu", "ccu", "icu", "transplant", "trauma",
		"rehab", "pain", "vna", "dialysis", "hd", "wound", "ostomy", "speech", "slp", "dietary", "nutritionist", "interpreter",
		"security", "blood", "chaplaincy", "pastoral", "admitting", "lab", "medicine", "ob", "gyn", "obgyn", "peds", "pediatrics",
		"ophtho", "ophthalmology", "geri", "geriatrics", "ethics", "legal", "risk", "billing", "respiratory", "physical",
		"occupational", "infectious", "gastroenterology", "hepatology", "liver", "pulmonology", "rheumatology", "rheum",
		"nursing", "work", "team", "service", "services", "management", "therapy", "consult", "consults", "ccm", "csru", "tsicu", "nicu", "pacu", "ew", "er", "ed"} {
		serviceWords[w] = true
	}
}
