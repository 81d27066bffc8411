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
	fCityStart                   // first word of a multi-word city
	fMarked                      // a word a rule looks for by name outside the keywords (photoWords, ageNouns)
	fTalk                        // a verb of talking or seeing (talkVerbs)
)

const fName = fFirst | fLast | fOtherName

var flagLetters = map[byte]wflag{
	'c': fCommon, 'k': fCore, 'p': fProper, 'f': fFirst, 'F': fFirstTop,
	'l': fLast, 'L': fLastTop, 'o': fOtherName, 'g': fCity, 'm': fClinical, 'x': fRare, 'a': fAmbiguous, 'G': fCityStart,
}

// lexicon is an immutable open-addressing hash table over the embedded
// word list. A slot is one uint64: 48 bits of the key's hash, a bit saying
// the key has keyword roles, and the key's flags; so the table of a
// million slots takes 8 MB and a lookup touches one cache line. Keyword
// roles sit in a small side table, and the keys themselves are kept only
// for the surrogate pools. Lookups never allocate.
type lexicon struct {
	keys  []byte
	ents  []lexEntry
	slots []uint64
	mask  uint64
	// kwSlot and kwRole map a slot index + 1 to its keyword roles.
	kwSlot []uint32
	kwRole []kw
	// wordBits is a Bloom filter (two bits a key) over the ordinary and
	// clinical words that are no common name: the spelling checks try
	// hundreds of variants of a word, and nearly all of them are no word,
	// which this 512 KB table says without touching the 8 MB one.
	wordBits []uint64
}

const wordBitsMask = 1<<22 - 1

// isWordKey reports whether key (lower case) is an ordinary or clinical
// word that is no common name.
func (lx *lexicon) isWordKey(key []byte) bool {
	h := hash64(key)
	a, b := h&wordBitsMask, h>>40&wordBitsMask
	if lx.wordBits[a>>6]&(1<<(a&63)) == 0 || lx.wordBits[b>>6]&(1<<(b&63)) == 0 {
		return false
	}
	f := lx.lookup(key)
	return wordFlags(f)
}

// wordFlags reports whether flags f make an ordinary or clinical word that
// is no common name.
func wordFlags(f wflag) bool {
	return f&(fCommon|fCore|fClinical) != 0 && f&(fFirstTop|fLastTop) == 0
}

type lexEntry struct {
	off   uint32
	n     uint16
	flags wflag
}

const (
	slotFlags = 1<<15 - 1 // low bits: wflag
	slotKW    = 1 << 15   // the key has keyword roles
	kwTable   = 1 << 12   // side table size (keywords are about 1,000)
)

// loadLexicon parses the embedded dictionary once per process.
var loadLexicon = sync.OnceValues(func() (*lexicon, error) {
	return parseLexicon(dictGz)
})

func parseLexicon(gz []byte) (*lexicon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("open dictionary: %w", err)
	}
	// The generated list holds about 530,000 keys in 5 MB: size for it.
	lx := &lexicon{ents: make([]lexEntry, 0, 600_000), keys: make([]byte, 0, 6<<20)}
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
	lx.addKeywords()
	lx.mark(fMarked, photoWords, faceOnly, imageNames, ageNouns)
	lx.mark(fTalk, talkVerbSet())
	return lx, nil
}

// addKeywords merges the context keyword table into the lexicon so that a
// scan needs one lookup per word.
func (lx *lexicon) addKeywords() {
	lx.kwSlot = make([]uint32, kwTable)
	lx.kwRole = make([]kw, kwTable)
	for w, k := range keywords {
		j := lx.slot([]byte(w))
		lx.slots[j] |= slotKW
		*lx.kwRef(j) |= k
	}
}

// mark sets flag f on the words of sets, so that a scan asks its maps
// only about them.
func (lx *lexicon) mark(f wflag, sets ...map[string]bool) {
	for _, set := range sets {
		for w := range set {
			lx.slots[lx.slot([]byte(w))] |= uint64(f)
		}
	}
}

// kwRef returns the keyword roles of slot j in the side table, claiming
// an entry if needed. Only for building the lexicon.
func (lx *lexicon) kwRef(j uint64) *kw {
	for i := uint32(j*2654435761) & (kwTable - 1); ; i = (i + 1) & (kwTable - 1) {
		if lx.kwSlot[i] == uint32(j)+1 || lx.kwSlot[i] == 0 {
			lx.kwSlot[i] = uint32(j) + 1
			return &lx.kwRole[i]
		}
	}
}

// kwGet returns the keyword roles of slot j; it only reads, so scans may
// share the lexicon.
func (lx *lexicon) kwGet(j uint64) kw {
	for i := uint32(j*2654435761) & (kwTable - 1); ; i = (i + 1) & (kwTable - 1) {
		switch lx.kwSlot[i] {
		case uint32(j) + 1:
			return lx.kwRole[i]
		case 0:
			return 0
		}
	}
}

func (lx *lexicon) index() {
	size := uint64(1)
	for size < uint64(len(lx.ents)+len(keywords))*3/2 {
		size <<= 1
	}
	lx.slots = make([]uint64, size)
	lx.mask = size - 1
	lx.wordBits = make([]uint64, (wordBitsMask+1)/64)
	for _, e := range lx.ents {
		key := lx.keys[e.off : e.off+uint32(e.n)]
		j := lx.slot(key)
		lx.slots[j] |= uint64(e.flags)
	}
	for _, e := range lx.ents {
		key := lx.keys[e.off : e.off+uint32(e.n)]
		if f := lx.lookup(key); wordFlags(f) {
			h := hash64(key)
			a, b := h&wordBitsMask, h>>40&wordBitsMask
			lx.wordBits[a>>6] |= 1 << (a & 63)
			lx.wordBits[b>>6] |= 1 << (b & 63)
		}
	}
}

// tagOf is the 48 hash bits a slot keeps, never 0.
func tagOf(h uint64) uint64 {
	t := h >> 16
	if t == 0 {
		t = 1
	}
	return t << 16
}

// slot returns the index of key's slot (lower case), claiming an empty one.
func (lx *lexicon) slot(key []byte) uint64 {
	h := hash64(key)
	t := tagOf(h)
	for j := h & lx.mask; ; j = (j + 1) & lx.mask {
		s := lx.slots[j]
		if s&^0xffff == t || s == 0 {
			lx.slots[j] |= t
			return j
		}
	}
}

// hash64 is FNV-1a (64 bit), never 0; tokenize computes the same on the
// fly.
func hash64(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return nonzero(h)
}

// lookup returns the flags of key, which must already be lower case.
func (lx *lexicon) lookup(key []byte) wflag {
	f, _ := lx.lookupBoth(key)
	return f
}

// lookupBoth returns the flags and keyword roles of key (lower case).
func (lx *lexicon) lookupBoth(key []byte) (wflag, kw) {
	return lx.lookupHash(hash64(key))
}

// lookupHash is lookupBoth for a key of hash h.
func (lx *lexicon) lookupHash(h uint64) (wflag, kw) {
	t := tagOf(h)
	for j := h & lx.mask; ; j = (j + 1) & lx.mask {
		s := lx.slots[j]
		if s&^0xffff == t {
			if s&slotKW != 0 {
				return wflag(s & slotFlags), lx.kwGet(j)
			}
			return wflag(s & slotFlags), 0
		}
		if s == 0 {
			return 0, 0
		}
	}
}

// lookupFold looks up b in lower case using buf as scratch space.
func (lx *lexicon) lookupFold(b []byte, buf []byte) wflag {
	f, _ := lx.lookupFoldBoth(b, buf)
	return f
}

// lookupFoldBoth is lookupBoth on b folded to lower case in buf.
func (lx *lexicon) lookupFoldBoth(b []byte, buf []byte) (wflag, kw) {
	if len(b) > cap(buf) {
		return 0, 0
	}
	buf = buf[:len(b)]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return lx.lookupBoth(buf)
}
