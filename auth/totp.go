package auth

import (
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"io"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP verifies time-based one-time passwords (RFC 6238). The zero value is
// not useful; use DefaultTOTP.
type TOTP struct {
	Period    uint          // seconds per step
	Digits    otp.Digits    // 6 or 8
	Algorithm otp.Algorithm // HMAC hash
	Skew      int64         // steps accepted either side of now
	Issuer    string        // shown in authenticator apps
}

// DefaultTOTP is what authenticator apps expect: 30-second steps, 6 digits,
// HMAC-SHA1, one step of drift accepted either way.
var DefaultTOTP = TOTP{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Skew: 1, Issuer: "phigate"}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a fresh 160-bit secret and its otpauth:// URI for an
// authenticator app. Security-sensitive: the secret must be stored sealed
// or at least never logged.
func (t TOTP) NewSecret(rnd io.Reader, account string) (secret []byte, uri string, err error) {
	secret, err = randomBytes(rnd, 20)
	if err != nil {
		return nil, "", fmt.Errorf("new totp secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: t.Issuer, AccountName: account, Period: t.Period,
		Secret: secret, Digits: t.Digits, Algorithm: t.Algorithm})
	if err != nil {
		return nil, "", phigate.E(phigate.EINTERNAL, "auth.TOTP.NewSecret", fmt.Errorf("generate key: %w", err))
	}
	return secret, key.URL(), nil
}

// Step returns the time step of at.
func (t TOTP) Step(at time.Time) int64 { return at.Unix() / int64(t.Period) }

// Code returns the code for step.
func (t TOTP) Code(secret []byte, step int64) (string, error) {
	code, err := hotp.GenerateCodeCustom(b32.EncodeToString(secret), uint64(step),
		hotp.ValidateOpts{Digits: t.Digits, Algorithm: t.Algorithm})
	if err != nil {
		return "", phigate.E(phigate.EINTERNAL, "auth.TOTP.Code", fmt.Errorf("generate code: %w", err))
	}
	return code, nil
}

// Verify checks code at time at, accepting steps within Skew of now that
// are later than lastStep, so that a used code (or an earlier one) cannot
// be replayed. It returns the matched step, to be stored as the new
// lastStep. Codes: EUNAUTHENTICATED. Security-sensitive.
func (t TOTP) Verify(secret []byte, code string, at time.Time, lastStep int64) (int64, error) {
	now := t.Step(at)
	matched := int64(-1)
	for s := now - t.Skew; s <= now+t.Skew; s++ {
		want, err := t.Code(secret, s)
		if err != nil {
			return 0, err
		}
		// Compare every candidate so timing does not reveal which step matched.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastStep {
			matched = s
		}
	}
	if matched < 0 {
		return 0, phigate.Errorf(phigate.EUNAUTHENTICATED, "auth.TOTP.Verify", "code rejected")
	}
	return matched, nil
}
