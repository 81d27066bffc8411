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

// tokenize appends the tokens of text to toks. Non-ASCII letters join
// words; other non-ASCII runes are punctuation.
func tokenize(toks []token, text []byte) []token {
	space, newline := true, true
	for i := 0; i < len(text); {
		c := text[i]
		if isSpace(c) {
			space = true
			newline = newline || c == '\n'
			i++
			continue
		}
		t := token{start: i, space: space, newline: newline}
		space, newline = false, false
		if isLetter(c) || isDigit(c) || c >= utf8.RuneSelf && wordRune(text[i:]) {
			i = scanWord(text, i, &t)
		} else {
			_, n := utf8.DecodeRune(text[i:])
			i += n
			t.kind = kPunct
		}
		t.end = i
		toks = append(toks, t)
	}
	return toks
}

func wordRune(b []byte) bool {
	r, _ := utf8.DecodeRune(b)
	return r != utf8.RuneError && (r >= 0xC0 && r <= 0x24F || r >= 0x370 && r <= 0x52F)
}

// scanWord reads a run of letters and digits from i and sets t's kind and
// shape. An apostrophe between two letters stays inside the word.
func scanWord(text []byte, i int, t *token) int {
	var letters, digits, upper, lower, firstUpper int
	start := i
	for i < len(text) {
		c := text[i]
		switch {
		case isDigit(c):
			digits++
			i++
		case isLetter(c):
			letters++
			if c < 'a' {
				upper++
				if i == start {
					firstUpper = 1
				}
			} else {
				lower++
			}
			i++
		case c == '\'' && i > start && isLetter(text[i-1]) && i+1 < len(text) && isLetter(text[i+1]):
			i++
		case c >= utf8.RuneSelf && wordRune(text[i:]):
			_, n := utf8.DecodeRune(text[i:])
			letters++
			lower++
			i += n
		default:
			return finishWord(t, i, letters, digits, upper, lower, firstUpper)
		}
	}
	return finishWord(t, i, letters, digits, upper, lower, firstUpper)
}

func finishWord(t *token, i, letters, digits, upper, lower, firstUpper int) int {
	switch {
	case letters == 0:
		t.kind = kNum
	case digits == 0:
		t.kind = kWord
	default:
		t.kind = kAlnum
	}
	switch {
	case upper == 0:
		t.shape = sLower
	case lower == 0:
		t.shape = sUpper
	case firstUpper == 1 && upper == 1:
		t.shape = sTitle
	default:
		t.shape = sMixed
	}
	return i
}
