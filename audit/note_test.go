package audit_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/phigate/phigate/audit"
)

// MustKey returns a deterministic Ed25519 key for tests.
func MustKey(tb testing.TB, seed byte) ed25519.PrivateKey {
	tb.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func MustVerifier(tb testing.TB, s audit.NoteSigner) audit.VerifierKey {
	tb.Helper()
	v, err := s.Verifier()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestNoteInteroperates(t *testing.T) {
	// A checkpoint we sign opens with the Go team's signed-note package,
	// and its verifier key string parses there: anyone can check it.
	s := audit.NoteSigner{Name: "node1.example", Key: MustKey(t, 1)}
	vk := MustVerifier(t, s)
	cp := audit.Checkpoint{Origin: "hospital.example/audit", Size: 42, Root: audit.EmptyRoot}
	signed, err := s.Sign(cp.Text())
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vk.String())
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != string(cp.Text()) {
		t.Errorf("text %q", n.Text)
	}
	parsed, err := audit.ParseVerifierKey(vk.String())
	if err != nil || parsed.ID != vk.ID || !parsed.Key.Equal(vk.Key) {
		t.Errorf("ParseVerifierKey: %v", err)
	}
}

func TestNoteFromReferenceSigner(t *testing.T) {
	// A note signed by the reference implementation opens with ours.
	skey, vkey, err := note.GenerateKey(nil, "ref.example")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	cp := audit.Checkpoint{Origin: "o", Size: 7, Root: audit.EmptyRoot, Extensions: []string{"ext line"}}
	msg, err := note.Sign(&note.Note{Text: string(cp.Text())}, signer)
	if err != nil {
		t.Fatal(err)
	}
	vk, err := audit.ParseVerifierKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	got, name, err := audit.OpenCheckpoint(msg, []audit.VerifierKey{vk})
	if err != nil || name != "ref.example" || got.Size != 7 || got.Extensions[0] != "ext line" {
		t.Fatalf("OpenCheckpoint = %+v, %q, %v", got, name, err)
	}
}

func TestOpenNote(t *testing.T) {
	s := audit.NoteSigner{Name: "node1", Key: MustKey(t, 1)}
	other := audit.NoteSigner{Name: "node1", Key: MustKey(t, 2)}
	cp := audit.Checkpoint{Origin: "o", Size: 3, Root: audit.EmptyRoot}
	good, _ := s.Sign(cp.Text())
	forged, _ := other.Sign(cp.Text())
	tampered := bytes.Replace(good, []byte("\n3\n"), []byte("\n4\n"), 1)
	keys := []audit.VerifierKey{MustVerifier(t, s)}
	tests := []struct {
		name string
		note []byte
		want error
	}{
		{"OK", good, nil},
		{"ErrOtherKey", forged, audit.ErrNoteUnknownKey},
		{"ErrTampered", tampered, audit.ErrNoteSignature},
		{"ErrNoSignature", cp.Text(), audit.ErrNoteMalformed},
		{"ErrGarbage", []byte("x\n\n\u2014 node1 !!\n"), audit.ErrNoteMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := audit.OpenCheckpoint(tt.note, keys)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseCheckpoint(t *testing.T) {
	bad := []string{"", "o\n1\n", "o\n01\n" + strings.Repeat("A", 43) + "=\n", "o\n-1\nAAAA\n", "\n1\n" + strings.Repeat("A", 43) + "=\n"}
	for _, s := range bad {
		if _, err := audit.ParseCheckpoint([]byte(s)); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted", s)
		}
	}
}

func TestFuncSigner(t *testing.T) {
	k := MustKey(t, 3)
	fs := audit.FuncSigner{PublicKey: k.Public().(ed25519.PublicKey), SignFunc: func(m []byte) []byte { return ed25519.Sign(k, m) }}
	s := audit.NoteSigner{Name: "n3", Key: fs}
	note, err := s.Sign([]byte("o\n1\n" + "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := audit.OpenCheckpoint(note, []audit.VerifierKey{MustVerifier(t, s)}); err != nil {
		t.Fatal(err)
	}
}
