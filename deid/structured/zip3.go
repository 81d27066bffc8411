package structured

import (
	"strings"

	"github.com/phigate/phigate/deid"
)

// safeZIP3 returns the Safe Harbor form of a ZIP code as a generalised
// value: its first three digits, or "000" where HHS restricts them or
// nobody lives there (deid.SafeZIP's rule); "" when it is no ZIP code.
func safeZIP3(zip string) string {
	zip = strings.TrimSpace(zip)
	digits := 0
	for i := 0; i < len(zip); i++ {
		switch c := zip[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c != '-' && c != ' ' || digits < 3:
			return ""
		}
	}
	if digits < 3 {
		return ""
	}
	return deid.SafeZIP(zip)[:3]
}
