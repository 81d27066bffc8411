package structured

import (
	_ "embed"
	"strings"
)

//go:embed fhir_r4_types.txt
var fhirTypesText string

// fhirElement is one element of a FHIR type.
type fhirElement struct {
	Type string // its FHIR type, or a backbone element's name
	Base string // for a choice element ("deceasedDateTime"), its name ("deceased")
}

// fhirSchema knows the element types of FHIR R4.
type fhirSchema struct {
	resources map[string]bool
	elements  map[string]map[string]fhirElement // type → JSON name → element
}

var schema = parseSchema(fhirTypesText)

func parseSchema(text string) *fhirSchema {
	s := &fhirSchema{resources: map[string]bool{}, elements: map[string]map[string]fhirElement{}}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] == "resource" && len(f) == 2:
			s.resources[f[1]] = true
		case len(f) >= 3:
			if s.elements[f[0]] == nil {
				s.elements[f[0]] = map[string]fhirElement{}
			}
			e := fhirElement{Type: f[2], Base: f[1]}
			if len(f) == 4 {
				e.Base = f[3]
			}
			s.elements[f[0]][f[1]] = e
		}
	}
	return s
}

// IsResourceType reports whether name is a FHIR R4 resource type.
func IsResourceType(name string) bool { return schema.resources[name] }

// element returns the element named key of owner, and false if FHIR R4
// does not define it. Every element has id, extension and
// modifierExtension.
func (s *fhirSchema) element(owner, key string) (fhirElement, bool) {
	switch key {
	case "extension", "modifierExtension":
		return fhirElement{Type: "Extension", Base: key}, true
	case "id":
		if s.resources[owner] {
			return fhirElement{Type: "id", Base: key}, true
		}
		return fhirElement{Type: "string", Base: key}, true
	}
	e, ok := s.elements[owner][key]
	return e, ok
}

// primitiveTypes are the FHIR types whose JSON value is a string, number
// or boolean.
var primitiveTypes = map[string]bool{
	"base64Binary": true, "boolean": true, "canonical": true, "code": true, "date": true,
	"dateTime": true, "decimal": true, "id": true, "instant": true, "integer": true,
	"markdown": true, "oid": true, "positiveInt": true, "string": true, "time": true,
	"unsignedInt": true, "uri": true, "url": true, "uuid": true, "xhtml": true,
}
