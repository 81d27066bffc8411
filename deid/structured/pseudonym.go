package structured

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/phigate/phigate"
)

// Code forms for Pseudonymizer.Code.
const (
	FormToken = "token" // 16 characters of a-z and 2-7, a valid FHIR id
	FormUUID  = "uuid"  // a random UUID (version 4)
)

// Pseudonymizer replaces values with random codes: the same value in the
// same domain always gets the same code while the Pseudonymizer lives, so
// records still link. Codes are drawn at random, never derived from the
// value (45 CFR 164.514(c)); the mapping exists only in memory, or sealed
// with Seal for authorised re-identification. Safe for concurrent use. It
// holds one entry per distinct value.
type Pseudonymizer struct {
	rand  io.Reader
	mu    sync.Mutex
	codes map[string]string // domain \x00 value → code
	used  map[string]bool   // codes handed out
}

// NewPseudonymizer returns a Pseudonymizer drawing from r (crypto/rand
// when nil).
func NewPseudonymizer(r io.Reader) *Pseudonymizer {
	if r == nil {
		r = rand.Reader
	}
	return &Pseudonymizer{rand: r, codes: map[string]string{}, used: map[string]bool{}}
}

// Code returns the code of value in domain, drawing a new one of form
// (FormToken or FormUUID) on first use. Codes: EINTERNAL (no randomness).
func (p *Pseudonymizer) Code(domain, value, form string) (string, error) {
	key := domain + "\x00" + value
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.codes[key]; ok {
		return c, nil
	}
	for {
		c, err := p.draw(form)
		if err != nil {
			return "", phigate.E(phigate.EINTERNAL, "structured.Pseudonymizer.Code", fmt.Errorf("draw code: %w", err))
		}
		if !p.used[c] {
			p.codes[key], p.used[c] = c, true
			return c, nil
		}
	}
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

func (p *Pseudonymizer) draw(form string) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(p.rand, b[:]); err != nil {
		return "", err
	}
	if form == FormUUID {
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
	}
	out := make([]byte, 16)
	for i := range out {
		out[i] = tokenAlphabet[b[i]&31]
	}
	return string(out), nil
}

// Len returns the number of values coded.
func (p *Pseudonymizer) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.codes)
}

// sealedEntry is one line of a sealed mapping.
type sealedEntry struct {
	Domain string `json:"domain"`
	Code   string `json:"code"`
	Sealed []byte `json:"sealed"`
}

// Seal writes the mapping as JSON lines, each value sealed by s for
// subject and bound to its code, so that authorised users can
// re-identify. Security-sensitive: the output reverses the pseudonyms for
// whoever can open it. Codes: ECRYPTO (sealing failed), EINTERNAL (write).
func (p *Pseudonymizer) Seal(ctx context.Context, w io.Writer, s phigate.Sealer, subject string) error {
	const op = "structured.Pseudonymizer.Seal"
	p.mu.Lock()
	defer p.mu.Unlock()
	enc := json.NewEncoder(w)
	for key, code := range p.codes {
		domain, value, _ := cut0(key)
		sealed, err := s.Seal(ctx, subject, phigate.Place{Table: "pseudonyms", Row: code, Field: domain}, []byte(value))
		if err != nil {
			return phigate.E(phigate.ErrorCode(err), op, fmt.Errorf("seal pseudonym: %w", err))
		}
		if err := enc.Encode(sealedEntry{Domain: domain, Code: code, Sealed: sealed}); err != nil {
			return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("write mapping: %w", err))
		}
	}
	return nil
}

// Load reads a mapping written by Seal, so that a later run gives the
// same values the same codes. Codes: EINVALID (malformed), ECRYPTO.
func (p *Pseudonymizer) Load(ctx context.Context, r io.Reader, s phigate.Sealer, subject string) error {
	const op = "structured.Pseudonymizer.Load"
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var e sealedEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return phigate.Errorf(phigate.EINVALID, op, "mapping line %d is malformed", line)
		}
		v, err := s.Open(ctx, subject, phigate.Place{Table: "pseudonyms", Row: e.Code, Field: e.Domain}, e.Sealed)
		if err != nil {
			return phigate.E(phigate.ErrorCode(err), op, fmt.Errorf("open mapping line %d: %w", line, err))
		}
		p.mu.Lock()
		p.codes[e.Domain+"\x00"+string(v)], p.used[e.Code] = e.Code, true
		p.mu.Unlock()
	}
	if err := sc.Err(); err != nil {
		return phigate.E(phigate.EINVALID, op, fmt.Errorf("read mapping: %w", err))
	}
	return nil
}

func cut0(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
