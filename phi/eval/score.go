package eval

import (
	"fmt"
	"sort"
	"time"

	"github.com/phigate/phigate"
)

// View selects which gold types and findings count.
type View struct {
	Name string
	// Exclude lists gold types left out; findings overlapping them are
	// neither true nor false positives.
	Exclude map[string]bool
	// DropYearOnly leaves out findings flagged YearOnly.
	DropYearOnly bool
}

// The standard views. SafeHarbor leaves lone years (DateYear) out of the
// gold; SafeHarborYearsKept also drops the findings flagged YearOnly, as
// a caller that keeps lone years (which Safe Harbor allows) would: any
// gold span the scanner calls a lone year then counts as missed.
var (
	AllTypes            = View{Name: "all types"}
	SafeHarbor          = View{Name: "Safe Harbor", Exclude: map[string]bool{"DateYear": true}}
	SafeHarborYearsKept = View{Name: "Safe Harbor, lone years kept", Exclude: map[string]bool{"DateYear": true}, DropYearOnly: true}
)

// Counts are recall counts of one gold type.
type Counts struct {
	Gold, FoundOverlap, FoundExact int
}

// RecallOverlap is the share of gold spans overlapped by a finding.
func (c Counts) RecallOverlap() float64 { return ratio(c.FoundOverlap, c.Gold) }

// RecallExact is the share of gold spans matched exactly by a finding.
func (c Counts) RecallExact() float64 { return ratio(c.FoundExact, c.Gold) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// ViewResult is the score of one view.
type ViewResult struct {
	View   string
	ByType map[string]Counts
	Total  Counts
	// Findings counted; TPOverlap overlap a gold span, TPExact equal one.
	Findings, TPOverlap, TPExact int
	// FalseByCategory counts false positives per finding category.
	FalseByCategory map[phigate.Category]int
}

// PrecisionOverlap is the share of findings that overlap a gold span.
func (v ViewResult) PrecisionOverlap() float64 { return ratio(v.TPOverlap, v.Findings) }

// PrecisionExact is the share of findings equal to a gold span.
func (v ViewResult) PrecisionExact() float64 { return ratio(v.TPExact, v.Findings) }

// Result is the score of a detector on a corpus.
type Result struct {
	Views    []ViewResult
	Bytes    int64
	Duration time.Duration
	Notes    int
	// Leaks counts the gold strings left in the text once every finding
	// is replaced by a placeholder.
	Leaks Leaks
}

// MBPerSecond is the detector's throughput in 10^6 bytes per second.
func (r Result) MBPerSecond() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.Duration.Seconds() / 1e6
}

// Score runs d over every record and scores its findings against gold.
func Score(d phigate.Detector, recs []Record, gold []Span, views ...View) (Result, error) {
	if len(views) == 0 {
		views = []View{AllTypes, SafeHarbor, SafeHarborYearsKept}
	}
	byNote := map[[2]string][]Span{}
	for _, s := range gold {
		k := [2]string{s.Patient, s.Note}
		byNote[k] = append(byNote[k], s)
	}
	res := Result{Notes: len(recs)}
	if o, ok := d.(interface{ Open() error }); ok {
		if err := o.Open(); err != nil {
			return res, fmt.Errorf("open detector: %w", err)
		}
	}
	found := make([][]phigate.Finding, len(recs))
	for i, r := range recs {
		fs, err := d.Detect(nil, r.Text)
		if err != nil {
			return res, fmt.Errorf("detect note %d: %w", i+1, err)
		}
		found[i] = fs
		res.Bytes += int64(len(r.Text))
	}
	// Throughput is timed on a second pass, warm, on one goroutine: the
	// first pays for filling caches and pools once per process.
	var buf []phigate.Finding
	start := time.Now()
	for _, r := range recs {
		buf, _ = d.Detect(buf[:0], r.Text)
	}
	res.Duration = time.Since(start)
	for i, r := range recs {
		res.Leaks.countLeaks(r.Text, byNote[[2]string{r.Patient, r.Note}], found[i])
	}
	for _, v := range views {
		vr := ViewResult{View: v.Name, ByType: map[string]Counts{}, FalseByCategory: map[phigate.Category]int{}}
		for i, r := range recs {
			scoreNote(&vr, v, byNote[[2]string{r.Patient, r.Note}], found[i])
		}
		res.Views = append(res.Views, vr)
	}
	return res, nil
}

func overlaps(s Span, f phigate.Finding) bool { return f.Start < s.End && s.Start < f.End }

func scoreNote(vr *ViewResult, v View, gold []Span, fs []phigate.Finding) {
	var kept []phigate.Finding
	for _, f := range fs {
		if !(v.DropYearOnly && f.YearOnly) {
			kept = append(kept, f)
		}
	}
	for _, s := range gold {
		if v.Exclude[s.Type] {
			continue
		}
		c := vr.ByType[s.Type]
		c.Gold++
		vr.Total.Gold++
		for _, f := range kept {
			if overlaps(s, f) {
				c.FoundOverlap++
				vr.Total.FoundOverlap++
				break
			}
		}
		for _, f := range kept {
			if f.Start == s.Start && f.End == s.End {
				c.FoundExact++
				vr.Total.FoundExact++
				break
			}
		}
		vr.ByType[s.Type] = c
	}
	for _, f := range kept {
		tp, excluded, exact := false, false, false
		for _, s := range gold {
			if overlaps(s, f) {
				if v.Exclude[s.Type] {
					excluded = true
					continue
				}
				tp = true
				exact = exact || f.Start == s.Start && f.End == s.End
			}
		}
		if excluded && !tp {
			continue
		}
		vr.Findings++
		if tp {
			vr.TPOverlap++
		} else {
			vr.FalseByCategory[f.Category]++
		}
		if exact {
			vr.TPExact++
		}
	}
}

// Types returns the gold types of a view result in a stable order.
func (v ViewResult) Types() []string {
	var ts []string
	for t := range v.ByType {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}
