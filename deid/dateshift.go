package deid

import (
	"strconv"
	"strings"
	"time"
)

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december"}

// field is one part of a written date.
type field struct {
	start, end int
	kind       byte // 'y', 'm' (number), 'M' (name), 'd'
	value      int
}

// shiftDate moves the date written in value by days and writes it back in
// the same layout. A lone year is kept. It reports false if value cannot
// be read as a date.
func shiftDate(value string, days int, yearOnly bool) (string, bool) {
	if yearOnly {
		return value, true
	}
	fs := dateFields(value)
	if len(fs) == 0 {
		return "", false
	}
	y, m, d, hasY, hasD := 2001, 1, 15, false, false
	for _, f := range fs {
		switch f.kind {
		case 'y':
			y, hasY = f.value, true
		case 'm', 'M':
			m = f.value
		case 'd':
			d, hasD = f.value, true
		}
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	var b strings.Builder
	last := 0
	for _, f := range fs {
		b.WriteString(value[last:f.start])
		orig := value[f.start:f.end]
		switch f.kind {
		case 'y':
			if len(orig) == 2 {
				b.WriteString(pad(t.Year()%100, 2))
			} else {
				b.WriteString(strconv.Itoa(t.Year()))
			}
		case 'm':
			b.WriteString(pad(int(t.Month()), len(orig)))
		case 'M':
			b.WriteString(monthLike(orig, int(t.Month())))
		case 'd':
			b.WriteString(dayLike(orig, t.Day()))
		}
		last = f.end
	}
	b.WriteString(value[last:])
	_ = hasY
	_ = hasD
	return b.String(), true
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// monthLike writes month m in the style of orig ("Jul", "JULY", "july").
func monthLike(orig string, m int) string {
	name := monthNames[m-1]
	full := false
	for _, n := range monthNames {
		full = full || strings.EqualFold(n, orig)
	}
	if !full {
		n := 3
		if strings.HasPrefix(strings.ToLower(orig), "sept") {
			n = 4
		}
		name = name[:min(n, len(name))]
	}
	return matchCase(name, orig)
}

// dayLike writes day d like orig ("22", "07", "22nd").
func dayLike(orig string, d int) string {
	i := 0
	for i < len(orig) && orig[i] >= '0' && orig[i] <= '9' {
		i++
	}
	width := 1
	if i > 1 && orig[0] == '0' {
		width = i // "07" stays two digits; "7" and "22nd" do not pad
	}
	s := pad(d, width)
	if i == len(orig) {
		return pad(d, i)
	}
	suf := "th"
	if d%100 < 11 || d%100 > 13 {
		switch d % 10 {
		case 1:
			suf = "st"
		case 2:
			suf = "nd"
		case 3:
			suf = "rd"
		}
	}
	return s + matchCase(suf, orig[i:])
}

// dateFields finds the year, month and day fields of a written date.
func dateFields(v string) []field {
	var nums []field
	var month *field
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(v[i:j])
			k := j
			for k < len(v) && (v[k]|0x20 >= 'a' && v[k]|0x20 <= 'z') && k-j < 2 {
				k++
			}
			if k > j {
				nums = append(nums, field{start: i, end: k, kind: 'd', value: n})
			} else {
				nums = append(nums, field{start: i, end: j, value: n})
			}
			i = k
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			j := i
			for j < len(v) && v[j]|0x20 >= 'a' && v[j]|0x20 <= 'z' {
				j++
			}
			if m := monthIndex(v[i:j]); m > 0 && month == nil {
				month = &field{start: i, end: j, kind: 'M', value: m}
			}
			i = j
		default:
			i++
		}
	}
	return assignFields(nums, month)
}

func monthIndex(w string) int {
	w = strings.ToLower(w)
	if len(w) < 3 {
		return 0
	}
	for i, m := range monthNames {
		if strings.HasPrefix(m, w) {
			return i + 1
		}
	}
	return 0
}

// assignFields decides which numbers are year, month and day.
func assignFields(nums []field, month *field) []field {
	var out []field
	if month != nil {
		out = append(out, *month)
		for _, n := range nums {
			if n.kind == 'd' || n.value >= 1 && n.value <= 31 && n.end-n.start <= 2 && !hasKind(out, 'd') {
				n.kind = 'd'
			} else {
				n.kind = 'y'
			}
			out = append(out, n)
		}
		return sortFields(out)
	}
	switch {
	case len(nums) == 1 && nums[0].kind == 'd':
		return nums
	case len(nums) == 3 && nums[0].end-nums[0].start == 4:
		nums[0].kind, nums[1].kind, nums[2].kind = 'y', 'm', 'd'
	case len(nums) == 3:
		nums[0].kind, nums[1].kind, nums[2].kind = 'm', 'd', 'y'
	case len(nums) == 2 && nums[1].value > 31:
		nums[0].kind, nums[1].kind = 'm', 'y'
	case len(nums) == 2:
		nums[0].kind, nums[1].kind = 'm', 'd'
	default:
		return nil
	}
	return nums
}

func hasKind(fs []field, k byte) bool {
	for _, f := range fs {
		if f.kind == k {
			return true
		}
	}
	return false
}

func sortFields(fs []field) []field {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].start < fs[j-1].start; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
	return fs
}
