package deid

import (
	_ "embed"
	"strings"
)

// zip3.txt lists the 3-digit prefixes of the census ZIP Code Tabulation
// Areas, the ZIP areas where people live (generated with the phi
// dictionaries; see phi/SOURCES.md).
//
//go:embed zip3.txt
var zip3Text string

var populatedZIP3 = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Fields(zip3Text) {
		m[p] = true
	}
	return m
}()

// RestrictedZIP3 are the prefixes whose area holds 20,000 people or fewer
// by the 2010 census (as listed in the HHS de-identification guidance)
// and the 2020 census (which adds 204 and 772): Safe Harbor replaces them
// with 000.
var RestrictedZIP3 = map[string]bool{
	"036": true, "059": true, "102": true, "203": true, "204": true, "205": true, "369": true, "556": true, "692": true,
	"772": true, "821": true, "823": true, "878": true, "879": true, "884": true, "893": true,
}

// SafeZIP returns the Safe Harbor form of a ZIP code: its first three
// digits followed by zeros, or all zeros where the prefix is restricted or
// unpopulated. The result keeps the input's length ("02115" → "02100",
// "02115-1234" → "02100-0000").
func SafeZIP(zip string) string {
	digits := 0
	for _, c := range zip {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits < 3 {
		return strings.Repeat("0", len(zip))
	}
	prefix := zip[:3]
	keep := populatedZIP3[prefix] && !RestrictedZIP3[prefix]
	out := []byte(zip)
	for i := range out {
		if out[i] >= '0' && out[i] <= '9' && (i >= 3 || !keep) {
			out[i] = '0'
		}
	}
	return string(out)
}
