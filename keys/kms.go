package keys

import (
	"context"
	"time"
)

// KMS is a source of key-encryption keys: the local key file (Ring) or an
// external key management service (Transit for Vault and OpenBao; AWS KMS
// and Google Cloud KMS fit the same shape: Encrypt/Decrypt with an
// encryption context or additional authenticated data, and key versions).
//
// Security-sensitive: Wrap takes and Unwrap returns a data key in clear.
// Implementations live in this package or in plug-ins behind build tags, and
// only Envelope calls them.
type KMS interface {
	// Wrap encrypts dataKey under the active KEK version, bound to ad, and
	// returns the version used. Codes: ECRYPTO, EUNAVAILABLE.
	Wrap(ctx context.Context, dataKey, ad []byte) (version uint32, wrapped []byte, err error)
	// Unwrap decrypts a data key wrapped under version with the same ad.
	// Codes: ECRYPTO (tampered, wrong ad, unknown or retired version),
	// EUNAVAILABLE.
	Unwrap(ctx context.Context, version uint32, wrapped, ad []byte) ([]byte, error)
	// Rewrap re-encrypts a wrapped data key under the active version
	// without handing it out, and returns the new version and wrapping.
	// Codes: as Unwrap.
	Rewrap(ctx context.Context, version uint32, wrapped, ad []byte) (uint32, []byte, error)
	// Rotate adds a KEK version and makes it active for new wraps.
	Rotate(ctx context.Context) (uint32, error)
	// Retire sets the minimum decryption version: versions below min can no
	// longer unwrap. Codes: EINVALID (min above the active version).
	Retire(ctx context.Context, min uint32) error
	// Status describes the KEK versions.
	Status(ctx context.Context) (*KEKStatus, error)
}

// KEKStatus describes the versions of a key-encryption key.
type KEKStatus struct {
	Source   string // "file" or "transit"
	Active   uint32 // the version new data keys are wrapped under
	Min      uint32 // the minimum decryption version
	Versions []KEKVersion
}

// KEKVersion is one version of a key-encryption key.
type KEKVersion struct {
	Version   uint32
	CreatedAt time.Time
	Retired   bool // below the minimum decryption version
}

// ActiveCreated returns when the active version was created, zero if unknown.
func (s *KEKStatus) ActiveCreated() time.Time {
	for _, v := range s.Versions {
		if v.Version == s.Active {
			return v.CreatedAt
		}
	}
	return time.Time{}
}
