package structured_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/structured"
	"github.com/phigate/phigate/phi"
)

// seeded is deterministic randomness for codes.
type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

var testNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// MustScanner returns the PHI engine, opened once.
func MustScanner(tb testing.TB) *phi.Scanner {
	tb.Helper()
	scannerOnce.Do(func() {
		scanner = phi.NewScanner()
		scannerErr = scanner.Open()
	})
	if scannerErr != nil {
		tb.Fatal(scannerErr)
	}
	return scanner
}

var (
	scannerOnce sync.Once
	scanner     *phi.Scanner
	scannerErr  error
)

// MustDeidentifier returns an opened Deidentifier with phigate's own
// components: the PHI scanner, tags for free text, and a keyed surrogater
// for date shifts.
func MustDeidentifier(tb testing.TB, c *structured.Config) *structured.Deidentifier {
	tb.Helper()
	d := structured.NewDeidentifier()
	d.Config = c
	d.Detector = MustScanner(tb)
	s, err := deid.NewSurrogater([]byte("test key"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	d.Shifter = s
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
