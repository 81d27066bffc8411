package structured_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

// testDetector is a stand-in for phi.Scanner until it is on main: it
// finds a few name words, phone numbers, e-mail addresses and dates.
type testDetector struct{}

var testPatterns = []struct {
	re  *regexp.Regexp
	cat phigate.Category
}{
	{regexp.MustCompile(`\b(?:John|Jane|Smith|Doe|Family|GivenFirst|GivenSecond|Peter|James|Chalmers)\b`), phigate.NAME},
	{regexp.MustCompile(`\(?\d{2,3}\)?[ -]?\d{3,4}[ -]\d{4}\b`), phigate.PHONE},
	{regexp.MustCompile(`[\w.]+@[\w.]+\w`), phigate.EMAIL},
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b`), phigate.DATE},
}

func (testDetector) Detect(dst []phigate.Finding, text []byte) ([]phigate.Finding, error) {
	var fs []phigate.Finding
	for _, p := range testPatterns {
		for _, m := range p.re.FindAllIndex(text, -1) {
			fs = append(fs, phigate.Finding{Start: m[0], End: m[1], Category: p.cat, Confidence: 1, Recognizer: "test"})
		}
	}
	// sort and drop overlaps
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Start < fs[j-1].Start; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
	end := 0
	for _, f := range fs {
		if f.Start >= end {
			dst = append(dst, f)
			end = f.End
		}
	}
	return dst, nil
}

// testShifter is a keyed date shift, a stand-in for deid.Surrogater.
type testShifter struct{ key []byte }

func (s testShifter) DateShift(patient string) int {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(patient))
	d := int(binary.BigEndian.Uint64(m.Sum(nil))%730) - 365
	if d >= 0 {
		d++
	}
	return d
}

// seeded is deterministic randomness for codes.
type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

var testNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// MustDeidentifier returns an opened Deidentifier with test components.
func MustDeidentifier(tb testing.TB, c *structured.Config) *structured.Deidentifier {
	tb.Helper()
	d := structured.NewDeidentifier()
	d.Config = c
	d.Detector = testDetector{}
	d.Shifter = testShifter{key: []byte("test key")}
	d.Rand = seeded{rand.NewChaCha8([32]byte{1})}
	d.Now = func() time.Time { return testNow }
	if err := d.Open(); err != nil {
		tb.Fatal(err)
	}
	return d
}

// fhirDir returns the shared FHIR test resources, or skips.
func fhirDir(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv("PHIGATE_TEST_DATA")
	if root == "" {
		tb.Skip("PHIGATE_TEST_DATA is not set")
	}
	dir := filepath.Join(root, "fhir-anonymizer", "resources")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("PHIGATE_TEST_DATA has no fhir-anonymizer/resources: %v", err)
	}
	return dir
}

func mustDate(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
