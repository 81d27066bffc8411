package structured

// restrictedZIP3 are the 3-digit ZIP prefixes whose areas held 20,000
// people or fewer, which Safe Harbor replaces with 000 (45 CFR
// 164.514(b)(2)(i)(B)). Source: public US Census Bureau counts as published
// by HHS in its de-identification guidance: the 17 prefixes of the 2000
// census (036 059 063 102 203 556 692 790 821 823 830 831 878 879 884 890
// 893), those of the 2010 census (adding 205 and 369) and of 2020 (adding
// 204 and 772). The union is used, so data from any of those years is
// safe.
//
// This is a small stand-in for the deid package's ZIP rule, which also
// zeroes unpopulated prefixes; use that once it is on main.
var restrictedZIP3 = map[string]bool{
	"036": true, "059": true, "063": true, "102": true, "203": true, "204": true, "205": true,
	"369": true, "556": true, "692": true, "772": true, "790": true, "821": true, "823": true,
	"830": true, "831": true, "878": true, "879": true, "884": true, "890": true, "893": true,
}

// safeZIP3 returns the Safe Harbor form of a ZIP code: its first three
// digits, or "000" where they are restricted; "" when it holds no ZIP code.
func safeZIP3(zip string) string {
	d := make([]byte, 0, 3)
	for i := 0; i < len(zip) && len(d) < 3; i++ {
		if c := zip[i]; c >= '0' && c <= '9' {
			d = append(d, c)
		} else if c != ' ' {
			return ""
		}
	}
	if len(d) < 3 {
		return ""
	}
	if restrictedZIP3[string(d)] {
		return "000"
	}
	return string(d)
}
