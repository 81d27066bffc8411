package risk_test

import (
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

func TestReadHierarchy(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		in := "1;0-4;0-9;*\r\n2;0-4;0-9;*\r\n7;5-9;0-9;*\r\n12;10-14;10-19;*"
		h, err := risk.ReadHierarchy(strings.NewReader(in), "age.csv", "age")
		if err != nil {
			t.Fatal(err)
		}
		leaf, ok := h.Leaf("7")
		if !ok || h.Height() != 4 || h.Leaves() != 4 || h.Label(1, leaf) != "5-9" || h.Label(3, leaf) != "*" {
			t.Errorf("height %d leaves %d label %q", h.Height(), h.Leaves(), h.Label(1, leaf))
		}
		if got := h.Labels(2); !slicesEqual(got, []string{"0-9", "10-19"}) {
			t.Errorf("labels of level 2: %v", got)
		}
		if _, ok := h.Leaf("99"); ok {
			t.Error("Leaf found a value the hierarchy lacks")
		}
	})
	t.Run("OKRepeatedLabelOnALevel", func(t *testing.T) {
		in := "a;Other;*\nb;Other;*\nc;C;*\n"
		if _, err := risk.ReadHierarchy(strings.NewReader(in), "h.csv", "x"); err != nil {
			t.Fatal(err)
		}
	})
	for name, in := range map[string]string{
		"ErrEmpty":          "",
		"ErrUnequalLevels":  "a;x;*\nb;*\n",
		"ErrRepeatedValue":  "a;x;*\nb;x;*\na;y;*\n",
		"ErrNotNested":      "a;x;p;*\nb;x;q;*\n",
		"ErrMalformedQuote": "a;x;*\n\"b;x;*\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := risk.ReadHierarchy(strings.NewReader(in), "h.csv", "x")
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("code %q (%v), want invalid", phigate.ErrorCode(err), err)
			}
			if strings.Contains(err.Error(), "\"a\"") || strings.Contains(err.Error(), "\"b\"") {
				t.Errorf("error %q holds a value", err)
			}
		})
	}
}

func TestFlatHierarchy(t *testing.T) {
	h := risk.FlatHierarchy("sex", []string{"F", "M", "F"})
	leaf, _ := h.Leaf("M")
	if h.Height() != 2 || h.Leaves() != 2 || h.Label(0, leaf) != "M" || h.Label(1, leaf) != "*" {
		t.Errorf("height %d leaves %d", h.Height(), h.Leaves())
	}
}

func TestNewProblemErrValueNotInHierarchy(t *testing.T) {
	tab, err := risk.ReadTable(strings.NewReader("age,name\n1,Ann\n2,Bob\n300,Cy\n"), "in.csv", []string{"age"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := risk.ReadHierarchy(strings.NewReader("1;*\n2;*\n"), "h.csv", "age")
	if err != nil {
		t.Fatal(err)
	}
	_, err = risk.NewProblem(tab, []*risk.Hierarchy{h}, "")
	if phigate.ErrorCode(err) != phigate.EINVALID {
		t.Fatalf("code %q, want invalid", phigate.ErrorCode(err))
	}
	if msg := err.Error(); !strings.Contains(msg, "in.csv:4") || !strings.Contains(msg, `"age"`) || strings.Contains(msg, "300") {
		t.Errorf("error %q: want file, line and column, no value", msg)
	}
}
