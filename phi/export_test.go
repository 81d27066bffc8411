package phi

import (
	"os"
	"strings"
	"testing"
)

// TestDebugFlags prints the dictionary flags of the words in PHI_WORDS
// (a development aid; it does nothing otherwise).
func TestDebugFlags(t *testing.T) {
	words := os.Getenv("PHI_WORDS")
	if words == "" {
		t.Skip("PHI_WORDS not set")
	}
	lx, err := loadLexicon()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range strings.Fields(words) {
		f := lx.lookup([]byte(strings.ToLower(w)))
		var s []byte
		for c, v := range flagLetters {
			if f&v != 0 {
				s = append(s, c)
			}
		}
		t.Logf("%s: %s", w, s)
	}
}
