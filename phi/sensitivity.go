package phi

import "github.com/phigate/phigate"

// Sensitivity says how much precision a Scanner gives up for recall.
type Sensitivity uint8

// The sensitivities. DefaultSensitivity is the zero value: findings rest
// on a dictionary or on context, including words in no dictionary where
// the context names a person (beside a first name, after a title,
// relation or "spoke with", before "aware" or "wishes", capitalised where
// a person can stand). HighSensitivity also reports unknown words after
// any preposition that may introduce a person and every capitalised
// unknown word of mixed-case text, with a lower confidence: meant for text
// that goes to a vendor without a BAA, where a missed name costs more than
// a masked word.
const (
	DefaultSensitivity Sensitivity = iota
	HighSensitivity
)

// String returns "default" or "high".
func (s Sensitivity) String() string {
	if s == HighSensitivity {
		return "high"
	}
	return "default"
}

// ParseSensitivity reads "default" (or "") and "high". Codes: EINVALID.
func ParseSensitivity(v string) (Sensitivity, error) {
	switch v {
	case "", "default":
		return DefaultSensitivity, nil
	case "high":
		return HighSensitivity, nil
	}
	return 0, phigate.Errorf(phigate.EINVALID, "phi.ParseSensitivity", "unknown sensitivity (want default or high)")
}
