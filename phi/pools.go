package phi

import (
	"sort"
	"sync"
)

// Pools are word lists for realistic surrogates, drawn from the embedded
// dictionaries: common first names and surnames that are not ordinary
// English words, and US city names.
type Pools struct {
	First, Last, Cities []string
}

var loadPools = sync.OnceValues(func() (*Pools, error) {
	lx, err := loadLexicon()
	if err != nil {
		return nil, err
	}
	p := &Pools{}
	for _, e := range lx.ents {
		w := string(lx.keys[e.off : e.off+uint32(e.n)])
		if e.flags&(fCommon|fCore|fClinical) != 0 {
			continue
		}
		switch {
		case e.flags&fFirstTop != 0:
			p.First = append(p.First, w)
		case e.flags&fLastTop != 0:
			p.Last = append(p.Last, w)
		case e.flags&fCity != 0 && e.flags&fName == 0 && len(w) > 3:
			p.Cities = append(p.Cities, w)
		}
	}
	sort.Strings(p.First)
	sort.Strings(p.Last)
	sort.Strings(p.Cities)
	return p, nil
})

// SurrogatePools returns the shared, read-only surrogate word lists (lower case).
func SurrogatePools() (*Pools, error) { return loadPools() }

// IsFirstName reports whether w (any case) is a census first name, so a
// surrogate can replace it with a first name.
func IsFirstName(w string) bool {
	lx, err := loadLexicon()
	if err != nil || len(w) > 64 {
		return false
	}
	var buf [64]byte
	return lx.lookupFold([]byte(w), buf[:])&fFirst != 0
}

// Known reports whether w (any case) is in one of the scanner's
// dictionaries or context word lists: an ordinary, clinical or rare
// English word, a name, a city or a keyword. Evaluation uses it to make
// up test values the scanner cannot know.
func Known(w string) bool {
	lx, err := loadLexicon()
	if err != nil || len(w) > 64 {
		return false
	}
	var buf [64]byte
	f, k := lx.lookupFoldBoth([]byte(w), buf[:])
	return f != 0 || k != 0
}

// NameLists are the scanner's own name and place dictionaries (lower
// case, sorted): every census first name and surname, the most common of
// each, and the one-word US city names. Evaluation draws realistic test
// values from them ("phigate eval --swap-pool dict"). The lists depend on
// the embedded dictionary only, so that a change of the scanner's context
// words does not change what an evaluation draws.
type NameLists struct {
	First, FirstTop, Last, LastTop, Cities []string
}

var loadNameLists = sync.OnceValues(func() (*NameLists, error) {
	lx, err := loadLexicon()
	if err != nil {
		return nil, err
	}
	nl := &NameLists{}
	for _, e := range lx.ents {
		key := lx.keys[e.off : e.off+uint32(e.n)]
		if len(key) < 2 || !allLetters(key) {
			continue
		}
		w := string(key)
		add := func(l *[]string, f wflag) {
			if e.flags&f != 0 {
				*l = append(*l, w)
			}
		}
		add(&nl.First, fFirst)
		add(&nl.FirstTop, fFirstTop)
		add(&nl.Last, fLast)
		add(&nl.LastTop, fLastTop)
		add(&nl.Cities, fCity)
	}
	for _, l := range [][]string{nl.First, nl.FirstTop, nl.Last, nl.LastTop, nl.Cities} {
		sort.Strings(l)
	}
	return nl, nil
})

// Names returns the shared, read-only name and city lists.
func Names() (*NameLists, error) { return loadNameLists() }

func allLetters(b []byte) bool {
	for _, c := range b {
		if !isLetter(c) {
			return false
		}
	}
	return true
}
