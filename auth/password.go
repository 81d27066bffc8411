package auth

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	phigate "github.com/phigate/phigate"
	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. They are written into each
// hash, so they can be raised later without invalidating stored passwords
// (see NeedsRehash).
type Argon2Params struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // lanes
	KeyLen    uint32 `json:"key_len"`    // bytes of output
	SaltLen   uint32 `json:"salt_len"`   // bytes of salt
}

// DefaultArgon2 is the default cost: 64 MiB, 2 passes, 2 lanes. It follows
// OWASP's argon2id guidance (m ≥ 19 MiB with t ≥ 2) with room to spare;
// BenchmarkHashPassword measures it (about 60 ms on the reference machine).
var DefaultArgon2 = Argon2Params{Time: 2, MemoryKiB: 64 * 1024, Threads: 2, KeyLen: 32, SaltLen: 16}

// Password policy limits.
const (
	DefaultMinPasswordLength = 12
	MaxPasswordLength        = 256 // longer input is refused rather than hashed
)

// Validate checks that the parameters are within sane bounds. Codes: EINVALID.
func (p Argon2Params) Validate() error {
	if p.Time < 1 || p.MemoryKiB < 19*1024 || p.Threads < 1 || p.KeyLen < 16 || p.SaltLen < 16 {
		return phigate.Errorf(phigate.EINVALID, "auth.Argon2Params", "argon2id parameters below the minimum (t≥1, m≥19456 KiB, p≥1, key≥16, salt≥16)")
	}
	if p.MemoryKiB > 4*1024*1024 {
		return phigate.Errorf(phigate.EINVALID, "auth.Argon2Params", "argon2id memory above 4 GiB")
	}
	return nil
}

// HashPassword returns the argon2id hash of password in PHC string format:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>. Security-sensitive.
func HashPassword(p Argon2Params, rnd io.Reader, password string) (string, error) {
	salt, err := randomBytes(rnd, int(p.SaltLen))
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// parseHash splits a PHC argon2id string.
func parseHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, phigate.Errorf(phigate.EINVALID, "auth.parseHash", "not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, phigate.Errorf(phigate.EINVALID, "auth.parseHash", "unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, phigate.Errorf(phigate.EINVALID, "auth.parseHash", "bad argon2 parameters")
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 || p.Time < 1 || p.Threads < 1 || p.MemoryKiB > 4*1024*1024 {
		return p, nil, nil, phigate.Errorf(phigate.EINVALID, "auth.parseHash", "bad argon2 hash")
	}
	p.KeyLen, p.SaltLen = uint32(len(key)), uint32(len(salt))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches the PHC hash, comparing in
// constant time. A malformed hash never matches. Security-sensitive.
func VerifyPassword(encoded, password string) bool {
	p, salt, key, err := parseHash(encoded)
	if err != nil || len(password) > MaxPasswordLength {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NeedsRehash reports whether a hash was made with parameters other than p.
func NeedsRehash(encoded string, p Argon2Params) bool {
	q, _, _, err := parseHash(encoded)
	return err != nil || q.Time != p.Time || q.MemoryKiB != p.MemoryKiB || q.Threads != p.Threads || q.KeyLen != p.KeyLen
}

//go:embed common-passwords.txt
var commonPasswordsText []byte

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func commonPasswords() map[string]struct{} {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 32000)
		sc := bufio.NewScanner(bytes.NewReader(commonPasswordsText))
		for sc.Scan() {
			if w := strings.TrimSpace(sc.Text()); w != "" {
				common[w] = struct{}{}
			}
		}
	})
	return common
}

// IsCommonPassword reports whether pw is one of the shipped list of common
// breached passwords, or one of them with only digits or punctuation added
// around it ("iloveyou2024!"), ignoring case.
func IsCommonPassword(pw string) bool {
	list := commonPasswords()
	low := strings.ToLower(pw)
	if _, ok := list[low]; ok {
		return true
	}
	core := strings.TrimFunc(low, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if _, ok := list[core]; ok && len(core) >= 4 {
		return true
	}
	return false
}

// CheckPassword applies the password policy: at least minLen characters (at
// least DefaultMinPasswordLength), at most MaxPasswordLength bytes, not a
// common breached password, not built on the login name, not one character
// repeated. Codes: EINVALID; the wrapped error names the rule, never the
// password.
func CheckPassword(pw, login string, minLen int) error {
	const op = "auth.CheckPassword"
	if minLen < DefaultMinPasswordLength {
		minLen = DefaultMinPasswordLength
	}
	switch {
	case !utf8.ValidString(pw):
		return phigate.Errorf(phigate.EINVALID, op, "password is not valid UTF-8")
	case utf8.RuneCountInString(pw) < minLen:
		return phigate.Errorf(phigate.EINVALID, op, "password shorter than %d characters", minLen)
	case len(pw) > MaxPasswordLength:
		return phigate.Errorf(phigate.EINVALID, op, "password longer than %d bytes", MaxPasswordLength)
	case IsCommonPassword(pw):
		return phigate.Errorf(phigate.EINVALID, op, "password is on the list of common breached passwords")
	case len(login) >= 3 && strings.Contains(strings.ToLower(pw), strings.ToLower(login)):
		return phigate.Errorf(phigate.EINVALID, op, "password contains the login name")
	case strings.Count(pw, pw[:1]) == len(pw):
		return phigate.Errorf(phigate.EINVALID, op, "password is one repeated character")
	}
	return nil
}

// randomBytes reads n bytes from rnd (crypto/rand when nil).
func randomBytes(rnd io.Reader, n int) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "auth.randomBytes", fmt.Errorf("read random: %w", err))
	}
	return b, nil
}
