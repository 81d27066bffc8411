package audit

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, the
// tree size and the RFC 6962 root hash, then optional extension lines.
type Checkpoint struct {
	Origin     string
	Size       int64
	Root       Hash
	Extensions []string
}

// Text returns the checkpoint body as signed.
func (c *Checkpoint) Text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
	for _, e := range c.Extensions {
		b.WriteString(e + "\n")
	}
	return b.Bytes()
}

var errCheckpoint = errors.New("malformed checkpoint")

// ParseCheckpoint parses a checkpoint body (without signatures).
func ParseCheckpoint(text []byte) (*Checkpoint, error) {
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return nil, errCheckpoint
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) < 3 || lines[0] == "" {
		return nil, errCheckpoint
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return nil, errCheckpoint
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return nil, errCheckpoint
	}
	c := &Checkpoint{Origin: lines[0], Size: size, Extensions: lines[3:]}
	copy(c.Root[:], root)
	for _, e := range c.Extensions {
		if e == "" {
			return nil, errCheckpoint
		}
	}
	return c, nil
}

const algEd25519 = 1

// VerifierKey is a public key that may sign checkpoints, with the name its
// signatures carry. Its string form is the signed-note verifier key
// "<name>+<key id hex>+<base64(0x01 || public key)>".
type VerifierKey struct {
	Name string
	ID   uint32
	Key  ed25519.PublicKey
}

// NewVerifierKey returns the verifier key of an Ed25519 public key.
func NewVerifierKey(name string, pub ed25519.PublicKey) (VerifierKey, error) {
	if !validKeyName(name) || len(pub) != ed25519.PublicKeySize {
		return VerifierKey{}, errors.New("invalid key name or public key")
	}
	return VerifierKey{Name: name, ID: keyID(name, pub), Key: pub}, nil
}

func keyID(name string, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{algEd25519})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func validKeyName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return r == '+' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	})
}

// String returns the verifier key in signed-note form.
func (k VerifierKey) String() string {
	return fmt.Sprintf("%s+%08x+%s", k.Name, k.ID,
		base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, k.Key...)))
}

// ParseVerifierKey parses a signed-note verifier key.
func ParseVerifierKey(s string) (VerifierKey, error) {
	errKey := errors.New("malformed verifier key")
	name, rest, ok1 := strings.Cut(strings.TrimSpace(s), "+")
	idHex, b64, ok2 := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if !ok1 || !ok2 || err != nil || len(idHex) != 8 || len(raw) != 1+ed25519.PublicKeySize || raw[0] != algEd25519 {
		return VerifierKey{}, errKey
	}
	id, err := hex.DecodeString(idHex)
	if err != nil {
		return VerifierKey{}, errKey
	}
	k, err := NewVerifierKey(name, ed25519.PublicKey(raw[1:]))
	if err != nil || k.ID != binary.BigEndian.Uint32(id) {
		return VerifierKey{}, errKey
	}
	return k, nil
}

// NoteSigner signs checkpoints as a signed note with an Ed25519 key.
type NoteSigner struct {
	Name string
	// Key must hold an Ed25519 key (ed25519.PrivateKey or a KMS signer
	// whose Public is an ed25519.PublicKey).
	Key crypto.Signer
}

// Verifier returns the verifier key of the signer.
func (s NoteSigner) Verifier() (VerifierKey, error) {
	if s.Key == nil {
		return VerifierKey{}, errors.New("no signing key")
	}
	pub, ok := s.Key.Public().(ed25519.PublicKey)
	if !ok {
		return VerifierKey{}, errors.New("signing key is not Ed25519")
	}
	return NewVerifierKey(s.Name, pub)
}

// Sign returns text followed by a blank line and the signature line.
func (s NoteSigner) Sign(text []byte) ([]byte, error) {
	vk, err := s.Verifier()
	if err != nil {
		return nil, err
	}
	sig, err := s.Key.Sign(nil, text, crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	blob := binary.BigEndian.AppendUint32(nil, vk.ID)
	line := fmt.Sprintf("\u2014 %s %s\n", vk.Name, base64.StdEncoding.EncodeToString(append(blob, sig...)))
	return append(append(append([]byte(nil), text...), '\n'), line...), nil
}

// Note verification errors.
var (
	ErrNoteMalformed  = errors.New("malformed signed note")
	ErrNoteUnknownKey = errors.New("checkpoint not signed by a trusted key")
	ErrNoteSignature  = errors.New("checkpoint signature does not verify")
)

// OpenNote checks that note carries a valid signature by one of keys and
// returns its text and the name of the signing key. A signature by a known
// name and key id that does not verify is ErrNoteSignature; no signature by
// a trusted key is ErrNoteUnknownKey.
func OpenNote(note []byte, keys []VerifierKey) (text []byte, signer string, err error) {
	i := bytes.LastIndex(note, []byte("\n\n"))
	if i < 0 || !bytes.HasSuffix(note, []byte("\n")) {
		return nil, "", ErrNoteMalformed
	}
	text, sigs := note[:i+1], string(note[i+2:])
	err = ErrNoteUnknownKey
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		name, sig, ok := parseSigLine(line)
		if !ok {
			return nil, "", ErrNoteMalformed
		}
		for _, k := range keys {
			if k.Name != name || len(sig) < 4 || binary.BigEndian.Uint32(sig) != k.ID {
				continue
			}
			if !ed25519.Verify(k.Key, text, sig[4:]) {
				return nil, "", ErrNoteSignature
			}
			signer, err = name, nil
		}
	}
	if err != nil {
		return nil, "", err
	}
	return text, signer, nil
}

func parseSigLine(line string) (name string, sig []byte, ok bool) {
	rest, ok := strings.CutPrefix(line, "\u2014 ")
	if !ok {
		return "", nil, false
	}
	name, b64, ok := strings.Cut(rest, " ")
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if !ok || err != nil || !validKeyName(name) || len(raw) < 4 {
		return "", nil, false
	}
	return name, raw, true
}

// OpenCheckpoint verifies a signed checkpoint note and parses its body.
func OpenCheckpoint(note []byte, keys []VerifierKey) (*Checkpoint, string, error) {
	text, signer, err := OpenNote(note, keys)
	if err != nil {
		return nil, "", err
	}
	c, err := ParseCheckpoint(text)
	if err != nil {
		return nil, "", err
	}
	return c, signer, nil
}
