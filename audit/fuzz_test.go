package audit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// FuzzDecode: decoding never panics, and whatever decodes re-encodes to
// the same bytes (the v1 encoding is canonical).
func FuzzDecode(f *testing.F) {
	e := tricky()
	good, _ := audit.Encode(e)
	f.Add(good)                     // a full event
	f.Add(good[:len(good)-1])       // truncated
	f.Add(append(good, 0))          // trailing byte
	f.Add([]byte{1})                // version only
	f.Add([]byte{2, 0, 0, 0, 0, 0}) // unknown version
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := audit.Decode(b)
		if err != nil {
			return
		}
		again, err := audit.Encode(e)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("decoded entry re-encodes differently: %v", err)
		}
	})
}

// FuzzDecodeBlock: no panic; leaves stay inside the data.
func FuzzDecodeBlock(f *testing.F) {
	entry, _ := audit.Encode(tricky())
	h := make([]byte, audit.HashSize)
	f.Add(audit.EncodeBlock([]audit.Leaf{{Entry: entry, Prev: h, Hash: h}})) // one leaf
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})                              // huge length
	f.Fuzz(func(t *testing.T, b []byte) {
		leaves, _ := audit.DecodeBlock(b)
		for _, l := range leaves {
			if len(l.Prev) != audit.HashSize || len(l.Hash) != audit.HashSize {
				t.Fatal("leaf with a short hash")
			}
		}
	})
}

// FuzzOpenCheckpoint: no panic on any note; nothing opens without a valid
// signature by the trusted key.
func FuzzOpenCheckpoint(f *testing.F) {
	s := audit.NoteSigner{Name: "node1", Key: MustKey(f, 1)}
	cp := audit.Checkpoint{Origin: "o", Size: 3, Root: audit.EmptyRoot}
	good, _ := s.Sign(cp.Text())
	f.Add(good)                                             // valid
	f.Add(bytes.Replace(good, []byte("3"), []byte("4"), 1)) // altered size
	f.Add([]byte("o\n1\n\n\u2014 node1 AAAA\n"))            // garbage signature
	keys := []audit.VerifierKey{MustVerifier(f, s)}
	f.Fuzz(func(t *testing.T, note []byte) {
		c, _, err := audit.OpenCheckpoint(note, keys)
		if err == nil && !bytes.Contains(note, c.Text()) {
			t.Fatal("opened a checkpoint whose text is not in the note")
		}
	})
}

// FuzzParseVerifierKey: no panic; a parsed key prints back the same.
func FuzzParseVerifierKey(f *testing.F) {
	vk := MustVerifier(f, audit.NoteSigner{Name: "node1", Key: MustKey(f, 1)})
	f.Add(vk.String())           // valid
	f.Add("node1+00000000+AAAA") // bad key id and key
	f.Fuzz(func(t *testing.T, s string) {
		k, err := audit.ParseVerifierKey(s)
		if err == nil && k.String() != strings.TrimSpace(s) {
			t.Fatalf("%q parsed as %q", s, k.String())
		}
	})
}

// FuzzVerifySegment: any input either fails to parse or yields a report;
// a segment that verifies ends at a signed checkpoint covering all of it.
func FuzzVerifySegment(f *testing.F) {
	var seg bytes.Buffer
	l := MustLog(f, nil2store(), 4)
	for i := range 8 {
		l.Record(ctxBG, event(i))
	}
	l.Close()
	audit.WriteSegment(ctxBG, l.Store, audit.DefaultOrigin, &seg, 0, 8)
	orig := seg.String()
	f.Add(orig)               // valid
	f.Add(orig[:len(orig)/2]) // truncated
	f.Add(`{"format":"x"}`)   // wrong format
	f.Fuzz(func(t *testing.T, s string) {
		got, err := audit.VerifySegment(strings.NewReader(s), keys(t), audit.DefaultOrigin)
		if err == nil && got.OK() && (got.Last == 0 || got.Last != got.Size) {
			t.Fatalf("segment verified without a covering checkpoint: %+v", got.Report)
		}
	})
}

var _ = phigate.EINVALID
