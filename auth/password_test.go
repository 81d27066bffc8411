package auth_test

import (
	"strings"
	"testing"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
)

// testArgon2 is the cheapest allowed cost, to keep tests fast.
var testArgon2 = auth.Argon2Params{Time: 1, MemoryKiB: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashPassword(t *testing.T) {
	h, err := auth.HashPassword(testArgon2, nil, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=1,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	t.Run("OK", func(t *testing.T) {
		if !auth.VerifyPassword(h, "correct horse battery staple") {
			t.Fatal("right password rejected")
		}
	})
	t.Run("ErrWrong", func(t *testing.T) {
		if auth.VerifyPassword(h, "correct horse battery stapl") {
			t.Fatal("wrong password accepted")
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", h[:len(h)-10], strings.Replace(h, "v=19", "v=16", 1)} {
			if auth.VerifyPassword(bad, "x") {
				t.Fatalf("malformed hash %q matched", bad)
			}
		}
	})
	t.Run("Salted", func(t *testing.T) {
		h2, _ := auth.HashPassword(testArgon2, nil, "correct horse battery staple")
		if h2 == h {
			t.Fatal("two hashes of one password are equal")
		}
	})
	t.Run("NeedsRehash", func(t *testing.T) {
		if auth.NeedsRehash(h, testArgon2) || !auth.NeedsRehash(h, auth.DefaultArgon2) {
			t.Fatal("NeedsRehash wrong")
		}
	})
}

func TestArgon2Validate(t *testing.T) {
	if err := auth.DefaultArgon2.Validate(); err != nil {
		t.Fatal(err)
	}
	weak := auth.DefaultArgon2
	weak.MemoryKiB = 1024
	if phigate.ErrorCode(weak.Validate()) != phigate.EINVALID {
		t.Fatal("weak parameters accepted")
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, pw, login string
		ok              bool
	}{
		{"OK", "vivid-otter-gravel-47", "alice", true},
		{"OKUnicode", "écureuil-forêt-été", "alice", true},
		{"ErrShort", "Sh0rt!pass", "alice", false},
		{"ErrCommon", "1qaz2wsx3edc", "alice", false},
		{"ErrCommonCase", "1QAZ2WSX3EDC", "alice", false},
		{"ErrCommonSuffix", "iloveyou2024!!", "alice", false},
		{"ErrCommonPrefix", "123456password", "alice", false},
		{"ErrLogin", "my-name-is-alice-ok", "alice", false},
		{"ErrRepeated", "aaaaaaaaaaaaaaaa", "alice", false},
		{"ErrTooLong", strings.Repeat("ab", 200), "alice", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckPassword(tt.pw, tt.login, 0)
			if tt.ok != (err == nil) {
				t.Fatalf("CheckPassword: %v", err)
			}
			if err != nil {
				if phigate.ErrorCode(err) != phigate.EINVALID {
					t.Fatalf("code %s", phigate.ErrorCode(err))
				}
				if strings.Contains(err.Error(), tt.pw) {
					t.Fatal("error contains the password")
				}
			}
		})
	}
	if err := auth.CheckPassword("vivid-otter-gravel-47", "", 30); err == nil {
		t.Fatal("configured minimum length ignored")
	}
}

func TestIsCommonPassword(t *testing.T) {
	for _, pw := range []string{"password", "123456", "qwerty", "letmein", "trustno1"} {
		if !auth.IsCommonPassword(pw) {
			t.Errorf("%q not found in the shipped list", pw)
		}
	}
	if auth.IsCommonPassword("vivid-otter-gravel-47") {
		t.Error("a random passphrase is reported common")
	}
}

// BenchmarkHashPassword measures the cost of one argon2id hash with the
// default parameters: the floor of login latency.
func BenchmarkHashPassword(b *testing.B) {
	for _, p := range []struct {
		name string
		p    auth.Argon2Params
	}{
		{"default-m64MiB-t2-p2", auth.DefaultArgon2},
		{"m19MiB-t2-p1", auth.Argon2Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}},
		{"m128MiB-t3-p2", auth.Argon2Params{Time: 3, MemoryKiB: 128 * 1024, Threads: 2, KeyLen: 32, SaltLen: 16}},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := auth.HashPassword(p.p, nil, "vivid-otter-gravel-47"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
