// Command tool runs the PhysioNet evaluation during development; the
// product command is `phigate eval`.
package main

import (
	"fmt"
	"os"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/phi/eval"
)

func main() {
	tf, _ := os.Open(os.Args[1])
	pf, _ := os.Open(os.Args[2])
	recs, err := eval.ParseText(tf)
	if err != nil {
		panic(err)
	}
	gold, err := eval.ParsePhrases(pf)
	if err != nil {
		panic(err)
	}
	s := phi.NewScanner()
	res, err := eval.Score(s, recs, gold)
	if err != nil {
		panic(err)
	}
	eval.WriteReport(os.Stdout, res)
	if len(os.Args) > 3 {
		dump(s, recs, gold, os.Args[3])
	}
}

func dump(s *phi.Scanner, recs []eval.Record, gold []eval.Span, mode string) {
	by := map[[2]string][]eval.Span{}
	for _, g := range gold {
		by[[2]string{g.Patient, g.Note}] = append(by[[2]string{g.Patient, g.Note}], g)
	}
	ctx := func(t []byte, a, b int) string {
		l, r := max(0, a-40), min(len(t), b+30)
		return fmt.Sprintf("%q [[%s]] %q", t[l:a], t[a:b], t[b:r])
	}
	for _, r := range recs {
		fs, _ := s.Detect(nil, r.Text)
		gs := by[[2]string{r.Patient, r.Note}]
		if mode == "fn" || mode == "fnyear" {
			for _, g := range gs {
				if (g.Type == "DateYear") != (mode == "fnyear") {
					continue
				}
				hit := false
				for _, f := range fs {
					if f.Start < g.End && g.Start < f.End && (!f.YearOnly || mode == "fnyear") {
						hit = true
					}
				}
				if !hit {
					fmt.Println("FN", g.Type, ctx(r.Text, g.Start, g.End))
				}
			}
		} else {
			for _, f := range fs {
				if f.YearOnly != (mode == "fpyear") {
					continue
				}
				hit := false
				for _, g := range gs {
					if f.Start < g.End && g.Start < f.End {
						hit = true
					}
				}
				if !hit {
					fmt.Println("FP", f.Category, f.Recognizer, ctx(r.Text, f.Start, f.End))
				}
			}
		}
	}
}

var _ phigate.Detector = (*phi.Scanner)(nil)
