package eval_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/phi/eval"
)

// swapCorpus is a made-up corpus with every gold type, an overlapping
// pair of spans and a value repeated across notes of one patient.
const swapCorpus = "START_OF_RECORD=7||||1||||\n" +
	"Seen by Dr. Rakusin on 7/22/2023. Transferred from Kessler Adventist Hosp.\n" +
	"Call wife SUZETTE at 410-555-1212 x45. She is 92. DOB 05/09/59, MI in '92.\n" +
	"Tx 10/03-10/04, fx4/97, the 22nd of July. MRN ab1234.\n||||END_OF_RECORD\n" +
	"START_OF_RECORD=7||||2||||\nDr. Rakusin aware; seen 7/22.\n||||END_OF_RECORD\n"

func swapGold(t *testing.T) ([]eval.Record, []eval.Span) {
	t.Helper()
	recs, err := eval.ParseText(strings.NewReader(swapCorpus))
	if err != nil {
		t.Fatal(err)
	}
	var gold []eval.Span
	add := func(note int, s, typ string, nth int) {
		text := string(recs[note].Text)
		at := -1
		for n := 0; n <= nth; n++ {
			at += 1 + strings.Index(text[at+1:], s)
		}
		gold = append(gold, eval.Span{Patient: "7", Note: strconv.Itoa(note + 1), Start: at, End: at + len(s), Type: typ})
	}
	add(0, "Rakusin", "HCPName", 0)
	add(0, "7/22/2023", "Date", 0)
	add(0, "Kessler Adventist", "Location", 0)
	add(0, "Adventist Hosp", "Location", 0)
	add(0, "SUZETTE", "RelativeProxyName", 0)
	add(0, "410-555-1212 x45", "Phone", 0)
	add(0, "92", "Age", 0)
	add(0, "05/09/59", "Date", 0)
	add(0, "'92", "DateYear", 0)
	add(0, "10/03-10/04", "Date", 0)
	add(0, "4/97", "Date", 0)
	add(0, "22nd of July", "Date", 0)
	add(0, "ab1234", "Other", 0)
	add(1, "Rakusin", "HCPName", 0)
	add(1, "7/22", "Date", 0)
	return recs, gold
}

func TestSwap(t *testing.T) {
	recs, gold := swapGold(t)
	a, ga := eval.Swap(recs, gold, 1)
	b, gb := eval.Swap(recs, gold, 1)
	c, _ := eval.Swap(recs, gold, 2)
	t.Run("OK/Reproducible", func(t *testing.T) {
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(ga, gb) {
			t.Fatal("same seed, different corpus")
		}
		if reflect.DeepEqual(a, c) {
			t.Fatal("different seeds, same corpus")
		}
	})
	t.Run("OK/InputUnchanged", func(t *testing.T) {
		again, _ := swapGold(t)
		if !reflect.DeepEqual(recs, again) {
			t.Fatal("Swap modified its input")
		}
	})
	t.Run("OK/OutsideSpansKept", func(t *testing.T) {
		for k := range recs {
			if got, want := outside(a[k].Text, ga, k), outside(recs[k].Text, gold, k); got != want {
				t.Errorf("note %d: text outside spans changed:\n%q\n%q", k+1, got, want)
			}
		}
	})
	for k, s := range gold {
		old := string(recs[noteIndex(s)].Text[s.Start:s.End])
		n := ga[k]
		if n.Start < 0 || n.End > len(a[noteIndex(n)].Text) || n.Start > n.End {
			t.Fatalf("span %d out of bounds", k)
		}
		now := string(a[noteIndex(n)].Text[n.Start:n.End])
		t.Run("OK/"+s.Type+"/"+old, func(t *testing.T) {
			if now == old {
				t.Errorf("%q not replaced", old)
			}
			checkShape(t, s.Type, old, now)
		})
	}
	t.Run("OK/Consistent", func(t *testing.T) {
		first := string(a[0].Text[ga[0].Start:ga[0].End])
		again := string(a[1].Text[ga[13].Start:ga[13].End])
		if first != again {
			t.Errorf("same name swapped to %q and %q in one patient's notes", first, again)
		}
	})
}

// outside returns the text of note k with its gold spans cut out.
func outside(text []byte, gold []eval.Span, k int) string {
	var b strings.Builder
	last := 0
	for _, s := range gold {
		if noteIndex(s) != k || s.Start < last {
			continue
		}
		b.Write(text[last:s.Start])
		b.WriteByte('|')
		last = s.End
	}
	b.Write(text[last:])
	return b.String()
}

func noteIndex(s eval.Span) int { n, _ := strconv.Atoi(s.Note); return n - 1 }

// checkShape checks that a swapped value keeps the shape of its type.
func checkShape(t *testing.T, typ, old, now string) {
	t.Helper()
	if shape(old, typ != "Location" && !strings.HasSuffix(typ, "Name")) != shape(now, typ != "Location" && !strings.HasSuffix(typ, "Name")) {
		t.Errorf("%s %q -> %q: shape changed", typ, old, now)
	}
	switch typ {
	case "HCPName", "RelativeProxyName":
		for _, w := range strings.Fields(now) {
			if phi.Known(w) {
				t.Errorf("%q: swapped name %q is a dictionary word", old, w)
			}
		}
	case "Date":
		if p := strings.FieldsFunc(now, func(r rune) bool { return r == '/' }); len(p) >= 2 && strings.Count(old, "/") == 2 {
			if m, _ := strconv.Atoi(p[0]); m < 1 || m > 12 {
				t.Errorf("%q -> %q: month out of range", old, now)
			}
		}
		if strings.Contains(old, "22nd") && !strings.Contains(strings.ToLower(now), "of") {
			t.Errorf("%q -> %q: words lost", old, now)
		}
	case "Age":
		if n, _ := strconv.Atoi(now); n < 90 {
			t.Errorf("age %q -> %q: not over 89", old, now)
		}
	}
}

// shape maps letters to a/A and, when digits is true, digits to 9, so
// that a value and its replacement can be compared.
func shape(s string, digits bool) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z' && digits:
			b[i] = 'a'
		case 'A' <= c && c <= 'Z' && digits:
			b[i] = 'A'
		case '0' <= c && c <= '9' && digits:
			b[i] = '9'
		}
	}
	if !digits { // words change length: compare case and punctuation only
		var out []byte
		for _, w := range strings.Fields(string(b)) {
			out = append(out, caseOf(w)...)
		}
		return string(out)
	}
	var out []byte // a month name changes length: one letter per word
	for i, c := range b {
		if i == 0 || !(c == 'a' || c == 'A') || b[i-1] != c {
			out = append(out, c)
		}
	}
	return string(out)
}

func caseOf(w string) string {
	switch {
	case strings.ToUpper(w) == w:
		return "U"
	case strings.ToLower(w) == w:
		return "l"
	}
	return "T"
}

func TestRecaseMixed(t *testing.T) {
	corpus := "START_OF_RECORD=1||||1||||\nSeen by Dr. Rakusin on 7/22, who was aware.\n||||END_OF_RECORD\n" +
		"START_OF_RECORD=1||||2||||\nSEEN BY DR RAKUSIN.\n||||END_OF_RECORD\n"
	recs, _ := eval.ParseText(strings.NewReader(corpus))
	gold := []eval.Span{{Patient: "1", Note: "1", Start: 12, End: 19, Type: "HCPName"},
		{Patient: "1", Note: "2", Start: 11, End: 18, Type: "HCPName"}}
	for _, c := range []eval.Case{eval.CaseAsIs, eval.CaseLower, eval.CaseUpper} {
		t.Run("OK/"+string(c), func(t *testing.T) {
			out, g := eval.RecaseMixed(recs, gold, c)
			if len(out) != 1 || len(g) != 1 || out[0].Note != "1" {
				t.Fatalf("kept %d notes, %d spans; want the mixed-case one", len(out), len(g))
			}
			got := string(out[0].Text[g[0].Start:g[0].End])
			want := map[eval.Case]string{eval.CaseAsIs: "Rakusin", eval.CaseLower: "rakusin", eval.CaseUpper: "RAKUSIN"}[c]
			if got != want {
				t.Errorf("span reads %q, want %q", got, want)
			}
		})
	}
	if eval.ValidCase("title") {
		t.Error("ValidCase accepts an unknown case")
	}
}

func TestLeaks(t *testing.T) {
	recs, _ := eval.ParseText(strings.NewReader(sample))
	gold, _ := eval.ParsePhrases(strings.NewReader(samplePhrases))
	res, err := eval.Score(none{}, recs, gold)
	if err != nil {
		t.Fatal(err)
	}
	if res.Leaks.Gold != 2 || res.Leaks.Leaked != 2 {
		t.Errorf("with no findings: %d of %d leaked, want 2 of 2", res.Leaks.Leaked, res.Leaks.Gold)
	}
	res, _ = eval.Score(phi.NewScanner(), recs, gold)
	if res.Leaks.Leaked != 0 {
		t.Errorf("with the scanner: %d leaked (%v)", res.Leaks.Leaked, res.Leaks.ByType)
	}
}

// TestSwapDict checks the dict pool: every name word becomes a census
// name (a first name where the original was one), every longer place
// word a city of the scanner's list, never the original value; other
// types change as in the made-up pool.
func TestSwapDict(t *testing.T) {
	recs, gold := swapGold(t)
	lists, err := phi.Names()
	if err != nil {
		t.Fatal(err)
	}
	in := func(l []string, w string) bool {
		w = strings.ToLower(w)
		for _, x := range l {
			if x == w {
				return true
			}
		}
		return false
	}
	a, ga, err := eval.SwapFrom(recs, gold, 1, eval.PoolDict)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := eval.SwapFrom(recs, gold, 1, eval.PoolDict)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different corpus")
	}
	for k, s := range gold {
		old := string(recs[noteIndex(s)].Text[s.Start:s.End])
		now := string(a[noteIndex(ga[k])].Text[ga[k].Start:ga[k].End])
		t.Run("OK/"+s.Type+"/"+old, func(t *testing.T) {
			if strings.EqualFold(now, old) {
				t.Fatalf("%q not replaced", old)
			}
			if caseOf(now) != caseOf(old) {
				t.Errorf("%q -> %q: case changed", old, now)
			}
			switch s.Type {
			case "HCPName", "RelativeProxyName":
				want := map[bool][]string{true: lists.First, false: lists.Last}[phi.IsFirstName(old)]
				if !in(want, now) {
					t.Errorf("%q -> %q: not in the census list", old, now)
				}
			case "Location":
				if w := strings.Fields(now)[0]; !in(lists.Cities, w) {
					t.Errorf("%q -> %q: %q is no city of the list", old, now, w)
				}
			}
		})
	}
	if !eval.ValidPool(eval.PoolDict) || eval.ValidPool("census") {
		t.Error("ValidPool")
	}
}

// TestSwapKeepsUniversity checks that the "U" of "U of X" and "U X ER",
// a university, stays while the rest of the place is swapped.
func TestSwapKeepsUniversity(t *testing.T) {
	const corpus = "START_OF_RECORD=3||||1||||\nSent to U Kessler ER, then to U of Verdon Med Center.\n||||END_OF_RECORD\n"
	recs, err := eval.ParseText(strings.NewReader(corpus))
	if err != nil {
		t.Fatal(err)
	}
	text := string(recs[0].Text)
	var gold []eval.Span
	for _, s := range []struct {
		w   string
		nth int
	}{{"U", 0}, {"Kessler", 0}, {"U", 1}, {"of", 0}, {"Verdon", 0}} {
		at := -1
		for n := 0; n <= s.nth; n++ {
			at += 1 + strings.Index(text[at+1:], s.w)
		}
		gold = append(gold, eval.Span{Patient: "3", Note: "1", Start: at, End: at + len(s.w), Type: "Location"})
	}
	for _, pool := range []eval.Pool{eval.PoolMadeUp, eval.PoolDict} {
		out, spans, err := eval.SwapFrom(recs, gold, 5, pool)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(spans))
		for k, s := range spans {
			got[k] = string(out[0].Text[s.Start:s.End])
		}
		if got[0] != "U" || got[2] != "U" || got[3] != "of" {
			t.Errorf("%s: university or 'of' swapped: %q", pool, got)
		}
		if got[1] == "Kessler" || got[4] == "Verdon" {
			t.Errorf("%s: place name kept: %q", pool, got)
		}
	}
}
