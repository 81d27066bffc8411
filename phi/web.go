package phi

import (
	"bytes"

	"github.com/phigate/phigate"
)

// findWeb finds e-mail addresses, URLs and IP addresses.
func (st *state) findWeb() {
	st.findEmails()
	st.findURLs()
	st.findIPv4()
	st.findIPv6()
}

func isEmailLocal(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isHostByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '.' || c == '-' }

func (st *state) findEmails() {
	t := st.text
	for off := 0; ; {
		k := bytes.IndexByte(t[off:], '@')
		if k < 0 {
			return
		}
		at := off + k
		off = at + 1
		s := at
		for s > 0 && isEmailLocal(t[s-1]) {
			s--
		}
		e := at + 1
		for e < len(t) && isHostByte(t[e]) {
			e++
		}
		for e > at+1 && (t[e-1] == '.' || t[e-1] == '-') {
			e--
		}
		if s == at || !validHost(t[at+1:e]) {
			continue
		}
		st.addSpan(s, e, phigate.EMAIL, 0.98, "email")
		off = e
	}
}

// validHost reports whether h looks like a domain name with a TLD.
func validHost(h []byte) bool {
	dot := bytes.LastIndexByte(h, '.')
	if dot <= 0 || len(h)-dot-1 < 2 || len(h)-dot-1 > 6 || bytes.Contains(h, []byte("..")) {
		return false
	}
	for _, c := range h[dot+1:] {
		if !isLetter(c) {
			return false
		}
	}
	return true
}

var urlPrefixes = [][]byte{[]byte("http://"), []byte("https://"), []byte("ftp://"), []byte("www.")}

func isURLByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\'' && c != '`'
}

func (st *state) findURLs() {
	t := st.text
	for i := range st.toks {
		tk := &st.toks[i]
		if tk.kind != kWord {
			continue
		}
		c, d := t[tk.start]|0x20, byte(0)
		if tk.end-tk.start >= 3 {
			d = t[tk.start+1] | 0x20
		}
		if ((c == 'h' || c == 'f') && d == 't' || c == 'w' && d == 'w') && urlPrefixAt(t[tk.start:]) > 0 { // "http", "ftp", "www"
			p := urlPrefixAt(t[tk.start:])
			e := tk.start + p
			for e < len(t) && isURLByte(t[e]) {
				e++
			}
			for e > tk.start+p && bytes.IndexByte([]byte(".,;:!?)]}"), t[e-1]) >= 0 {
				e--
			}
			if e > tk.start+p {
				st.addSpan(tk.start, e, phigate.URL, 0.97, "url")
			}
			continue
		}
		if st.punct(i+1, '.') && st.adjacent(i) && st.adjacent(i+1) {
			st.findBareDomain(i) // "example.org": no space after the dot
		}
	}
}

func urlPrefixAt(b []byte) int {
	for _, p := range urlPrefixes {
		if len(b) >= len(p) && bytes.EqualFold(b[:len(p)], p) {
			return len(p)
		}
	}
	return 0
}

var tlds = map[string]bool{"com": true, "org": true, "net": true, "edu": true, "gov": true, "io": true, "info": true,
	"biz": true, "us": true, "health": true, "care": true, "co": true, "uk": true, "ca": true, "me": true, "ly": true, "app": true}

// findBareDomain finds "example.org/path" starting at word i.
func (st *state) findBareDomain(i int) {
	if i > 0 && (st.punct(i-1, '.') || st.punct(i-1, '@') || st.punct(i-1, '/')) && !st.toks[i].space {
		return
	}
	j := i
	for j+2 < len(st.toks) && st.punct(j+1, '.') && st.adjacent(j) && st.adjacent(j+1) &&
		(st.toks[j+2].kind == kWord || st.toks[j+2].kind == kAlnum) {
		j += 2
	}
	if j == i || st.toks[j].kind != kWord || !tlds[string(lowerInto(st.buf[:0], st.word(j)))] {
		return
	}
	if st.toks[j].shape != sLower && !st.is(i, "www") {
		return // "FEET ARE WARM.CO": a sentence glued to the next, not a domain
	}
	e := st.toks[j].end
	if e < len(st.text) && st.text[e] == '/' {
		for e < len(st.text) && isURLByte(st.text[e]) {
			e++
		}
	}
	st.addSpan(st.toks[i].start, e, phigate.URL, 0.9, "url-domain")
}

func lowerInto(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// findIPv4 finds dotted quads whose parts are at most 255.
func (st *state) findIPv4() {
	for i := 0; i+6 < len(st.toks); i++ {
		if st.toks[i].kind != kNum || !st.punct(i+1, '.') || !st.adjacent(i) {
			continue
		}
		ok := true
		for k := 0; k < 4 && ok; k++ {
			n := st.num(i + 2*k)
			ok = n >= 0 && n <= 255 && st.digits(i+2*k) <= 3
			if k < 3 {
				ok = ok && st.punct(i+2*k+1, '.') && st.adjacent(i+2*k) && st.adjacent(i+2*k+1)
			}
		}
		glued := i > 0 && (st.punct(i-1, '.') || st.punct(i-1, '/') || st.punct(i-1, '-')) && st.adjacent(i-1)
		if ok && !glued && !(st.punct(i+7, '.') && st.num(i+8) >= 0 && st.adjacent(i+6)) {
			st.add(i, i+6, phigate.IP, 0.95, "ipv4")
			i += 6
		}
	}
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// findIPv6 finds IPv6 addresses: hex groups and colons with "::" or 8 groups.
func (st *state) findIPv6() {
	t := st.text
	for off := 0; ; {
		k := bytes.IndexByte(t[off:], ':')
		if k < 0 {
			return
		}
		c := off + k
		s, e := c, c
		for s > 0 && (isHex(t[s-1]) || t[s-1] == ':') {
			s--
		}
		for e < len(t) && (isHex(t[e]) || t[e] == ':' || t[e] == '.') {
			e++
		}
		off = max(e, c+1)
		for e > c+1 && t[e-1] == '.' {
			e-- // a sentence's period is no part of the address
		}
		if validIPv6(t[s:e]) && (s == 0 || !isLetter(t[s-1])) && (e == len(t) || !isLetter(t[e])) {
			st.addSpan(s, e, phigate.IP, 0.9, "ipv6")
		}
	}
}

func validIPv6(b []byte) bool {
	b = bytes.TrimRight(b, ".")
	if bytes.Count(b, []byte(":")) < 2 {
		return false
	}
	double := bytes.Count(b, []byte("::"))
	if double > 1 {
		return false
	}
	groups := bytes.Split(b, []byte(":"))
	n := 0
	for _, g := range groups {
		if len(g) > 4 || bytes.IndexByte(g, '.') >= 0 {
			return false
		}
		if len(g) > 0 {
			n++
		}
	}
	return n <= 8 && (double == 1 || n == 8)
}
