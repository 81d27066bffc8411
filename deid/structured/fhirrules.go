package structured

import (
	"strconv"
	"strings"
)

// frame is one step from a resource's root to a node.
type frame struct {
	typ  string // the node's FHIR type (the resource type at the root)
	key  string // its JSON key ("" at the root)
	base string // its element name: the key, or a choice element's base
	idx  int    // its index in an array, or -1
}

// fhirRules matches rules against nodes of a FHIR resource.
type fhirRules struct {
	rules  []Rule
	segs   [][]string
	byType map[string][]int // one-segment rules: a type
	byKey  map[string][]int // longer rules, by their last segment
}

func newFHIRRules(rules []Rule) *fhirRules {
	fr := &fhirRules{byType: map[string][]int{}, byKey: map[string][]int{}}
	for _, r := range rules {
		if r.Path == "" {
			continue
		}
		i := len(fr.rules)
		fr.rules = append(fr.rules, r)
		segs := strings.Split(strings.TrimPrefix(r.Path, "$."), ".")
		fr.segs = append(fr.segs, segs)
		if len(segs) == 1 {
			fr.byType[segs[0]] = append(fr.byType[segs[0]], i)
		} else {
			fr.byKey[segs[len(segs)-1]] = append(fr.byKey[segs[len(segs)-1]], i)
		}
	}
	return fr
}

// match returns the first rule that selects the last node of stack, or -1.
func (fr *fhirRules) match(stack []frame) int {
	n := stack[len(stack)-1]
	best := -1
	try := func(ids []int) {
		for _, i := range ids {
			if best >= 0 && i >= best {
				return
			}
			if fr.matches(fr.segs[i], stack) {
				best = i
				return
			}
		}
	}
	try(fr.byType[n.typ])
	if len(stack) == 1 {
		try(fr.byType["Resource"])
		try(fr.byType["DomainResource"])
	}
	try(fr.byKey[n.key])
	if n.base != n.key {
		try(fr.byKey[n.base])
	}
	return best
}

// matches reports whether segs ("Type.a.b") selects the last node of stack.
func (fr *fhirRules) matches(segs []string, stack []frame) bool {
	k := len(segs) - 1
	d := len(stack) - 1 - k
	if d < 0 {
		return false
	}
	for j := 1; j <= k; j++ {
		f := stack[d+j]
		if f.key != segs[j] && f.base != segs[j] {
			return false
		}
	}
	t := segs[0]
	return stack[d].typ == t || d == 0 && (t == "Resource" || t == "DomainResource")
}

// minRule returns the earlier of two rule indices (-1 is none).
func minRule(a, b int) int {
	switch {
	case a < 0:
		return b
	case b < 0 || a < b:
		return a
	}
	return b
}

// where renders a stack with array indices, for errors:
// "Bundle.entry[3].resource".
func where(stack []frame) string {
	var b strings.Builder
	for i, f := range stack {
		if i > 0 {
			b.WriteByte('.')
			b.WriteString(f.key)
		} else {
			b.WriteString(f.typ)
		}
		if f.idx >= 0 {
			b.WriteString("[" + strconv.Itoa(f.idx) + "]")
		}
	}
	return b.String()
}

// path renders a stack for reports: "Patient.contact.name.family".
func path(stack []frame) string {
	var b strings.Builder
	for i, f := range stack {
		if i == 0 {
			b.WriteString(f.typ)
			continue
		}
		b.WriteByte('.')
		b.WriteString(f.key)
	}
	return b.String()
}
