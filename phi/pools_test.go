package phi_test

import (
	"slices"
	"testing"

	"github.com/phigate/phigate/phi"
)

func TestNames(t *testing.T) {
	nl, err := phi.Names()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		list      []string
		min       int
		has, hasn string
	}{
		"First":    {nl.First, 4000, "suzette", "suzetteville"},
		"FirstTop": {nl.FirstTop, 500, "mary", "zelda"},
		"Last":     {nl.Last, 50000, "kowalski", "kowalskiville"},
		"LastTop":  {nl.LastTop, 2000, "smith", "zwiefelhofer"},
		"Cities":   {nl.Cities, 5000, "towson", "baltimore county"},
	} {
		t.Run("OK/"+name, func(t *testing.T) {
			if len(c.list) < c.min || !slices.IsSorted(c.list) {
				t.Fatalf("%d words (want %d or more), sorted %v", len(c.list), c.min, slices.IsSorted(c.list))
			}
			_, has := slices.BinarySearch(c.list, c.has)
			_, hasn := slices.BinarySearch(c.list, c.hasn)
			if !has || hasn {
				t.Errorf("%q in list: %v (want true); %q: %v (want false)", c.has, has, c.hasn, hasn)
			}
		})
	}
}
