package deid_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/phi"
)

func MustPatientFrom(tb testing.TB, s string) deid.PatientFrom {
	tb.Helper()
	p, err := deid.ParsePatientFrom(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestPatientFrom(t *testing.T) {
	sub := filepath.Join("notes", "12345", "2023-07-22.discharge.txt")
	for _, tc := range []struct {
		name, from, path, text, want string
	}{
		{"OK/file", "file", sub, "", sub},
		{"OK/default", "", sub, "", sub},
		{"OK/fileStdin", "file", "-", "", "stdin"},
		{"OK/name", "name", filepath.Join("notes", "12345.2023-07-22.txt"), "", "12345"},
		{"OK/dir", "dir", sub, "", "12345"},
		{"OK/field", "field", "-", "Discharge summary\n  patient-id : P-778 \nMRN: 9\n", "P-778"},
		{"OK/fieldNamed", "field:MRN", "x.txt", "Name: John\r\nMRN=A 12\r\n", "A 12"},
		{"OK/fieldLastLine", "field:MRN", "x.txt", "MRN: 55", "55"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MustPatientFrom(t, tc.from).Patient(tc.path, bufio.NewReader(strings.NewReader(tc.text)))
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, from, path, text string
	}{
		{"ErrNameStdin", "name", "-", "x"},
		{"ErrDirStdin", "dir", "", "x"},
		{"ErrNoField", "field:MRN", "x.txt", "MRNs: 1\nthe MRN: 2\nMRN:\n"},
		{"ErrNameEmpty", "name", ".hidden", ""},
		// The line is beyond the window: not read, so not found.
		{"ErrBeyondWindow", "field:MRN", "x.txt", strings.Repeat("x", deid.PatientWindow) + "\nMRN: 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MustPatientFrom(t, tc.from).Patient(tc.path, bufio.NewReaderSize(strings.NewReader(tc.text), deid.PatientWindow))
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("error %v, want invalid", err)
			}
			if err != nil && strings.Contains(err.Error(), "xxxx") {
				t.Fatal("the error holds text")
			}
		})
	}
	for _, bad := range []string{"path", "field:", "name:x", "field:a:b"} {
		t.Run("ErrParse/"+bad, func(t *testing.T) {
			if _, err := deid.ParsePatientFrom(bad); phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("%q: %v", bad, err)
			}
		})
	}
}

// TestOpenText checks that the value of the patient field is replaced as
// an MRN even where the detector would miss it, and that the rest of the
// text is read unchanged.
func TestOpenText(t *testing.T) {
	text := "Patient-ID: 123\nSeen 7/22/2023.\n"
	for _, m := range []deid.Method{deid.Tag, deid.Redact, deid.Mask} {
		t.Run("OK/"+string(m), func(t *testing.T) {
			tr := &deid.Transformer{Method: m}
			id, r, counts, err := MustPatientFrom(t, "field").OpenText("-", bufio.NewReader(strings.NewReader(text)), tr)
			if err != nil || id != "123" || counts[phigate.MRN] != 1 {
				t.Fatalf("id %q counts %v err %v", id, counts, err)
			}
			b, _ := io.ReadAll(r)
			want := map[deid.Method]string{deid.Tag: "[MRN]", deid.Redact: "", deid.Mask: "***"}[m]
			if string(b) != "Patient-ID: "+want+"\nSeen 7/22/2023.\n" {
				t.Fatalf("text %q", b)
			}
		})
	}
	t.Run("OK/file", func(t *testing.T) {
		_, r, counts, err := deid.PatientFrom{}.OpenText("a.txt", bufio.NewReader(strings.NewReader(text)), &deid.Transformer{})
		if b, _ := io.ReadAll(r); err != nil || string(b) != text || len(counts) != 0 {
			t.Fatalf("text %q counts %v err %v", b, counts, err)
		}
	})
}

// TestBatchPatientFrom checks that two notes of one patient (by folder)
// share a date shift and a third patient's does not, through Batch.
func TestBatchPatientFrom(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	for _, p := range []string{"p1/a.txt", "p1/b.txt", "p2/a.txt"} {
		os.MkdirAll(filepath.Join(in, filepath.Dir(p)), 0o700)
		os.WriteFile(filepath.Join(in, p), []byte("Admitted on 07/22/2023.\n"), 0o600)
	}
	sur, err := deid.NewSurrogater([]byte("test key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := phi.NewScanner()
	b := &deid.Batch{Scanner: sc, Transformer: &deid.Transformer{Method: deid.Surrogate, Surrogates: sur},
		PatientFrom: MustPatientFrom(t, "dir")}
	sum, err := b.Run(context.Background(), []string{in}, out)
	if err != nil || sum.Failed != 0 {
		t.Fatalf("%v %+v", err, sum)
	}
	read := func(p string) string {
		b, _ := os.ReadFile(filepath.Join(out, p))
		return string(b)
	}
	if a, b := read("p1/a.txt"), read("p1/b.txt"); a != b || strings.Contains(a, "07/22/2023") {
		t.Errorf("one patient, two shifts: %q %q", a, b)
	}
	if sur.DateShift("p1") == sur.DateShift("p2") {
		t.Skip("the two patients' shifts collide under this key")
	}
	if read("p1/a.txt") == read("p2/a.txt") {
		t.Errorf("two patients, one shift: %q", read("p2/a.txt"))
	}
}
