package eval

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Made-up names: syllables of English-like onsets, vowels and codas, with
// the endings that surnames and place names often have. The words are
// generated, so a scanner cannot know them from a dictionary.
var (
	onsets = strings.Fields(`b c d f g h j k l m n p r s t v w z b d g k l m n r s t br cr dr fr gr
		kr pr tr bl cl fl gl pl sl st sh ch th wh sp sk`)
	vowels     = strings.Fields("a e i o u a e i o a e ai ea ie ou ee oa y")
	codas      = []string{"", "", "", "n", "r", "l", "s", "t", "m", "nd", "rt", "ck", "ll", "ns", "rn", "x", "th"}
	nameEnds   = strings.Fields("son ley ton man berg ski ez ini ova ard ett ick ins ner well ford by ston ello sen")
	placeEnds  = strings.Fields("ville ton field burg wood dale ford port mont haven brook bury ridge stead wick land")
	firstLikes = strings.Fields("a ia ette ine elle o ie y ina an on en")
)

// syllables builds a word of about n letters from random syllables.
func syllables(rng *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(onsets[rng.IntN(len(onsets))])
		b.WriteString(vowels[rng.IntN(len(vowels))])
		if b.Len() < n {
			b.WriteString(codas[rng.IntN(len(codas))])
		}
	}
	return b.String()
}

// personName returns a made-up name of about n letters (n ± 2, at least 2).
func personName(rng *rand.Rand, n int) string {
	target := max(2, n+rng.IntN(5)-2)
	if target <= 3 {
		return syllables(rng, target)
	}
	var ends []string
	switch rng.IntN(3) {
	case 0:
		ends = nameEnds
	case 1:
		ends = firstLikes
	default:
		return syllables(rng, target)
	}
	e := ends[rng.IntN(len(ends))]
	return syllables(rng, max(2, target-len(e))) + e
}

// placeName returns a made-up place name of about n letters.
func placeName(rng *rand.Rand, n int) string {
	e := placeEnds[rng.IntN(len(placeEnds))]
	if rng.IntN(3) == 0 {
		return syllables(rng, max(4, n+rng.IntN(5)-2))
	}
	return syllables(rng, max(2, n-len(e)+rng.IntN(3)-1)) + e
}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december"}

// monthIndex returns the month (0-11) that word w names in full or as a
// three- or four-letter abbreviation, or -1.
func monthIndex(w string) int {
	w = strings.ToLower(w)
	for k, m := range monthNames {
		if w == m || len(w) >= 3 && len(w) <= 4 && strings.HasPrefix(m, w) {
			return k
		}
	}
	return -1
}

// date re-draws a date region: month names keep their form, numbers keep
// their role (month, day or year, told by their place and value) and digit
// count, ordinal suffixes follow the new day.
func (sw *swapper) date(pieces []string, yearOnly bool) []string {
	out := make([]string, len(pieces))
	roles := dateRoles(pieces, yearOnly)
	for k, p := range pieces {
		switch {
		case isNum(p[0]):
			out[k] = sw.number(p, roles[k])
		case isAlpha(p[0]) && monthIndex(p) >= 0:
			m := monthNames[sw.rng.IntN(12)]
			if len(p) < len(monthNames[monthIndex(p)]) {
				m = m[:3] // "Jul" -> "Oct"
				if len(p) == 4 && m == "sep" {
					m = "sept"
				}
			}
			out[k] = withCase(m, p)
		case isAlpha(p[0]) && k > 0 && isNum(pieces[k-1][0]) && isOrdinal(p):
			out[k] = "" // set after the day is known
		default:
			out[k] = p
		}
	}
	for k, p := range pieces {
		if out[k] == "" && p != "" {
			out[k] = withCase(ordinalSuffix(out[k-1]), p)
		}
	}
	return out
}

func isOrdinal(p string) bool {
	switch strings.ToLower(p) {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

func ordinalSuffix(num string) string {
	n, _ := strconv.Atoi(num)
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return "th"
	case n%10 == 1:
		return "st"
	case n%10 == 2:
		return "nd"
	case n%10 == 3:
		return "rd"
	}
	return "th"
}

// Roles of the numbers of a date.
const (
	roleDay = iota
	roleMonth
	roleYear
)

// dateRoles tells, for each numeric piece, whether it is a month, a day or
// a year. The first separator between numbers is the date's own ("/" in
// "10/03-10/04"); any other one starts a new date. A date reads
// month-day-year, year-month-day when it starts with four digits, and
// day-month when its first number cannot be a month; a lone number is a
// day, or a year when it has four digits or the span is a year.
func dateRoles(pieces []string, yearOnly bool) []int {
	roles := make([]int, len(pieces))
	var nums []int // indexes of numeric pieces of the current date
	sep := ""
	flush := func() {
		assignRoles(pieces, nums, roles, yearOnly)
		nums = nums[:0]
	}
	for k, p := range pieces {
		if !isNum(p[0]) {
			continue
		}
		if len(nums) > 0 {
			between := strings.Join(pieces[nums[len(nums)-1]+1:k], "")
			if sep == "" && len(between) == 1 {
				sep = between
			}
			if between != sep {
				flush()
			}
		}
		nums = append(nums, k)
	}
	flush()
	return roles
}

func assignRoles(pieces []string, nums []int, roles []int, yearOnly bool) {
	val := func(k int) int { n, _ := strconv.Atoi(pieces[k]); return n }
	switch {
	case len(nums) == 0:
		return
	case len(nums) == 1:
		k := nums[0]
		if yearOnly || len(pieces[k]) == 4 || len(pieces[k]) == 2 && val(k) > 31 {
			roles[k] = roleYear
		} else {
			roles[k] = roleDay
		}
		return
	case len(pieces[nums[0]]) == 4:
		roles[nums[0]], roles[nums[1]] = roleYear, roleMonth
		if len(nums) > 2 {
			roles[nums[2]] = roleDay
		}
		return
	}
	first, second := roleMonth, roleDay
	if val(nums[0]) > 12 {
		first, second = roleDay, roleMonth
	}
	roles[nums[0]], roles[nums[1]] = first, second
	if len(nums) == 2 && (val(nums[1]) > 31 || val(nums[1]) == 0) {
		roles[nums[1]] = roleYear // "4/97"
	}
	switch len(nums) {
	case 3:
		roles[nums[2]] = roleYear
	case 4: // "10/03/10/04": two dates
		roles[nums[2]], roles[nums[3]] = first, second
	}
}

// number re-draws a date number of the given role with the same number of
// digits (and a leading zero where it had one).
func (sw *swapper) number(p string, role int) string {
	n := len(p)
	zero := n == 2 && p[0] == '0'
	var lo, hi int
	switch role {
	case roleMonth:
		lo, hi = 1, 12
	case roleDay:
		lo, hi = 1, 28
	default:
		switch n {
		case 4:
			lo, hi = 1950, 2025
		case 2:
			lo, hi = 0, 99
			if v, _ := strconv.Atoi(p); v > 31 {
				lo = 32 // stays unambiguous as a year
			}
		default:
			return sw.redrawDigits(p, false)
		}
	}
	switch {
	case n == 1:
		lo, hi = max(lo, 1), min(hi, 9)
	case n == 2 && zero:
		lo, hi = max(lo, 1), min(hi, 9)
	case n == 2 && role != roleYear:
		lo = max(lo, 10)
	}
	if lo > hi {
		return p
	}
	v := lo + sw.rng.IntN(hi-lo+1)
	s := strconv.Itoa(v)
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// redrawDigits replaces every digit of p; lead keeps the first digit in
// 2-9, as in a phone number's area code.
func (sw *swapper) redrawDigits(p string, lead bool) string {
	b := []byte(p)
	for i := range b {
		b[i] = byte('0' + sw.rng.IntN(10))
		if i == 0 && lead {
			b[i] = byte('2' + sw.rng.IntN(8))
		}
	}
	return string(b)
}

// digitsAndLetters re-draws the digits of a phone number or identifier;
// letters of an identifier become other letters, words of a phone number
// ("x", "ext") stay.
func (sw *swapper) digitsAndLetters(pieces []string, phone bool) []string {
	out := make([]string, len(pieces))
	firstNum := true
	for k, p := range pieces {
		switch {
		case isNum(p[0]):
			out[k] = sw.redrawDigits(p, phone && (firstNum || len(p) == 3))
			firstNum = false
		case isAlpha(p[0]) && !phone:
			out[k] = withCase(sw.letters(len(p)), p)
		default:
			out[k] = p
		}
	}
	return out
}

// age re-draws an age over 89 with the same number of digits.
func (sw *swapper) age(pieces []string) []string {
	out := make([]string, len(pieces))
	for k, p := range pieces {
		switch {
		case isNum(p[0]) && len(p) == 2:
			out[k] = strconv.Itoa(90 + sw.rng.IntN(10))
		case isNum(p[0]) && len(p) == 3:
			out[k] = strconv.Itoa(100 + sw.rng.IntN(6))
		default:
			out[k] = p
		}
	}
	return out
}
