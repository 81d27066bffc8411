package audit

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"io"
)

// FuncSigner adapts a key that offers only Sign(msg) and its public key
// (such as the keys package's node SigningKey) to crypto.Signer, for
// Log.Signer:
//
//	log.Signer = audit.FuncSigner{PublicKey: pub, SignFunc: sk.Sign}
type FuncSigner struct {
	PublicKey ed25519.PublicKey
	SignFunc  func(msg []byte) []byte
}

var _ crypto.Signer = FuncSigner{}

// Public implements crypto.Signer.
func (s FuncSigner) Public() crypto.PublicKey { return s.PublicKey }

// Sign implements crypto.Signer for pure Ed25519 (opts.HashFunc() == 0).
func (s FuncSigner) Sign(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, errors.New("FuncSigner signs only pure Ed25519")
	}
	if s.SignFunc == nil {
		return nil, errors.New("no sign function")
	}
	return s.SignFunc(msg), nil
}
