package deid

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/phigate/phigate"
)

// placeholderAlphabet has no look-alike characters (no 0/O, 1/I/L).
const placeholderAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// PlaceholderLen is the number of random characters in a placeholder
// (about 30 bits).
const PlaceholderLen = 6

// PlaceholderMap holds the placeholders of one scope (a conversation, a
// document): one value always gets the same placeholder, two values never
// share one, and every placeholder re-identifies to its exact value.
// Placeholders are random and never derived from the value (45 CFR
// 164.514(c)). Safe for concurrent use. The map holds PHI: seal its
// MarshalBinary form at rest and never log it.
type PlaceholderMap struct {
	mu      sync.Mutex
	byValue map[string]string
	byCode  map[string]Entry
}

// Entry is the value a placeholder stands for.
type Entry struct {
	Category phigate.Category `json:"category"`
	Value    string           `json:"value"`
}

// NewPlaceholderMap returns an empty map.
func NewPlaceholderMap() *PlaceholderMap {
	return &PlaceholderMap{byValue: map[string]string{}, byCode: map[string]Entry{}}
}

func valueKey(c phigate.Category, v string) string { return string(c) + "\x00" + v }

// Add returns the placeholder of value, creating one with randomness from
// r (crypto/rand when nil) if value has none yet.
func (m *PlaceholderMap) Add(c phigate.Category, value string, r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.byValue[valueKey(c, value)]; ok {
		return p, nil
	}
	for tries := 0; tries < 100; tries++ {
		p, err := newPlaceholder(c, r)
		if err != nil {
			return "", err
		}
		if _, taken := m.byCode[p]; !taken {
			m.byValue[valueKey(c, value)] = p
			m.byCode[p] = Entry{Category: c, Value: value}
			return p, nil
		}
	}
	return "", phigate.Errorf(phigate.EINTERNAL, "deid.PlaceholderMap.Add", "no free placeholder after 100 draws")
}

func newPlaceholder(c phigate.Category, r io.Reader) (string, error) {
	var b [PlaceholderLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", phigate.E(phigate.EINTERNAL, "deid.newPlaceholder", fmt.Errorf("read randomness: %w", err))
	}
	code := make([]byte, 0, len(c)+PlaceholderLen+3)
	code = append(code, '[')
	code = append(code, c...)
	code = append(code, '-')
	for _, x := range b {
		code = append(code, placeholderAlphabet[int(x)%len(placeholderAlphabet)])
	}
	return string(append(code, ']')), nil
}

// Lookup returns what placeholder stands for. A nil map knows none.
func (m *PlaceholderMap) Lookup(placeholder string) (Entry, bool) {
	if m == nil {
		return Entry{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byCode[placeholder]
	return e, ok
}

// Len returns the number of placeholders.
func (m *PlaceholderMap) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byCode)
}

// mapVersion is the version of the MarshalBinary encoding.
const mapVersion = 1

type mapJSON struct {
	Version int              `json:"version"`
	Entries map[string]Entry `json:"entries"`
}

// MarshalBinary encodes the map (JSON, versioned) so it can be sealed.
func (m *PlaceholderMap) MarshalBinary() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return json.Marshal(mapJSON{Version: mapVersion, Entries: m.byCode})
}

// UnmarshalBinary replaces the map with one encoded by MarshalBinary.
// Codes: EVERSION for a newer encoding, EINVALID for a broken one.
func (m *PlaceholderMap) UnmarshalBinary(b []byte) error {
	var j mapJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return phigate.E(phigate.EINVALID, "deid.PlaceholderMap.UnmarshalBinary", fmt.Errorf("decode map: %w", err))
	}
	if j.Version > mapVersion {
		return phigate.Errorf(phigate.EVERSION, "deid.PlaceholderMap.UnmarshalBinary", "map version %d", j.Version)
	}
	n := NewPlaceholderMap()
	for p, e := range j.Entries {
		if _, dup := n.byValue[valueKey(e.Category, e.Value)]; dup {
			return phigate.Errorf(phigate.EINVALID, "deid.PlaceholderMap.UnmarshalBinary", "value with two placeholders")
		}
		n.byCode[p] = e
		n.byValue[valueKey(e.Category, e.Value)] = p
	}
	m.mu.Lock()
	m.byCode, m.byValue = n.byCode, n.byValue
	m.mu.Unlock()
	return nil
}

// Reidentify appends text to dst with every known placeholder replaced by
// its value. Unknown bracketed text is left as it is.
func (m *PlaceholderMap) Reidentify(dst, text []byte) []byte {
	for {
		i := bytes.IndexByte(text, '[')
		if i < 0 {
			return append(dst, text...)
		}
		dst = append(dst, text[:i]...)
		text = text[i:]
		j := bytes.IndexByte(text, ']')
		if j > 0 && j <= maxPlaceholderLen {
			if e, ok := m.Lookup(string(text[:j+1])); ok {
				dst = append(dst, e.Value...)
				text = text[j+1:]
				continue
			}
		}
		dst = append(dst, '[')
		text = text[1:]
	}
}

// maxPlaceholderLen bounds a placeholder: "[" + longest category + "-" + code + "]".
const maxPlaceholderLen = 1 + 14 + 1 + PlaceholderLen + 1

// Reidentifier re-identifies streamed text chunk by chunk, holding back a
// possible placeholder cut by a chunk boundary.
type Reidentifier struct {
	Map  *PlaceholderMap
	tail []byte
}

// Write re-identifies chunk and returns the text that is final.
func (r *Reidentifier) Write(chunk []byte) []byte {
	text := append(r.tail, chunk...)
	cut := len(text)
	if i := bytes.LastIndexByte(text, '['); i >= 0 && bytes.IndexByte(text[i:], ']') < 0 && len(text)-i < maxPlaceholderLen {
		cut = i
	}
	out := r.Map.Reidentify(nil, text[:cut])
	r.tail = append([]byte(nil), text[cut:]...)
	return out
}

// Flush returns the held-back rest.
func (r *Reidentifier) Flush() []byte {
	out := r.Map.Reidentify(nil, r.tail)
	r.tail = nil
	return out
}
