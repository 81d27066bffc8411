package deid

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
)

// DefaultMaxShiftDays bounds the per-patient date shift.
const DefaultMaxShiftDays = 365

// Surrogater makes realistic replacements. The same key, patient and value
// always give the same surrogate, so one person keeps one surrogate name
// within and across documents, and all of a patient's dates move by one
// offset so intervals survive. Safe for concurrent use.
type Surrogater struct {
	key   []byte
	pools *phi.Pools
	macs  sync.Pool // of HMAC-SHA256 under key
	// MaxShiftDays bounds date shifts; zero means DefaultMaxShiftDays.
	MaxShiftDays int
}

// NewSurrogater returns a Surrogater keyed by key. A nil key draws a
// random one from r (crypto/rand when nil): surrogates are then consistent
// within this run only. The key is a secret: it reverses nothing by itself
// but lets anyone holding it reproduce the surrogates.
func NewSurrogater(key []byte, r io.Reader) (*Surrogater, error) {
	if key == nil {
		if r == nil {
			r = rand.Reader
		}
		key = make([]byte, 32)
		if _, err := io.ReadFull(r, key); err != nil {
			return nil, phigate.E(phigate.EINTERNAL, "deid.NewSurrogater", fmt.Errorf("read key: %w", err))
		}
	}
	pools, err := phi.SurrogatePools()
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "deid.NewSurrogater", err)
	}
	s := &Surrogater{key: append([]byte(nil), key...), pools: pools}
	s.macs.New = func() any { return hmac.New(sha256.New, s.key) }
	return s, nil
}

// keyed returns a keyed pseudo-random number for (domain, value).
func (s *Surrogater) keyed(domain, value string) uint64 {
	m := s.macs.Get().(hash.Hash)
	defer s.macs.Put(m)
	m.Reset()
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(value))
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(m.Sum(sum[:0]))
}

// splitmix64 expands one keyed number into a stream of them.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// DateShift returns the patient's date offset in days, never zero.
func (s *Surrogater) DateShift(patient string) int {
	max := s.MaxShiftDays
	if max <= 0 {
		max = DefaultMaxShiftDays
	}
	d := int(s.keyed("date-shift", patient)%uint64(2*max)) - max
	if d >= 0 {
		d++
	}
	return d
}

// Replace returns the surrogate of value, a finding of f's category.
func (s *Surrogater) Replace(f phigate.Finding, value, patient string) string {
	switch f.Category {
	case phigate.NAME:
		return s.name(value, patient)
	case phigate.DATE:
		if out, ok := shiftDate(value, s.DateShift(patient), f.YearOnly); ok {
			return out
		}
		return "[DATE]"
	case phigate.AGE:
		return "90+"
	case phigate.LOCATION:
		return s.location(value, patient)
	case phigate.EMAIL:
		return fmt.Sprintf("user%04d@example.org", s.keyed("email", value)%10000)
	case phigate.URL:
		return fmt.Sprintf("https://example.org/%04d", s.keyed("url", value)%10000)
	case phigate.IP:
		if strings.Contains(value, ":") {
			return fmt.Sprintf("2001:db8::%x", s.keyed("ip", value)%0xffff)
		}
		return fmt.Sprintf("192.0.2.%d", 1+s.keyed("ip", value)%254)
	case phigate.SSN:
		out := s.shape("ssn", value)
		return "9" + out[min(1, len(out)):]
	case phigate.BIOMETRIC, phigate.PHOTO:
		return "[" + string(f.Category) + "]"
	}
	return s.shape(string(f.Category), value)
}

// shape replaces digits with digits and letters with letters, keyed by
// value, keeping punctuation and case: phone numbers, ids, plates.
func (s *Surrogater) shape(domain, value string) string {
	seed := s.keyed(domain, value)
	out := []byte(value)
	for i, c := range out {
		r := byte(splitmix64(&seed) % 26)
		switch {
		case c >= '0' && c <= '9':
			out[i] = '0' + r%10
			if i == 0 || i > 0 && !isDigitByte(out[i-1]) && (domain == string(phigate.PHONE) || domain == string(phigate.FAX)) {
				out[i] = '2' + r%8 // area codes and exchanges start 2-9
			}
		case c >= 'a' && c <= 'z':
			out[i] = 'a' + r
		case c >= 'A' && c <= 'Z':
			out[i] = 'A' + r
		}
	}
	return string(out)
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// name replaces each word of a name with a name of the same position and
// case: first words from first names, others from surnames, initials
// from letters.
func (s *Surrogater) name(value, patient string) string {
	words := strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' })
	var out []string
	for i, w := range words {
		core := strings.Trim(w, ".,-'")
		if core == "" {
			out = append(out, w)
			continue
		}
		h := s.keyed("name", strings.ToLower(core))
		var rep string
		switch {
		case len(core) == 1:
			rep = string(rune('A' + h%26))
		case i == 0 && len(words) > 1 || len(words) == 1 && phi.IsFirstName(core):
			rep = s.pools.First[h%uint64(len(s.pools.First))]
		default:
			rep = s.pools.Last[h%uint64(len(s.pools.Last))]
		}
		out = append(out, strings.Replace(w, core, matchCase(rep, core), 1))
	}
	return strings.Join(out, " ")
}

// matchCase gives rep (lower case) the case pattern of like: upper,
// lower, or each word capitalised.
func matchCase(rep, like string) string {
	switch {
	case strings.ToUpper(like) == like:
		return strings.ToUpper(rep)
	case strings.ToLower(like) == like:
		return rep
	}
	words := strings.Fields(rep)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// location replaces ZIP codes by their Safe Harbor form and other places
// by a city name.
func (s *Surrogater) location(value, patient string) string {
	digits := 0
	for _, c := range value {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits == 5 || digits == 9 && strings.Contains(value, "-") && len(value) == 10 {
		return SafeZIP(value)
	}
	if digits > 0 {
		return s.shape("street", value)
	}
	h := s.keyed("place", strings.ToLower(value))
	return matchCase(s.pools.Cities[h%uint64(len(s.pools.Cities))], value)
}
