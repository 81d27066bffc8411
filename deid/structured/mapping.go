package structured

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/phigate/phigate"
)

// A mapping file keeps a Pseudonymizer's codes across runs: a header line
// naming the file's subject (whose data key seals every value, so that
// shredding the subject destroys the mapping), then the lines of Seal.
const (
	mappingFormat  = "phigate-pseudonyms"
	mappingVersion = 1
	// MappingSubjectPrefix starts the subject of every mapping file.
	MappingSubjectPrefix = "deid-mapping:"
)

type mappingHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Subject string `json:"subject"`
}

// NewMappingSubject draws the subject of a new mapping file:
// MappingSubjectPrefix and 16 random hex digits, from r (crypto/rand when
// nil). Codes: EINTERNAL.
func NewMappingSubject(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", phigate.E(phigate.EINTERNAL, "structured.NewMappingSubject", fmt.Errorf("draw subject: %w", err))
	}
	return MappingSubjectPrefix + hex.EncodeToString(b[:]), nil
}

// WriteMapping writes p as a mapping file whose values are sealed by s
// for subject (see NewMappingSubject). Security-sensitive: whoever can
// open it re-identifies the pseudonyms. Codes: as Seal.
func (p *Pseudonymizer) WriteMapping(ctx context.Context, w io.Writer, s phigate.Sealer, subject string) error {
	h, err := json.Marshal(mappingHeader{Format: mappingFormat, Version: mappingVersion, Subject: subject})
	if err == nil {
		_, err = w.Write(append(h, '\n'))
	}
	if err != nil {
		return phigate.E(phigate.EINTERNAL, "structured.WriteMapping", fmt.Errorf("write mapping header: %w", err))
	}
	return p.Seal(ctx, w, s, subject)
}

// ReadMapping reads a mapping file written by WriteMapping into p and
// returns its subject (also on failure, once the header is read). Nothing
// is added to p unless every value opens.
// Codes: EINVALID (not a mapping file, or malformed), ECRYPTO (sealed
// with other keys, or tampered), ENOTFOUND (its subject was shredded).
func (p *Pseudonymizer) ReadMapping(ctx context.Context, r io.Reader, s phigate.Sealer) (string, error) {
	const op = "structured.ReadMapping"
	br := bufio.NewReader(r)
	line, err := br.ReadBytes('\n')
	var h mappingHeader
	if err != nil && err != io.EOF || json.Unmarshal(line, &h) != nil ||
		h.Format != mappingFormat || !strings.HasPrefix(h.Subject, MappingSubjectPrefix) {
		return "", phigate.Errorf(phigate.EINVALID, op, "not a phigate pseudonym mapping")
	}
	if h.Version != mappingVersion {
		return h.Subject, phigate.Errorf(phigate.EVERSION, op, "mapping version %d, want %d", h.Version, mappingVersion)
	}
	q := NewPseudonymizer(nil)
	if err := q.Load(ctx, br, s, h.Subject); err != nil {
		return h.Subject, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, c := range q.codes {
		p.codes[k], p.used[c] = c, true
	}
	return h.Subject, nil
}
