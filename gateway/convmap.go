package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/phigate/phigate"
)

// Coder draws the codes that stand for PHI values: random placeholders
// (never derived from the value, 45 CFR 164.514(c)) and realistic
// surrogates. The deid package provides the real one (see DeidCoder).
type Coder interface {
	// Placeholder returns a fresh random placeholder of category c.
	Placeholder(c phigate.Category) (string, error)
	// Surrogate returns a realistic replacement of value, a finding of
	// f's category, keyed by key (one per conversation, so dates of a
	// conversation move by one offset). "" means none could be made.
	Surrogate(f phigate.Finding, value string, key []byte) (string, error)
}

// mapVersion is the version of the sealed map encoding.
const mapVersion = 1

// entry is one code of a Map and the value it stands for.
type entry struct {
	Code      string           `json:"c"`
	Category  phigate.Category `json:"k"`
	Value     string           `json:"v"`
	Surrogate bool             `json:"s,omitempty"`
}

// Map is the code book of one conversation: one value always gets the
// same code, two values never share one, and every code turns back into
// its exact value. It holds PHI: it is sealed at rest and never logged.
// Safe for concurrent use.
type Map struct {
	mu      sync.Mutex
	byCode  map[string]*entry
	byValue map[string]*entry
	key     []byte // surrogate key of the conversation
	codes   []string
	maxLen  int
	added   int
	// firstByte indexes surrogate codes by their first byte.
	firstByte map[byte][]string
}

// NewMap returns an empty map whose surrogates are keyed by key.
func NewMap(key []byte) *Map {
	return &Map{byCode: map[string]*entry{}, byValue: map[string]*entry{}, key: key, firstByte: map[byte][]string{}}
}

// Len returns the number of codes.
func (m *Map) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byCode)
}

// Added returns the number of codes created since the map was made or
// loaded: the map must be stored again when it is not zero.
func (m *Map) Added() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.added
}

// Code returns the code of value, creating one with coder on first use:
// a surrogate when surrogate is set and one can be made that no other
// value holds, else a placeholder.
func (m *Map) Code(coder Coder, f phigate.Finding, value string, surrogate bool) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.byValue[value]; ok {
		return e.Code, nil
	}
	if surrogate {
		s, err := coder.Surrogate(f, value, m.key)
		if err != nil {
			return "", err
		}
		if s != "" && s != value && m.byCode[s] == nil && m.byValue[s] == nil && !strings.HasPrefix(s, "[") {
			m.add(&entry{Code: s, Category: f.Category, Value: value, Surrogate: true})
			return s, nil
		}
	}
	for range 100 {
		p, err := coder.Placeholder(f.Category)
		if err != nil {
			return "", err
		}
		if p != "" && m.byCode[p] == nil && m.byValue[p] == nil {
			m.add(&entry{Code: p, Category: f.Category, Value: value})
			return p, nil
		}
	}
	return "", phigate.Errorf(phigate.EINTERNAL, "gateway.Map.Code", "no free placeholder after 100 draws")
}

func (m *Map) add(e *entry) {
	m.byCode[e.Code] = e
	m.byValue[e.Value] = e
	i, _ := slices.BinarySearch(m.codes, e.Code)
	m.codes = slices.Insert(m.codes, i, e.Code)
	m.maxLen = max(m.maxLen, len(e.Code))
	if e.Surrogate {
		b := e.Code[0]
		m.firstByte[b] = append(m.firstByte[b], e.Code)
		slices.SortFunc(m.firstByte[b], func(x, y string) int { return len(y) - len(x) })
	}
	m.added++
}

// Knows reports whether value is a value of the map.
func (m *Map) Knows(value string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byValue[value] != nil
}

// MaxLen returns the length of the longest code.
func (m *Map) MaxLen() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.maxLen
}

// reidStats counts what a re-identification did.
type reidStats struct {
	Restored int // codes turned back into values
	Mangled  int // placeholder-shaped text that is no known code, left as is
}

func (s *reidStats) add(o reidStats) { s.Restored += o.Restored; s.Mangled += o.Mangled }

// Reidentify appends text to dst with every code replaced by its value;
// with escape set, values are escaped for the inside of a JSON string (the
// text is JSON, as tool-call arguments are). A placeholder the model
// mangled is left as is and counted, never guessed.
func (m *Map) Reidentify(dst, text []byte, escape bool) ([]byte, reidStats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var st reidStats
	last := 0
	for i := 0; i < len(text); {
		code, ok := m.codeAt(text, i)
		if !ok {
			if text[i] == '[' && placeholderShaped(text[i:]) {
				st.Mangled++
			}
			i++
			continue
		}
		dst = append(dst, text[last:i]...)
		if v := m.byCode[code].Value; escape {
			dst = appendJSONEscaped(dst, v)
		} else {
			dst = append(dst, v...)
		}
		st.Restored++
		i += len(code)
		last = i
	}
	return append(dst, text[last:]...), st
}

// codeAt returns the code that starts at text[i], if any. Surrogates must
// stand as whole words.
func (m *Map) codeAt(text []byte, i int) (string, bool) {
	c := text[i]
	if c == '[' {
		j := bytes.IndexByte(text[i:min(len(text), i+m.maxLen)], ']')
		if j < 0 {
			return "", false
		}
		code := string(text[i : i+j+1])
		e := m.byCode[code]
		return code, e != nil && !e.Surrogate
	}
	cands := m.firstByte[c]
	if len(cands) == 0 || (i > 0 && wordByte(text[i-1]) && wordByte(c)) {
		return "", false
	}
	for _, s := range cands {
		end := i + len(s)
		if end <= len(text) && string(text[i:end]) == s && (end == len(text) || !wordByte(text[end]) || !wordByte(s[len(s)-1])) {
			return s, true
		}
	}
	return "", false
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// placeholderShaped reports whether text starts like a placeholder: "["
// then a category code then "-", "_" or "]".
func placeholderShaped(text []byte) bool {
	j := 1
	for j < len(text) && (text[j] >= 'A' && text[j] <= 'Z' || text[j] == '_') {
		j++
	}
	if j == 1 || j >= len(text) {
		return false
	}
	name := string(text[1:j])
	switch {
	case text[j] == '-' || text[j] == ']':
	case strings.HasSuffix(name, "_"):
		name = name[:len(name)-1]
	default:
		return false
	}
	return phigate.Category(name).Valid()
}

// Pending returns how many bytes at the end of text may be the start of a
// code whose rest has not arrived: a stream must hold them back. A whole
// surrogate at the very end is held too, since the next byte decides
// whether it stands as a word.
func (m *Map) Pending(text []byte) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := min(len(text), m.maxLen); k > 0; k-- {
		s := string(text[len(text)-k:])
		i, found := slices.BinarySearch(m.codes, s)
		if found {
			if m.byCode[s].Surrogate {
				return k
			}
			continue
		}
		if i < len(m.codes) && strings.HasPrefix(m.codes[i], s) {
			return k
		}
	}
	return 0
}

type mapJSON struct {
	Version int      `json:"version"`
	Key     []byte   `json:"key"`
	Entries []*entry `json:"entries"`
}

// MarshalBinary encodes the map for sealing.
func (m *Map) MarshalBinary() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j := mapJSON{Version: mapVersion, Key: m.key, Entries: make([]*entry, 0, len(m.codes))}
	for _, c := range m.codes {
		j.Entries = append(j.Entries, m.byCode[c])
	}
	return json.Marshal(j)
}

// UnmarshalMap decodes a map encoded by MarshalBinary. Codes: EVERSION,
// ECRYPTO (undecodable: treated like a map that cannot be opened).
func UnmarshalMap(b []byte) (*Map, error) {
	const op = "gateway.UnmarshalMap"
	var j mapJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, phigate.E(phigate.ECRYPTO, op, fmt.Errorf("decode map: %w", errJSON))
	}
	if j.Version > mapVersion {
		return nil, phigate.Errorf(phigate.EVERSION, op, "map version %d", j.Version)
	}
	m := NewMap(j.Key)
	for _, e := range j.Entries {
		if e == nil || e.Code == "" || m.byCode[e.Code] != nil || m.byValue[e.Value] != nil {
			return nil, phigate.Errorf(phigate.ECRYPTO, op, "map has a duplicate or empty code")
		}
		m.add(e)
	}
	m.added = 0
	return m, nil
}

// merge adds the entries of o that m lacks and that clash with none of
// m's, for two requests of one conversation that raced.
func (m *Map) merge(o *Map) {
	o.mu.Lock()
	entries := make([]*entry, 0, len(o.byCode))
	for _, e := range o.byCode {
		entries = append(entries, e)
	}
	o.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range entries {
		if m.byCode[e.Code] == nil && m.byValue[e.Value] == nil {
			m.add(&entry{Code: e.Code, Category: e.Category, Value: e.Value, Surrogate: e.Surrogate})
		}
	}
}

// clone returns a copy of m with no codes counted as added.
func (m *Map) clone() *Map {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := NewMap(m.key)
	for _, c := range m.codes {
		e := *m.byCode[c]
		n.add(&e)
	}
	n.added = 0
	return n
}
