package risk_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

func TestReadTable(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for name, in := range map[string]string{
			"comma":     "a,b,c\n1,x,p\n2,y,q\n",
			"semicolon": "a;b;c\r\n1;x;p\r\n2;y;q\r\n",
			"tab":       "\xef\xbb\xbfa\tb\tc\n1\tx\tp\n2\ty\tq",
			"quoted":    "a,\"b\",c\n1,\"x\",p\n\"2\",y,q\n",
		} {
			tab, err := risk.ReadTable(strings.NewReader(in), name, []string{"c", "a"}, 0)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if tab.Rows != 2 || tab.Columns[0].Value(1) != "q" || tab.Columns[1].Value(0) != "1" {
				t.Errorf("%s: rows %d, c[1] %q, a[0] %q", name, tab.Rows, tab.Columns[0].Value(1), tab.Columns[1].Value(0))
			}
		}
	})
	t.Run("ErrFieldCount", func(t *testing.T) {
		in := "name,age\n\"Smith, John\nJr\",40\nJane Doe,41,extra\nBob,42\n"
		tab, err := risk.ReadTable(strings.NewReader(in), "people.csv", []string{"age"}, ',')
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows != 2 || tab.Rejected.Count != 1 || !slicesEqual(tab.Lines, []int32{2, 5}) {
			t.Fatalf("rows %d rejected %d lines %v", tab.Rows, tab.Rejected.Count, tab.Lines)
		}
		msg := tab.Rejected.List[0].Error()
		if msg != "people.csv:4: record has 3 fields, the header has 2" {
			t.Errorf("error %q", msg)
		}
		if strings.Contains(msg, "Jane") || strings.Contains(msg, "extra") {
			t.Errorf("error %q holds a value", msg)
		}
	})
	t.Run("ErrQuote", func(t *testing.T) {
		in := "name,age\nA,1\nB \"x\" C,2\nD,3\n"
		tab, err := risk.ReadTable(strings.NewReader(in), "q.csv", []string{"age"}, ',')
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows != 2 || tab.Rejected.Count != 1 || tab.Rejected.List[0].Line != 3 {
			t.Fatalf("rows %d, rejected %+v", tab.Rows, tab.Rejected.List)
		}
	})
	for name, tc := range map[string]struct {
		in   string
		cols []string
	}{
		"ErrEmpty":          {"", []string{"a"}},
		"ErrNoColumn":       {"a,b\n1,2\n", []string{"c"}},
		"ErrDuplicateName":  {"a,a\n1,2\n", []string{"a"}},
		"ErrEmptyName":      {"a,,b\n1,2,3\n", []string{"a"}},
		"ErrColumnTwice":    {"a,b\n1,2\n", []string{"a", "a"}},
		"ErrMalformedFirst": {"a,\"b\n", []string{"a"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := risk.ReadTable(strings.NewReader(tc.in), "x.csv", tc.cols, ',')
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Errorf("code %q (%v), want invalid", phigate.ErrorCode(err), err)
			}
		})
	}
}

func TestRejectionsCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for range 250 {
		b.WriteString("1,2,3\n")
	}
	b.WriteString("1,2\n")
	tab, err := risk.ReadTable(strings.NewReader(b.String()), "x.csv", []string{"a"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 1 || tab.Rejected.Count != 250 || len(tab.Rejected.List) != risk.MaxRejected {
		t.Errorf("rows %d rejected %d listed %d", tab.Rows, tab.Rejected.Count, len(tab.Rejected.List))
	}
}

func TestDetectComma(t *testing.T) {
	for in, want := range map[string]rune{
		"a,b,c": ',', "a;b;c": ';', "a\tb": '\t', "a|b|c": '|', "abc": ',',
		"\"x;y;z\",b,c": ',', "a;b,c;d": ';',
	} {
		if got := risk.DetectComma([]byte(in)); got != want {
			t.Errorf("DetectComma(%q) = %q, want %q", in, got, want)
		}
	}
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var _ = errors.New
