package deid_test

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/phi"
)

// seeded returns a deterministic randomness source for tests.
func seeded(n int64) *rand.Rand { return rand.New(rand.NewSource(n)) }

func MustDetect(tb testing.TB, text []byte) []phigate.Finding {
	tb.Helper()
	fs, err := phi.NewScanner().Detect(nil, text)
	if err != nil {
		tb.Fatal(err)
	}
	return fs
}

func TestPlaceholderMap(t *testing.T) {
	m := deid.NewPlaceholderMap()
	r := seeded(1)
	a, _ := m.Add(phigate.NAME, "Rakusin", r)
	b, _ := m.Add(phigate.NAME, "Vasquez", r)
	a2, _ := m.Add(phigate.NAME, "Rakusin", r)
	if a != a2 || a == b {
		t.Fatalf("one value one placeholder, two values two: %s %s %s", a, a2, b)
	}
	if strings.Contains(a, "Rakusin") {
		t.Fatal("placeholder derived from value")
	}
	enc, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	n := deid.NewPlaceholderMap()
	if err := n.UnmarshalBinary(enc); err != nil {
		t.Fatal(err)
	}
	if e, ok := n.Lookup(b); !ok || e.Value != "Vasquez" {
		t.Fatalf("lookup after round trip: %+v %v", e, ok)
	}
	got := string(n.Reidentify(nil, []byte("Ask "+a+" and "+b+" about [NAME-XXXXXX].")))
	if got != "Ask Rakusin and Vasquez about [NAME-XXXXXX]." {
		t.Errorf("Reidentify: %q", got)
	}
	t.Run("ErrVersion", func(t *testing.T) {
		err := n.UnmarshalBinary([]byte(`{"version":99,"entries":{}}`))
		if phigate.ErrorCode(err) != phigate.EVERSION {
			t.Errorf("got %v", err)
		}
	})
	t.Run("OK/stream", func(t *testing.T) {
		re := &deid.Reidentifier{Map: n}
		text := "Dr " + a + " called " + b + "."
		var out []byte
		for i := 0; i < len(text); i += 3 {
			out = append(out, re.Write([]byte(text[i:min(i+3, len(text))]))...)
		}
		out = append(out, re.Flush()...)
		if string(out) != "Dr Rakusin called Vasquez." {
			t.Errorf("streamed re-identification: %q", out)
		}
	})
}

func TestMethods(t *testing.T) {
	text := []byte("Seen by Dr. Rakusin on 7/22/2023, call 410-555-1212. A 92 yo man from Towson, MD 21204.")
	fs := MustDetect(t, text)
	sur, err := deid.NewSurrogater([]byte("test key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range deid.Methods {
		t.Run(string(m), func(t *testing.T) {
			tr := &deid.Transformer{Method: m, Surrogates: sur, Rand: seeded(2)}
			out, counts, err := tr.Apply(nil, text, fs, "patient-1")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []string{"Rakusin", "7/22/2023", "410-555-1212", "21204"} {
				if bytes.Contains(out, []byte(v)) {
					t.Errorf("%s output keeps %q: %s", m, v, out)
				}
			}
			if counts[phigate.NAME] == 0 {
				t.Errorf("no NAME counted: %v", counts)
			}
			if m == deid.Surrogate && !bytes.Contains(out, []byte("90+")) {
				t.Errorf("age not generalised: %s", out)
			}
		})
	}
}

func TestSurrogateConsistent(t *testing.T) {
	s1, _ := deid.NewSurrogater([]byte("k"), nil)
	s2, _ := deid.NewSurrogater([]byte("k"), nil)
	f := phigate.Finding{Category: phigate.NAME}
	if a, b := s1.Replace(f, "Vasquez", "p"), s2.Replace(f, "VASQUEZ", "p"); !strings.EqualFold(a, b) || a == "Vasquez" {
		t.Errorf("same key, same person: %q %q", a, b)
	}
	d := phigate.Finding{Category: phigate.DATE}
	shift := s1.DateShift("p")
	if shift == 0 {
		t.Fatal("zero shift")
	}
	a, b := s1.Replace(d, "7/22/2023", "p"), s1.Replace(d, "7/23/2023", "p")
	if a == "7/22/2023" || a == b {
		t.Errorf("dates: %q %q", a, b)
	}
	if got := s1.Replace(phigate.Finding{Category: phigate.DATE, YearOnly: true}, "1992", "p"); got != "1992" {
		t.Errorf("lone year changed: %q", got)
	}
}

func TestSafeZIP(t *testing.T) {
	cases := map[string]string{"02115": "02100", "03601": "00000", "02115-1234": "02100-0000", "00001": "00000"}
	for in, want := range cases {
		if got := deid.SafeZIP(in); got != want {
			t.Errorf("SafeZIP(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestBatch(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(filepath.Join(in, "sub"), 0o755)
	os.WriteFile(filepath.Join(in, "a.txt"), []byte("Dr. Rakusin saw pt on 7/22.\n"), 0o644)
	os.WriteFile(filepath.Join(in, "sub", "b.txt"), []byte("Call 410-555-1212.\n"), 0o644)
	os.WriteFile(filepath.Join(in, "bin.dat"), []byte("x\x00y"), 0o644)
	os.WriteFile(filepath.Join(in, "bad.txt"), []byte("caf\xff"), 0o644)
	os.Symlink(filepath.Join(dir, "missing"), filepath.Join(in, "gone.txt")) // unreadable
	out := filepath.Join(dir, "out")
	b := &deid.Batch{Scanner: phi.NewScanner(), Transformer: &deid.Transformer{Method: deid.Tag}}
	sum, err := b.Run(context.Background(), []string{in}, out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 5 || sum.Failed != 3 {
		t.Fatalf("files %d failed %d: %+v", sum.Files, sum.Failed, sum.Results)
	}
	got, _ := os.ReadFile(filepath.Join(out, "a.txt"))
	if string(got) != "Dr. [NAME] saw pt on [DATE].\n" {
		t.Errorf("a.txt: %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "bin.dat")); err == nil {
		t.Error("failed file has an output")
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	for _, r := range sum.Results {
		if r.Err != nil && phigate.ErrorCode(r.Err) != phigate.EINVALID {
			t.Errorf("%s: code %s", r.In, phigate.ErrorCode(r.Err))
		}
	}
}

// FuzzTransforms checks that redact, tag and placeholder leave none of
// the finding texts and that placeholders re-identify to the input.
func FuzzTransforms(f *testing.F) {
	f.Add([]byte("Dr. Rakusin saw Mrs. Burns on 7/22/2023; call 410-555-1212."))
	f.Add([]byte("DAUGHTER SUZETTE AT BEDSIDE, SSN 123-45-6789"))
	sc := phi.NewScanner()
	f.Fuzz(func(t *testing.T, text []byte) {
		fs, err := sc.Detect(nil, text)
		if err != nil {
			t.Fatal(err)
		}
		rest := []byte{}
		last := 0
		for _, x := range fs {
			rest = append(append(rest, text[last:x.Start]...), 0)
			last = x.End
		}
		rest = append(rest, text[last:]...)
		for _, m := range []deid.Method{deid.Redact, deid.Tag, deid.Placeholder} {
			tr := &deid.Transformer{Method: m, Rand: seeded(3)}
			out, _, err := tr.Apply(nil, text, fs, "p")
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range fs {
				v := text[x.Start:x.End]
				if len(bytes.TrimSpace(v)) < 3 || bytes.Contains(rest, v) || strings.Contains("[]-"+string(x.Category), string(v)) {
					continue // also present outside the findings, or part of a tag
				}
				if bytes.Contains(out, v) && !bytes.Contains([]byte(strings.Join(allTags(), " ")), v) {
					t.Fatalf("%s output keeps a finding's text", m)
				}
			}
			if m == deid.Placeholder {
				if back := tr.Map.Reidentify(nil, out); !bytes.Equal(back, text) && !bytes.Contains(text, []byte("[")) {
					t.Fatalf("placeholders do not re-identify to the input")
				}
			}
		}
		sur, err := deid.NewSurrogater([]byte("fuzz"), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []deid.Method{deid.Mask, deid.Surrogate} {
			tr := &deid.Transformer{Method: m, Surrogates: sur}
			out, _, err := tr.Apply(nil, text, fs, "p")
			if err != nil {
				t.Fatal(err)
			}
			if utf8.Valid(text) && !utf8.Valid(out) {
				t.Fatalf("%s output is not UTF-8", m)
			}
			if m == deid.Mask && utf8.Valid(text) && utf8.RuneCount(out) != utf8.RuneCount(text) {
				t.Fatalf("mask changed the length in runes")
			}
		}
	})
}

func allTags() []string {
	var s []string
	for _, c := range phigate.Categories {
		s = append(s, "["+string(c)+"]")
	}
	return s
}
