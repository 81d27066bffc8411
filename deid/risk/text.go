package risk

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes r for a terminal: one figure a line.
func (r *Risk) WriteText(w io.Writer) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-34s "+format+"\n", append([]any{label}, args...)...)
	}
	line("Quasi-identifiers", "%s", strings.Join(r.QuasiIdentifiers, ", "))
	line("Records analysed", "%d", r.Records)
	if r.Suppressed > 0 {
		line("Records suppressed (left out)", "%d", r.Suppressed)
	}
	line("Equivalence classes", "%d", r.Classes)
	line("k (smallest class)", "%d", r.K)
	line(fmt.Sprintf("Classes smaller than %d", r.ThresholdK), "%d", r.ClassesBelowK)
	line(fmt.Sprintf("Records in classes smaller than %d", r.ThresholdK), "%d (%s)", r.RecordsBelowK, pct(r.Prosecutor.RecordsAtRisk))
	line("Sample uniques", "%d (%s)", r.SampleUniques, pct(r.SampleUniqueness))
	line("Prosecutor risk: highest", "%.4f", r.Prosecutor.Highest)
	line("Prosecutor risk: average", "%.4f", r.Prosecutor.Average)
	line("Journalist risk: highest", "%.4f", r.Journalist.Highest)
	line("Journalist risk: average", "%.4f", r.Journalist.Average)
	line(fmt.Sprintf("Journalist: records at risk > 1/%d", r.ThresholdK), "%s", pct(r.Journalist.RecordsAtRisk))
	line("Marketer risk", "%.4f", r.Marketer)
	if !r.Population {
		b.WriteString("(no population table: the data set is taken as its own population,\n so journalist risk equals prosecutor risk)\n")
	}
	b.WriteString("\nClass sizes:\n")
	for _, s := range r.ClassSizes {
		if s.Classes > 0 {
			fmt.Fprintf(&b, "  %-10s %8d classes %10d records\n", s.label(), s.Classes, s.Records)
		}
	}
	for _, d := range r.Sensitive {
		fmt.Fprintf(&b, "\nSensitive column %q:\n", d.Column)
		line("  distinct l-diversity", "%d", d.DistinctL)
		line("  entropy l-diversity", "%.3f", d.EntropyL)
		line(fmt.Sprintf("  classes with fewer than %d values", r.ThresholdL), "%d (%d records)", d.ClassesBelowL, d.RecordsBelowL)
		line("  records in one-value classes", "%d", d.HomogeneousRecords)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (s SizeBucket) label() string {
	switch {
	case s.Max == 0:
		return fmt.Sprintf("%d+", s.Min)
	case s.Min == s.Max:
		return fmt.Sprint(s.Min)
	}
	return fmt.Sprintf("%d-%d", s.Min, s.Max)
}

func pct(x float64) string { return fmt.Sprintf("%.2f%%", 100*x) }
