package phi

import "testing"

// FuzzTokenizeHash checks that the hash tokenize computes on the fly for a
// word is the hash the dictionary was indexed with, that of the word in
// lower case: a mismatch would make every lookup of that word miss.
func FuzzTokenizeHash(f *testing.F) {
	for _, s := range []string{
		"Pt seen by Dr. O'Connell at 7/22, son JOSÉ called", "3LNP x45 MCGREGOR's", "Zoë\tBjörk\nÅngström 'quoted'",
		"", "a", "\xff\xfeA", "Ω-word İstanbul",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		toks, hashes := tokenize(nil, nil, text)
		if len(toks) != len(hashes) {
			t.Fatalf("%d tokens, %d hashes", len(toks), len(hashes))
		}
		for i, tok := range toks {
			w := text[tok.start:tok.end]
			if tok.kind == kPunct {
				continue
			}
			if want := hash64(foldASCII(w)); hashes[i] != want {
				t.Fatalf("token %q: hash %x, want %x", w, hashes[i], want)
			}
		}
	})
}

// foldASCII is b with ASCII capitals in lower case, as the dictionary
// keys are.
func foldASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// TestTokenShapes pins kind and shape on words of each form.
func TestTokenShapes(t *testing.T) {
	for _, c := range []struct {
		text  string
		kind  kind
		shape shape
	}{
		{"smith", kWord, sLower}, {"SMITH", kWord, sUpper}, {"Smith", kWord, sTitle},
		{"McGregor", kWord, sMixed}, {"O'Connell", kWord, sMixed}, {"o'connell", kWord, sLower},
		{"1234", kNum, sLower}, {"3LNP", kAlnum, sUpper}, {"x45", kAlnum, sLower},
		{"José", kWord, sTitle}, {"ÉLAN", kWord, sMixed},
	} {
		toks, _ := tokenize(nil, nil, []byte(c.text))
		if len(toks) != 1 || toks[0].kind != c.kind || toks[0].shape != c.shape {
			t.Errorf("%q: %+v, want one token kind %d shape %d", c.text, toks, c.kind, c.shape)
		}
	}
}
