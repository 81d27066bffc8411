package structured

import (
	"strconv"
	"strings"

	"github.com/phigate/phigate/deid/risk"
)

// fhirWalk de-identifies FHIR resources in place.
type fhirWalk struct {
	e      *engine
	rules  *fhirRules
	stats  *Stats
	file   string
	lineOf func(off int) int
	urls   map[string]string // a Bundle's fullUrls → original "Type/id"
}

// reject records a rejected part of a record.
func (w *fhirWalk) reject(off int, field, reason string) {
	w.stats.reject(&risk.RecordError{File: w.file, Line: w.lineOf(off), Field: field, Reason: reason})
}

// resource de-identifies the resource v, at where for errors ("" at the
// top), and reports whether it may be written. patient is inherited by
// contained resources ("" for others), whose ids stay: they are local.
func (w *fhirWalk) resource(v *value, at, patient string, contained bool) (bool, error) {
	if v.kind != jObject {
		w.reject(v.off, at, "a resource must be a JSON object")
		return false, nil
	}
	rt := v.stringAt("resourceType")
	switch {
	case rt == "":
		w.reject(v.off, joinPath(at, "resourceType"), "missing resource type")
		return false, nil
	case !IsResourceType(rt):
		w.reject(v.off, joinPath(at, "resourceType"), "unknown FHIR R4 resource type")
		return false, nil
	}
	if patient == "" {
		patient = w.patientOf(v, rt)
	}
	if rt == "Bundle" {
		w.indexBundle(v)
	}
	stack := []frame{{typ: rt, idx: -1}}
	if contained {
		stack[0].key = containedKey
	}
	keep, err := w.object(v, stack, w.rules.match(stack), patient, at)
	return keep || len(v.keys) > 0, err
}

// object de-identifies the elements of v, whose path is stack. rule is
// the first rule matching v or an ancestor (-1 for none). It reports
// whether anything is left.
func (w *fhirWalk) object(v *value, stack []frame, rule int, patient, at string) (bool, error) {
	owner := stack[len(stack)-1].typ
	keys, vals := v.keys[:0], v.vals[:0]
	for i, key := range v.keys {
		child := v.vals[i]
		if len(stack) == 1 && key == "resourceType" {
			keys, vals = append(keys, key), append(vals, child)
			continue
		}
		f, ok := w.frameOf(owner, key)
		if !ok {
			w.stats.Unknown[path(stack)+"."+key]++
			continue
		}
		st := append(stack[:len(stack):len(stack)], f)
		keep, err := w.node(child, st, minRule(rule, w.rules.match(st)), patient, at)
		if err != nil {
			return false, err
		}
		if !keep && f.typ == "Resource" && owner == "Bundle.Entry" {
			return false, nil // an entry goes whole with its resource
		}
		if keep {
			keys, vals = append(keys, key), append(vals, child)
		}
	}
	v.keys, v.vals = keys, vals
	w.ageComparator(v, owner)
	if owner == "Narrative" && v.get("div") == nil {
		return false, nil // a narrative without its text goes whole
	}
	return len(keys) > 0, nil
}

// frameOf returns the frame of element key of owner; a primitive's
// "_key" companion holds an Element (id and extensions), which the rules
// for the primitive do not select: its extensions follow their own types.
func (w *fhirWalk) frameOf(owner, key string) (frame, bool) {
	if name, ok := strings.CutPrefix(key, "_"); ok {
		if el, ok := schema.element(owner, name); ok && primitiveTypes[el.Type] {
			return frame{typ: "Element", key: key, base: "_" + el.Base, idx: -1}, true
		}
		return frame{}, false
	}
	if owner == "Element" && key != "id" && key != "extension" {
		return frame{}, false
	}
	el, ok := schema.element(owner, key)
	return frame{typ: el.Type, key: key, base: el.Base, idx: -1}, ok
}

// node de-identifies one element's value (an object, a scalar, or an
// array of them) and reports whether anything is left.
func (w *fhirWalk) node(v *value, st []frame, rule int, patient, at string) (bool, error) {
	if v.kind == jArray {
		kept := v.arr[:0]
		for i, el := range v.arr {
			st[len(st)-1].idx = i
			keep, err := w.node(el, st, rule, patient, at)
			if err != nil {
				return false, err
			}
			if keep {
				kept = append(kept, el)
			}
		}
		st[len(st)-1].idx = -1
		v.arr = kept
		return len(kept) > 0, nil
	}
	f := st[len(st)-1]
	switch {
	case f.typ == "Resource":
		return w.resource(v, joinPath(at, where(st)), patient, f.key == "contained")
	case primitiveTypes[f.typ] != (v.kind != jObject):
		w.stats.Unknown[path(st)+" (wrong JSON type)"]++
		return false, nil
	case v.kind == jObject:
		return w.object(v, st, rule, patient, at)
	}
	return w.scalar(v, st, rule, patient)
}

// scalar applies rule to a primitive value and reports whether it stays.
func (w *fhirWalk) scalar(v *value, st []frame, rule int, patient string) (bool, error) {
	if rule < 0 || v.kind == jNull {
		return true, nil
	}
	r := w.rules.rules[rule]
	f := st[len(st)-1]
	if v.kind != jString {
		return w.number(v, r, f), nil
	}
	if r.Action == Pseudonymise {
		return w.pseudonymise(v, st, r)
	}
	if r.Action == Scan && f.typ == "xhtml" {
		return true, w.narrative(v, r, patient)
	}
	out, drop, err := w.e.apply(r, v.str, leaf{patient: patient, target: r.target(), stats: w.stats})
	if err != nil {
		return false, err
	}
	v.str = out
	return !drop, nil
}

// number applies a rule to a number or boolean: kept unless redacted, or
// an age over 89 capped at 90.
func (w *fhirWalk) number(v *value, r Rule, f frame) bool {
	switch {
	case r.Action == Keep || r.Action == Scan:
		return true
	case r.Action == Generalise && (r.As == AsAge || strings.HasPrefix(r.As, AsAgeBand)) && v.kind == jNumber:
		if n, err := strconv.ParseFloat(v.str, 64); err == nil && n > 89 {
			v.str = "90"
			w.stats.change(r.target(), Generalise)
		}
		return true
	}
	w.stats.change(r.target(), Redact)
	return false
}

// ageComparator marks an Age capped at 90 as "90 or more".
func (w *fhirWalk) ageComparator(v *value, owner string) {
	if owner != "Age" {
		return
	}
	if n := v.get("value"); n != nil && n.kind == jNumber && n.str == "90" {
		if c := v.get("comparator"); c != nil {
			c.kind, c.str = jString, ">="
			return
		}
		v.keys, v.vals = append(v.keys, "comparator"), append(v.vals, &value{kind: jString, str: ">="})
	}
}

func (w *fhirWalk) narrative(v *value, r Rule, patient string) error {
	counts := w.stats.Findings
	out, err := scrubXHTML(w.e.scrub, nil, []byte(v.str), patient, counts)
	if err != nil {
		return &errScan{err}
	}
	if string(out) != v.str {
		w.stats.change(r.target(), Scan)
	}
	v.str = string(out)
	return nil
}

// containedKey marks the root frame of a contained resource, whose id is
// local to its container and referenced as "#id".
const containedKey = "#"

// joinPath joins the path of a resource inside another to the outer one's.
func joinPath(outer, inner string) string {
	if outer == "" {
		return inner
	}
	if i := strings.IndexAny(inner, ".["); i >= 0 && inner[i] == '.' {
		inner = inner[i+1:]
	}
	return outer + "." + inner
}
