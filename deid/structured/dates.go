package structured

import (
	"strconv"
	"strings"
	"time"
)

// isoDate is a FHIR date, dateTime or instant split at its precision:
// "2019", "2019-03", "2019-03-04", or a date with a time ("T...") after it.
type isoDate struct {
	year, month, day int
	precision        int    // 1 year, 2 month, 3 day
	rest             string // "T10:30:00+01:00" or ""
}

// parseISODate parses the date part of a FHIR date, dateTime or instant.
func parseISODate(s string) (isoDate, bool) {
	var d isoDate
	if len(s) < 4 || !digits(s[:4]) {
		return d, false
	}
	d.year, _ = strconv.Atoi(s[:4])
	d.precision = 1
	rest := s[4:]
	for _, part := range []*int{&d.month, &d.day} {
		if len(rest) < 3 || rest[0] != '-' || !digits(rest[1:3]) {
			break
		}
		*part, _ = strconv.Atoi(rest[1:3])
		d.precision++
		rest = rest[3:]
	}
	if rest != "" && (d.precision < 3 || rest[0] != 'T') {
		return d, false
	}
	if d.precision >= 2 && (d.month < 1 || d.month > 12) || d.precision == 3 && (d.day < 1 || d.day > daysIn(d.year, d.month)) {
		return d, false
	}
	d.rest = rest
	return d, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// shift moves d by days, keeping its precision: a month is moved by where
// its first day lands, a lone year is left as it is.
func (d isoDate) shift(days int) isoDate {
	if d.precision == 1 {
		return d
	}
	day := d.day
	if d.precision == 2 {
		day = 1
	}
	t := time.Date(d.year, time.Month(d.month), day, 12, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	d.year, d.month = t.Year(), int(t.Month())
	if d.precision == 3 {
		d.day = t.Day()
	}
	return d
}

func (d isoDate) String() string {
	var b strings.Builder
	b.WriteString(pad(d.year, 4))
	if d.precision >= 2 {
		b.WriteString("-" + pad(d.month, 2))
	}
	if d.precision >= 3 {
		b.WriteString("-" + pad(d.day, 2))
	}
	b.WriteString(d.rest)
	return b.String()
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// parseDate reads a date in ISO form or in the forms common in US
// records: M/D/YYYY, M-D-YYYY, YYYYMMDD. It returns the date and a function
// that formats another date the same way.
func parseDate(s string) (isoDate, func(isoDate) string, bool) {
	s = strings.TrimSpace(s)
	if d, ok := parseISODate(s); ok {
		return d, isoDate.String, true
	}
	if len(s) == 8 && digits(s) {
		d, ok := parseISODate(s[:4] + "-" + s[4:6] + "-" + s[6:])
		return d, func(d isoDate) string { return pad(d.year, 4) + pad(d.month, 2) + pad(d.day, 2) }, ok
	}
	for _, sep := range []string{"/", "-"} {
		p := strings.Split(s, sep)
		if len(p) != 3 || !digits(p[0]) || !digits(p[1]) || len(p[2]) != 4 || !digits(p[2]) || len(p[0]) > 2 || len(p[1]) > 2 {
			continue
		}
		d, ok := parseISODate(p[2] + "-" + pad(atoi(p[0]), 2) + "-" + pad(atoi(p[1]), 2))
		wide := len(p[0]) == 2
		return d, func(d isoDate) string {
			m, dd := strconv.Itoa(d.month), strconv.Itoa(d.day)
			if wide {
				m, dd = pad(d.month, 2), pad(d.day, 2)
			}
			return m + sep + dd + sep + pad(d.year, 4)
		}, ok
	}
	return isoDate{}, nil, false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// yearOf returns the year of a date in any form parseDate reads.
func yearOf(s string) (int, bool) {
	d, _, ok := parseDate(s)
	return d.year, ok
}
