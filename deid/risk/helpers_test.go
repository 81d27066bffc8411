package risk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/phigate/phigate/deid/risk"
)

// adultDir returns the adult data set's folder, or skips the test.
func adultDir(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv("PHIGATE_TEST_DATA")
	if root == "" {
		tb.Skip("PHIGATE_TEST_DATA is not set")
	}
	dir := filepath.Join(root, "adult")
	if _, err := os.Stat(filepath.Join(dir, "adult.csv")); err != nil {
		tb.Skipf("PHIGATE_TEST_DATA has no adult/adult.csv: %v", err)
	}
	return dir
}

// MustReadTable reads the named columns of a delimited file.
func MustReadTable(tb testing.TB, path string, cols []string) *risk.Table {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	t, err := risk.ReadTable(f, filepath.Base(path), cols, 0)
	if err != nil {
		tb.Fatalf("ReadTable: %v", err)
	}
	return t
}

// MustReadHierarchy reads an ARX hierarchy file for column.
func MustReadHierarchy(tb testing.TB, path, column string) *risk.Hierarchy {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	h, err := risk.ReadHierarchy(f, filepath.Base(path), column)
	if err != nil {
		tb.Fatalf("ReadHierarchy: %v", err)
	}
	return h
}

// adultHierarchies reads the adult hierarchies of cols.
func adultHierarchies(tb testing.TB, dir string, cols []string) []*risk.Hierarchy {
	hs := make([]*risk.Hierarchy, len(cols))
	for i, c := range cols {
		hs[i] = MustReadHierarchy(tb, filepath.Join(dir, "adult_hierarchy_"+c+".csv"), c)
	}
	return hs
}

var (
	adultQIa = []string{"age", "sex", "race", "marital-status"}
	adultQIb = []string{"age", "sex", "race", "marital-status", "education", "native-country"}
)
