package phi

import "unicode/utf8"

// kind is the lexical class of a token.
type kind uint8

const (
	kWord  kind = iota + 1 // letters, with inner apostrophes ("O'Connell")
	kNum                   // digits
	kAlnum                 // letters and digits ("3LNP", "x45")
	kPunct                 // one other character
)

// shape is the letter case of a word.
type shape uint8

const (
	sLower shape = iota + 1
	sUpper
	sTitle
	sMixed
)

// token is one lexical unit of the text. Offsets are bytes.
type token struct {
	start, end int
	kind       kind
	shape      shape
	space      bool  // whitespace before it
	newline    bool  // a line break before it
	flags      wflag // dictionaries the word (lower case) is in
	// near caches nearWord: 0 not yet asked, 1 no, 2 yes.
	near uint8
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// Character classes for the tokenizer.
const (
	cDigit = 1 << iota
	cUpper // an ASCII capital; cUpper<<4 is the bit that folds it
	cLower
	cSpace
	cNewline
	cHigh    // a byte of a multi-byte rune
	cWordish = cDigit | cUpper | cLower
)

var charClass = func() (t [256]uint8) {
	for c := range t {
		switch b := byte(c); {
		case isDigit(b):
			t[c] = cDigit
		case 'A' <= b && b <= 'Z':
			t[c] = cUpper
		case 'a' <= b && b <= 'z':
			t[c] = cLower
		case b == '\n':
			t[c] = cSpace | cNewline
		case isSpace(b):
			t[c] = cSpace
		case b >= utf8.RuneSelf:
			t[c] = cHigh
		}
	}
	return t
}()

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// tokenize appends the tokens of text to toks and, for each, the hash64
// of its bytes folded to lower case to hashes (0 for punctuation), so
// that the dictionary lookups need not read the words again. Non-ASCII
// letters join words; other non-ASCII runes are punctuation.
func tokenize(toks []token, hashes []uint64, text []byte) ([]token, []uint64) {
	space, newline := true, true
	for i := 0; i < len(text); {
		k := charClass[text[i]]
		if k&cSpace != 0 {
			space = true
			newline = newline || k&cNewline != 0
			i++
			continue
		}
		t := token{start: i, space: space, newline: newline}
		space, newline = false, false
		var h uint64
		if k&cWordish != 0 || k&cHigh != 0 && wordRune(text[i:]) {
			i, h = scanWord(text, i, &t)
		} else {
			_, n := utf8.DecodeRune(text[i:])
			i += n
			t.kind = kPunct
		}
		t.end = i
		toks = append(toks, t)
		hashes = append(hashes, h)
	}
	return toks, hashes
}

func wordRune(b []byte) bool {
	r, _ := utf8.DecodeRune(b)
	return r != utf8.RuneError && (r >= 0xC0 && r <= 0x24F || r >= 0x370 && r <= 0x52F)
}

// scanWord reads a run of letters and digits from i, sets t's kind and
// shape and returns the end and the word's folded hash. An apostrophe
// between two letters stays inside the word.
func scanWord(text []byte, i int, t *token) (int, uint64) {
	start := i
	var seen uint8
	upper := 0
	h := uint64(fnvOffset)
	for i < len(text) {
		c := text[i]
		k := charClass[c]
		switch {
		case k&cWordish != 0:
			seen |= k
			upper += int(k & cUpper)
			h = (h ^ uint64(c|(k&cUpper)<<4)) * fnvPrime
			i++
		case c == '\'' && i > start && isLetter(text[i-1]) && i+1 < len(text) && isLetter(text[i+1]):
			h = (h ^ uint64(c)) * fnvPrime
			i++
		case k&cHigh != 0 && wordRune(text[i:]):
			_, n := utf8.DecodeRune(text[i:])
			for _, b := range text[i : i+n] {
				h = (h ^ uint64(b)) * fnvPrime
			}
			seen |= cLower
			i += n
		default:
			return finishWord(t, i, seen, upper/cUpper, charClass[text[start]]&cUpper != 0), nonzero(h)
		}
	}
	return finishWord(t, i, seen, upper/cUpper, charClass[text[start]]&cUpper != 0), nonzero(h)
}

func nonzero(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// finishWord sets t's kind and shape from the classes seen in the word,
// its number of capitals and whether it starts with one.
func finishWord(t *token, i int, seen uint8, upper int, firstUpper bool) int {
	switch {
	case seen&(cUpper|cLower) == 0:
		t.kind = kNum
	case seen&cDigit == 0:
		t.kind = kWord
	default:
		t.kind = kAlnum
	}
	switch {
	case upper == 0:
		t.shape = sLower
	case seen&cLower == 0:
		t.shape = sUpper
	case firstUpper && upper == 1:
		t.shape = sTitle
	default:
		t.shape = sMixed
	}
	return i
}
