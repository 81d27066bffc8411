package deid_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/phigate/phigate/deid"
)

// TestSafeZIPCensus checks the ZIP3 rule against census populations
// (PHIGATE_TEST_DATA/zip3): every prefix HHS lists becomes 000, and every
// prefix with more than 20,000 people in both censuses keeps its digits.
// Prefixes with no people that still have a ZIP Code Tabulation Area are
// logged: the embedded list cannot see them.
func TestSafeZIPCensus(t *testing.T) {
	dir := os.Getenv("PHIGATE_TEST_DATA")
	if dir == "" {
		t.Skip("PHIGATE_TEST_DATA not set")
	}
	f, err := os.Open(filepath.Join(dir, "zip3", "zip3_population_2010_2020.csv"))
	if err != nil {
		t.Skipf("census data absent: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Split(sc.Text(), ",")
		if len(cols) < 3 {
			continue
		}
		p10, _ := strconv.Atoi(cols[1])
		p20, _ := strconv.Atoi(cols[2])
		kept := deid.SafeZIP(cols[0]+"01") != "00000"
		switch {
		case deid.RestrictedZIP3[cols[0]] && kept:
			t.Errorf("restricted prefix %s kept", cols[0])
		case p10 > 20000 && p20 > 20000 && !kept:
			t.Errorf("prefix %s (%d/%d people) dropped", cols[0], p10, p20)
		case p10 == 0 && p20 == 0 && kept:
			t.Logf("prefix %s has no people but a tabulation area: kept", cols[0])
		}
	}
}
