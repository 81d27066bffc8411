package eval

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/phigate/phigate/phi"
)

// Swap rewrites a corpus for a generalisation test: every gold PHI span
// is replaced by a different value of the same type and shape, and the
// gold offsets follow. Names are made-up pronounceable words, places
// made-up place names and acronyms, dates are re-drawn in the same format
// (month, day and year in the same places, with the same number of
// digits), phone numbers and identifiers keep their layout with new
// digits. No new name or place word is in the scanner's dictionaries,
// so a detector that only knows the corpus's surrogates loses recall here,
// while one that reads context and shape keeps it.
//
// The same value gets the same replacement throughout a patient's notes,
// as in a real record. The result depends only on the corpus and seed.
// recs and gold are not modified.
func Swap(recs []Record, gold []Span, seed uint64) ([]Record, []Span) {
	out, spans, _ := SwapFrom(recs, gold, seed, PoolMadeUp)
	return out, spans
}

// Pool says where Swap draws new names and places from.
type Pool string

// The pools. PoolMadeUp makes up words no dictionary of the scanner holds:
// recall then rests on context and shape alone, a lower bound. PoolDict
// draws real names from the scanner's own census lists (first names for
// first names, surnames for the rest, half of them from the most common
// names) and place words from its city list: real names, but not the
// corpus's, as on notes nobody tuned on.
const (
	PoolMadeUp Pool = "madeup"
	PoolDict   Pool = "dict"
)

// ValidPool reports whether p is one of the pools.
func ValidPool(p Pool) bool { return p == PoolMadeUp || p == PoolDict }

// SwapFrom is Swap with names and places drawn from pool. It fails only
// if the scanner's dictionaries cannot be read.
func SwapFrom(recs []Record, gold []Span, seed uint64, pool Pool) ([]Record, []Span, error) {
	var lists *phi.NameLists
	if pool == PoolDict {
		var err error
		if lists, err = phi.Names(); err != nil {
			return nil, nil, fmt.Errorf("load name lists: %w", err)
		}
	}
	byNote := groupSpans(gold)
	var out []Record
	var spans []Span
	var sw *swapper
	patient := "\x00"
	for _, r := range recs {
		if r.Patient != patient || sw == nil {
			patient = r.Patient
			sw = newSwapper(seed, r.Patient)
			sw.lists = lists
		}
		text, ns := sw.note(r.Text, byNote[[2]string{r.Patient, r.Note}])
		out = append(out, Record{Patient: r.Patient, Note: r.Note, Text: text})
		spans = append(spans, ns...)
	}
	return out, spans, nil
}

// groupSpans maps each note to its gold spans, sorted by start.
func groupSpans(gold []Span) map[[2]string][]Span {
	m := map[[2]string][]Span{}
	for _, s := range gold {
		k := [2]string{s.Patient, s.Note}
		m[k] = append(m[k], s)
	}
	for _, ss := range m {
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].Start < ss[j].Start })
	}
	return m
}

// swapper holds the random source and the replacements of one patient.
type swapper struct {
	rng *rand.Rand
	// seen maps a class and an original value (lower case) to its
	// replacement (lower case for words).
	seen map[string]string
	// lists, when set, are the real names and places to draw from.
	lists *phi.NameLists
}

func newSwapper(seed uint64, patient string) *swapper {
	h := uint64(14695981039346656037)
	for _, c := range []byte(patient) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return &swapper{rng: rand.New(rand.NewPCG(seed, h)), seen: map[string]string{}}
}

// note rewrites one note's text and returns its spans with new offsets.
// Overlapping spans are rewritten once, as one region.
func (sw *swapper) note(text []byte, gold []Span) ([]byte, []Span) {
	var b strings.Builder
	pos := map[int]int{} // old offset at a piece boundary -> new offset
	last := 0
	for i := 0; i < len(gold); {
		start, end, typ := gold[i].Start, gold[i].End, gold[i].Type
		j := i + 1
		for j < len(gold) && gold[j].Start < end {
			end = max(end, gold[j].End)
			j++
		}
		i = j
		if start < last || end > len(text) {
			continue // out of bounds: left as is
		}
		b.Write(text[last:start])
		sw.region(&b, pos, string(text[start:end]), start, typ)
		last = end
	}
	b.Write(text[last:])
	out := []byte(b.String())
	ns := make([]Span, len(gold))
	for k, s := range gold {
		s.Start, s.End = mapOffset(pos, gold, s.Start), mapOffset(pos, gold, s.End)
		ns[k] = s
	}
	return out, ns
}

// mapOffset returns the new position of old offset o: exact at a piece
// boundary, otherwise shifted like the nearest boundary before it.
func mapOffset(pos map[int]int, gold []Span, o int) int {
	if n, ok := pos[o]; ok {
		return n
	}
	best, shift := -1, 0
	for old, n := range pos {
		if old <= o && old > best {
			best, shift = old, n-old
		}
	}
	return o + shift
}

// region writes the replacement of one PHI region of type typ that starts
// at old offset at, recording the new offset of every piece boundary.
func (sw *swapper) region(b *strings.Builder, pos map[int]int, s string, at int, typ string) {
	pieces := splitPieces(s)
	repl := sw.replace(pieces, typ)
	old := at
	for k, p := range pieces {
		pos[old] = b.Len()
		b.WriteString(repl[k])
		old += len(p)
	}
	pos[old] = b.Len()
}

// splitPieces cuts s into runs of letters (with inner apostrophes), runs
// of digits and single other characters.
func splitPieces(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := i + 1
		switch {
		case isAlpha(s[i]):
			for j < len(s) && (isAlpha(s[j]) || s[j] == '\'' && j+1 < len(s) && isAlpha(s[j+1]) && isAlpha(s[j-1])) {
				j++
			}
		case isNum(s[i]):
			for j < len(s) && isNum(s[j]) {
				j++
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isNum(c byte) bool   { return '0' <= c && c <= '9' }

// replace returns one replacement per piece for a region of type typ.
func (sw *swapper) replace(pieces []string, typ string) []string {
	key := typ + "\x00" + strings.ToLower(strings.Join(pieces, ""))
	numeric := typ == "Date" || typ == "DateYear" || typ == "Phone" || typ == "Age" || typ == "Other"
	if numeric {
		if r, ok := sw.seen[key]; ok {
			return splitLike(r, pieces)
		}
	}
	var out []string
	for tries := 0; tries < 8; tries++ {
		switch typ {
		case "Date", "DateYear":
			out = sw.date(pieces, typ == "DateYear")
		case "Phone", "Other":
			out = sw.digitsAndLetters(pieces, typ == "Phone")
		case "Age":
			out = sw.age(pieces)
		case "Location":
			out = sw.words(pieces, "place")
		default: // names of every kind, and unknown types
			out = sw.words(pieces, "name")
		}
		if strings.Join(out, "") != strings.Join(pieces, "") {
			break
		}
	}
	if numeric {
		sw.seen[key] = strings.Join(out, "\x00")
	}
	return out
}

// splitLike undoes the join of a remembered replacement.
func splitLike(r string, pieces []string) []string {
	out := strings.Split(r, "\x00")
	if len(out) != len(pieces) {
		return pieces
	}
	return out
}

// words replaces every word of a name or place, keeping the words that
// say what kind of place it is ("Hospital", "St.", "of").
func (sw *swapper) words(pieces []string, class string) []string {
	out := make([]string, len(pieces))
	firstWord, nwords := -1, 0
	for k, p := range pieces {
		if len(p) > 1 && isAlpha(p[0]) {
			nwords++
			if firstWord < 0 {
				firstWord = k
			}
		}
	}
	for k, p := range pieces {
		if sw.lists != nil && class == "name" && len(p) > 1 && isAlpha(p[0]) {
			out[k] = withCase(sw.realName(p, k == firstWord && nwords > 1 || nwords == 1 && phi.IsFirstName(p)), p)
			continue
		}
		switch {
		case isNum(p[0]):
			out[k] = sw.redrawDigits(p, false)
		case !isAlpha(p[0]):
			out[k] = p
		case class == "place" && keptPlaceWords[strings.ToLower(p)]:
			out[k] = p
		default:
			out[k] = withCase(sw.word(class, p), p)
		}
	}
	return out
}

// word returns the replacement of word p (lower case), the same one for
// the same word of this patient.
func (sw *swapper) word(class, p string) string {
	key := class + "\x00" + strings.ToLower(p)
	if r, ok := sw.seen[key]; ok {
		return r
	}
	var r string
	city := class == "place" && sw.lists != nil && len(p) > 3
	for tries := 0; tries < 32 && (r == "" || r == strings.ToLower(p) || !city && phi.Known(r)); tries++ {
		switch {
		case len(p) == 1:
			r = string(rune('a' + sw.rng.IntN(26)))
		case city:
			if r = sw.lists.Cities[sw.rng.IntN(len(sw.lists.Cities))]; notAName[r] {
				r = ""
			}
		case class == "place" && len(p) <= 3:
			r = sw.letters(len(p)) // "GH", "BAY": an acronym
		case class == "place":
			r = placeName(sw.rng, len(p))
		default:
			r = personName(sw.rng, len(p))
		}
	}
	sw.seen[key] = r
	return r
}

// realName returns the replacement of name word p drawn from the census
// lists: a first name when first is true, else a surname; half of the
// draws come from the most common names. The same word of this patient
// gets the same replacement.
func (sw *swapper) realName(p string, first bool) string {
	key := "name\x00" + strings.ToLower(p)
	if r, ok := sw.seen[key]; ok {
		return r
	}
	all, top := sw.lists.Last, sw.lists.LastTop
	if first {
		all, top = sw.lists.First, sw.lists.FirstTop
	}
	var r string
	for tries := 0; tries < 32 && (r == "" || r == strings.ToLower(p) || notAName[r]); tries++ {
		l := all
		if sw.rng.IntN(2) == 0 {
			l = top
		}
		r = l[sw.rng.IntN(len(l))]
	}
	sw.seen[key] = r
	return r
}

// notAName holds census names and city names that a note would read as
// something else: function words, months, weekdays, titles and
// credentials ("will", "may", "sun", "dr"). A fixed list, so that what an
// evaluation draws changes only with the dictionary.
var notAName = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be by do for from he her him his if in is it me my no not of on or
		our she so the to up us we was who with you all any but can had has have one two see day
		january february march april may june july august september october november december jan feb mar apr jun jul aug
		sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
		dr drs mr mrs ms miss md rn np pa do pt per will`) {
		notAName[w] = true
	}
}

// keptPlaceWords say what kind of place a name is; they stay so that the
// rewritten place keeps its shape ("Xyz Memorial Hospital"). "U" is a
// university ("U of X", "U X ER"): another letter there ("A of X") is a
// place no note names.
var keptPlaceWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`hospital hospitals hosp center centre ctr medical med clinic clinics rehab
		rehabilitation memorial general university univ college institute health healthcare regional community county
		nursing home manor infirmary hospice of the and at st saint mt mount street st ave avenue road rd drive dr lane ln
		boulevard blvd court ct way place pl terrace route highway suite apt unit building bldg floor north south east west
		new lake port fort city heights park valley u`) {
		keptPlaceWords[w] = true
	}
}

// letters returns n random consonant-heavy letters (an acronym).
func (sw *swapper) letters(n int) string {
	const alphabet = "bcdfghjklmnpqrstvwxyzaeiou"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[sw.rng.IntN(21)]
		if n > 2 && i == 1 {
			b[i] = alphabet[21+sw.rng.IntN(5)]
		}
	}
	return string(b)
}

// withCase gives word w the letter case of model m: UPPER, lower or Title.
func withCase(w, m string) string {
	upper, lower := 0, 0
	for _, c := range []byte(m) {
		switch {
		case 'A' <= c && c <= 'Z':
			upper++
		case 'a' <= c && c <= 'z':
			lower++
		}
	}
	switch {
	case lower == 0:
		return strings.ToUpper(w)
	case upper == 0:
		return strings.ToLower(w)
	}
	return strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
}
