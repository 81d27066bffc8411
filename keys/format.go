package keys

import (
	"encoding/binary"

	"github.com/phigate/phigate"
)

// The sealed-value format: a format byte and the data key id.
const (
	sealFormat = 0x01
	headerSize = 5
)

func putUint32(b []byte, v uint32) { binary.BigEndian.PutUint32(b, v) }
func getUint32(b []byte) uint32    { return binary.BigEndian.Uint32(b) }

// sealAD appends the associated data of a sealed value to b. The encoding
// never changes.
func sealAD(b []byte, subject string, p phigate.Place, header []byte) []byte {
	b = appendString(b, "phigate/seal/v1")
	b = appendString(b, subject)
	b = appendString(b, p.Table)
	b = appendString(b, p.Row)
	b = appendString(b, p.Field)
	return append(b, header...)
}

// dekAD is the associated data that binds a wrapped data key to its subject
// and id, so a wrapped key copied to another subject fails to unwrap. The
// encoding never changes.
func dekAD(subject string, id uint32) []byte {
	b := make([]byte, 0, 24+len(subject))
	b = appendString(b, "phigate/dek/v1")
	b = appendString(b, subject)
	return appendUint32(b, id)
}
