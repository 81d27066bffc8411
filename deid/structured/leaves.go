package structured

import (
	"bytes"

	"github.com/phigate/phigate"
)

// Leaf is one primitive value of a FHIR resource.
type Leaf struct {
	Path  string // element path without indices: "Patient.name.family"
	Owner string // the type of the element holding it: "HumanName"
	Type  string // FHIR type: "string", "date", ...; "" if R4 does not define the element
	Value string // the value as JSON text would hold it, unquoted
}

// FHIRLeaves lists the primitive values of a FHIR resource or Bundle (a
// JSON document), with their paths and types, to audit what a profile
// keeps. Codes: EINVALID (not JSON).
func FHIRLeaves(doc []byte) ([]Leaf, error) {
	v, err := parseJSON(bytes.TrimPrefix(doc, bom))
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "structured.FHIRLeaves", err)
	}
	var out []Leaf
	listLeaves(v, "", v.stringAt("resourceType"), "", &out)
	return out, nil
}

var bom = []byte("\xef\xbb\xbf")

func listLeaves(v *value, owner, typ, path string, out *[]Leaf) {
	switch v.kind {
	case jArray:
		for _, el := range v.arr {
			listLeaves(el, owner, typ, path, out)
		}
		return
	case jObject:
		if rt := v.stringAt("resourceType"); rt != "" && typ == "Resource" || path == "" {
			typ, path = rt, rt
		}
		for i, k := range v.keys {
			if k == "resourceType" {
				continue
			}
			f, ok := (&fhirWalk{}).frameOf(typ, k)
			if !ok {
				f.typ = ""
			}
			listLeaves(v.vals[i], typ, f.typ, path+"."+k, out)
		}
		return
	case jNull:
		return
	}
	*out = append(*out, Leaf{Path: path, Owner: owner, Type: typ, Value: v.str})
}
