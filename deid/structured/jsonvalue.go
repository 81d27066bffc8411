package structured

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the kind of a JSON value.
type kind uint8

const (
	jNull kind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// value is a JSON value that keeps the order of object keys and the exact
// text of numbers, so that FHIR decimals and documents survive a round
// trip unchanged where no rule touches them.
type value struct {
	kind kind
	str  string   // a string's content; a number's or boolean's literal
	arr  []*value // array elements
	keys []string // object keys, in order
	vals []*value // object values, parallel to keys
	off  int      // byte offset of the value in its input
}

// get returns the value of key in an object, or nil.
func (v *value) get(key string) *value {
	if v == nil || v.kind != jObject {
		return nil
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

// stringAt returns the string value of key, or "".
func (v *value) stringAt(key string) string {
	if s := v.get(key); s != nil && s.kind == jString {
		return s.str
	}
	return ""
}

// errSyntax is a JSON syntax error at a byte offset.
type errSyntax struct{ off int }

func (e *errSyntax) Error() string { return "invalid JSON at byte " + strconv.Itoa(e.off) }

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 256

type parser struct {
	data []byte
	pos  int
}

// parseJSON parses one JSON value that must fill data (surrounding white
// space aside).
func parseJSON(data []byte) (*value, error) {
	p := &parser{data: data}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.data) {
		return nil, &errSyntax{p.pos}
	}
	return v, nil
}

func (p *parser) fail() error { return &errSyntax{p.pos} }

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*value, error) {
	if depth > maxDepth {
		return nil, p.fail()
	}
	p.space()
	if p.pos >= len(p.data) {
		return nil, p.fail()
	}
	start := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		return &value{kind: jString, str: s, off: start}, err
	case c == 't':
		return p.literal("true", jBool)
	case c == 'f':
		return p.literal("false", jBool)
	case c == 'n':
		return p.literal("null", jNull)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, p.fail()
}

func (p *parser) literal(lit string, k kind) (*value, error) {
	start := p.pos
	if len(p.data)-p.pos < len(lit) || string(p.data[p.pos:p.pos+len(lit)]) != lit {
		return nil, p.fail()
	}
	p.pos += len(lit)
	return &value{kind: k, str: lit, off: start}, nil
}

func (p *parser) number() (*value, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.digits() == 0:
		return nil, p.fail()
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return nil, p.fail()
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return nil, p.fail()
		}
	}
	return &value{kind: jNumber, str: string(p.data[start:p.pos]), off: start}, nil
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

func (p *parser) object(depth int) (*value, error) {
	v := &value{kind: jObject, off: p.pos}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail()
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail()
		}
		p.pos++
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.keys, v.vals = append(v.keys, k), append(v.vals, val)
		if done, err := p.next('}'); done || err != nil {
			return v, err
		}
	}
}

func (p *parser) array(depth int) (*value, error) {
	v := &value{kind: jArray, off: p.pos}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		el, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, el)
		if done, err := p.next(']'); done || err != nil {
			return v, err
		}
	}
}

// next consumes a ',' (false) or the closing byte (true).
func (p *parser) next(closing byte) (bool, error) {
	p.space()
	if p.pos >= len(p.data) {
		return false, p.fail()
	}
	switch p.data[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	return false, p.fail()
}

// string parses a quoted string at p.pos.
func (p *parser) string() (string, error) {
	p.pos++
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			s := string(p.data[start:p.pos])
			p.pos++
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.fail()
		}
		p.pos++
	}
	return "", p.fail()
}

// escaped finishes a string that holds escapes, from its start.
func (p *parser) escaped(start int) (string, error) {
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail()
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.data) {
			return "", p.fail()
		}
		e := p.data[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := p.unicode()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", &errSyntax{p.pos - 1}
		}
	}
	return "", p.fail()
}

// unicode reads the hex digits of \u escapes, joining surrogate pairs.
func (p *parser) unicode() (rune, error) {
	r, ok := p.hex4()
	if !ok {
		return 0, p.fail()
	}
	if utf16.IsSurrogate(r) && p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
		save := p.pos
		p.pos += 2
		if r2, ok := p.hex4(); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, nil
			}
		}
		p.pos = save
	}
	if utf16.IsSurrogate(r) {
		return utf8.RuneError, nil
	}
	return r, nil
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

// appendJSON appends v as compact JSON, or indented by indent per level
// when indent is not empty.
func appendJSON(dst []byte, v *value, indent string, depth int) []byte {
	switch v.kind {
	case jString:
		return appendQuoted(dst, v.str)
	case jArray:
		if len(v.arr) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, el := range v.arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = newline(dst, indent, depth+1)
			dst = appendJSON(dst, el, indent, depth+1)
		}
		return append(newline(dst, indent, depth), ']')
	case jObject:
		if len(v.keys) == 0 {
			return append(dst, "{}"...)
		}
		dst = append(dst, '{')
		for i, k := range v.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = newline(dst, indent, depth+1)
			dst = append(appendQuoted(dst, k), ':')
			if indent != "" {
				dst = append(dst, ' ')
			}
			dst = appendJSON(dst, v.vals[i], indent, depth+1)
		}
		return append(newline(dst, indent, depth), '}')
	}
	return append(dst, v.str...)
}

func newline(dst []byte, indent string, depth int) []byte {
	if indent == "" {
		return dst
	}
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, indent...)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
