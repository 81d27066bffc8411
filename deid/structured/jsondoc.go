package structured

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/risk"
)

// runDocument de-identifies one JSON document: a FHIR resource, a Bundle
// (its entries on all cores) or other JSON. The document is held whole,
// up to DefaultMaxDocument bytes.
func (d *Deidentifier) runDocument(ctx context.Context, r io.Reader, name string, w io.Writer, st *Stats) error {
	const op = "structured.runDocument"
	data, err := io.ReadAll(io.LimitReader(r, DefaultMaxDocument+1))
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("read %s: %w", name, err))
	}
	if len(data) > DefaultMaxDocument {
		return phigate.Errorf(phigate.ETOOLARGE, op, "%s is larger than %d bytes: use NDJSON", name, DefaultMaxDocument)
	}
	data = bytes.TrimPrefix(data, bom)
	lineOf := lineIndex(data)
	v, err := parseJSON(data)
	var syn *errSyntax
	if errors.As(err, &syn) {
		return phigate.E(phigate.EINVALID, op, &risk.RecordError{File: name, Line: lineOf(syn.off), Reason: "invalid JSON"})
	}
	st.Records = 1
	keep, err := d.document(ctx, v, name, lineOf, st)
	if err != nil || !keep {
		return err
	}
	st.Written = 1
	out := append(appendJSON(nil, v, d.Indent, 0), '\n')
	if _, err := w.Write(out); err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("write output: %w", err))
	}
	return nil
}

// document de-identifies a parsed document; a Bundle's entries are done
// in parallel first, then the rest of it.
func (d *Deidentifier) document(ctx context.Context, v *value, name string, lineOf func(int) int, st *Stats) (bool, error) {
	at := -1
	for i, k := range v.keys {
		if k == "entry" && v.vals[i].kind == jArray {
			at = i
		}
	}
	if v.stringAt("resourceType") != "Bundle" || at < 0 {
		return d.record(v, name, JSON, lineOf, st)
	}
	entries := v.vals[at]
	before := map[string]bool{}
	for _, k := range v.keys[:at] {
		before[k] = true
	}
	v.keys = append(v.keys[:at:at], v.keys[at+1:]...)
	v.vals = append(v.vals[:at:at], v.vals[at+1:]...)
	kept, err := d.entries(ctx, entries.arr, (&fhirWalk{}).bundleURLs(entries), name, lineOf, st)
	if err != nil {
		return false, err
	}
	keep, err := d.record(v, name, JSON, lineOf, st)
	if err != nil || !keep || len(kept) == 0 {
		return keep, err
	}
	entries.arr = kept
	insertAfter(v, before, "entry", entries)
	return true, nil
}

// insertAfter puts key back after the remaining keys that preceded it.
func insertAfter(v *value, before map[string]bool, key string, val *value) {
	i := 0
	for i < len(v.keys) && before[v.keys[i]] {
		i++
	}
	v.keys = append(v.keys[:i], append([]string{key}, v.keys[i:]...)...)
	v.vals = append(v.vals[:i], append([]*value{val}, v.vals[i:]...)...)
}

// entries de-identifies Bundle entries on all cores and returns those
// left, in order.
func (d *Deidentifier) entries(ctx context.Context, entries []*value, urls map[string]string, name string, lineOf func(int) int, st *Stats) ([]*value, error) {
	keep := make([]bool, len(entries))
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for range d.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := newStats()
			w := &fhirWalk{e: d.e, rules: d.fhir, stats: local, file: name, lineOf: lineOf, urls: urls}
			for i := range next {
				k, err := w.entry(entries[i], i)
				keep[i] = k
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
				}
			}
			mu.Lock()
			st.add(local)
			mu.Unlock()
		}()
	}
	for i := range entries {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	var kept []*value
	for i, e := range entries {
		if keep[i] {
			kept = append(kept, e)
		}
	}
	return kept, firstErr
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// entry de-identifies Bundle.entry[i]; an entry whose resource fails goes
// whole.
func (w *fhirWalk) entry(e *value, i int) (bool, error) {
	at := fmt.Sprintf("Bundle.entry[%d]", i)
	if e.kind != jObject {
		w.reject(e.off, at, "an entry must be a JSON object")
		return false, nil
	}
	stack := []frame{{typ: "Bundle", idx: -1}, {typ: "Bundle.Entry", key: "entry", base: "entry", idx: i}}
	res := e.get("resource")
	keep, err := w.object(e, stack, w.rules.match(stack), w.patientOf(res, res.stringAt("resourceType")), "")
	var scan *errScan
	if errors.As(err, &scan) {
		w.reject(e.off, at, "free text could not be scanned")
		return false, nil
	}
	return keep, err
}

// bundleURLs maps the fullUrls of a Bundle's entries to the resources
// they name.
func (w *fhirWalk) bundleURLs(entries *value) map[string]string {
	w.indexBundle(&value{kind: jObject, keys: []string{"entry"}, vals: []*value{entries}})
	return w.urls
}
