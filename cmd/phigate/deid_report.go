package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/structured"
)

// deidTotals adds up a `phigate deid` run: per category for text, per
// rule target and action, and per category in free text, for structured
// records. It reports each failure as it comes. It holds no values.
type deidTotals struct {
	prog                       *progress
	files, failed              int
	textFiles, recordFiles     int
	text                       deid.Counts
	records, written, rejected int
	changes                    map[string]map[structured.Action]int
	findings                   deid.Counts
	unknown                    map[string]int
	report                     []deidReportEntry
}

// deidReportEntry is one file in the --report JSON.
type deidReportEntry struct {
	File     string            `json:"file"`
	Out      string            `json:"out,omitempty"`
	Kind     string            `json:"kind"` // "text" or "structured"
	Error    string            `json:"error,omitempty"`
	Replaced deid.Counts       `json:"replaced,omitempty"`
	Records  *structured.Stats `json:"records,omitempty"`
}

func newDeidTotals(prog *progress) *deidTotals {
	return &deidTotals{prog: prog, text: deid.Counts{}, findings: deid.Counts{},
		changes: map[string]map[structured.Action]int{}, unknown: map[string]int{}}
}

// addText counts one text file.
func (t *deidTotals) addText(in deidInput, r deid.FileResult) {
	t.files++
	t.textFiles++
	t.text.Add(r.Counts)
	e := deidReportEntry{File: r.In, Out: in.out, Kind: "text", Replaced: r.Counts}
	if r.Err != nil {
		t.failed++
		e.Out, e.Error = "", userMessage(r.Err)
		t.prog.line("%s: %s", r.In, e.Error)
	}
	t.report = append(t.report, e)
	t.prog.advance()
}

// addRecords counts one structured input (st may be nil on failure).
func (t *deidTotals) addRecords(in deidInput, st *structured.Stats, err error) {
	t.files++
	t.recordFiles++
	name := in.in
	if name == "-" {
		name = "stdin"
	}
	e := deidReportEntry{File: name, Out: in.out, Kind: "structured", Records: st}
	if err != nil {
		t.failed++
		e.Out, e.Error = "", userMessage(err)
		t.prog.line("%s: %s", name, e.Error)
	}
	t.report = append(t.report, e)
	if st != nil {
		t.addStats(st, err == nil)
	}
	t.prog.advance()
}

// addStats adds up st and reports its malformed records by file and line.
func (t *deidTotals) addStats(st *structured.Stats, written bool) {
	t.records += st.Records
	if written {
		t.written += st.Written
	}
	t.rejected += st.Rejected.Count
	for _, r := range st.Rejected.List {
		t.prog.line("%s", r.Error())
	}
	if more := st.Rejected.Count - len(st.Rejected.List); more > 0 {
		t.prog.line("%s: %d more malformed records", st.File, more)
	}
	for target, m := range st.Changes {
		if t.changes[target] == nil {
			t.changes[target] = map[structured.Action]int{}
		}
		for a, n := range m {
			t.changes[target][a] += n
		}
	}
	t.findings.Add(st.Findings)
	for k, n := range st.Unknown {
		t.unknown[k] += n
	}
}

// err is the run's failure, if any file failed or any record was left out.
func (t *deidTotals) err() error { return errSummary(t.failed, t.files, t.rejected) }

// print writes the summary.
func (t *deidTotals) print(w io.Writer) {
	fmt.Fprintf(w, "phigate deid: %d file(s), %d failed\n", t.files, t.failed)
	if t.textFiles > 0 {
		fmt.Fprintf(w, "  text: %d file(s); replaced: %s\n", t.textFiles, countList(t.text))
	}
	if t.recordFiles == 0 {
		return
	}
	fmt.Fprintf(w, "  structured: %d file(s), %d records, %d written, %d rejected\n", t.recordFiles, t.records, t.written, t.rejected)
	targets := make([]string, 0, len(t.changes))
	for k := range t.changes {
		targets = append(targets, k)
	}
	sort.Strings(targets)
	for _, k := range targets {
		var parts []string
		for a, n := range t.changes[k] {
			parts = append(parts, fmt.Sprintf("%s=%d", a, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "    %-40s %s\n", k, strings.Join(parts, " "))
	}
	fmt.Fprintf(w, "    %-40s %s\n", "(free text)", countList(t.findings))
	if len(t.unknown) > 0 {
		fmt.Fprintf(w, "    %-40s %s\n", "(not in FHIR R4, removed)", intList(t.unknown))
	}
}

// countList renders counts per category in the categories' order:
// "DATE=1 NAME=2", or "nothing".
func countList(c deid.Counts) string {
	var parts []string
	for _, k := range phigate.Categories {
		if n := c[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " ")
}

func intList(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// progress reports a run on stderr: failures always, one line each, and
// on a terminal a bar of the files done. Safe for concurrent use.
type progress struct {
	w     io.Writer
	bar   bool
	mu    sync.Mutex
	total int
	done  int
	extra string
}

func newProgress(w io.Writer, total int, bar bool) *progress {
	return &progress{w: w, total: total, bar: bar && isTerminal(w)}
}

// line prints one message above the bar.
func (p *progress) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintf(p.w, "phigate deid: "+format+"\n", args...)
	p.draw()
}

// advance counts a file done.
func (p *progress) advance() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.extra = ""
	p.draw()
	if p.bar && p.done == p.total {
		fmt.Fprintln(p.w)
	}
}

// running shows, once a second until stop is called, which file is being
// processed and for how long (structured files can be large).
func (p *progress) running(name string) (stop func()) {
	if !p.bar {
		return func() {}
	}
	done, exited := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(exited)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			p.mu.Lock()
			p.extra = fmt.Sprintf(", %s %s", name, time.Since(start).Round(time.Second))
			p.draw()
			p.mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-exited }
}

// draw redraws the bar; the caller holds p.mu.
func (p *progress) draw() {
	if p.bar {
		fmt.Fprintf(p.w, "\r\x1b[K%s %d/%d files%s", bar(p.done, p.total, 30), p.done, p.total, p.extra)
	}
}

// bar draws a progress bar of width cells.
func bar(done, total, width int) string {
	n := width
	if total > 0 {
		n = done * width / total
	}
	b := make([]byte, width+2)
	b[0], b[width+1] = '[', ']'
	for i := 1; i <= width; i++ {
		b[i] = ' '
		if i <= n {
			b[i] = '#'
		}
	}
	return string(b)
}
