package gateway

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// elem is one step of a path into a JSON document: an object key or an
// array index.
type elem struct {
	key   string
	index int
	isKey bool
}

// jpath is the path of a JSON value from the document root.
type jpath []elem

// key returns the object key at position i from the end (0: last), or "".
func (p jpath) key(i int) string {
	if i >= len(p) || !p[len(p)-1-i].isKey {
		return ""
	}
	return p[len(p)-1-i].key
}

// index returns the array index at position i from the start, or -1.
func (p jpath) index(i int) int {
	if i >= len(p) || p[i].isKey {
		return -1
	}
	return p[i].index
}

// rootKey returns the first key of the path, or "".
func (p jpath) rootKey() string {
	if len(p) == 0 || !p[0].isKey {
		return ""
	}
	return p[0].key
}

var errJSON = errors.New("malformed JSON")

// stringFunc sees one string value of a document (decoded) with its path
// (valid only during the call) and returns its replacement and whether it
// changed.
type stringFunc func(p jpath, s string) (string, bool, error)

// rewriteStrings appends src, a JSON document, to dst with each string
// value passed through fn; object keys, numbers, layout and every value fn
// leaves unchanged are kept byte for byte, so only string values change
// and the result stays valid JSON.
func rewriteStrings(dst, src []byte, fn stringFunc) ([]byte, error) {
	if !json.Valid(src) {
		return dst, errJSON
	}
	type frame struct {
		obj       bool
		expectKey bool
	}
	var stack []frame
	var path jpath
	last := 0
	for i := 0; i < len(src); {
		switch c := src[i]; c {
		case '{', '[':
			stack = append(stack, frame{obj: c == '{', expectKey: c == '{'})
			path = append(path, elem{isKey: c == '{'})
			i++
		case '}', ']':
			stack, path = stack[:len(stack)-1], path[:len(path)-1]
			i++
		case ',':
			top := &stack[len(stack)-1]
			if top.obj {
				top.expectKey = true
			} else {
				path[len(path)-1].index++
			}
			i++
		case ':':
			stack[len(stack)-1].expectKey = false
			i++
		case '"':
			j := stringEnd(src, i)
			s, err := decodeString(src[i:j])
			if err != nil {
				return dst, err
			}
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
				path[len(path)-1].key = s
				i = j
				continue
			}
			out, changed, err := fn(path, s)
			if err != nil {
				return dst, err
			}
			if changed {
				dst = append(dst, src[last:i]...)
				dst = appendJSONString(dst, out)
				last = j
			}
			i = j
		default:
			i++
		}
	}
	return append(dst, src[last:]...), nil
}

// stringEnd returns the index after the string literal starting at i.
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}

// decodeString decodes a JSON string literal, quotes included.
func decodeString(lit []byte) (string, error) {
	plain := true
	for _, c := range lit[1 : len(lit)-1] {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(lit[1 : len(lit)-1]), nil
	}
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", errJSON
	}
	return s, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal. Unlike
// encoding/json it does not escape <, > and &, so text keeps its bytes;
// invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONEscaped(dst, s)
	return append(dst, '"')
}

// appendJSONEscaped appends s escaped for use inside a JSON string literal.
func appendJSONEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(append(dst, s[start:i]...), "\ufffd"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}
