package keys

import (
	"errors"

	"github.com/phigate/phigate"
)

// Causes wrapped in *phigate.Error. They carry no data, only what failed.
var (
	errTruncated  = errors.New("ciphertext is truncated")
	errAuth       = errors.New("message authentication failed: tampered, moved, or sealed with another key")
	errFormat     = errors.New("unknown sealed-value format")
	errShredded   = errors.New("subject was shredded")
	errNoKey      = errors.New("subject has no data key")
	errPassphrase = errors.New("wrong passphrase or damaged key file")
)

// cryptoErr wraps err as ECRYPTO for op.
func cryptoErr(op string, err error) error {
	return phigate.E(phigate.ECRYPTO, op, err)
}

// keep returns err unchanged when it already carries a phigate code, else
// wraps it with code for op. A nil err stays nil.
func keep(code, op string, err error) error {
	if err == nil {
		return nil
	}
	var e *phigate.Error
	if errors.As(err, &e) {
		return err
	}
	return phigate.E(code, op, err)
}
