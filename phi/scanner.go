package phi

import (
	"sync"

	"github.com/phigate/phigate"
)

// DefaultMinConfidence is the confidence below which a Scanner drops a
// finding when MinConfidence is zero.
const DefaultMinConfidence = 0.3

// Scanner finds PHI in text. Create it with NewScanner, set its fields,
// then call Detect from any number of goroutines.
type Scanner struct {
	// MinConfidence drops findings below it; zero means DefaultMinConfidence.
	MinConfidence float32
	// Sensitivity trades precision for recall; the zero value is
	// DefaultSensitivity.
	Sensitivity Sensitivity
}

var _ phigate.Detector = (*Scanner)(nil)

// NewScanner returns a Scanner with default settings.
func NewScanner() *Scanner { return &Scanner{} }

// Open loads the embedded dictionaries, so that a broken build fails at
// start-up rather than on the first request. Detect calls it as needed.
func (s *Scanner) Open() error {
	_, err := loadLexicon()
	if err != nil {
		return phigate.E(phigate.EINTERNAL, "phi.Open", err)
	}
	return nil
}

// Detect appends the findings in text to dst, sorted by Start and not
// overlapping. It fails only if the embedded dictionaries cannot be read.
func (s *Scanner) Detect(dst []phigate.Finding, text []byte) ([]phigate.Finding, error) {
	lx, err := loadLexicon()
	if err != nil {
		return dst, phigate.E(phigate.EINTERNAL, "phi.Detect", err)
	}
	st := statePool.Get().(*state)
	defer statePool.Put(st)
	st.reset(lx, text)
	st.high = s.Sensitivity >= HighSensitivity
	st.run()
	min := s.MinConfidence
	if min == 0 {
		min = DefaultMinConfidence
	}
	return st.merge(dst, min), nil
}

// state is the scratch space of one scan; pooled to avoid allocation.
type state struct {
	lx    *lexicon
	text  []byte
	toks  []token
	kws   []kw
	found []phigate.Finding
	buf   [64]byte
	// seen maps a word found by context to its finding, for propagate.
	seen map[string]phigate.Finding
	// mixed is true when the text uses both cases, so that capitals carry
	// information; ALL CAPS and all-lower notes make it false.
	mixed bool
	// lowerNote is true for a note written in lower case whose few
	// capitals still mark proper names ("nephew, Neil Meitz of Towson"):
	// a capital says something there, a small letter nothing.
	lowerNote bool
	// high is true at HighSensitivity.
	high bool
	// says are the numbers right after a verb of saying, for statedDays.
	says []int
	// hashes are the tokens' folded hashes, from tokenize.
	hashes []uint64
	// wardWords are the words of wards found, for propagate, and
	// seenHashes the folded hashes of the words in seen.
	wardWords  []int
	seenHashes []uint64
}

var statePool = sync.Pool{New: func() any { return &state{} }}

func (st *state) reset(lx *lexicon, text []byte) {
	st.lx, st.text = lx, text
	st.toks, st.hashes = tokenize(st.toks[:0], st.hashes[:0], text)
	st.kws = st.kws[:0]
	st.found = st.found[:0]
	st.says = st.says[:0]
	var title, lower, n int
	for i := range st.toks {
		t := &st.toks[i]
		var k kw
		if t.kind == kWord || t.kind == kAlnum {
			b := text[t.start:t.end]
			if len(b) <= len(st.buf) { // a word longer than the fold buffer was never looked up, and stays unlisted
				t.flags, k = lx.lookupHash(st.hashes[i])
			}
			if t.flags == 0 && len(b) > 3 && b[len(b)-2] == '\'' && b[len(b)-1]|0x20 == 's' {
				t.flags = lx.lookupFold(b[:len(b)-2], st.buf[:])
			}
			if t.flags == 0 && k == 0 && len(b) >= 4 && len(b) <= 6 && t.kind == kWord && transposedCredential(b) {
				k = kwCred // "licws": a credential typed with two letters swapped
			}
			if t.kind == kWord && t.end-t.start > 1 {
				n++
				switch t.shape {
				case sTitle:
					title++
				case sLower:
					lower++
				}
			}
		} else if c := text[t.start]; c == '&' || c == '@' || c == '~' || c == '%' {
			k = keywords[string(text[t.start:t.end])]
		}
		st.kws = append(st.kws, k)
	}
	st.mixed = n > 0 && title*20 >= n && lower*10 >= n*3
	st.lowerNote = !st.mixed && n > 0 && lower*10 >= n*8
}

func (st *state) run() {
	st.findWeb()
	st.findNumbers()
	st.findDates()
	st.findAges()
	st.findLocations()
	st.findNames()
	st.townOfPerson()
	st.statedDays()
	st.propagate()
	st.nameNeighbours()
	if st.high {
		st.highPass()
	}
}

// titled reports whether word i is capitalised ("Towson") in a text where
// capitals carry information: mixed case, or lower case with a few capitals.
func (st *state) titled(i int) bool {
	return (st.mixed || st.lowerNote) && st.toks[i].shape == sTitle
}

// add records a finding over tokens [i, j].
func (st *state) add(i, j int, c phigate.Category, conf float32, rec string) {
	st.found = append(st.found, phigate.Finding{
		Start: st.toks[i].start, End: st.toks[j].end, Category: c, Confidence: conf, Recognizer: rec,
	})
}

// addSpan records a finding over bytes [start, end).
func (st *state) addSpan(start, end int, c phigate.Category, conf float32, rec string) {
	st.found = append(st.found, phigate.Finding{Start: start, End: end, Category: c, Confidence: conf, Recognizer: rec})
}

// word returns the bytes of token i.
func (st *state) word(i int) []byte { return st.text[st.toks[i].start:st.toks[i].end] }

// is reports whether token i equals w, ignoring ASCII case.
func (st *state) is(i int, w string) bool {
	if i < 0 || i >= len(st.toks) {
		return false
	}
	b := st.word(i)
	if len(b) != len(w) {
		return false
	}
	for k := range b {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

// kw returns the keyword roles of token i (0 out of range).
func (st *state) kw(i int) kw {
	if i < 0 || i >= len(st.toks) {
		return 0
	}
	return st.kws[i]
}

// punct reports whether token i is the punctuation character c.
func (st *state) punct(i int, c byte) bool {
	return i >= 0 && i < len(st.toks) && st.toks[i].kind == kPunct && st.text[st.toks[i].start] == c
}

// adjacent reports whether tokens i and i+1 touch (no space between).
func (st *state) adjacent(i int) bool {
	return i+1 < len(st.toks) && !st.toks[i+1].space
}

// num returns the value of digit token i, or -1.
func (st *state) num(i int) int {
	if i < 0 || i >= len(st.toks) || st.toks[i].kind != kNum || st.toks[i].end-st.toks[i].start > 9 {
		return -1
	}
	v := 0
	for _, c := range st.word(i) {
		v = v*10 + int(c-'0')
	}
	return v
}

// digits returns the number of digits of token i if it is a number, else 0.
func (st *state) digits(i int) int {
	if i < 0 || i >= len(st.toks) || st.toks[i].kind != kNum {
		return 0
	}
	return st.toks[i].end - st.toks[i].start
}
