package eval

import "github.com/phigate/phigate"

func sortedCategories(m map[phigate.Category]int) []phigate.Category {
	var out []phigate.Category
	for _, c := range phigate.Categories {
		if m[c] > 0 {
			out = append(out, c)
		}
	}
	return out
}
