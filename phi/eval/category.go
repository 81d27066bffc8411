package eval

import (
	"sort"

	"github.com/phigate/phigate"
)

func sortedCategories(m map[phigate.Category]int) []phigate.Category {
	var out []phigate.Category
	for _, c := range phigate.Categories {
		if m[c] > 0 {
			out = append(out, c)
		}
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
