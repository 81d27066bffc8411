package risk_test

import (
	"fmt"
	"strings"

	"github.com/phigate/phigate/deid/risk"
)

// The risk of a small table over age and sex: one record is alone in its
// class, so k is 1 and its prosecutor risk is 1.
func ExampleAnalyze() {
	in := "age,sex,dx\n30,F,a\n30,F,b\n30,F,a\n41,M,a\n41,M,a\n52,F,c\n"
	t, err := risk.ReadTable(strings.NewReader(in), "small.csv", []string{"age", "sex", "dx"}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := risk.Analyze(t, []string{"age", "sex"}, []string{"dx"}, risk.Options{K: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("classes %d, k %d, records below 3: %d, uniques %d\n", r.Classes, r.K, r.RecordsBelowK, r.SampleUniques)
	fmt.Printf("prosecutor highest %.2f average %.2f, distinct l %d\n", r.Prosecutor.Highest, r.Prosecutor.Average, r.Sensitive[0].DistinctL)
	// Output:
	// classes 3, k 1, records below 3: 3, uniques 1
	// prosecutor highest 1.00 average 0.50, distinct l 1
}
