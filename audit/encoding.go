package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/phigate/phigate"
)

// EncodingV1 is the version byte of the frozen v1 event encoding.
//
// The v1 encoding of an event (Entry) is, in order:
//
//	byte    version (1)
//	uint64  seq, big-endian
//	int64   time as Unix nanoseconds (UTC), big-endian
//	string  actor, source, action, resource, purpose, outcome, reason, request id
//	uvarint number of patients, then each patient as a string
//	byte    break glass (0 or 1)
//	uvarint number of fields, then key and value strings, keys ascending
//
// where a string is its uvarint byte length followed by its UTF-8 bytes.
// The chain hash of event n is SHA-256(0x00 || hash(n-1) || entry(n)), the
// RFC 6962 leaf hash of the leaf hash(n-1) || entry(n); hash(0) is 32 zero
// bytes. This encoding never changes: testdata/v1 must verify forever.
const EncodingV1 = 1

// HashSize is the size of chain and Merkle hashes.
const HashSize = sha256.Size

// MaxEntrySize bounds one encoded event.
const MaxEntrySize = 64 << 10

var errEncoding = errors.New("malformed entry")

// Encode returns the v1 encoding of e. Codes: EINVALID (invalid UTF-8, a
// time outside 1678..2262, or too large).
func Encode(e *phigate.Event) ([]byte, error) {
	const op = "audit.Encode"
	if err := checkEvent(e); err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	b := make([]byte, 0, 128)
	b = append(b, EncodingV1)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	for _, s := range eventStrings(e) {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Patients)))
	for _, p := range e.Patients {
		b = appendString(b, p)
	}
	b = append(b, boolByte(e.BreakGlass))
	keys := sortedKeys(e.Fields)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, e.Fields[k])
	}
	if len(b) > MaxEntrySize {
		return nil, phigate.Errorf(phigate.EINVALID, op, "entry of %d bytes exceeds %d", len(b), MaxEntrySize)
	}
	return b, nil
}

func eventStrings(e *phigate.Event) []string {
	return []string{e.Actor, e.Source, e.Action, e.Resource, string(e.Purpose),
		string(e.Outcome), e.Reason, e.RequestID}
}

func checkEvent(e *phigate.Event) error {
	minT, maxT := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	if e.Time.Before(minT) || e.Time.After(maxT) {
		return errors.New("time out of range")
	}
	if e.Seq < 0 {
		return errors.New("negative seq")
	}
	all := append(eventStrings(e), e.Patients...)
	for k, v := range e.Fields {
		all = append(all, k, v)
	}
	for i, s := range all {
		if !utf8.ValidString(s) {
			return fmt.Errorf("string %d is not UTF-8", i)
		}
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// EntrySeq returns the seq written in a v1 entry without decoding the rest.
func EntrySeq(entry []byte) (int64, bool) {
	if len(entry) < 17 || entry[0] != EncodingV1 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(entry[1:9])), true
}

// Decode parses a v1 entry. It is strict: trailing bytes, unsorted or
// duplicate field keys and invalid UTF-8 are errors. Codes: EINVALID.
func Decode(entry []byte) (*phigate.Event, error) {
	e, err := decode(entry)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "audit.Decode", err)
	}
	return e, nil
}

func decode(entry []byte) (*phigate.Event, error) {
	if len(entry) > MaxEntrySize {
		return nil, errEncoding
	}
	seq, ok := EntrySeq(entry)
	if !ok {
		return nil, errEncoding
	}
	d := decoder{b: entry[17:]}
	e := &phigate.Event{Seq: seq, Time: time.Unix(0, int64(binary.BigEndian.Uint64(entry[9:17]))).UTC()}
	e.Actor, e.Source, e.Action, e.Resource = d.str(), d.str(), d.str(), d.str()
	e.Purpose, e.Outcome = phigate.Purpose(d.str()), phigate.Outcome(d.str())
	e.Reason, e.RequestID = d.str(), d.str()
	e.Patients = d.patients()
	e.BreakGlass = d.flag()
	e.Fields = d.fields()
	if d.err != nil || len(d.b) != 0 {
		return nil, errEncoding
	}
	return e, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) count() int {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)) {
		d.err = errEncoding
		return 0
	}
	d.b = d.b[k:]
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil || n > len(d.b) || !utf8.Valid(d.b[:n]) {
		d.err = errEncoding
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) patients() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	p := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		p = append(p, d.str())
	}
	return p
}

func (d *decoder) flag() bool {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.err = errEncoding
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

func (d *decoder) fields() map[string]string {
	n := d.count()
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	last := ""
	for i := 0; i < n && d.err == nil; i++ {
		k, v := d.str(), d.str()
		if i > 0 && k <= last {
			d.err = errEncoding
		}
		m[k], last = v, k
	}
	return m
}

// ChainHash returns the chain hash of an entry linked to prev: the RFC 6962
// leaf hash SHA-256(0x00 || prev || entry).
func ChainHash(prev, entry []byte) [HashSize]byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(prev)
	h.Write(entry)
	var out [HashSize]byte
	h.Sum(out[:0])
	return out
}
