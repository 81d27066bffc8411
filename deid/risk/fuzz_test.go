package risk_test

import (
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// FuzzReadTable checks that any input either fails with EINVALID or gives
// a table whose columns hold one code per record, every code in range.
func FuzzReadTable(f *testing.F) {
	f.Add("a,b\n1,2\n3,4\n")                // plain
	f.Add("a;b\r\n1;2\r\n3\r\n")            // wrong field count
	f.Add("a,b\n\"1\n2\",3\n\"x\"y,4\n")    // multi-line field, bare quote
	f.Add("\xef\xbb\xbfa\tb\n\"\"\"\"\t\n") // BOM, escaped quotes
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := risk.ReadTable(strings.NewReader(in), "fuzz.csv", []string{"a"}, 0)
		if err != nil {
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("code %q: %v", phigate.ErrorCode(err), err)
			}
			return
		}
		c := tab.Columns[0]
		if len(c.Codes) != tab.Rows || len(tab.Lines) != tab.Rows {
			t.Fatalf("%d codes, %d lines for %d rows", len(c.Codes), len(tab.Lines), tab.Rows)
		}
		for _, code := range c.Codes {
			if int(code) >= len(c.Values) {
				t.Fatalf("code %d of %d values", code, len(c.Values))
			}
		}
		if _, err := risk.Analyze(tab, []string{"a"}, nil, risk.Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzReadHierarchy checks that any input either fails with EINVALID or
// gives a hierarchy whose every leaf has a label on every level.
func FuzzReadHierarchy(f *testing.F) {
	f.Add("1;0-4;*\n2;0-4;*\n7;5-9;*\n") // ARX style
	f.Add("a,x,*\nb,y\n")                // unequal levels
	f.Add("a;x;p;*\nb;x;q;*\n")          // not nested
	f.Fuzz(func(t *testing.T, in string) {
		h, err := risk.ReadHierarchy(strings.NewReader(in), "h.csv", "c")
		if err != nil {
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("code %q: %v", phigate.ErrorCode(err), err)
			}
			return
		}
		for l := range h.Height() {
			for leaf := range h.Leaves() {
				_ = h.Label(l, int32(leaf))
			}
		}
	})
}
