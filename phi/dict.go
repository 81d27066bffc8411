package phi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"sync"
)

//go:generate go run ./internal/gendict -src /tmp/phigate-dict-src -out dict.gz -zip3 ../deid/zip3.txt -clinical internal/gendict/clinical.txt -ambiguous internal/gendict/ambiguous.txt

//go:embed dict.gz
var dictGz []byte

// wflag is the set of dictionaries a word belongs to.
type wflag uint16

const (
	fCommon    wflag = 1 << iota // ordinary English word (SCOWL 70, lower case)
	fCore                        // very common English word (SCOWL 50)
	fProper                      // proper noun in the English word list
	fFirst                       // census first name
	fFirstTop                    // one of the most common first names
	fLast                        // census surname
	fLastTop                     // one of the most common surnames
	fOtherName                   // other personal name
	fCity                        // US city or town
	fClinical                    // clinical vocabulary
	fRare                        // rare English word (SCOWL 95, lower case)
	fAmbiguous                   // a name that is also an ordinary word in notes
)

const fName = fFirst | fLast | fOtherName

var flagLetters = map[byte]wflag{
	'c': fCommon, 'k': fCore, 'p': fProper, 'f': fFirst, 'F': fFirstTop,
	'l': fLast, 'L': fLastTop, 'o': fOtherName, 'g': fCity, 'm': fClinical, 'x': fRare, 'a': fAmbiguous,
}

// lexicon is an immutable open-addressing hash table over the embedded
// word list. Lookups hash the key bytes and never allocate.
type lexicon struct {
	keys  []byte
	ents  []lexEntry
	slots []uint32 // entry index + 1; 0 is empty
	mask  uint32
}

type lexEntry struct {
	off   uint32
	n     uint16
	flags wflag
}

// loadLexicon parses the embedded dictionary once per process.
var loadLexicon = sync.OnceValues(func() (*lexicon, error) {
	return parseLexicon(dictGz)
})

func parseLexicon(gz []byte) (*lexicon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("open dictionary: %w", err)
	}
	lx := &lexicon{}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		key, fl, ok := bytes.Cut(sc.Bytes(), []byte{'\t'})
		if !ok || len(key) > 0xffff {
			return nil, fmt.Errorf("parse dictionary line %d", len(lx.ents)+1)
		}
		var f wflag
		for _, c := range fl {
			f |= flagLetters[c]
		}
		lx.ents = append(lx.ents, lexEntry{off: uint32(len(lx.keys)), n: uint16(len(key)), flags: f})
		lx.keys = append(lx.keys, key...)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	lx.index()
	return lx, nil
}

func (lx *lexicon) index() {
	size := uint32(1)
	for size < uint32(len(lx.ents))*2 {
		size <<= 1
	}
	lx.slots = make([]uint32, size)
	lx.mask = size - 1
	for i, e := range lx.ents {
		h := hashBytes(lx.keys[e.off : e.off+uint32(e.n)])
		for j := h & lx.mask; ; j = (j + 1) & lx.mask {
			if lx.slots[j] == 0 {
				lx.slots[j] = uint32(i) + 1
				break
			}
		}
	}
}

// hashBytes is FNV-1a.
func hashBytes(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// lookup returns the flags of key, which must already be lower case.
func (lx *lexicon) lookup(key []byte) wflag {
	h := hashBytes(key)
	for j := h & lx.mask; ; j = (j + 1) & lx.mask {
		s := lx.slots[j]
		if s == 0 {
			return 0
		}
		e := lx.ents[s-1]
		if int(e.n) == len(key) && string(lx.keys[e.off:e.off+uint32(e.n)]) == string(key) {
			return e.flags
		}
	}
}

// lookupFold looks up b in lower case using buf as scratch space.
func (lx *lexicon) lookupFold(b []byte, buf []byte) wflag {
	if len(b) > cap(buf) {
		return 0
	}
	buf = buf[:len(b)]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return lx.lookup(buf)
}
