package deid_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phigate/phigate/deid"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden applies every method to testdata/*.input and compares with
// testdata/NAME.METHOD.golden (go test -update rewrites them). Surrogates
// use a fixed key and placeholders a seeded source, so outputs are stable.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.input")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range inputs {
		text, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		fs := MustDetect(t, text)
		for _, m := range deid.Methods {
			t.Run(filepath.Base(in)+"/"+string(m), func(t *testing.T) {
				sur, err := deid.NewSurrogater([]byte("golden key"), nil)
				if err != nil {
					t.Fatal(err)
				}
				tr := &deid.Transformer{Method: m, Surrogates: sur, Rand: seeded(7), KeepYears: m == deid.Surrogate}
				out, _, err := tr.Apply(nil, text, fs, "patient-1")
				if err != nil {
					t.Fatal(err)
				}
				golden := strings.TrimSuffix(in, ".input") + "." + string(m) + ".golden"
				if *update {
					os.WriteFile(golden, out, 0o644)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("read golden (run with -update): %v", err)
				}
				if string(out) != string(want) {
					t.Errorf("%s differs:\n got: %s\nwant: %s", golden, out, want)
				}
			})
		}
	}
}
