package structured_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/phigate/phigate/deid/structured"
)

// A CSV whose columns declare their kind, under the safe-harbor profile:
// the MRN becomes a random pseudonym, the birth date its year, the ZIP
// code its first three digits; the lab value is kept.
func ExampleDeidentifier() {
	d := structured.NewDeidentifier()
	d.Config = &structured.Config{
		Profile: structured.SafeHarbor,
		Fields:  map[string]string{"mrn": "mrn", "dob": "birth-date", "zip": "zip", "lab": "keep"},
	}
	d.Rand = strings.NewReader(strings.Repeat("x", 64)) // fixed, for the example only
	d.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	if err := d.Open(); err != nil {
		fmt.Println(err)
		return
	}
	in := "mrn,dob,zip,lab\nA1,1950-02-03,02139,5.1\nA1,1950-02-03,03601,4.7\n"
	st, err := d.Run(context.Background(), strings.NewReader(in), "labs.csv", structured.CSV, os.Stdout)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Written, "records written")
	// Output:
	// mrn,dob,zip,lab
	// yyyyyyyyyyyyyyyy,1950,021,5.1
	// yyyyyyyyyyyyyyyy,1950,000,4.7
	// 2 records written
}
