package auth_test

import (
	"strings"
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
	"github.com/pquerna/otp"
)

// TestTOTPVectors checks the test vectors of RFC 6238, appendix B.
func TestTOTPVectors(t *testing.T) {
	seeds := map[otp.Algorithm][]byte{
		otp.AlgorithmSHA1:   []byte("12345678901234567890"),
		otp.AlgorithmSHA256: []byte("12345678901234567890123456789012"),
		otp.AlgorithmSHA512: []byte("1234567890123456789012345678901234567890123456789012345678901234"),
	}
	vectors := []struct {
		unix               int64
		sha1, sha256, s512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	for _, v := range vectors {
		for alg, want := range map[otp.Algorithm]string{otp.AlgorithmSHA1: v.sha1, otp.AlgorithmSHA256: v.sha256, otp.AlgorithmSHA512: v.s512} {
			tp := auth.TOTP{Period: 30, Digits: otp.DigitsEight, Algorithm: alg, Skew: 1}
			at := time.Unix(v.unix, 0)
			got, err := tp.Code(seeds[alg], tp.Step(at))
			if err != nil || got != want {
				t.Errorf("T=%d %s: got %s, want %s (%v)", v.unix, alg, got, want, err)
			}
			if _, err := tp.Verify(seeds[alg], want, at, -1); err != nil {
				t.Errorf("T=%d %s: Verify: %v", v.unix, alg, err)
			}
		}
	}
}

func TestTOTPVerify(t *testing.T) {
	tp := auth.DefaultTOTP
	secret, uri, err := tp.NewSecret(nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(uri, "otpauth://totp/phigate:alice?") {
		t.Fatalf("uri %s", uri)
	}
	now := time.Unix(1_800_000_000, 0)
	step := tp.Step(now)
	code := func(s int64) string { c, _ := tp.Code(secret, s); return c }
	tests := []struct {
		name     string
		code     string
		lastStep int64
		ok       bool
	}{
		{"OK", code(step), step - 5, true},
		{"OKPreviousStep", code(step - 1), step - 5, true},
		{"OKNextStep", code(step + 1), step - 5, true},
		{"ErrTwoStepsOld", code(step - 2), step - 5, false},
		{"ErrTwoStepsAhead", code(step + 2), step - 5, false},
		{"ErrReplay", code(step), step, false},
		{"ErrEarlierThanUsed", code(step - 1), step, false},
		{"ErrWrong", "000000", step - 5, false},
		{"ErrEmpty", "", step - 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tp.Verify(secret, tt.code, now, tt.lastStep)
			if tt.ok != (err == nil) {
				t.Fatalf("Verify: %v", err)
			}
			if err != nil && phigate.ErrorCode(err) != phigate.EUNAUTHENTICATED {
				t.Fatalf("code %s", phigate.ErrorCode(err))
			}
			if err == nil && got <= tt.lastStep {
				t.Fatalf("matched step %d not after %d", got, tt.lastStep)
			}
		})
	}
}

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := auth.NewRecoveryCodes(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 19 || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
		if auth.HashRecoveryCode(strings.ToUpper(strings.ReplaceAll(c, "-", " "))) != hashes[i] {
			t.Fatalf("normalised code does not hash the same")
		}
		if strings.Contains(hashes[i], c) {
			t.Fatal("hash holds the code")
		}
	}
}
