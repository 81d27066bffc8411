package eval

import (
	"fmt"
	"io"
)

// WriteReport prints r as a table: one block per view, recall per type
// with both rules, precision, then throughput.
func WriteReport(w io.Writer, r Result) error {
	for _, v := range r.Views {
		fmt.Fprintf(w, "== %s ==\n", v.View)
		fmt.Fprintf(w, "%-20s %6s %9s %9s\n", "type", "spans", "recall", "exact")
		for _, t := range v.Types() {
			c := v.ByType[t]
			fmt.Fprintf(w, "%-20s %6d %9.4f %9.4f\n", t, c.Gold, c.RecallOverlap(), c.RecallExact())
		}
		fmt.Fprintf(w, "%-20s %6d %9.4f %9.4f\n", "ALL", v.Total.Gold, v.Total.RecallOverlap(), v.Total.RecallExact())
		fmt.Fprintf(w, "precision: %.4f any-overlap (%d of %d findings), %.4f exact\n",
			v.PrecisionOverlap(), v.TPOverlap, v.Findings, v.PrecisionExact())
		if len(v.FalseByCategory) > 0 {
			fmt.Fprintf(w, "false positives by category:")
			for _, c := range sortedCategories(v.FalseByCategory) {
				fmt.Fprintf(w, " %s=%d", c, v.FalseByCategory[c])
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}
	if l := r.Leaks; l.Gold > 0 {
		fmt.Fprintf(w, "left after placeholders: %d of %d gold strings (all types)", l.Leaked, l.Gold)
		for _, t := range sortedKeys(l.ByType) {
			fmt.Fprintf(w, " %s=%d", t, l.ByType[t])
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintf(w, "throughput (warm, one goroutine): %d notes, %d bytes in %s: %.1f MB/s\n", r.Notes, r.Bytes, r.Duration, r.MBPerSecond())
	return err
}
