package structured_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

func TestMappingFile(t *testing.T) {
	ctx := context.Background()
	s := newGCMSealer(t)
	p := structured.NewPseudonymizer(nil)
	a, _ := p.Code("identifier", "MRN-0042", structured.FormToken)
	subject, err := structured.NewMappingSubject(nil)
	if err != nil || !strings.HasPrefix(subject, structured.MappingSubjectPrefix) {
		t.Fatalf("subject %q %v", subject, err)
	}
	var buf bytes.Buffer
	if err := p.WriteMapping(ctx, &buf, s, subject); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "MRN-0042") {
		t.Fatal("the mapping holds a value in clear")
	}
	t.Run("OK", func(t *testing.T) {
		q := structured.NewPseudonymizer(nil)
		got, err := q.ReadMapping(ctx, bytes.NewReader(buf.Bytes()), s)
		if err != nil || got != subject {
			t.Fatalf("subject %q %v", got, err)
		}
		again, _ := q.Code("identifier", "MRN-0042", structured.FormToken)
		other, _ := q.Code("identifier", "MRN-0043", structured.FormToken)
		if again != a || other == a || q.Len() != 2 {
			t.Errorf("codes %q %q, want %q first; %d codes", again, other, a, q.Len())
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		q := structured.NewPseudonymizer(nil)
		_, err := q.ReadMapping(ctx, bytes.NewReader(buf.Bytes()), otherSealer(t))
		if phigate.ErrorCode(err) != phigate.ECRYPTO || q.Len() != 0 {
			t.Fatalf("error %v, %d codes kept; want crypto and none", err, q.Len())
		}
	})
	for name, data := range map[string]string{
		"ErrNotAMapping": `{"domain":"x","code":"y","sealed":"AA=="}` + "\n",
		"ErrEmpty":       "",
		"ErrSubject":     `{"format":"phigate-pseudonyms","version":1,"subject":"patient:1"}` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := structured.NewPseudonymizer(nil).ReadMapping(ctx, strings.NewReader(data), s)
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("error %v, want invalid", err)
			}
		})
	}
	t.Run("ErrVersion", func(t *testing.T) {
		data := strings.Replace(buf.String(), `"version":1`, `"version":2`, 1)
		if _, err := structured.NewPseudonymizer(nil).ReadMapping(ctx, strings.NewReader(data), s); phigate.ErrorCode(err) != phigate.EVERSION {
			t.Fatalf("error %v, want version", err)
		}
	})
}

// otherSealer is a gcmSealer under another key.
func otherSealer(t *testing.T) gcmSealer {
	key := bytes.Repeat([]byte{7}, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, _ := cipher.NewGCM(block)
	return gcmSealer{aead}
}

// FuzzReadMapping: any input is read without panic; what is accepted
// names a mapping subject.
func FuzzReadMapping(f *testing.F) {
	s := newGCMSealer(f)
	p := structured.NewPseudonymizer(nil)
	p.Code("identifier", "A1", structured.FormToken)
	var buf bytes.Buffer
	p.WriteMapping(context.Background(), &buf, s, structured.MappingSubjectPrefix+"00")
	f.Add(buf.Bytes())                                                                             // a valid mapping
	f.Add([]byte(`{"format":"phigate-pseudonyms","version":1,"subject":"deid-mapping:1"}` + "\n")) // empty
	f.Add([]byte("{\n"))                                                                           // broken header
	f.Fuzz(func(t *testing.T, data []byte) {
		subject, err := structured.NewPseudonymizer(nil).ReadMapping(context.Background(), bytes.NewReader(data), s)
		if err == nil && !strings.HasPrefix(subject, structured.MappingSubjectPrefix) {
			t.Fatalf("accepted subject %q", subject)
		}
	})
}
