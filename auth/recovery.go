package auth

import (
	"encoding/base32"
	"fmt"
	"io"
	"strings"
)

// RecoveryCodeCount is how many one-time recovery codes a user gets.
const RecoveryCodeCount = 10

var recoveryAlphabet = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns RecoveryCodeCount fresh codes of 80 random bits
// each, written "xxxx-xxxx-xxxx-xxxx", and their hashes for storage. The
// codes are shown to the user once and never stored.
func NewRecoveryCodes(rnd io.Reader) (codes, hashes []string, err error) {
	for i := 0; i < RecoveryCodeCount; i++ {
		b, err := randomBytes(rnd, 10)
		if err != nil {
			return nil, nil, fmt.Errorf("new recovery codes: %w", err)
		}
		s := recoveryAlphabet.EncodeToString(b) // 16 characters
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// HashRecoveryCode normalises a code as typed (case, spaces, dashes) and
// returns the hash under which it is stored.
func HashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
	return HashToken("recovery:" + norm)
}
