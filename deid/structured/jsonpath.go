package structured

import (
	"strconv"
	"strings"
)

// jsonRules are the rules for JSON that is not FHIR, by dotted path.
type jsonRules struct {
	rules []Rule
	first map[string]int    // path → first rule for it
	kinds map[string]string // path → declared kind
	scan  bool              // strings no rule covers are scanned (safe-harbor)
}

// normPath turns "$.a[*].b" or "a[0].b" into "a.b".
func normPath(p string) string {
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$"), ".")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '[' {
			if j := strings.IndexByte(p[i:], ']'); j >= 0 {
				i += j
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func newJSONRules(c *Config) *jsonRules {
	jr := &jsonRules{first: map[string]int{}, kinds: map[string]string{}, scan: c.Profile == SafeHarbor}
	add := func(r Rule) {
		p := normPath(r.Path)
		if _, ok := jr.first[p]; !ok {
			jr.first[p] = len(jr.rules)
		}
		jr.rules = append(jr.rules, r)
	}
	for _, r := range c.Rules {
		if r.Path != "" {
			add(r)
		}
	}
	for _, f := range sortedKeys(c.Fields) {
		p := normPath(f)
		jr.kinds[p] = c.Fields[f]
		if c.Profile == SafeHarbor {
			r := kindRules[c.Fields[f]]
			r.Path = p
			add(r)
		}
	}
	return jr
}

func (jr *jsonRules) rule(path string) int {
	if i, ok := jr.first[path]; ok {
		return i
	}
	return -1
}

// jsonWalk de-identifies one JSON record that is not FHIR.
type jsonWalk struct {
	d       *Deidentifier
	st      *Stats
	patient string
}

// jsonValue de-identifies v in place; after a scan failure it names the
// field.
func (d *Deidentifier) jsonValue(v *value, st *Stats) (string, error) {
	w := &jsonWalk{d: d, st: st}
	if p := d.Config.Patient; p != "" {
		w.patient = scalarAt(v, normPath(p))
	}
	_, field, err := w.walk(v, "", -1)
	return field, err
}

// walk applies the rules under path; it reports whether v stays.
func (w *jsonWalk) walk(v *value, path string, rule int) (bool, string, error) {
	switch v.kind {
	case jObject:
		keys, vals := v.keys[:0], v.vals[:0]
		for i, k := range v.keys {
			cp := k
			if path != "" {
				cp = path + "." + k
			}
			keep, field, err := w.walk(v.vals[i], cp, minRule(rule, w.d.json.rule(cp)))
			if err != nil {
				return false, field, err
			}
			if keep {
				keys, vals = append(keys, k), append(vals, v.vals[i])
			}
		}
		v.keys, v.vals = keys, vals
		return true, "", nil
	case jArray:
		kept := v.arr[:0]
		for _, el := range v.arr {
			keep, field, err := w.walk(el, path, rule)
			if err != nil {
				return false, field, err
			}
			if keep {
				kept = append(kept, el)
			}
		}
		v.arr = kept
		return true, "", nil
	case jNull:
		return true, "", nil
	}
	return w.scalar(v, path, rule)
}

func (w *jsonWalk) scalar(v *value, path string, rule int) (bool, string, error) {
	jr := w.d.json
	var r Rule
	switch {
	case rule >= 0:
		r = jr.rules[rule]
	case jr.scan && v.kind == jString:
		r = Rule{Path: path, Action: Scan}
	default:
		return true, "", nil
	}
	if v.kind != jString && (r.Action == Keep || r.Action == Scan) {
		return true, "", nil
	}
	domain := "path:" + path
	if k, ok := jr.kinds[path]; ok {
		domain = kindDomain(k)
	}
	out, drop, err := w.d.e.apply(r, v.str, leaf{patient: w.patient, target: path, domain: domain, form: FormToken, stats: w.st})
	if err != nil {
		return false, path, err
	}
	if v.kind == jNumber && out != v.str {
		if _, err := strconv.ParseFloat(out, 64); err != nil {
			v.kind = jString // "90+" or a code where a number was
		}
	}
	v.str = out
	return !drop, "", nil
}

// scalarAt returns the string or number at a dotted path, or "".
func scalarAt(v *value, path string) string {
	for _, k := range strings.Split(path, ".") {
		if v = v.get(k); v == nil {
			return ""
		}
	}
	if v.kind == jString || v.kind == jNumber {
		return v.str
	}
	return ""
}
