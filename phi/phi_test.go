package phi_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
)

var update = flag.Bool("update", false, "rewrite golden files")

// MustDetect runs a fresh scanner over text.
func MustDetect(tb testing.TB, text []byte) []phigate.Finding {
	tb.Helper()
	fs, err := phi.NewScanner().Detect(nil, text)
	if err != nil {
		tb.Fatalf("Detect: %v", err)
	}
	return fs
}

func render(text []byte, fs []phigate.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		year := ""
		if f.YearOnly {
			year = " year_only"
		}
		fmt.Fprintf(&b, "%d %d %s %s%s %q\n", f.Start, f.End, f.Category, f.Recognizer, year, text[f.Start:f.End])
	}
	return b.String()
}

// TestGolden runs the scanner on testdata/*.input and compares with the
// .golden files (go test -update rewrites them); testdata/high/*.input
// runs at HighSensitivity.
func TestGolden(t *testing.T) {
	for dir, sens := range map[string]phi.Sensitivity{"testdata": phi.DefaultSensitivity, "testdata/high": phi.HighSensitivity} {
		inputs, _ := filepath.Glob(filepath.Join(dir, "*.input"))
		if len(inputs) == 0 {
			t.Fatalf("no golden inputs in %s", dir)
		}
		sc := phi.NewScanner()
		sc.Sensitivity = sens
		for _, in := range inputs {
			t.Run(in, func(t *testing.T) { checkGolden(t, sc, in) })
		}
	}
}

func checkGolden(t *testing.T, sc *phi.Scanner, in string) {
	text, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := sc.Detect(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	got := render(text, fs)
	golden := strings.TrimSuffix(in, ".input") + ".golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("findings differ from %s:\n got:\n%s\nwant:\n%s", golden, got, want)
	}
}

func TestFindings(t *testing.T) {
	cases := []struct {
		name, text, span string
		cat              phigate.Category
	}{
		{"OK/title", "Seen by Dr. Rakusin today.", "Rakusin", phigate.NAME},
		{"OK/relation", "DAUGHTER SUZETTE CALLED", "SUZETTE", phigate.NAME},
		{"OK/signature", "Stable overnight.\nMarie Munroe, RN", "Marie Munroe", phigate.NAME},
		{"OK/date", "admitted 7/22 for CHF", "7/22", phigate.DATE},
		{"OK/isodate", "on 2023-07-22 at noon", "2023-07-22", phigate.DATE},
		{"OK/phone", "call 410-555-1212 now", "410-555-1212", phigate.PHONE},
		{"OK/fax", "fax: 410-555-1212", "410-555-1212", phigate.FAX},
		{"OK/faxed", "records faxed to 603-555-0147 today", "603-555-0147", phigate.FAX},
		{"OK/fx", "Fx: 603-555-0148", "603-555-0148", phigate.FAX},
		{"OK/faxnumber", "Fax number 603-555-0150", "603-555-0150", phigate.FAX},
		{"OK/fax-then-cell", "fax 603-555-0151, cell 603-555-0152", "603-555-0152", phigate.PHONE},
		{"OK/tel-not-fax", "fax done. Tel 603-555-0149", "603-555-0149", phigate.PHONE},
		{"OK/ssn", "SSN 123-45-6789", "123-45-6789", phigate.SSN},
		{"OK/email", "mail a.b@example.org", "a.b@example.org", phigate.EMAIL},
		{"OK/ip", "from 10.1.2.3 today", "10.1.2.3", phigate.IP},
		{"OK/age", "a 92 yo man", "92", phigate.AGE},
		{"OK/mrn", "MRN: 55501234", "55501234", phigate.MRN},
		{"OK/memberid", "Insurance member ID: XJH123456789", "XJH123456789", phigate.HEALTH_PLAN_ID},
		{"OK/id", "Badge ID 55501234", "55501234", phigate.OTHER_ID},
		{"OK/bareid", "her ID: 55501234", "55501234", phigate.OTHER_ID},
		{"OK/vin", "car 1HGCM82633A004352", "1HGCM82633A004352", phigate.VEHICLE_ID},
		{"OK/facility", "sent from Holy Cross Hospital", "Holy Cross", phigate.LOCATION},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := []byte(c.text)
			want := strings.Index(c.text, c.span)
			for _, f := range MustDetect(t, text) {
				if f.Start <= want && want+len(c.span) <= f.End && f.Category == c.cat {
					return
				}
			}
			t.Errorf("%q not found as %s in %q: %s", c.span, c.cat, c.text, render(text, MustDetect(t, text)))
		})
	}
}

func TestHardNegatives(t *testing.T) {
	for _, text := range []string{
		"Foley catheter draining clear urine.",
		"History of Parkinson's disease.",
		"Bell's palsy on the left.",
		"Wilson's disease ruled out.",
		"Started heparin, lasix, propofol and coumadin.",
		"NEURO: ALERT, MAE. CV: NSR. RESP: LS CLEAR.",
		"Strength 5/5, pain 3/10, 1/2 NS at 75 cc/hr, PSV 10/5.",
	} {
		t.Run("OK", func(t *testing.T) {
			if fs := MustDetect(t, []byte(text)); len(fs) > 0 {
				t.Errorf("findings in %q: %s", text, render([]byte(text), fs))
			}
		})
	}
}

// checkFindings verifies the Detector contract on text.
func checkFindings(t *testing.T, text []byte, fs []phigate.Finding) {
	t.Helper()
	for i, f := range fs {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Fatalf("finding %d out of bounds: %d-%d of %d", i, f.Start, f.End, len(text))
		}
		if f.Start < len(text) && !utf8.RuneStart(text[f.Start]) || f.End < len(text) && !utf8.RuneStart(text[f.End]) {
			t.Fatalf("finding %d not on rune boundaries", i)
		}
		if i > 0 && f.Start < fs[i-1].End {
			t.Fatalf("findings %d and %d overlap or are unsorted", i-1, i)
		}
		if !f.Category.Valid() {
			t.Fatalf("finding %d has invalid category", i)
		}
	}
}

func FuzzScanner(f *testing.F) {
	seeds := []string{
		"Dr. Smith saw pt 7/22/2023.",            // name and date
		"CALL 410-555-1212 X45 FAX 410-555-1313", // phone, fax
		"\xff\xfe\x00 Dr. \xc3\xa9milie",         // invalid UTF-8, NUL, accents
		"a.b@c.de http://x.y/z 1.2.3.4 ::1",      // web
		"the 22nd of July '92 90 yo",             // dates, age
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, in := range []string{"names", "dates", "numbers", "high/sentence", "high/sentence-caps", "high/strange", "high/strange-mixed"} {
		if b, err := os.ReadFile("testdata/" + in + ".input"); err == nil {
			f.Add(b)
		}
	}
	sc, high := phi.NewScanner(), phi.NewScanner()
	high.Sensitivity = phi.HighSensitivity
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, sc := range []*phi.Scanner{sc, high} {
			fs, err := sc.Detect(nil, text)
			if err != nil {
				t.Fatal(err)
			}
			checkFindings(t, text, fs)
		}
	})
}

func FuzzStream(f *testing.F) {
	f.Add([]byte("Pt seen by Dr. Rakusin on 7/22. Call 410-555-1212."), uint16(7))
	f.Fuzz(func(t *testing.T, text []byte, chunk uint16) {
		n := int(chunk%997) + 1
		st := phi.NewScanner().NewStream()
		var all []phigate.Finding
		var out []byte
		for i := 0; i < len(text); i += n {
			seg, err := st.Feed(text[i:min(i+n, len(text))])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, seg.Text...)
			all = append(all, seg.Findings...)
		}
		seg, err := st.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, seg.Text...)
		all = append(all, seg.Findings...)
		if !bytes.Equal(out, text) {
			t.Fatalf("stream text differs from input")
		}
		checkFindings(t, text, all)
	})
}

// TestConcurrent runs one Scanner from several goroutines (go test -race
// checks the pooled scratch state) and expects the same findings as a
// single scan.
func TestConcurrent(t *testing.T) {
	text, err := os.ReadFile("testdata/admission.input")
	if err != nil {
		t.Fatal(err)
	}
	sc := phi.NewScanner()
	want, _ := sc.Detect(nil, text)
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for n := 0; n < 20; n++ {
				got, err := sc.Detect(nil, text)
				if err != nil || len(got) != len(want) {
					errs <- "different findings"
					return
				}
			}
			errs <- ""
		}()
	}
	for g := 0; g < 8; g++ {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
