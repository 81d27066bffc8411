package eval

import (
	"fmt"
	"io"

	"github.com/phigate/phigate"
)

// contextBytes is how much text WriteErrors shows around a span.
const contextBytes = 40

// WriteErrors prints every gold span the detector missed and every
// finding that overlaps no gold span, in view v, each with its context.
// The output quotes the corpus: use it on evaluation data only.
func WriteErrors(w io.Writer, d phigate.Detector, recs []Record, gold []Span, v View) error {
	byNote := map[[2]string][]Span{}
	for _, s := range gold {
		k := [2]string{s.Patient, s.Note}
		byNote[k] = append(byNote[k], s)
	}
	for _, r := range recs {
		fs, err := d.Detect(nil, r.Text)
		if err != nil {
			return fmt.Errorf("detect note %s/%s: %w", r.Patient, r.Note, err)
		}
		var kept []phigate.Finding
		for _, f := range fs {
			if !(v.DropYearOnly && f.YearOnly) {
				kept = append(kept, f)
			}
		}
		gs := byNote[[2]string{r.Patient, r.Note}]
		writeMisses(w, r, gs, kept, v)
		writeFalse(w, r, gs, kept)
	}
	return nil
}

func writeMisses(w io.Writer, r Record, gs []Span, fs []phigate.Finding, v View) {
	for _, s := range gs {
		if v.Exclude[s.Type] {
			continue
		}
		hit := false
		for _, f := range fs {
			hit = hit || overlaps(s, f)
		}
		if !hit && s.End <= len(r.Text) {
			fmt.Fprintf(w, "MISSED %s %s/%s %s\n", s.Type, r.Patient, r.Note, quote(r.Text, s.Start, s.End))
		}
	}
}

func writeFalse(w io.Writer, r Record, gs []Span, fs []phigate.Finding) {
	for _, f := range fs {
		hit := false
		for _, s := range gs {
			hit = hit || overlaps(s, f)
		}
		if !hit {
			fmt.Fprintf(w, "FALSE %s %s %s/%s %s\n", f.Category, f.Recognizer, r.Patient, r.Note, quote(r.Text, f.Start, f.End))
		}
	}
}

func quote(t []byte, a, b int) string {
	l, r := max(0, a-contextBytes), min(len(t), b+contextBytes)
	return fmt.Sprintf("%q [[%s]] %q", t[l:a], t[a:b], t[b:r])
}
