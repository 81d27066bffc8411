package audit

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/phigate/phigate"
)

// Leaf is one event in the chain: its frozen entry, the chain hash of its
// predecessor and its own chain hash. Seq is the position its container
// claims for it (a block takes it from the entry; a segment line states
// it).
type Leaf struct {
	Seq   int64
	Prev  []byte
	Entry []byte
	Hash  []byte
}

// MaxBlockEvents bounds the events in one stored block.
const MaxBlockEvents = 256

// EncodeBlock returns the block data of leaves: for each, the uvarint
// length of its entry, the entry, then prev and hash (32 bytes each). The
// format is frozen with the v1 entry encoding.
func EncodeBlock(leaves []Leaf) []byte {
	n := 0
	for _, l := range leaves {
		n += binary.MaxVarintLen32 + len(l.Entry) + 2*HashSize
	}
	b := make([]byte, 0, n)
	for _, l := range leaves {
		b = binary.AppendUvarint(b, uint64(len(l.Entry)))
		b = append(b, l.Entry...)
		b = append(b, l.Prev...)
		b = append(b, l.Hash...)
	}
	return b
}

var errBlock = errors.New("malformed block")

// DecodeBlock splits block data into leaves; each leaf's Seq is the one in
// its entry. The leaves share data's memory. A malformed tail yields the
// leaves before it and an error.
func DecodeBlock(data []byte) ([]Leaf, error) {
	return appendLeaves(nil, data)
}

// appendLeaves appends the leaves of block data to out.
func appendLeaves(out []Leaf, data []byte) ([]Leaf, error) {
	for len(data) > 0 {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)-k) || uint64(len(data)-k)-n < 2*HashSize {
			return out, errBlock
		}
		data = data[k:]
		e := data[:n:n]
		l := Leaf{Entry: e, Prev: data[n : n+HashSize : n+HashSize], Hash: data[n+HashSize : n+2*HashSize : n+2*HashSize]}
		l.Seq, _ = EntrySeq(e)
		out = append(out, l)
		data = data[n+2*HashSize:]
	}
	return out, nil
}

// Index key prefixes: events are found by actor, resource, action category
// (the action up to its first dot) and patient.
const (
	keyActor    = "a:"
	keyResource = "r:"
	keyCategory = "c:"
	keyPatient  = "p:"
)

// eventKeys returns the index keys of e.
func eventKeys(e *phigate.Event) []string {
	keys := []string{keyCategory + category(e.Action)}
	if e.Actor != "" {
		keys = append(keys, keyActor+e.Actor)
	}
	if e.Resource != "" {
		keys = append(keys, keyResource+e.Resource)
	}
	for _, p := range e.Patients {
		keys = append(keys, keyPatient+p)
	}
	return keys
}

func category(action string) string {
	c, _, _ := strings.Cut(action, ".")
	return c
}

// queryKeys returns the index keys every match of q has.
func queryKeys(q phigate.AuditQuery) []string {
	var keys []string
	if q.Patient != "" {
		keys = append(keys, keyPatient+q.Patient)
	}
	if q.Resource != "" {
		keys = append(keys, keyResource+q.Resource)
	}
	if q.Actor != "" {
		keys = append(keys, keyActor+q.Actor)
	}
	if k, ok := actionKey(q.Action); ok {
		keys = append(keys, k)
	}
	return keys
}

// actionKey returns the category key an action filter implies, if any.
func actionKey(filter string) (string, bool) {
	if filter == "" {
		return "", false
	}
	if p, ok := strings.CutSuffix(filter, "*"); ok && !strings.Contains(p, ".") {
		return "", false // "au*" may span categories
	}
	return keyCategory + category(filter), true
}

// blockOf returns a stored block of leaves whose events are evs.
func blockOf(leaves []Leaf, evs []*phigate.Event) *phigate.AuditBlock {
	b := &phigate.AuditBlock{First: leaves[0].Seq, Last: leaves[len(leaves)-1].Seq, Data: EncodeBlock(leaves)}
	seen := map[string]bool{}
	var keys []string
	for i, e := range evs {
		for _, k := range eventKeys(e) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if i == 0 || e.Time.Before(b.MinTime) {
			b.MinTime = e.Time
		}
		if i == 0 || e.Time.After(b.MaxTime) {
			b.MaxTime = e.Time
		}
	}
	b.Filter = newFilter(keys)
	return b
}
