package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/phigate/phigate/auth"
)

// FuzzVerifyPassword feeds arbitrary stored hashes: a malformed hash must
// never match nor panic, whatever the password.
func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", "x") // well-formed, wrong password
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$AAAA$AAAA", "x")                                                     // absurd memory: refused before hashing
	f.Add("$argon2id$v=19$m=19456,t=0,p=0$$", "")                                                                   // zero cost
	f.Add("", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if strings.Contains(hash, "m=") && auth.VerifyPassword(hash, pw) {
			// Only a hash that really is argon2id of pw may match.
			if !strings.HasPrefix(hash, "$argon2id$v=19$") {
				t.Fatalf("non-argon2id hash matched: %q", hash)
			}
		}
	})
}

// FuzzCheckPassword checks that the policy never panics and that its
// errors never quote the password.
func FuzzCheckPassword(f *testing.F) {
	f.Add("vivid-otter-gravel-47", "alice") // accepted
	f.Add("password123456", "bob")          // common with digits
	f.Add("\xff\xfe", "")                   // not UTF-8
	f.Add("aaaaaaaaaaaaaaaa", "aa")         // repeated
	f.Fuzz(func(t *testing.T, pw, login string) {
		err := auth.CheckPassword(pw, login, 0)
		if err != nil && len(pw) >= 4 && strings.Contains(err.Error(), pw) {
			t.Fatalf("error quotes the password: %v", err)
		}
	})
}

// FuzzRecoveryCode checks that normalisation is stable: a code typed with
// any case, spaces or dashes hashes like its canonical form.
func FuzzRecoveryCode(f *testing.F) {
	f.Add("abcd-efgh-jkmn-pqrs") // canonical form
	f.Add(" ABCD EFGH JKMN PQRS ")
	f.Fuzz(func(t *testing.T, code string) {
		if !utf8.ValidString(code) {
			t.Skip("codes are typed text")
		}
		canon := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
		if auth.HashRecoveryCode(code) != auth.HashRecoveryCode(canon) {
			t.Fatalf("%q and %q hash differently", code, canon)
		}
	})
}
